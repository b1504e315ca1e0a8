"""Kiosk words in Vietnamese first, English as a switch. Procedure data itself stays Vietnamese."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "get_ticket": ("LẤY SỐ THỨ TỰ", "GET A TICKET"),
    "lookup": ("TRA CỨU THỦ TỤC", "FIND A PROCEDURE"),
    "scan": ("QUÉT MÃ QR", "SCAN A QR CODE"),
    "language": ("English", "Tiếng Việt"),
    "welcome": ("Kính chào quý khách", "Welcome"),
    "choose_field": ("Chọn lĩnh vực cần giải quyết", "Choose what you came for"),
    "choose_procedure": ("Chọn thủ tục (không bắt buộc)", "Choose a procedure (optional)"),
    "other": ("Khác / Không rõ", "Other / not sure"),
    "priority_q": ("Quý khách thuộc đối tượng ưu tiên?", "Do you have priority?"),
    "no_priority": ("Không", "No"),
    "back": ("‹ Quay lại", "‹ Back"),
    "home": ("Trang đầu", "Home"),
    "your_number": ("SỐ THỨ TỰ CỦA QUÝ KHÁCH", "YOUR NUMBER"),
    "printing": ("Đang in phiếu…", "Printing your ticket…"),
    "take_ticket": ("Mời nhận phiếu ở khe bên dưới.", "Please take your ticket below."),
    "print_failed": ("Chưa in được phiếu", "The ticket could not be printed"),
    "remember": ("Hãy ghi nhớ số này hoặc chụp ảnh màn hình.", "Please remember this number or take a photo."),
    "reprint": ("IN LẠI", "PRINT AGAIN"),
    "issuing": ("Đang lấy số…", "Getting your number…"),
    "offline": (
        "Mất kết nối với máy chủ Trung tâm. Tạm dừng cấp số, đang tự kết nối lại…",
        "Lost connection to the centre server. Tickets paused, reconnecting…",
    ),
    "closed": ("Tạm ngừng cấp số", "Closed"),
    "search_hint": ("Gõ tên thủ tục, không cần dấu", "Type a procedure name, no accents needed"),
    "search": ("Tìm", "Search"),
    "all_fields": ("‹ Tất cả lĩnh vực", "‹ All fields"),
    "no_results": ("Không tìm thấy thủ tục phù hợp.", "No matching procedure."),
    "documents": ("Hồ sơ cần chuẩn bị", "Documents to bring"),
    "time": ("Thời hạn giải quyết", "Processing time"),
    "fee": ("Phí, lệ phí", "Fees"),
    "legal": ("Căn cứ pháp lý", "Legal basis"),
    "where": ("Nơi nộp hồ sơ", "Where to submit"),
    "code": ("Mã thủ tục", "Procedure code"),
    "scan_phone": ("Quét bằng điện thoại để xem lại", "Scan with your phone to keep it"),
    "ticket_for_this": ("LẤY SỐ CHO THỦ TỤC NÀY", "GET A TICKET FOR THIS"),
    "scan_hint": ("Đưa mã QR vào giữa khung", "Hold the QR code inside the frame"),
    "scan_not_ours": ("Mã này không phải của Trung tâm.", "This code is not one of ours."),
    "no_camera": ("Không mở được máy ảnh của kiosk.", "The kiosk camera is not available."),
    "receipt_offline": (
        "Chưa tra cứu được tình trạng hồ sơ lúc này (không có kết nối). Vui lòng hỏi cán bộ tại quầy.",
        "The dossier status is not available offline. Please ask at a counter.",
    ),
    "people_ahead": ("Trước quý khách có {n} người", "{n} people ahead of you"),
    "next_one": ("Quý khách là người tiếp theo", "You are next"),
    "wait_about": ("chờ khoảng {m} phút", "about {m} min"),
    "counters": ("Mời đến quầy: {c}", "Go to counter: {c}"),
}


class Texts:
    def __init__(self, language: str = "vi") -> None:
        self.language = language

    def toggle(self) -> None:
        self.language = "en" if self.language == "vi" else "vi"

    def __call__(self, key: str, **values: object) -> str:
        vi, en = STRINGS[key]
        text = en if self.language == "en" else vi
        return text.format(**values) if values else text
