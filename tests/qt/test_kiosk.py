"""The kiosk as a citizen uses it: against a real `serve` subprocess and a virtual network printer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
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
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path / "data")
    yield proc
    proc.stop()


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
    tap(qtbot, window.home.ticket_button)
    assert window.current == "groups"
    tap(qtbot, tile(window, f"group-{group}"))
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
    assert "Mời nhận phiếu" in window.result.status_label.text()
    page = printer.wait_for_pages(1)[0].image
    assert page.width == 576
    follow = zxingcpp.read_barcodes(page.convert("L"))[0].text
    assert follow == f"{server.url}/t/{ticket['follow']}"  # the unguessable key, not the sequential id
    assert ticket["follow"].startswith(f"{ticket['id']}-")
    assert "A001" in requests.get(follow, timeout=10).text
    client.close()


def test_a_double_tap_issues_one_ticket(qtbot: QtBot, server: ServerProcess, printer: VirtualPrinter) -> None:
    client = QueueClient(server.url, kiosk_token(server))
    window = make_window(qtbot, client, printer)
    tap(qtbot, window.home.ticket_button)
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


def test_paper_out_shows_the_number_and_reprint_prints_it(
    qtbot: QtBot, server: ServerProcess, printer: VirtualPrinter
) -> None:
    client = QueueClient(server.url, kiosk_token(server))
    window = make_window(qtbot, client, printer)
    printer.paper = "out"
    ticket = take_ticket(qtbot, window)
    assert window.result.failed
    assert "hết giấy" in window.result.status_label.text()
    assert window.result.body.findChild(object, "number").text() == ticket["number"]
    printer.paper = "ok"
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
    assert "Mất kết nối" in window.banner.text()
    assert not window.home.ticket_button.isEnabled()
    assert window.ctl.issue("HT") is False
    again = start_server(tmp_path / "data", port=port)
    try:
        qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=20_000)
        assert window.home.ticket_button.isEnabled()
        assert take_ticket(qtbot, window)["number"] == "A001"
    finally:
        client.close()
        again.stop()


def test_idle_returns_home_and_to_vietnamese(qtbot: QtBot, fake: FakeQueueClient) -> None:
    window = make_window(qtbot, fake, None, idle_ms=300)
    tap(qtbot, window.home.findChild(object, "secondary"))  # the language switch
    assert window.t.language == "en"
    tap(qtbot, window.home.ticket_button)
    assert window.current == "groups"
    qtbot.waitUntil(lambda: window.current == "home", timeout=5_000)
    assert window.t.language == "vi"


def test_closed_group_says_why_and_cannot_be_tapped(qtbot: QtBot) -> None:
    def capped() -> object:
        centre = default_centre(CATALOG)
        first = dataclasses.replace(centre.groups[0], daily_cap=1)
        return dataclasses.replace(centre, groups=(first, *centre.groups[1:]))

    with FakeQueueClient(centre=capped) as client:  # type: ignore[arg-type]
        client.issue(client.groups()[0]["code"])
        window = make_window(qtbot, client, None)
        tap(qtbot, window.home.ticket_button)
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

    from kiosk.app import phone_reachable

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
