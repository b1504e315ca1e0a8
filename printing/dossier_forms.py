"""Counter forms that turn a citizen away for now: Mẫu 02 (yêu cầu bổ sung) and Mẫu 03 (từ chối tiếp nhận).

Same shape as the Mẫu 01 receipt in `printing.layouts`: plain data in, a `Document` out, an A4 sheet for
the laser printer and a slip for the 80 mm roll. Empty optional fields are left out rather than printed
as blanks, so a slip stays short and nothing reads "None".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.core.clock import LOCAL_TZ
from printing.doc import (
    A4_HEIGHT_MM,
    A4_WIDTH_MM,
    QR,
    Block,
    Columns,
    Document,
    Field,
    Page,
    Rule,
    Space,
    Table,
    Text,
    roll_width_mm,
)

TITLE_02 = "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
TITLE_03 = "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
SUPPLEMENT_NOTE = "Thời gian bổ sung hồ sơ không tính vào thời hạn giải quyết."
SIGN_HINT = "(Ký và ghi rõ họ tên)"


@dataclass(frozen=True, kw_only=True)
class SupplementPrint:
    """Mẫu 02: what the citizen must add or correct before the dossier can be received."""

    agency: str  # e.g. "UBND xã Đông Hưng"
    unit: str  # e.g. "Trung tâm Phục vụ hành chính công"
    place: str  # for the date line: "Đông Hưng, ngày … tháng … năm …"
    dossier_code: str  # "" when the dossier was never received
    citizen_name: str
    id_number: str
    address: str
    phone: str
    content: str  # trích yếu: the procedure asked for
    items: tuple[tuple[str, str], ...]  # (document name, what is required of it)
    reason: str
    lookup_where: str  # where the procedure's rules are published
    clerk_name: str
    clerk_phone: str
    requested_at: datetime
    lookup_qr: str | None = None
    email: str = ""

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError("a supplement request lists at least one document")


@dataclass(frozen=True, kw_only=True)
class RefusalPrint:
    """Mẫu 03: the dossier is not received; the law asks for the specific reason in writing."""

    agency: str
    unit: str
    place: str
    dossier_code: str  # usually "": a refused dossier is rarely given a code
    citizen_name: str
    id_number: str
    address: str
    phone: str
    content: str
    reason: str
    lookup_where: str
    contact: str  # whom to contact with questions
    clerk_name: str
    refused_at: datetime
    lookup_qr: str | None = None
    email: str = ""

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("a refusal must state its specific reason")


# --- shared pieces ----------------------------------------------------------------------------------


def _date_line(place: str, at: datetime) -> str:
    when = at.astimezone(LOCAL_TZ)
    day = f"ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"
    return f"{place}, {day}" if place else day[0].upper() + day[1:]


def _code_line(code: str) -> list[Block]:
    return [Text(f"Mã hồ sơ: {code}", size=10.5, align="center")] if code else []


def _a4_header(agency: str, unit: str, code: str, date_line: str) -> Columns:
    """The national motto block beside the issuing unit, as on every official form."""
    return Columns(
        (
            (
                Text(agency.upper(), size=11, align="center"),
                Text(unit.upper(), size=11, bold=True, align="center"),
                *_code_line(code),
            ),
            (
                Text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=11, bold=True, align="center"),
                Text("Độc lập - Tự do - Hạnh phúc", size=11.5, bold=True, align="center"),
                Text(date_line, size=10.5, italic=True, align="center"),
            ),
        ),
        (0.42, 0.58),
    )


def _slip_header(agency: str, unit: str, title: str, code: str, date_line: str, size: float) -> list[Block]:
    blocks: list[Block] = [
        Text(agency.upper(), size=size, align="center"),
        Text(unit.upper(), size=size, bold=True, align="center"),
        Rule(),
        Text(title, size=size + 1.5, bold=True, align="center"),
    ]
    if code:
        blocks.append(Text(f"Mã hồ sơ: {code}", size=size + 1, bold=True, align="center"))
    return [*blocks, Text(date_line, size=size - 0.5, align="center"), Rule(dashed=True)]


def _person(label: str, name: str, id_number: str, address: str, phone: str, email: str, size: float) -> list[Block]:
    pairs = (
        (label, name),
        ("Số CCCD/Hộ chiếu", id_number),
        ("Địa chỉ", address),
        ("Số điện thoại", phone),
        ("Email", email),
    )
    return [Field(k, v, size) for k, v in pairs if v.strip()]


def _optional(label: str, value: str, size: float) -> list[Block]:
    return [Field(label, value, size)] if value.strip() else []


def _sign_cell(title: str, name: str, size: float, height_mm: float) -> tuple[Block, ...]:
    return (
        Text(title, size=size, bold=True, align="center"),
        Text(SIGN_HINT, size=size - 1, italic=True, align="center"),
        Space(height_mm),
        *((Text(name, size=size, bold=True, align="center"),) if name.strip() else ()),
    )


PROCEDURE_CAPTION = "Quét mã bằng điện thoại để xem thủ tục, thành phần hồ sơ cần nộp"


def _lookup(data: str | None, caption: str, size_mm: float, caption_size: float = 7.0) -> list[Block]:
    return [QR(data, size_mm=size_mm, caption=caption, caption_size=caption_size)] if data else []


def _a4(title: str, code: str, header: Columns, body: list[Block]) -> Document:
    blocks: tuple[Block, ...] = (header, Space(6), Text(title, size=13, bold=True, align="center"), Space(4), *body)
    page = Page(A4_WIDTH_MM, blocks, height_mm=A4_HEIGHT_MM, margin_mm=15)
    return Document(f"{title} {code}".strip(), (page,))


def _slip(title: str, code: str, width_dots: int, blocks: list[Block]) -> Document:
    page = Page(roll_width_mm(width_dots), (*blocks, Space(3)), margin_mm=1)
    return Document(f"{title} {code}".strip(), (page,))


def _slip_size(width_dots: int) -> float:
    return 8.0 if width_dots >= 576 else 7.5


# --- Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ -----------------------------------------------


def _supplement_body(p: SupplementPrint, size: float, compact: bool) -> list[Block]:
    table = Table(
        ("TT", "Tên giấy tờ", "Nội dung cần bổ sung, hoàn thiện"),
        tuple((str(i), name, need) for i, (name, need) in enumerate(p.items, 1)),
        (0.09, 0.45, 0.46) if compact else (0.06, 0.5, 0.44),
        size=size - (1 if compact else 0.5),
        align=("center", "left", "left"),
    )
    contact = f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ cán bộ {p.clerk_name}"
    contact += f", số điện thoại {p.clerk_phone}" if p.clerk_phone.strip() else ""
    return [
        *_person("Hồ sơ của Ông/Bà", p.citizen_name, p.id_number, p.address, p.phone, p.email, size),
        Field("Nội dung yêu cầu giải quyết", p.content, size),
        Space(1),
        Text("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", size=size, bold=True),
        table,
        Space(1),
        *_optional("Lý do", p.reason, size),
        *_optional("Tra cứu thủ tục tại", p.lookup_where, size),
        Space(1),
        Text(contact + " để được hướng dẫn./.", size=size),
        Text(SUPPLEMENT_NOTE, size=size, bold=True, italic=True),
    ]


def _supplement_qr(p: SupplementPrint, size_mm: float, caption_size: float = 7.0) -> list[Block]:
    return _lookup(p.lookup_qr, PROCEDURE_CAPTION, size_mm, caption_size)


def supplement_a4(p: SupplementPrint) -> Document:
    header = _a4_header(p.agency, p.unit, p.dossier_code, _date_line(p.place, p.requested_at))
    # One signature only (the guiding officer), set on the right as on the official form; the QR fills the left.
    qr = tuple(_supplement_qr(p, 30, 9))
    sign = Columns((qr, _sign_cell("NGƯỜI HƯỚNG DẪN", p.clerk_name, 11, 20)), (0.5, 0.5))
    body = [*_supplement_body(p, 11.5, compact=False), Space(4), sign]
    return _a4(TITLE_02, p.dossier_code, header, body)


def supplement_slip(p: SupplementPrint, width_dots: int) -> Document:
    size = _slip_size(width_dots)
    date_line = _date_line(p.place, p.requested_at)
    blocks = [
        *_slip_header(p.agency, p.unit, TITLE_02, p.dossier_code, date_line, size),
        *_supplement_body(p, size, compact=True),
        Rule(dashed=True),
        *_sign_cell("NGƯỜI HƯỚNG DẪN", p.clerk_name, size - 0.5, 12),
        Space(2),
        *_supplement_qr(p, 26),
    ]
    return _slip(TITLE_02, p.dossier_code, width_dots, blocks)


# --- Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ ----------------------------------------------


def _refusal_body(p: RefusalPrint, size: float) -> list[Block]:
    return [
        *_person("Tiếp nhận hồ sơ của Ông/Bà", p.citizen_name, p.id_number, p.address, p.phone, p.email, size),
        Field("Nội dung yêu cầu giải quyết", p.content, size),
        Space(1),
        Text(f"Qua xem xét, {p.unit} từ chối tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:", size=size),
        Text(p.reason, size=size, bold=True),
        Space(1),
        *_optional("Tra cứu thủ tục tại", p.lookup_where, size),
        *_optional("Mọi vướng mắc xin liên hệ", p.contact, size),
        Text("Xin thông báo để Ông/Bà biết và thực hiện./.", size=size, italic=True),
    ]


def _refusal_signatures(p: RefusalPrint, size: float, height_mm: float) -> Columns:
    return Columns(
        (
            _sign_cell("NGƯỜI NỘP HỒ SƠ", p.citizen_name, size, height_mm),
            _sign_cell("CÁN BỘ TIẾP NHẬN", p.clerk_name, size, height_mm),
        ),
        (0.5, 0.5),
    )


def _refusal_qr(p: RefusalPrint, size_mm: float, caption_size: float = 7.0) -> list[Block]:
    return _lookup(p.lookup_qr, PROCEDURE_CAPTION, size_mm, caption_size)


def refusal_a4(p: RefusalPrint) -> Document:
    header = _a4_header(p.agency, p.unit, p.dossier_code, _date_line(p.place, p.refused_at))
    body = [*_refusal_body(p, 11.5), Space(4), _refusal_signatures(p, 11, 20), Space(4), *_refusal_qr(p, 30, 9)]
    return _a4(TITLE_03, p.dossier_code, header, body)


def refusal_slip(p: RefusalPrint, width_dots: int) -> Document:
    size = _slip_size(width_dots)
    blocks = [
        *_slip_header(p.agency, p.unit, TITLE_03, p.dossier_code, _date_line(p.place, p.refused_at), size),
        *_refusal_body(p, size),
        Rule(dashed=True),
        _refusal_signatures(p, size - 0.5, 12),
        Space(2),
        *_refusal_qr(p, 26),
    ]
    return _slip(TITLE_03, p.dossier_code, width_dots, blocks)


# --- Sample data (fictional citizen) for test prints -----------------------------------------------


def _sample_time(now: datetime) -> datetime:
    return now.astimezone(LOCAL_TZ).replace(hour=10, minute=15, second=0, microsecond=0)


def sample_supplement(now: datetime) -> SupplementPrint:
    at = _sample_time(now)
    return SupplementPrint(
        agency="UBND xã Đông Hưng",
        unit="Trung tâm Phục vụ hành chính công",
        place="Đông Hưng",
        dossier_code=f"000.00.12.H48-{at:%y%m%d}-0011",
        citizen_name="Phạm Quốc Huy",
        id_number="034095001234",
        address="Thôn Đông Thượng, xã Đông Hưng, tỉnh Hưng Yên",
        phone="0987 654 321",
        content="Đăng ký kết hôn",
        items=(
            ("Giấy xác nhận tình trạng hôn nhân của bên nữ", "Bổ sung bản chính, còn thời hạn sử dụng"),
            ("Tờ khai đăng ký kết hôn", "Ký đủ chữ ký của hai bên nam, nữ"),
            ("Giấy tờ chứng minh nơi cư trú", "Bổ sung bản sao chứng thực"),
        ),
        reason="Hồ sơ chưa đủ thành phần theo quy định; tờ khai còn thiếu chữ ký của một bên.",
        lookup_where="Cổng Dịch vụ công quốc gia (dichvucong.gov.vn) và bảng niêm yết tại Trung tâm",
        clerk_name="Lê Văn Bình",
        clerk_phone="0221 3851 234",
        requested_at=at,
        lookup_qr="http://192.168.1.20:8711/p/2.000815",
    )


def sample_refusal(now: datetime) -> RefusalPrint:
    at = _sample_time(now) + timedelta(minutes=20)
    return RefusalPrint(
        agency="UBND xã Đông Hưng",
        unit="Trung tâm Phục vụ hành chính công",
        place="Đông Hưng",
        dossier_code="",
        citizen_name="Đỗ Thị Hồng Nhung",
        id_number="034190007788",
        address="Thôn Phú Xuân, xã Đông Hưng, tỉnh Hưng Yên",
        phone="0912 000 111",
        content="Chứng thực bản sao từ bản chính Giấy phép lái xe",
        reason=(
            "Bản chính giấy tờ đã bị tẩy xóa, sửa chữa nội dung nên không được chứng thực bản sao "
            "(khoản 1 Điều 22 Nghị định 23/2015/NĐ-CP)."
        ),
        lookup_where="Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)",
        contact="Bộ phận Tư pháp – Hộ tịch, quầy số 2, điện thoại 0221 3851 234",
        clerk_name="Lê Văn Bình",
        refused_at=at,
        lookup_qr="https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=2.000815",
    )
