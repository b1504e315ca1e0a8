"""The kiosk's screens. Each is built from the controller's current data when it is shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.catalog import Procedure
from app.core.clock import LOCAL_TZ, from_iso
from app.core.procedure_qr import procedure_qr_text
from app.core.text_search import search
from app.qtbridge.qr import qr_pixmap
from kiosk.controller import Issued, KioskController
from kiosk.i18n import Texts
from kiosk.widgets import Keyboard, Tile, big_button, discard, scroll_area, tile_grid
from printing.layouts import fee_text, time_text


def label(text: str, name: str = "body", *, wrap: bool = True, center: bool = False) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    if center:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return widget


class Screen(QWidget):
    """A page of the stack: `refresh()` rebuilds its content from the controller."""

    home = Signal()
    back = Signal()

    def __init__(self, ctl: KioskController, t: Texts, columns: Callable[[], int]) -> None:
        super().__init__()
        self.ctl, self.t, self.columns = ctl, t, columns
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(40, 24, 40, 24)
        self.outer.setSpacing(20)
        self.body = QWidget()
        self.outer.addWidget(self.body, 1)

    def replace_body(self, widget: QWidget) -> None:
        old = self.body
        self.outer.replaceWidget(old, widget)
        discard(old)
        self.body = widget

    def nav(self, *, back: bool = True) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        if back:
            b = big_button(self.t("back"), primary=False)
            b.clicked.connect(self.back.emit)
            row.addWidget(b)
        row.addStretch(1)
        h = big_button(self.t("home"), primary=False)
        h.clicked.connect(self.home.emit)
        row.addWidget(h)
        return bar

    def refresh(self) -> None:  # pragma: no cover - every screen overrides
        raise NotImplementedError


class HomeScreen(Screen):
    ticket = Signal()
    lookup = Signal()
    scan = Signal()
    language = Signal()

    def refresh(self) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setSpacing(28)
        col.addWidget(label(self.ctl.centre_name or "Trung tâm Phục vụ hành chính công", "title", center=True))
        col.addWidget(label(self.t("welcome"), "subtitle", center=True))
        col.addStretch(1)
        for key, signal in (("get_ticket", self.ticket), ("lookup", self.lookup), ("scan", self.scan)):
            button = big_button(self.t(key))
            button.setObjectName("primary")
            button.setMinimumHeight(150)
            button.clicked.connect(signal.emit)
            if key == "get_ticket":
                button.setEnabled(self.ctl.online is not False)
                self.ticket_button = button
            col.addWidget(button)
        col.addStretch(1)
        lang = big_button(self.t("language"), primary=False)
        lang.clicked.connect(self.language.emit)
        col.addWidget(lang, 0, Qt.AlignmentFlag.AlignRight)
        self.replace_body(page)


def _reopen_text(group: dict[str, Any]) -> str:
    message = str(group.get("closed_message") or "")
    if group.get("reopens_at"):
        at = from_iso(str(group["reopens_at"])).astimezone(LOCAL_TZ)
        message = f"{message} Mở lại lúc {at:%H:%M} ngày {at:%d/%m}.".strip()
    return message


class GroupsScreen(Screen):
    chosen = Signal(str)

    def refresh(self) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(label(self.t("choose_field"), "title"))
        tiles: list[QWidget] = []
        for g in self.ctl.snapshot.get("groups", []):
            if g.get("open", True):
                waiting = int(g.get("waiting", 0))
                sub = f"{waiting} người đang chờ" if self.t.language == "vi" else f"{waiting} waiting"
            else:
                sub = f"{self.t('closed')}: {_reopen_text(g)}"
            tile = Tile(str(g["name"]), badge=str(g.get("prefix", "")), subtitle=sub)
            tile.setObjectName(f"group-{g['code']}")
            tile.setEnabled(bool(g.get("open", True)) and self.ctl.online is not False)
            tile.clicked.connect(lambda _=False, code=g["code"]: self.chosen.emit(code))
            tiles.append(tile)
        col.addWidget(scroll_area(tile_grid(tiles, self.columns())), 1)
        col.addWidget(self.nav(back=False))
        self.replace_body(page)


class ProceduresScreen(Screen):
    chosen = Signal(object)  # Procedure | None ("Khác")

    def __init__(self, ctl: KioskController, t: Texts, columns: Callable[[], int]) -> None:
        super().__init__(ctl, t, columns)
        self.group: dict[str, Any] = {}

    def procedures(self) -> list[Procedure]:
        fields = set(self.group.get("fields", []))
        return [p for p in self.ctl.catalog.procedures if p.field in fields]

    def refresh(self) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(label(f"{self.group.get('name', '')} — {self.t('choose_procedure')}", "title"))
        other = Tile(self.t("other"))
        other.setObjectName("procedure-other")
        other.clicked.connect(lambda: self.chosen.emit(None))
        tiles: list[QWidget] = [other]
        for p in self.procedures():
            tile = Tile(p.name)
            tile.title_px = 26
            tile.clicked.connect(lambda _=False, p=p: self.chosen.emit(p))
            tiles.append(tile)
        col.addWidget(scroll_area(tile_grid(tiles, 1)), 1)
        col.addWidget(self.nav())
        self.replace_body(page)


class PriorityScreen(Screen):
    chosen = Signal(object)  # category code or None

    def refresh(self) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(label(self.t("priority_q"), "title"))
        none = Tile(self.t("no_priority"))
        none.setObjectName("priority-none")
        none.clicked.connect(lambda: self.chosen.emit(None))
        tiles: list[QWidget] = [none]
        for p in self.ctl.priorities:
            tile = Tile(p["name"])
            tile.setObjectName(f"priority-{p['code']}")
            tile.clicked.connect(lambda _=False, code=p["code"]: self.chosen.emit(code))
            tiles.append(tile)
        col.addWidget(scroll_area(tile_grid(tiles, self.columns())), 1)
        col.addWidget(self.nav())
        self.replace_body(page)


class ResultScreen(Screen):
    reprint = Signal()

    result: Issued | None = None
    status = ""
    failed = False

    def refresh(self) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setSpacing(16)
        if self.result is None:
            col.addWidget(label(self.status or self.t("issuing"), "big", center=True))
            col.addStretch(1)
            col.addWidget(self.nav(back=False))
            self.replace_body(page)
            return
        ticket = self.result.ticket
        col.addStretch(1)
        col.addWidget(label(self.t("your_number"), "subtitle", center=True))
        number = label(str(ticket["number"]), "number", center=True)
        number.setObjectName("number")
        col.addWidget(number)
        counters = ", ".join(self.result.counters) or "—"
        col.addWidget(label(self.t("counters", c=counters), "big", center=True))
        ahead = int(ticket.get("people_ahead", 0))
        wait = self.t("next_one") if ahead == 0 else self.t("people_ahead", n=ahead)
        if ahead and ticket.get("estimated_wait_s"):
            wait += ", " + self.t("wait_about", m=max(1, round(int(ticket["estimated_wait_s"]) / 60)))
        col.addWidget(label(wait, "big", center=True))
        self.status_label = label(self.status, "big", center=True)
        self.status_label.setStyleSheet("color:#b3261e;" if self.failed else "color:#1b6e2e;")
        col.addWidget(self.status_label)
        if self.failed:
            col.addWidget(label(self.t("remember"), "subtitle", center=True))
            again = big_button(self.t("reprint"))
            again.setObjectName("primary")
            again.clicked.connect(self.reprint.emit)
            self.reprint_button = again
            col.addWidget(again)
        col.addStretch(1)
        col.addWidget(self.nav(back=False))
        self.replace_body(page)


class LookupScreen(Screen):
    opened = Signal(object)  # Procedure

    query = ""
    field: str | None = None

    def refresh(self) -> None:
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(label(self.t("lookup"), "title"))
        self.box = QLineEdit(self.query)
        self.box.setPlaceholderText(self.t("search_hint"))
        self.box.setReadOnly(True)  # typed on the on-screen keyboard only: no system keyboard pops up
        col.addWidget(self.box)
        self.results_host = QVBoxLayout()
        keyboard = Keyboard()
        keyboard.typed.connect(self.type)
        keyboard.erased.connect(self.erase)
        if self.columns() > 2:  # landscape: results beside the keyboard, both at full height
            row = QHBoxLayout()
            row.addLayout(self.results_host, 11)
            row.addWidget(keyboard, 9, Qt.AlignmentFlag.AlignBottom)
            col.addLayout(row, 1)
        else:
            col.addLayout(self.results_host, 1)
            col.addWidget(keyboard)
        col.addWidget(self.nav())
        self.replace_body(page)
        self.show_results()

    def type(self, text: str) -> None:
        self.query += text
        self.box.setText(self.query)
        self.show_results()

    def erase(self) -> None:
        self.query = self.query[:-1]
        self.box.setText(self.query)
        self.show_results()

    def matches(self) -> list[Procedure]:
        procs = list(self.ctl.catalog.procedures)
        if self.query.strip():
            return search(self.query, procs, key=lambda p: p.name)
        return [p for p in procs if p.field == self.field]

    def browse(self, field: str | None) -> None:
        self.field = field
        self.show_results()

    def show_results(self) -> None:
        while self.results_host.count():
            item = self.results_host.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                discard(widget)
        tiles: list[QWidget] = []
        if not self.query.strip() and self.field is None:
            # Nothing typed yet: browse by field, as the centre's own signs are organised.
            for f in self.ctl.catalog.fields:
                count = sum(1 for p in self.ctl.catalog.procedures if p.field == f.code)
                tile = Tile(f.name, subtitle=f"{count} thủ tục" if self.t.language == "vi" else f"{count} procedures")
                tile.setObjectName(f"field-{f.code}")
                tile.clicked.connect(lambda _=False, code=f.code: self.browse(code))
                tiles.append(tile)
            self.results_host.addWidget(scroll_area(tile_grid(tiles, 2)), 1)
            return
        found = self.matches()
        if self.field is not None and not self.query.strip():
            back = Tile(self.t("all_fields"))
            back.setObjectName("field-all")
            back.clicked.connect(lambda: self.browse(None))
            tiles.append(back)
        for p in found[:40]:
            tile = Tile(p.name)
            tile.title_px = 24
            tile.clicked.connect(lambda _=False, p=p: self.opened.emit(p))
            tiles.append(tile)
        if not found:
            self.results_host.addWidget(label(self.t("no_results"), "subtitle"))
        self.results_host.addWidget(scroll_area(tile_grid(tiles, 1)), 1)


class ProcedureScreen(Screen):
    ticket = Signal(str)  # group code

    procedure: Procedure | None = None

    def group_for(self, p: Procedure) -> dict[str, Any] | None:
        return next((g for g in self.ctl.snapshot.get("groups", []) if p.field in g.get("fields", [])), None)

    def refresh(self) -> None:
        p = self.procedure
        if p is None:
            return
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(label(p.name, "title"))
        details = QWidget()
        d = QVBoxLayout(details)
        field = self.ctl.catalog.field(p.field)
        top = QHBoxLayout()
        facts = QVBoxLayout()
        for key, value in (
            ("code", p.code),
            ("time", time_text(p)),
            ("fee", fee_text(p) if p.fee_vnd is not None else (p.fee_text or fee_text(p))),
        ):
            facts.addWidget(label(f"<b>{self.t(key)}:</b> {value}", "body"))
        group = self.group_for(p)
        counters = ", ".join(self.ctl.counters_for(group["code"])) if group else ""
        where = f"Bộ phận {field.name if field else p.field}" + (f" — quầy {counters}" if counters else "")
        facts.addWidget(label(f"<b>{self.t('where')}:</b> {where}", "body"))
        top.addLayout(facts, 1)
        qr = QLabel()
        qr.setPixmap(qr_pixmap(procedure_qr_text(p), 260))
        qr_box = QVBoxLayout()
        qr_box.addWidget(qr, 0, Qt.AlignmentFlag.AlignCenter)
        qr_box.addWidget(label(self.t("scan_phone"), "body", center=True))
        top.addLayout(qr_box)
        d.addLayout(top)
        d.addWidget(label(self.t("documents"), "heading"))
        for i, doc in enumerate(p.documents, 1):
            d.addWidget(label(f"{i}. {doc}", "body"))
        if p.time_note:
            d.addWidget(label(p.time_note, "body"))
        if p.legal_basis:
            d.addWidget(label(self.t("legal"), "heading"))
            for item in p.legal_basis:
                d.addWidget(label(f"• {item}", "body"))
        d.addStretch(1)
        col.addWidget(scroll_area(details), 1)
        if group is not None:
            get = big_button(self.t("ticket_for_this"))
            get.setEnabled(bool(group.get("open", True)) and self.ctl.online is not False)
            get.clicked.connect(lambda: self.ticket.emit(group["code"]))
            col.addWidget(get)
        col.addWidget(self.nav())
        self.replace_body(page)
