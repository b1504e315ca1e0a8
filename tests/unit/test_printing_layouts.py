"""What the layouts put on paper, checked on the document model (no fonts, no device)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.core.catalog import Procedure
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from printing.doc import QR, Block, Columns, Document, Field, Table, Text
from printing.layouts import (
    POSTER_PHONE,
    counters_text,
    fee_text,
    label_sheets,
    poster_page,
    posters,
    receipt_a4,
    receipt_slip,
    ticket_document,
    time_text,
    wait_text,
)
from printing.samples import sample_receipt, sample_ticket
from printing.tickets import counter_label, ticket_print

NOW = datetime(2026, 11, 23, 7, 5, tzinfo=UTC)  # 14:05 in Hà Nội


def texts(doc: Document) -> list[str]:
    out: list[str] = []

    def walk(blocks: tuple[Block, ...]) -> None:
        for b in blocks:
            if isinstance(b, Text):
                out.append(b.text)
            elif isinstance(b, Field):
                out.append(f"{b.label}: {b.value}")
            elif isinstance(b, QR):
                out.append(f"QR[{b.data}]")
                if b.caption:
                    out.append(b.caption)
            elif isinstance(b, Table):
                out.extend(" | ".join(row) for row in (b.headers, *b.rows))
            elif isinstance(b, Columns):
                for cell in b.cells:
                    walk(cell)

    for page in doc.pages:
        walk(page.blocks)
    return out


def test_ticket_carries_what_the_citizen_needs() -> None:
    doc = ticket_document(sample_ticket(NOW), 576)
    lines = texts(doc)
    assert "A015" in lines
    assert "Hộ tịch" in lines
    assert "Các quầy: 1, 3" in lines
    assert "Trước quý khách có 4 người, chờ khoảng 13 phút." in lines
    assert "14:05  23/11/2026" in lines  # local time, not UTC
    assert "QR[http://motcua.local:8710/t/15]" in lines
    assert "Ưu tiên: Người cao tuổi" in lines


def test_the_number_is_the_largest_text_on_the_ticket() -> None:
    page = ticket_document(sample_ticket(NOW), 384).pages[0]
    sizes = {b.text: b.size for b in page.blocks if isinstance(b, Text)}
    assert sizes["A015"] == max(sizes.values())


@pytest.mark.parametrize(
    ("ahead", "wait", "expected"),
    [
        (0, 0, "Quý khách là người tiếp theo."),
        (1, 20, "Trước quý khách có 1 người, chờ khoảng 1 phút."),
        (5, None, "Trước quý khách có 5 người."),
        (12, 3600, "Trước quý khách có 12 người, chờ khoảng 60 phút."),
    ],
)
def test_wait_text(ahead: int, wait: float | None, expected: str) -> None:
    assert wait_text(ahead, wait) == expected


def test_counters_text() -> None:
    assert counters_text(["2"]) == "Quầy: 2"
    assert counters_text([]) == "Quầy: theo thông báo trên màn hình"


def test_ticket_from_the_service_answer() -> None:
    issued = {
        "id": 42, "number": "B007", "group": "CT", "issued_at": "2026-11-23T01:00:00+00:00",
        "people_ahead": 2, "estimated_wait_s": 300, "priority": "disabled",
    }  # fmt: skip
    groups = [{"code": "HT", "name": "Hộ tịch"}, {"code": "CT", "name": "Chứng thực"}]
    counters = [
        {"id": 1, "name": "Quầy 1", "groups": {"HT": 1}},
        {"id": 2, "name": "Quầy 2", "groups": {"CT": 1, "HT": 2}},
        {"id": 3, "name": "Tiếp dân", "groups": {"CT": 2}},
    ]
    t = ticket_print(
        issued, centre_name="Trung tâm", groups=groups, counters=counters,
        priorities=[{"code": "disabled", "name": "Người khuyết tật"}], base_url="http://10.0.0.5:8710/",
    )  # fmt: skip
    assert t.group_name == "Chứng thực"
    assert t.counters == ("2", "Tiếp dân")
    assert t.priority == "Người khuyết tật"
    assert t.follow_url == "http://10.0.0.5:8710/t/42"
    assert t.issued_at.hour == 1
    assert counter_label({"id": 9, "name": ""}) == "9"


def test_receipt_a4_has_the_mau_01_fields_and_the_slip_the_same_content() -> None:
    receipt = sample_receipt(NOW)
    a4 = texts(receipt_a4(receipt))
    slip = texts(receipt_slip(receipt, 576))
    for needle in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Tiếp nhận hồ sơ của Ông/Bà: Nguyễn Thị Ánh Tuyết",
        "Số CCCD/Hộ chiếu: 034186000123",
        "2. Số lượng hồ sơ: 1 bộ",
        "4. Thời gian nhận hồ sơ: 09:40 ngày 23/11/2026",
        "5. Thời gian trả kết quả: 16:00 ngày 23/11/2026",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        f"QR[{receipt.lookup_qr}]",
    ):
        assert any(needle in line for line in a4), needle
        assert any(needle in line for line in slip), needle
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in a4
    assert "2 | Giấy chứng sinh | 1 | x |  | " in a4  # the original/certified/copy columns
    assert "3 | Giấy chứng nhận kết hôn của cha mẹ | 1 | Bản sao chứng thực" in slip


def test_receipt_without_optional_parts_leaves_them_out() -> None:
    receipt = replace(sample_receipt(NOW), lookup_qr=None, fees="", book="", phone="")
    lines = texts(receipt_a4(receipt))
    assert not any(line.startswith(("QR[", "Phí", "Liên hệ", "Vào Sổ")) for line in lines)


def proc(**kw: object) -> Procedure:
    base = Procedure("1.000001", "Thủ tục thử", "HT", (), "working_days", 3.0, "", 8000, "", ())
    return replace(base, **kw)  # type: ignore[arg-type]


def test_time_and_fee_texts() -> None:
    assert time_text(proc()) == "3 ngày làm việc"
    assert time_text(proc(time_unit="same_day", time_value=0.0)) == "Trong ngày"
    assert time_text(proc(time_unit="days", time_value=20.0)) == "20 ngày"
    assert time_text(proc(time_unit=None, time_value=None, time_note="Theo quyết định của tỉnh")) == (
        "Theo quyết định của tỉnh"
    )
    assert fee_text(proc()) == "8.000 đồng"
    assert fee_text(proc(fee_vnd=0)) == "Miễn phí"
    assert fee_text(proc(fee_vnd=None)) == "Theo quy định của tỉnh"


def test_one_poster_per_procedure_and_labels_for_all() -> None:
    catalog = load_catalog_file(default_catalog_path())
    doc = posters(catalog, "Trung tâm xã Đông Hưng")
    assert len(doc.pages) == len(catalog.procedures)
    first = texts(doc)[:12]
    assert catalog.procedures[0].name in first
    portal = next(p for p in catalog.procedures if p.portal_url)
    assert f"QR[{portal.portal_url}]" in texts(doc)
    labels = texts(label_sheets(catalog))
    assert sum(line.startswith("QR[") for line in labels) == len(catalog.procedures)


def test_a_poster_promises_a_phone_page_only_when_its_qr_is_a_link() -> None:
    catalog = load_catalog_file(default_catalog_path())
    local = next(p for p in catalog.procedures if p.portal_url is None)
    without_page = texts(Document("x", (poster_page(catalog, local, "X"),)))
    assert f"QR[{local.code}]" in without_page
    assert not any("bằng điện thoại" in line for line in without_page)
    assert any("điện thoại không mở được" in line for line in without_page)
    base = "http://192.168.1.20:8711"
    with_page = texts(posters(catalog, "Trung tâm xã Đông Hưng", base))
    qrs = [line for line in with_page if line.startswith("QR[")]
    assert len(qrs) == len(catalog.procedures)
    assert all(q.startswith(("QR[https://", "QR[http://")) for q in qrs)
    assert with_page.count(POSTER_PHONE) == len(catalog.procedures)
    assert f"QR[{base}/p/{local.code}]" in qrs
    labels = [line for line in texts(label_sheets(catalog, base)) if line.startswith("QR[")]
    assert all(q.startswith(("QR[https://", "QR[http://")) for q in labels)


def test_the_ticket_states_the_centres_recall_rule() -> None:
    from printing.tickets import ticket_print

    ticket = {"group": "HT", "number": "A001", "issued_at": "2026-11-30T01:00:00+00:00", "no_show_after_calls": 5}
    printed = ticket_print(ticket, centre_name="X", groups=[], counters=[])
    assert "Quá 5 lần gọi không có mặt" in printed.advice
