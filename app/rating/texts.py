"""What the rating screen says, in Vietnamese, to a citizen who has just left the counter."""

from __future__ import annotations

CENTRE_FALLBACK = "Trung tâm Phục vụ hành chính công"
IDLE_TITLE = "Cảm ơn quý khách"
IDLE_HINT = "Sau khi được phục vụ, mời quý khách đánh giá mức độ hài lòng tại đây."
OFFLINE = "Màn hình đang kết nối lại với hệ thống. Đánh giá của quý khách vẫn được ghi nhận."
QUESTION = "Quý khách có hài lòng với việc phục vụ?"
REASON_QUESTION = "Xin lỗi quý khách. Quý khách chưa hài lòng vì điều gì?"
THANKS_TITLE = "Cảm ơn quý khách đã đánh giá!"
THANKS_HINT = "Ý kiến của quý khách giúp chúng tôi phục vụ tốt hơn."
NO_CLERK = "Cán bộ tại quầy"


def number_line(number: str) -> str:
    return f"Số {number}" if number else ""


def clerk_line(name: str) -> str:
    return f"Cán bộ phục vụ: {name}"
