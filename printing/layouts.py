"""What goes on paper: the queue ticket, the Mẫu 01 receipt (A4 and 80 mm) and procedure QR posters.

Pure functions from plain data to a `Document`; no device, no font, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from app.core.catalog import Catalog, Procedure
from app.core.centre import split_centre_name
from app.core.clock import LOCAL_TZ
from app.core.procedure_qr import procedure_link, procedure_qr_text
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


def ticket_advice(calls: int = 3) -> str:
    """The rule printed on every ticket; the service enforces the same number (a no-show only after `calls` calls)."""
    return f"Quý khách vui lòng chú ý màn hình và loa gọi số. Quá {calls} lần gọi không có mặt, số sẽ bị hủy."


TICKET_ADVICE = ticket_advice()


@dataclass(frozen=True)
class TicketPrint:
    centre_name: str
    group_name: str
    number: str
    counters: tuple[str, ...]  # e.g. ("1", "3")
    people_ahead: int
    estimated_wait_s: float | None
    issued_at: datetime
    follow_url: str | None = None
    priority: str | None = None  # category name when the ticket is a priority one
    advice: str = TICKET_ADVICE
    procedure: str | None = None  # what the citizen picked at the kiosk, for the clerk


def local_time(instant: datetime) -> str:
    return instant.astimezone(LOCAL_TZ).strftime("%H:%M  %d/%m/%Y")


def wait_text(people_ahead: int, estimated_wait_s: float | None) -> str:
    if people_ahead == 0:
        return "Quý khách là người tiếp theo."
    text = f"Trước quý khách có {people_ahead} người"
    if estimated_wait_s is not None and estimated_wait_s > 0:
        minutes = max(1, round(estimated_wait_s / 60))
        text += f", chờ khoảng {minutes} phút"
    return text + "."


def counters_text(counters: Sequence[str]) -> str:
    if not counters:
        return "Quầy: theo thông báo trên màn hình"
    label = "Quầy" if len(counters) == 1 else "Các quầy"
    return f"{label}: {', '.join(counters)}"


def centre_heading(centre_name: str, size: float = 8.5) -> list[Block]:
    """The centre's name at the head of a ticket: the standard stem on one line and the commune, a size larger,
    on its own ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" / "XÃ ĐÔNG HƯNG"), so the break never splits the commune's
    name; any other name as one paragraph."""
    stem, commune = split_centre_name(centre_name)
    blocks: list[Block] = [Text(stem.upper(), size=size, bold=True, align="center")]
    if commune:
        blocks.append(Text(commune.upper(), size=size + 1, bold=True, align="center"))
    return blocks


def ticket_document(t: TicketPrint, width_dots: int) -> Document:
    blocks: list[Block] = [
        *centre_heading(t.centre_name),
        Rule(),
        Text(t.group_name, size=10, bold=True, align="center"),
        Text("SỐ THỨ TỰ CỦA QUÝ KHÁCH", size=8, align="center"),
        Text(t.number, size=40 if width_dots >= 576 else 32, bold=True, align="center"),
    ]
    if t.procedure:
        blocks.append(Text(t.procedure, size=8, align="center"))
    if t.priority:
        blocks.append(Text(f"Ưu tiên: {t.priority}", size=9, bold=True, align="center"))
    blocks += [
        Text(counters_text(t.counters), size=10, bold=True, align="center"),
        Text(wait_text(t.people_ahead, t.estimated_wait_s), size=9, align="center"),
        Text(local_time(t.issued_at), size=8, align="center"),
    ]
    if t.follow_url:
        blocks += [Space(1.5), QR(t.follow_url, size_mm=24, caption="Quét mã để theo dõi lượt của quý khách")]
    blocks += [Rule(dashed=True), Text(t.advice, size=7.5, align="center"), Space(2)]
    width = roll_width_mm(width_dots)
    return Document(f"Phiếu số {t.number}", (Page(width, tuple(blocks), margin_mm=1.0),))


# --- Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả ---------------------------------------------


@dataclass(frozen=True)
class ReceivedDocument:
    name: str
    count: int = 1
    kind: str = "Bản sao"  # Bản chính | Bản sao chứng thực | Bản sao


@dataclass(frozen=True)
class ReceiptPrint:
    agency: str  # e.g. "UBND XÃ ĐÔNG HƯNG"
    unit: str  # e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    place: str  # for the date line: "Đông Hưng, ngày … tháng … năm …"
    dossier_code: str
    citizen_name: str
    id_number: str
    address: str
    content: str  # trích yếu: the procedure asked for
    documents: tuple[ReceivedDocument, ...]
    statutory_time: str
    received_at: datetime
    appointment_at: datetime
    collect_at: str
    clerk_name: str
    phone: str = ""
    email: str = ""
    channel: str = "Trực tiếp"
    owner: str = ""  # chủ hồ sơ, when not the person submitting
    sets: int = 1
    fees: str = ""
    book: str = ""  # "Quyển số … Số thứ tự …"
    lookup_qr: str | None = None
    lookup_caption: str = ""  # say what the QR really holds; "": chosen from it (a link, or just the code)
    hotline: str = ""
    extra_fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)


TITLE_01 = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"


def _date_line(r: ReceiptPrint) -> str:
    when = r.received_at.astimezone(LOCAL_TZ)
    day = f"ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"
    return f"{r.place}, {day}" if r.place.strip() else day[0].upper() + day[1:]


def _receipt_body(r: ReceiptPrint, size: float, compact: bool) -> list[Block]:
    person: list[Block] = [
        Field("Tiếp nhận hồ sơ của Ông/Bà", r.citizen_name, size),
        Field("Số CCCD/Hộ chiếu", r.id_number, size),
        Field("Địa chỉ", r.address, size),
    ]
    if r.phone or r.email:
        contact = " – ".join(x for x in (r.phone and f"ĐT: {r.phone}", r.email and f"Email: {r.email}") if x)
        person.append(Field("Liên hệ", contact, size))
    person += [Field("Hình thức nộp", r.channel, size), Field("Nội dung yêu cầu giải quyết", r.content, size)]
    if r.owner:
        person.append(Field("Chủ hồ sơ", r.owner, size))
    person += [Field(label, value, size) for label, value in r.extra_fields]
    if compact:
        table = Table(
            ("TT", "Tên giấy tờ", "SL", "Loại"),
            tuple((str(i), d.name, str(d.count), d.kind) for i, d in enumerate(r.documents, 1)),
            (0.09, 0.55, 0.1, 0.26),
            size=size - 1,
            align=("center", "left", "center", "left"),
        )
    else:
        kinds = ("Bản chính", "Bản sao chứng thực", "Bản sao")
        table = Table(
            ("TT", "Tên giấy tờ", "Số lượng", *kinds),
            tuple(
                (str(i), d.name, str(d.count), *("x" if d.kind == k else "" for k in kinds))
                for i, d in enumerate(r.documents, 1)
            ),
            (0.06, 0.49, 0.1, 0.1, 0.15, 0.1),
            size=size - 0.5,
            align=("center", "left", "center", "center", "center", "center"),
        )
    numbered: list[Block] = [
        Text("1. Thành phần hồ sơ:", size=size, bold=True),
        table,
        Space(1),
        Field("2. Số lượng hồ sơ", f"{r.sets} bộ", size),
        Field("3. Thời gian giải quyết theo quy định", r.statutory_time, size),
        Field("4. Thời gian nhận hồ sơ", local_time(r.received_at).replace("  ", " ngày "), size),
        Field("5. Thời gian trả kết quả", local_time(r.appointment_at).replace("  ", " ngày "), size),
        Field("6. Nhận kết quả tại", r.collect_at, size),
    ]
    if r.fees:
        numbered.append(Field("Phí, lệ phí", r.fees, size))
    if r.book:
        numbered.append(Text(f"Vào Sổ theo dõi hồ sơ, {r.book}.", size=size))
    return person + numbered


def _signatures(r: ReceiptPrint, size: float, height_mm: float) -> Columns:
    def cell(title: str, name: str) -> tuple[Block, ...]:
        return (
            Text(title, size=size, bold=True, align="center"),
            Text("(Ký và ghi rõ họ tên)", size=size - 1, italic=True, align="center"),
            Space(height_mm),
            Text(name, size=size, bold=True, align="center"),
        )

    return Columns((cell("NGƯỜI NỘP HỒ SƠ", r.citizen_name), cell("NGƯỜI TIẾP NHẬN HỒ SƠ", r.clerk_name)), (0.5, 0.5))


LOOKUP_LINK_CAPTION = "Quét mã để tra cứu tình trạng hồ sơ"
LOOKUP_CODE_CAPTION = "Mã hồ sơ — quý khách xuất trình mã này khi bổ sung hoặc nhận kết quả"


def _lookup(r: ReceiptPrint, size_mm: float) -> list[Block]:
    if not r.lookup_qr:
        return []
    link = r.lookup_qr.startswith(("http://", "https://"))
    caption = r.lookup_caption or (LOOKUP_LINK_CAPTION if link else LOOKUP_CODE_CAPTION)
    if r.hotline:
        caption += f" – Đường dây nóng: {r.hotline}"
    return [QR(r.lookup_qr, size_mm=size_mm, caption=caption)]


def receipt_a4(r: ReceiptPrint) -> Document:
    header = Columns(
        (
            (
                Text(r.agency.upper(), size=11, align="center"),
                Text(r.unit.upper(), size=11, bold=True, align="center"),
                Text(f"Mã hồ sơ: {r.dossier_code}", size=10.5, align="center"),
            ),
            (
                Text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=11, bold=True, align="center"),
                Text("Độc lập - Tự do - Hạnh phúc", size=11.5, bold=True, align="center"),
                Text(_date_line(r), size=10.5, italic=True, align="center"),
            ),
        ),
        (0.42, 0.58),
    )
    blocks: list[Block] = [
        header,
        Space(6),
        Text(TITLE_01, size=13, bold=True, align="center"),
        Space(4),
        *_receipt_body(r, 11.5, compact=False),
        Space(4),
        _signatures(r, 11, 20),
        Space(4),
        *_lookup(r, 30),
    ]
    page = Page(A4_WIDTH_MM, tuple(blocks), height_mm=A4_HEIGHT_MM, margin_mm=15)
    return Document(f"{TITLE_01} {r.dossier_code}", (page,))


def receipt_slip(r: ReceiptPrint, width_dots: int) -> Document:
    size = 8.0 if width_dots >= 576 else 7.5
    blocks: list[Block] = [
        Text(r.agency.upper(), size=size, align="center"),
        Text(r.unit.upper(), size=size, bold=True, align="center"),
        Rule(),
        Text(TITLE_01, size=size + 1.5, bold=True, align="center"),
        Text(f"Mã hồ sơ: {r.dossier_code}", size=size + 1, bold=True, align="center"),
        Text(_date_line(r), size=size - 0.5, align="center"),
        Rule(dashed=True),
        *_receipt_body(r, size, compact=True),
        Rule(dashed=True),
        _signatures(r, size - 0.5, 12),
        Space(2),
        *_lookup(r, 26),
        Space(3),
    ]
    return Document(f"{TITLE_01} {r.dossier_code}", (Page(roll_width_mm(width_dots), tuple(blocks), margin_mm=1),))


# --- QR posters for the centre's walls -------------------------------------------------------------


def time_text(p: Procedure) -> str:
    if p.time_unit == "same_day":
        return "Trong ngày"
    if p.time_value is None or p.time_unit is None:
        return p.time_note or "Theo quy định"
    value = f"{p.time_value:g}"
    return f"{value} ngày làm việc" if p.time_unit == "working_days" else f"{value} ngày"


def fee_text(p: Procedure) -> str:
    if p.fee_vnd is None:
        return "Theo quy định của tỉnh"
    if p.fee_vnd == 0:
        return "Miễn phí"
    return f"{p.fee_vnd:,} đồng".replace(",", ".")


def _field_name(catalog: Catalog, p: Procedure) -> str:
    f = catalog.field(p.field)
    return f.name if f else p.field


def _poster_title_size(name: str) -> float:
    """Official names run to 260 letters; one poster must stay one page."""
    return 26 if len(name) <= 60 else 20 if len(name) <= 120 else 16 if len(name) <= 200 else 14


POSTER_PHONE = "Quét mã bằng điện thoại để xem thủ tục, hồ sơ cần chuẩn bị"
POSTER_PHONE_NOTE = "Quý khách cũng có thể quét mã này tại máy lấy số của Trung tâm."
POSTER_KIOSK = "Quét mã tại máy lấy số của Trung tâm để xem thủ tục, hồ sơ cần chuẩn bị"
POSTER_KIOSK_NOTE = "Mã này chỉ đọc được tại máy lấy số, điện thoại không mở được."


def poster_page(catalog: Catalog, p: Procedure, centre_name: str, page_base: str | None = None) -> Page:
    """One A4 poster. Its QR is a link when a phone can open one; else the code, and the poster says so."""
    qr_mm = 100 if len(p.name) <= 120 else 80
    link = procedure_link(p, page_base)
    caption, note = (POSTER_PHONE, POSTER_PHONE_NOTE) if link else (POSTER_KIOSK, POSTER_KIOSK_NOTE)
    blocks: tuple[Block, ...] = (
        Text(centre_name.upper(), size=14, bold=True, align="center"),
        Text(f"Lĩnh vực: {_field_name(catalog, p)}", size=14, align="center"),
        Rule(thickness_mm=0.5),
        Space(6),
        Text(p.name, size=_poster_title_size(p.name), bold=True, align="center"),
        Space(6),
        Field("Mã thủ tục", p.code, 15),
        Field("Thời hạn giải quyết", time_text(p), 15),
        Field("Phí, lệ phí", fee_text(p), 15),
        Space(8),
        QR(link or p.code, size_mm=qr_mm, caption=caption, caption_size=14),
        Space(4),
        Text(note, size=12, align="center"),
    )
    return Page(A4_WIDTH_MM, blocks, height_mm=A4_HEIGHT_MM, margin_mm=18)


def posters(catalog: Catalog, centre_name: str, page_base: str | None = None) -> Document:
    pages = tuple(poster_page(catalog, p, centre_name, page_base) for p in catalog.procedures)
    return Document("Mã QR thủ tục hành chính", pages)


LABEL_COLUMNS = 3
LABEL_ROWS = 7
LABEL_HEIGHT_MM = 38.0
LABEL_NAME_MAX = 140  # a label points to the procedure; the QR and the poster carry the full name


def label_name(name: str) -> str:
    return name if len(name) <= LABEL_NAME_MAX else name[: LABEL_NAME_MAX - 1].rstrip(" ,;") + "…"


def label_sheets(catalog: Catalog, page_base: str | None = None) -> Document:
    """Small cut-out labels (3 × 7 per A4 page) for counters and leaflet stands."""

    def cell(p: Procedure) -> tuple[Block, ...]:
        return (
            Columns(
                (
                    (QR(procedure_qr_text(p, page_base), size_mm=27),),
                    (
                        Text(label_name(p.name), size=7 if len(p.name) <= 80 else 6.5, bold=True),
                        Text(f"Mã: {p.code}", size=6.5),
                    ),
                ),
                (0.48, 0.52),
            ),
        )

    per_page = LABEL_COLUMNS * LABEL_ROWS
    pages = []
    procs = list(catalog.procedures)
    for start in range(0, len(procs), per_page):
        chunk = procs[start : start + per_page]
        rows: list[Block] = []
        for r in range(0, len(chunk), LABEL_COLUMNS):
            row = chunk[r : r + LABEL_COLUMNS]
            cells = tuple(cell(p) for p in row) + ((),) * (LABEL_COLUMNS - len(row))
            rows.append(
                Columns(cells, (1 / 3,) * LABEL_COLUMNS, min_height_mm=LABEL_HEIGHT_MM, boxed=True, padding_mm=2)
            )
        pages.append(Page(A4_WIDTH_MM, tuple(rows), height_mm=A4_HEIGHT_MM, margin_mm=10))
    return Document("Nhãn mã QR thủ tục", tuple(pages))
