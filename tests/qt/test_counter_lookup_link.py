"""The counter learns where phones reach the centre and Mẫu 01's QR, as printed, opens the dossier's status page."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import zxingcpp
from pytestqt.qtbot import QtBot

from app.core.clock import SystemClock
from app.core.dossier import Citizen, ReceptionDraft, is_lookup_key
from app.core.reception import checklist, statutory_of
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from counter.app import parse_args
from counter.dossier.controller import DossierController
from counter.dossier.desk import open_desk
from counter.dossier.setup import open_counter_desk
from printing.dossier_prints import CentreHeader
from printing.virtual_printer import VirtualPrinter

MARITAL = "1.004873"


class Centre:
    """What the controller asks of the service: its address and /api/health."""

    def __init__(self, base_url: str, health: dict[str, Any]) -> None:
        self.base_url = base_url
        self.answer = health
        self.asked = 0

    def health(self) -> dict[str, Any]:
        self.asked += 1
        return self.answer


def test_mau_01_links_to_the_status_page_the_centre_serves_to_phones(qtbot: QtBot, tmp_path: Path) -> None:
    catalog = load_catalog_file(default_catalog_path())
    centre = Centre("https://10.0.0.2:8710", {"status": "ok", "tls": True, "board_port": 8711})
    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        desk = open_desk(tmp_path / "counter", catalog, SystemClock(), CentreHeader(), roll_url=printer.url)
        try:
            ctl = DossierController(desk, lambda: ("canbo1", "Lê Văn Bình", 1), client=centre)
            ctl.learn_page_base()
            qtbot.waitUntil(lambda: ctl.page_base_learned, timeout=10_000)
            ctl.learn_page_base()  # once is enough
            assert centre.asked == 1
            assert desk.header.page_base == "http://10.0.0.2:8711"

            procedure = next(p for p in catalog.procedures if p.code == MARITAL)
            who = Citizen("034186012345", "Nguyễn Thị Ánh Tuyết", date(1986, 3, 5), "Nữ", "Thôn Đông, xã Vũ Thư")
            draft = ReceptionDraft(MARITAL, who, tuple(c for c in checklist(procedure) if c.required),
                                   statutory_of(procedure))  # fmt: skip
            dossier = desk.receive(draft, clerk="canbo1", counter=1)
            assert is_lookup_key(dossier.lookup_key)
            outcome = desk.print_form(dossier, "receipt", clerk_name="Lê Văn Bình", target="roll")
            assert outcome.ok, outcome.message
            image = printer.wait_for_pages(1)[0].image
            found = [b.text for b in zxingcpp.read_barcodes(image.convert("L"))]
            assert found == [f"http://10.0.0.2:8711/h/{dossier.code}-{dossier.lookup_key}"]
        finally:
            desk.store.close()

    # the next start (perhaps offline) prints the same link before the service answers again
    again = open_counter_desk(parse_args(["--data", str(tmp_path / "counter")]))
    try:
        assert again.header.page_base == "http://10.0.0.2:8711"
    finally:
        again.store.close()


def test_a_counter_on_the_services_own_pc_keeps_the_code_on_mau_01(qtbot: QtBot, tmp_path: Path) -> None:
    catalog = load_catalog_file(default_catalog_path())
    desk = open_desk(tmp_path / "counter", catalog, SystemClock(), CentreHeader())
    try:
        ctl = DossierController(desk, lambda: ("canbo1", "Lê", 1),
                                client=Centre("http://127.0.0.1:8710", {"board_port": 8710}))  # fmt: skip
        ctl.learn_page_base()
        qtbot.waitUntil(lambda: ctl.page_base_learned, timeout=10_000)
        assert desk.header.page_base == ""  # a phone cannot open 127.0.0.1
    finally:
        desk.store.close()


def test_the_forms_header_learns_the_centres_name_and_commune(qtbot: QtBot, tmp_path: Path) -> None:
    name = "Trung tâm Phục vụ hành chính công xã Đông Hưng"
    health = {"status": "ok", "centre": name, "commune": "xã Đông Hưng", "board_port": 8711}
    desk = open_counter_desk(parse_args(["--data", str(tmp_path / "counter"), "--hotline", "0221 3851 234"]))
    try:
        assert desk.header.agency == "UBND xã"  # nothing heard from the service yet
        ctl = DossierController(desk, lambda: ("canbo1", "Lê", 1), client=Centre("https://10.0.0.2:8710", health))
        ctl.learn_page_base()
        qtbot.waitUntil(lambda: ctl.page_base_learned, timeout=10_000)
        assert desk.header.agency == "UBND xã Đông Hưng"
        assert desk.header.unit == name
        assert desk.header.place == "Đông Hưng"
        assert desk.header.collect_at == f"Bộ phận trả kết quả, {name}"
        assert desk.header.hotline == "0221 3851 234"
        assert desk.header.page_base == "http://10.0.0.2:8711"
    finally:
        desk.store.close()
    # the next start (perhaps offline) has the name; what the installer gives here wins over the service's
    again = open_counter_desk(parse_args(["--data", str(tmp_path / "counter"), "--agency", "UBND XÃ ĐÔNG HƯNG"]))
    try:
        assert again.header.unit == name
        assert again.header.agency == "UBND XÃ ĐÔNG HƯNG"
    finally:
        again.store.close()
