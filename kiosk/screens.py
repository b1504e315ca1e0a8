"""The kiosk's screens. Each is built from the controller's current data when it is shown, at the sizes of
the window's `Metrics` (kiosk.style): every screen fits 1366×768 up to 1080×1920 without scrolling its main
actions; only lists (procedures, documents) scroll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

from app.core.catalog import Procedure
from app.core.clock import LOCAL_TZ, from_iso
from app.core.procedure_qr import procedure_link
from app.core.text_search import search
from app.qtbridge.qr import qr_pixmap
from kiosk.controller import Issued, KioskController
from kiosk.i18n import Texts
from kiosk.style import Metrics, metrics_for
from kiosk.widgets import Keyboard, Tile, big_button, discard, scroll_area, tile_grid
from printing.layouts import fee_text, time_text
from printing.tickets import follow_url


def label(text: str, name: str = "body", *, wrap: bool = True, center: bool = False) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setWordWrap(wrap)
    if center:
        widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return widget


def qr_label(data: str, size: int) -> QLabel:
    qr = QLabel()
    qr.setPixmap(qr_pixmap(data, size))
    qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
    qr.setObjectName("qr")
    return qr


class Screen(QWidget):
    """A page of the stack: `refresh()` rebuilds its content from the controller."""

    home = Signal()
    back = Signal()

    def __init__(self, ctl: KioskController, t: Texts, columns: Callable[[], int]) -> None:
        super().__init__()
        self.ctl, self.t, self.columns = ctl, t, columns
        self.metrics: Metrics = metrics_for(1080, 1920)  # the window sets its own on every resize
        self.outer = QVBoxLayout(self)
        self.body = QWidget()
        self.outer.addWidget(self.body, 1)

    def replace_body(self, widget: QWidget) -> None:
        m = self.metrics
        self.outer.setContentsMargins(m.margin, m.spacing, m.margin, m.spacing)
        old = self.body
        self.outer.replaceWidget(old, widget)
        discard(old)
        self.body = widget

    def page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(self.metrics.spacing)
        return page, col

    def tile(self, title: str, **kw: Any) -> Tile:
        kw.setdefault("title_px", self.metrics.tile)
        kw.setdefault("min_height", self.metrics.touch)
        return Tile(title, **kw)

    def button(self, text: str, *, primary: bool = True) -> Any:
        return big_button(text, primary=primary, height=self.metrics.touch)

    def nav(self, *, back: bool = True) -> QWidget:
        bar = QWidget()
        bar.setObjectName("nav")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        if back:
            b = self.button(self.t("back"), primary=False)
            b.setObjectName("secondary")
            b.clicked.connect(self.back.emit)
            self.back_button = b
            row.addWidget(b)
        row.addStretch(1)
        h = self.button(self.t("home"), primary=False)
        h.clicked.connect(self.home.emit)
        self.home_button = h
        row.addWidget(h)
        return bar

    def action_then_nav(self, col: QVBoxLayout, action: QWidget | None, *, back: bool = True) -> None:
        """A main action above the navigation with ≥ 8 mm (ACTION_GAP_PX) between them: no tap meant for
        "Quay lại" lands on "LẤY SỐ" or the other way round."""
        if action is not None:
            col.addWidget(action)
            col.addSpacing(max(0, self.metrics.gap - self.metrics.spacing))
        col.addWidget(self.nav(back=back))

    def refresh(self) -> None:  # pragma: no cover - every screen overrides
        raise NotImplementedError


def _reopen_text(group: dict[str, Any], t: Texts) -> str:
    message = str(group.get("closed_message") or "") if t.language == "vi" else ""
    if group.get("reopens_at"):
        at = from_iso(str(group["reopens_at"])).astimezone(LOCAL_TZ)
        message = f"{message} {t('reopens', t=f'{at:%H:%M}', d=f'{at:%d/%m}')}".strip()
    return message


def group_subtitle(group: dict[str, Any], t: Texts) -> str:
    if group.get("open", True):
        return t("waiting", n=int(group.get("waiting", 0)))
    reason = _reopen_text(group, t)
    return f"{t('closed')}: {reason}" if reason else t("closed")


class HomeScreen(Screen):
    """The service tiles themselves (one tap to a ticket), "Tra cứu thủ tục" and "Quét mã QR" beside them.
    The snapshot arrives every few seconds: tiles are updated in place, so a finger already on one is not
    lost to a rebuilt screen."""

    group = Signal(str)  # a service group's code: the ticket flow starts
    lookup = Signal()
    scan = Signal()
    language = Signal()

    def __init__(self, ctl: KioskController, t: Texts, columns: Callable[[], int]) -> None:
        super().__init__(ctl, t, columns)
        self.tiles: dict[str, Tile] = {}
        self._built: tuple[Any, ...] | None = None

    def groups(self) -> list[dict[str, Any]]:
        return list(self.ctl.snapshot.get("groups", []))

    def refresh(self) -> None:
        groups = self.groups()
        shape = (self.t.language, self.metrics, tuple(str(g["code"]) for g in groups))
        if shape != self._built:
            self.build(groups)
            self._built = shape
        self.update_tiles(groups)

    def update_tiles(self, groups: list[dict[str, Any]]) -> None:
        for g in groups:
            tile = self.tiles.get(str(g["code"]))
            if tile is None:
                continue
            tile.set_texts(self.t.field(str(g["code"]), str(g["name"])), group_subtitle(g, self.t))
            tile.setEnabled(bool(g.get("open", True)) and self.ctl.online is not False)

    def build(self, groups: list[dict[str, Any]]) -> None:
        m = self.metrics
        page, col = self.page()
        intro = QHBoxLayout()
        intro.addWidget(label(self.t("welcome"), "title", wrap=False))
        intro.addSpacing(m.spacing)
        intro.addWidget(label(self.t("home_hint"), "subtitle"), 1, Qt.AlignmentFlag.AlignVCenter)
        if m.landscape:
            col.addLayout(intro)
        else:
            col.addWidget(label(self.t("welcome"), "title", center=True))
            col.addWidget(label(self.t("home_hint"), "subtitle", center=True))
        self.tiles = {}
        tiles: list[QWidget] = []
        for g in groups:
            code = str(g["code"])
            tile = self.tile("", badge=str(g.get("prefix", "")))
            tile.setObjectName(f"group-{code}")
            tile.clicked.connect(lambda _=False, code=code: self.group.emit(code))
            self.tiles[code] = tile
            tiles.append(tile)
        grid: QWidget = (
            tile_grid(tiles, m.columns, spacing=m.spacing, fill=True)
            if tiles
            else label(self.t("loading"), "subtitle", center=True)
        )
        self.lookup_tile = self.tile(self.t("lookup"), subtitle=self.t("lookup_sub"), variant="plain")
        self.lookup_tile.setObjectName("home-lookup")
        self.lookup_tile.clicked.connect(self.lookup.emit)
        self.scan_tile = self.tile(self.t("scan"), subtitle=self.t("scan_sub"), variant="plain")
        self.scan_tile.setObjectName("home-scan")
        self.scan_tile.clicked.connect(self.scan.emit)
        self.language_button = self.button(self.t("language"), primary=False)
        self.language_button.setObjectName("secondary")
        self.language_button.clicked.connect(self.language.emit)
        if m.landscape:  # the service tiles, and a column beside them
            row = QHBoxLayout()
            row.setSpacing(m.spacing * 2)
            row.addWidget(grid, 3)
            side = QVBoxLayout()
            side.setSpacing(m.spacing)
            side.addWidget(self.lookup_tile, 1)
            side.addWidget(self.scan_tile, 1)
            side.addSpacing(m.spacing)
            side.addWidget(self.language_button)
            row.addLayout(side, 1)
            col.addLayout(row, 1)
        else:  # portrait: the service tiles, the two others in a row under them
            col.addWidget(grid, 1)
            col.addSpacing(m.spacing)
            row = QHBoxLayout()
            row.setSpacing(m.spacing)
            row.addWidget(self.lookup_tile, 1)
            row.addWidget(self.scan_tile, 1)
            col.addLayout(row)
            col.addWidget(self.language_button, 0, Qt.AlignmentFlag.AlignRight)
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
        m = self.metrics
        page, col = self.page()
        name = self.t.field(str(self.group.get("code", "")), str(self.group.get("name", "")))
        col.addWidget(label(name, "title"))
        col.addWidget(label(self.t("choose_procedure"), "subtitle"))
        other = self.tile(self.t("other"), variant="plain")
        other.setObjectName("procedure-other")
        other.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        other.setFixedHeight(other.heightForWidth(m.width - 2 * m.margin))
        other.clicked.connect(lambda: self.chosen.emit(None))
        col.addWidget(other)
        tiles: list[QWidget] = []
        for p in self.procedures():
            tile = self.tile(p.name)
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
            tile.clicked.connect(lambda _=False, p=p: self.chosen.emit(p))
            tiles.append(tile)
        self.list = scroll_area(tile_grid(tiles, m.list_columns, spacing=m.spacing))
        col.addWidget(self.list, 1)
        self.action_then_nav(col, None)
        self.replace_body(page)


class PriorityScreen(Screen):
    """The categories, and apart from them (another look, under a gap) the answer most citizens give."""

    chosen = Signal(object)  # category code or None

    def refresh(self) -> None:
        m = self.metrics
        page, col = self.page()
        col.addWidget(label(self.t("priority_q"), "title"))
        col.addWidget(label(self.t("priority_hint"), "body"))
        tiles: list[QWidget] = []
        for p in self.ctl.priorities:
            tile = self.tile(self.t.priority(p["code"], p["name"]))
            tile.setObjectName(f"priority-{p['code']}")
            tile.clicked.connect(lambda _=False, code=p["code"]: self.chosen.emit(code))
            tiles.append(tile)
        col.addWidget(tile_grid(tiles, 2, spacing=m.spacing, fill=True), 1)
        col.addSpacing(max(0, m.gap - m.spacing))
        none = self.tile(self.t("no_priority"), variant="plain")
        none.setObjectName("priority-none")
        none.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        none.setFixedHeight(max(m.touch + m.spacing, none.heightForWidth(m.width - 2 * m.margin)))
        none.clicked.connect(lambda: self.chosen.emit(None))
        self.none_tile = none
        self.action_then_nav(col, none)
        self.replace_body(page)


class ResultScreen(Screen):
    """The number, where and how long, the follow-your-turn QR; after a printer fault what to do instead,
    and "IN LẠI" only once the printer can print again."""

    reprint = Signal()

    result: Issued | None = None
    status = ""
    failed = False
    paper_out = False  # the printer said so: no "IN LẠI" until it has paper again
    tone = ""  # the status line's colour: "ok" (green), "info" (blue), else red when failed, green when not
    detail = ""  # the printer's own words, for the clerk the citizen calls

    def follow(self) -> str | None:
        if self.result is None:
            return None
        return follow_url(self.result.ticket, self.ctl.follow_base_url)

    def refresh(self) -> None:
        m = self.metrics
        page, col = self.page()
        self.reprint_button = None
        if self.result is None:
            col.addStretch(1)
            col.addWidget(label(self.status or self.t("issuing"), "big", center=True))
            col.addStretch(1)
            self.action_then_nav(col, None, back=False)
            self.replace_body(page)
            return
        ticket = self.result.ticket
        info = QVBoxLayout()
        info.setSpacing(m.spacing // 2)
        info.addWidget(label(self.t("your_number"), "subtitle", center=True))
        number = label(str(ticket["number"]), "number", wrap=False, center=True)
        number.setObjectName("number")
        info.addWidget(number)
        counters = ", ".join(self.result.counters) or "—"
        info.addWidget(label(self.t("counters", c=counters), "big", center=True))
        ahead = int(ticket.get("people_ahead", 0))
        wait = self.t("next_one") if ahead == 0 else self.t("people_ahead", n=ahead)
        if ahead and ticket.get("estimated_wait_s"):
            wait += ", " + self.t("wait_about", m=max(1, round(int(ticket["estimated_wait_s"]) / 60)))
        info.addWidget(label(wait, "big", center=True))
        self.status_label = label(self.status, "big", center=True)
        tone = self.tone or ("error" if self.failed else "ok")
        self.status_label.setStyleSheet({"ok": "color:#1b6e2e;", "info": "color:#0b4f9c;"}.get(tone, "color:#b3261e;"))
        self.status_label.setVisible(bool(self.status))
        info.addWidget(self.status_label)
        if self.detail:
            info.addWidget(label(self.detail, "detail", center=True))

        link = self.follow()
        qr_box = QVBoxLayout()
        qr_box.setSpacing(m.spacing // 2)
        if link is not None:
            qr_box.addWidget(qr_label(link, m.qr), 0, Qt.AlignmentFlag.AlignCenter)
            qr_box.addWidget(label(self.t("follow_qr"), "subtitle", center=True))
        again = None
        if self.failed and not self.paper_out:
            again = self.button(self.t("reprint"))
            again.clicked.connect(self.reprint.emit)
            self.reprint_button = again
        col.addStretch(1)
        if m.landscape:
            row = QHBoxLayout()
            row.setSpacing(m.spacing * 2)
            row.addLayout(info, 3)
            if link is not None:
                row.addLayout(qr_box, 2)
            col.addLayout(row)
        else:
            col.addLayout(info)
            col.addSpacing(m.spacing)
            col.addLayout(qr_box)
        col.addStretch(1)
        self.action_then_nav(col, again, back=False)
        self.replace_body(page)


class LookupScreen(Screen):
    opened = Signal(object)  # Procedure

    query = ""
    field: str | None = None

    def refresh(self) -> None:
        m = self.metrics
        page, col = self.page()
        self.box = QLineEdit(self.query)
        self.box.setPlaceholderText(self.t("search_hint"))
        self.box.setReadOnly(True)  # typed on the on-screen keyboard only: no system keyboard pops up
        top = QHBoxLayout()
        top.setSpacing(m.spacing)
        top.addWidget(label(self.t("lookup"), "title", wrap=False))
        if m.landscape:  # one line for the title and the box: the keyboard needs the height
            top.addWidget(self.box, 1)
            col.addLayout(top)
        else:
            col.addLayout(top)
            col.addWidget(self.box)
        self.results_host = QVBoxLayout()
        self.results_host.setSpacing(m.spacing)
        keyboard = Keyboard(
            key_height=m.key_height, space=self.t("space"), erase=self.t("erase"), spacing=max(6, m.spacing // 2)
        )
        keyboard.typed.connect(self.type)
        keyboard.erased.connect(self.erase)
        if m.landscape:  # results beside the keyboard
            row = QHBoxLayout()
            row.setSpacing(m.spacing)
            row.addLayout(self.results_host, 11)
            row.addWidget(keyboard, 9, Qt.AlignmentFlag.AlignBottom)
            col.addLayout(row, 1)
        else:
            col.addLayout(self.results_host, 1)
            col.addWidget(keyboard)
        self.action_then_nav(col, None)
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
        m = self.metrics
        while self.results_host.count():
            item = self.results_host.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                discard(widget)
        tiles: list[QWidget] = []
        if not self.query.strip() and self.field is None:
            # Nothing typed yet: browse by field, as the centre's own signs are organised. Compact tiles (the
            # count beside the name) so all of them show beside or above the keyboard.
            for f in self.ctl.catalog.fields:
                count = sum(1 for p in self.ctl.catalog.procedures if p.field == f.code)
                tile = self.tile(f"{self.t.field(f.code, f.name)} ({count})")
                tile.setObjectName(f"field-{f.code}")
                tile.clicked.connect(lambda _=False, code=f.code: self.browse(code))
                tiles.append(tile)
            self.results_host.addWidget(scroll_area(tile_grid(tiles, 2, spacing=m.spacing // 2 + 2)), 1)
            return
        found = self.matches()
        if self.field is not None and not self.query.strip():
            back = self.tile(self.t("all_fields"), variant="plain")
            back.setObjectName("field-all")
            back.clicked.connect(lambda: self.browse(None))
            tiles.append(back)
        for p in found[:40]:
            tile = self.tile(p.name)
            tile.clicked.connect(lambda _=False, p=p: self.opened.emit(p))
            tiles.append(tile)
        if not found:
            self.results_host.addWidget(label(self.t("no_results"), "subtitle"))
        for listed in tiles:
            listed.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.results_host.addWidget(scroll_area(tile_grid(tiles, 1, spacing=m.spacing)), 1)


class ProcedureScreen(Screen):
    ticket = Signal(str)  # group code

    procedure: Procedure | None = None

    def group_for(self, p: Procedure) -> dict[str, Any] | None:
        return next((g for g in self.ctl.snapshot.get("groups", []) if p.field in g.get("fields", [])), None)

    def update_state(self) -> None:
        """New data from the service: only the ticket button may change (the citizen may be reading the
        documents half-way down; a rebuild would scroll them back to the top)."""
        button = getattr(self, "ticket_button", None)
        if button is None or self.procedure is None:
            return
        group = self.group_for(self.procedure)
        button.setEnabled(group is not None and bool(group.get("open", True)) and self.ctl.online is not False)

    def refresh(self) -> None:
        p = self.procedure
        if p is None:
            return
        m = self.metrics
        page, col = self.page()
        title = label(p.name, "title")
        if len(p.name) > 90:  # the long official names: a smaller title leaves the documents room
            title.setObjectName("heading")
        col.addWidget(title)
        details = QWidget()
        d = QVBoxLayout(details)
        d.setContentsMargins(0, 0, m.spacing, m.spacing)
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
        where = self.t("where_desk", f=self.t.field(p.field, field.name if field else p.field))
        where += self.t("where_counters", c=counters) if counters else ""
        facts.addWidget(label(f"<b>{self.t('where')}:</b> {where}", "body"))
        facts.addStretch(1)
        top.addLayout(facts, 1)
        link = procedure_link(p, self.ctl.follow_base_url)
        if link is not None:  # a QR only when a phone can open what it holds
            qr_box = QVBoxLayout()
            qr_box.addWidget(qr_label(link, m.px(300, 220)), 0, Qt.AlignmentFlag.AlignCenter)
            caption = label(self.t("scan_phone"), "body", center=True)
            caption.setFixedWidth(m.px(300, 220))
            qr_box.addWidget(caption)
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
        self.details = scroll_area(details)
        col.addWidget(self.details, 1)
        get = None
        self.ticket_button = None
        if group is not None:
            get = self.button(self.t("ticket_for_this"))
            get.clicked.connect(lambda: self.ticket.emit(group["code"]))
            self.ticket_button = get
        self.action_then_nav(col, get)
        self.replace_body(page)
        self.update_state()
