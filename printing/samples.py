"""Demo content for test prints and samples. The citizen is fictional."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.clock import LOCAL_TZ
from printing.dossier_prints import CentreHeader
from printing.layouts import ReceiptPrint, ReceivedDocument, TicketPrint

SAMPLE_CENTRE = "UBND xã Đông Hưng – Trung tâm Phục vụ hành chính công"
SAMPLE_PAGE_BASE = "http://192.168.1.20:8711"  # the centre's plain board port, as a counter learns it
SAMPLE_LOOKUP_KEY = "Xq7mR2pLk9Tz"  # a counter draws a random one per dossier


def sample_ticket(now: datetime) -> TicketPrint:
    return TicketPrint(
        centre_name=SAMPLE_CENTRE,
        group_name="Hộ tịch",
        number="A015",
        counters=("1", "3"),
        people_ahead=4,
        estimated_wait_s=780,
        issued_at=now,
        follow_url="http://motcua.local:8710/t/15",
        priority="Người cao tuổi",
    )


def sample_receipt(now: datetime) -> ReceiptPrint:
    received = now.astimezone(LOCAL_TZ).replace(hour=9, minute=40, second=0, microsecond=0)
    code = f"000.00.12.H48-{received:%y%m%d}-0007"
    lookup_qr, lookup_caption = CentreHeader(page_base=SAMPLE_PAGE_BASE).lookup(code, SAMPLE_LOOKUP_KEY)
    return ReceiptPrint(
        agency="UBND xã Đông Hưng",
        unit="Trung tâm Phục vụ hành chính công",
        place="Đông Hưng",
        dossier_code=code,
        citizen_name="Nguyễn Thị Ánh Tuyết",
        id_number="034186000123",
        address="Thôn Phú Xuân, xã Đông Hưng, tỉnh Hưng Yên",
        phone="0912 345 678",
        content="Thủ tục đăng ký khai sinh cho con: Trần Minh Khôi",
        documents=(
            ReceivedDocument("Tờ khai đăng ký khai sinh (theo mẫu)", 1, "Bản chính"),
            ReceivedDocument("Giấy chứng sinh", 1, "Bản chính"),
            ReceivedDocument("Giấy chứng nhận kết hôn của cha mẹ", 1, "Bản sao chứng thực"),
        ),
        statutory_time="Trong ngày làm việc",
        received_at=received,
        appointment_at=received + timedelta(hours=6, minutes=20),
        collect_at="Quầy số 1, Trung tâm Phục vụ hành chính công xã Đông Hưng",
        clerk_name="Lê Văn Bình",
        fees="Miễn lệ phí (đăng ký đúng hạn)",
        book="Quyển số 03, Số thứ tự 127",
        lookup_qr=lookup_qr,
        lookup_caption=lookup_caption,
        hotline="0221 3851 234",
    )
