"""The kiosk as a citizen uses it: against a real `serve` subprocess and a virtual network printer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.client.fake import FakeQueueClient
from app.client.queue_client import QueueClient
from app.core.centre import default_centre
from app.paths import default_catalog_path
from app.service.launcher import ServerProcess, start_server
from app.store.catalog_file import load_catalog_file
from kiosk.controller import KioskController
from kiosk.widgets import Tile
from kiosk.window import KioskWindow
from printing.ticket_printer import TicketPrinter
from printing.virtual_printer import VirtualPrinter

CATALOG = load_catalog_file(default_catalog_path())


@pytest.fixture
def fake() -> Iterator[FakeQueueClient]:
    with FakeQueueClient() as client:
        yield client


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as vp:
        yield vp


def kiosk_token(server: ServerProcess) -> str:
    r = requests.post(
        f"{server.url}/api/devices", json={"name": "Kiosk sảnh", "role": "kiosk"},
        headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10,
    )  # fmt: skip
    r.raise_for_status()
    return str(r.json()["token"])


def make_window(qtbot: QtBot, client: object, printer: VirtualPrinter | None, **kw: object) -> KioskWindow:
    ticket_printer = TicketPrinter(printer.url, 576) if printer else None
    ctl = KioskController(client, CATALOG, ticket_printer, follow_base_url=getattr(client, "base_url", None),
                          poll_ms=200)  # fmt: skip
    window = KioskWindow(ctl, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    with qtbot.waitSignal(ctl.snapshot_changed, timeout=10_000):
        ctl.start()
    return window


def tile(window: KioskWindow, name: str) -> Tile:
    found = window.stack.currentWidget().findChild(Tile, name)
    assert found is not None, name
    return found


def tap(qtbot: QtBot, widget: object) -> None:
    QApplication.processEvents()  # lay out a page built just now, so the tap lands on a real-size button
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]


def take_ticket(qtbot: QtBot, window: KioskWindow, group: str = "HT") -> dict:
    assert window.current == "home"
    tap(qtbot, tile(window, f"group-{group}"))  # the service tiles are on the home screen: one tap saved
    assert window.current == "procedures"
    tap(qtbot, tile(window, "procedure-other"))
    assert window.current == "priority"
    with qtbot.waitSignal(window.ctl.issued, timeout=15_000) as blocker:
        tap(qtbot, tile(window, "priority-none"))
    return blocker.args[0].ticket


def test_three_taps_print_a_ticket_whose_qr_follows_the_turn(
    qtbot: QtBot, server: ServerProcess, printer: VirtualPrinter
) -> None:
    client = QueueClient(server.url, kiosk_token(server))
    window = make_window(qtbot, client, printer)
    ticket = take_ticket(qtbot, window)
    assert ticket["number"] == "A001"
    assert window.current == "result"
    assert window.result.body.findChild(object, "number").text() == "A001"
    assert "nhận phiếu" in window.result.status_label.text()
    assert "vui lòng chờ gọi số" in " ".join(label.text() for label in window.result.findChildren(QLabel))
    page = printer.wait_for_pages(1)[0].image
    assert page.width == 576
    follow = zxingcpp.read_barcodes(page.convert("L"))[0].text
    assert follow == f"{server.url}/t/{ticket['follow']}"  # the unguessable key, not the sequential id
    assert ticket["follow"].startswith(f"{ticket['id']}-")
    assert "A001" in requests.get(follow, timeout=10).text
    on_screen = zxingcpp.read_barcodes(window.result.findChild(QLabel, "qr").pixmap().toImage())
    assert [code.text for code in on_screen] == [follow]  # the screen's QR is the paper's
    client.close()


def test_a_double_tap_issues_one_ticket(qtbot: QtBot, server: ServerProcess, printer: VirtualPrinter) -> None:
    client = QueueClient(server.url, kiosk_token(server))
    window = make_window(qtbot, client, printer)
    tap(qtbot, tile(window, "group-HT"))
    tap(qtbot, tile(window, "procedure-other"))
    none = tile(window, "priority-none")
    with qtbot.waitSignal(window.ctl.issued, timeout=15_000):
        tap(qtbot, none)
        tap(qtbot, none)  # the second tap lands while the first is on its way
        window.issue(None)
    issued = sum(g["issued_today"] for g in client.queue()["groups"])
    assert issued == 1
    assert len(printer.wait_for_pages(1)) == 1
    client.close()


def test_paper_out_shows_the_number_and_its_qr_and_offers_reprint_once_paper_is_back(
    qtbot: QtBot, server: ServerProcess, printer: VirtualPrinter
) -> None:
    client = QueueClient(server.url, kiosk_token(server))
    window = make_window(qtbot, client, printer, printer_poll_ms=100)
    printer.paper = "out"
    ticket = take_ticket(qtbot, window)
    assert window.result.failed
    status = window.result.status_label.text()
    assert "hết giấy" in status
    assert "quét mã để theo dõi lượt" in status
    assert window.result.body.findChild(object, "number").text() == ticket["number"]
    QApplication.processEvents()  # a page built just now is shown by a queued call
    qr = window.result.findChild(QLabel, "qr")
    assert qr is not None
    assert qr.isVisible()
    assert zxingcpp.read_barcodes(qr.pixmap().toImage())[0].text == f"{server.url}/t/{ticket['follow']}"
    assert window.result.reprint_button is None  # no "IN LẠI" while it could only fail again
    assert not any(b.text() == "IN LẠI" for b in window.result.findChildren(QPushButton))
    printer.paper = "ok"  # the clerk loads a new roll: the kiosk sees it and offers the reprint
    qtbot.waitUntil(lambda: window.result.reprint_button is not None, timeout=10_000)
    assert "IN LẠI" in window.result.status_label.text()
    with qtbot.waitSignal(window.ctl.reprinted, timeout=15_000):
        tap(qtbot, window.result.reprint_button)
    assert not window.result.failed
    assert len(printer.wait_for_pages(1)) == 1
    client.close()


def test_service_lost_shows_a_banner_stops_issuing_and_recovers(
    qtbot: QtBot, server: ServerProcess, printer: VirtualPrinter, tmp_path: Path
) -> None:
    client = QueueClient(server.url, kiosk_token(server), timeout=2)
    window = make_window(qtbot, client, printer)
    port = int(server.url.rsplit(":", 1)[1])
    server.stop()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=15_000)
    assert "hỏi cán bộ tại quầy hướng dẫn" in window.banner.text()  # what to do, not what broke
    assert "máy chủ" not in window.banner.text()
    assert not tile(window, "group-HT").isEnabled()
    assert window.ctl.issue("HT") is False
    again = start_server(tmp_path / "data", port=port)
    try:
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=20_000)
        assert tile(window, "group-HT").isEnabled()
        assert take_ticket(qtbot, window)["number"] == "A001"
    finally:
        client.close()
        again.stop()


def test_idle_returns_home_and_to_vietnamese(qtbot: QtBot, fake: FakeQueueClient) -> None:
    window = make_window(qtbot, fake, None, idle_ms=300)
    tap(qtbot, window.home.language_button)
    assert window.t.language == "en"
    tap(qtbot, tile(window, "group-HT"))
    assert window.current == "procedures"
    qtbot.waitUntil(lambda: window.current == "home", timeout=5_000)
    assert window.t.language == "vi"
    assert tile(window, "group-HT").title == "Hộ tịch"


def test_home_keeps_the_chosen_language_and_english_names_fields_and_priorities(
    qtbot: QtBot, fake: FakeQueueClient
) -> None:
    window = make_window(qtbot, fake, None)
    tap(qtbot, window.home.language_button)
    assert tile(window, "group-HT").title == "Civil status (birth, marriage, death)"
    assert tile(window, "group-CUTRU").title == "Residence registration (commune police)"
    tap(qtbot, tile(window, "group-CT"))
    tap(qtbot, tile(window, "procedure-other"))
    assert window.current == "priority"
    assert tile(window, "priority-elderly").title == "Older person (60 or over)"
    assert tile(window, "priority-merit").title.startswith("War invalid")
    assert tile(window, "priority-none").title == "I do not have priority"
    tap(qtbot, window.priority.home_button)  # "Home" ends nothing: the citizen still reads English
    assert window.current == "home"
    assert window.t.language == "en"
    assert tile(window, "group-HT").title.startswith("Civil status")
    window.open_lookup()
    assert tile(window, "field-NCN").title.startswith("Adoption")


def test_unknown_codes_fall_back_to_the_vietnamese_name() -> None:
    from kiosk.i18n import Texts

    t = Texts("en")
    assert t.field("XYZ", "Lĩnh vực riêng của xã") == "Lĩnh vực riêng của xã"
    assert t.priority("priority5", "Người cao tuổi") == "Người cao tuổi"
    assert Texts("vi").field("HT", "Hộ tịch") == "Hộ tịch"


def test_priority_no_is_set_apart_from_the_categories(qtbot: QtBot, fake: FakeQueueClient) -> None:
    window = make_window(qtbot, fake, None)
    tap(qtbot, tile(window, "group-HT"))
    tap(qtbot, tile(window, "procedure-other"))
    none = tile(window, "priority-none")
    assert none.title == "Không thuộc đối tượng ưu tiên"
    assert none.variant == "plain"
    assert tile(window, "priority-elderly").variant == "primary"
    lowest = max(t.geometry().bottom() for t in window.priority.findChildren(Tile) if t is not none)
    assert none.mapTo(window, none.rect().topLeft()).y() > lowest  # under the categories, not among them


def test_the_centre_name_is_on_the_home_screen(qtbot: QtBot, fake: FakeQueueClient) -> None:
    window = make_window(qtbot, fake, None)
    assert window.centre.text() == fake.health()["centre"]
    assert window.centre.isVisible()


def test_a_citizen_is_always_quy_khach() -> None:
    import re

    from kiosk.i18n import STRINGS
    from printing.layouts import ticket_document
    from printing.samples import sample_ticket

    vietnamese = " ".join(vi for vi, _en in STRINGS.values())
    assert not re.search(r"\b(bạn|Bạn|BẠN|ông/bà|Ông/Bà|anh/chị)\b", vietnamese)
    assert "chụp ảnh màn hình" not in vietnamese
    paper = ticket_document(sample_ticket(datetime.now(UTC)), 576).pages[0].blocks
    printed = " ".join(str(getattr(b, "text", "")) + str(getattr(b, "caption", "")) for b in paper)
    assert "QUÝ KHÁCH" in printed
    assert "BẠN" not in printed.upper()


def test_closed_group_says_why_and_cannot_be_tapped(qtbot: QtBot) -> None:
    def capped() -> object:
        centre = default_centre(CATALOG)
        first = dataclasses.replace(centre.groups[0], daily_cap=1)
        return dataclasses.replace(centre, groups=(first, *centre.groups[1:]))

    with FakeQueueClient(centre=capped) as client:  # type: ignore[arg-type]
        client.issue(client.groups()[0]["code"])
        window = make_window(qtbot, client, None)
        closed = tile(window, f"group-{client.groups()[0]['code']}")
        assert not closed.isEnabled()
        assert "đã cấp đủ 1 số" in closed.subtitle
        assert tile(window, f"group-{client.groups()[1]['code']}").isEnabled()
        window.close()


def test_lookup_without_accents_and_ticket_from_a_procedure(qtbot: QtBot, fake: FakeQueueClient) -> None:
    window = make_window(qtbot, fake, None)
    window.open_lookup()
    tap(qtbot, tile(window, "field-CT"))  # browse: a field's procedures
    browsed = [t.title for t in window.lookup.body.findChildren(Tile) if t.objectName() != "field-all"]
    assert browsed == [p.name for p in CATALOG.procedures if p.field == "CT"]
    tap(qtbot, tile(window, "field-all"))
    qtbot.waitUntil(lambda: tile(window, "field-HT").isVisible(), timeout=5_000)
    for ch in "chung thuc":
        window.lookup.type(ch)
    names = [t.title for t in window.lookup.body.findChildren(Tile)]
    assert names
    assert all("hứng thực" in n for n in names)
    window.lookup.erase()
    assert window.lookup.query == "chung thu"
    birth = next(p for p in CATALOG.procedures if p.code == "1.001193")
    window.open_procedure(birth)
    assert window.current == "procedure"
    with qtbot.waitSignal(window.ctl.issued, timeout=10_000) as blocker:
        window.procedure_page.ticket.emit("HT")
        assert window.current == "priority"
        tap(qtbot, tile(window, "priority-none"))
    assert blocker.args[0].ticket["group"] == "HT"


def test_a_hosting_kiosk_prints_an_address_phones_can_reach() -> None:
    import socket
    from urllib.parse import urlsplit

    from app.client.hosted_service import phone_reachable

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            pytest.skip("this machine has no network route at all")
    url = phone_reachable("http://127.0.0.1:8710")
    assert url is not None
    assert urlsplit(url).port == 8710
    assert urlsplit(url).hostname != "127.0.0.1"  # this machine has a LAN interface; a loopback QR is useless
    assert phone_reachable(None) is None


def test_the_kiosk_shows_the_centres_own_catalogue(qtbot: QtBot, server: ServerProcess) -> None:
    from app.core.catalog_table import PROCEDURES_SHEET, catalog_from_tables, catalog_to_tables
    from app.store.catalog_file import save_catalog_file

    tables = {name: [list(row) for row in rows] for name, rows in catalog_to_tables(CATALOG).items()}
    tables[PROCEDURES_SHEET][1][7] = "Lệ phí 12.000 đồng theo Nghị quyết của HĐND tỉnh."
    save_catalog_file(server.data / "catalog.json", catalog_from_tables(tables))  # as `app catalog import` does
    client = QueueClient(server.url, server.admin_token)
    window = make_window(qtbot, client, None)
    assert window.ctl.catalog.procedures[0].fee_text == "Lệ phí 12.000 đồng theo Nghị quyết của HĐND tỉnh."
    assert window.ctl.catalog.procedures[1] == CATALOG.procedures[1]
