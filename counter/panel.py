"""The clerk's live panel: the citizen at the counter, the actions with their keys, who waits.

The header: the counter, the clerk, its status with F7 (pause / resume) beside it, the clock, sign-out. Left: the
citizen at the counter with today's figures of this counter (served, average service time), the six actions for the
citizen (F1–F6, words on one line from 1366 px up), the dossier buttons. Right: the waiting per group in a fixed
order (the counter's own groups first, marked ★) and the next citizens. In a window taller than wide the right
column goes under the left. F5 "Vắng mặt" is outlined, never the obvious next step after a call, and off until the
ticket has been called as often as the centre's rule says (`call_count_max` in the snapshot), which its caption
tells. Offline, what is shown carries the time it was last brought up to date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.clock import LOCAL_TZ, from_iso
from counter.controller import CounterController
from counter.state import ACTION_LABELS, PAUSE_REASONS
from counter.widgets import ActionButton, Banner, card, label, pill_style, row

NEXT_SHOWN = 12  # at most; fewer when the window has no room for them
ROW_PX = 32
STATS_MS = 60_000  # today's figures of the counter, besides after each action
OWN_MARK = "★"
OWN_HINT = f"{OWN_MARK} Nhóm chính của quầy: được gọi trước."
# key, action, colour; F7 is pause or resume depending on the counter (in the header, beside the status)
BUTTONS = (("F1", "call_next", "primary"), ("F2", "recall", "plain"), ("F3", "start", "good"),
           ("F4", "finish", "good"), ("F5", "no_show", "caution"), ("F6", "transfer", "plain"),
           ("F7", "pause", "plain"))  # fmt: skip
_STATUS = {"open": "Đang làm việc", "closed": "Chưa mở quầy", "paused": "Tạm nghỉ"}
_OWN_ROW = QColor("#e8f0fb")


def _clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _minutes(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    return "dưới 1 phút" if minutes < 1 else f"{minutes} phút"


def _duration(seconds: float) -> str:
    """6 phút 20 giây; 45 giây; 1 giờ 05 phút"""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} giờ {minutes:02d} phút"
    return f"{minutes} phút {secs:02d} giây" if minutes else f"{secs} giây"


def stats_text(stats: dict[str, Any] | None, counter_id: int) -> str:
    """Today at this counter, from GET /api/stats/today: "Hôm nay đã phục vụ 12 người · trung bình 6 phút 20 giây";
    "" before the figures have come."""
    if stats is None:
        return ""
    mine = (stats.get("by_counter") or {}).get(str(counter_id)) or {}
    served = int(mine.get("served") or 0)
    if not served:
        return "Hôm nay chưa phục vụ xong người nào"
    avg = (mine.get("service_s") or {}).get("avg")
    average = f" · trung bình {_duration(float(avg))}" if avg is not None else ""
    return f"Hôm nay đã phục vụ {served} người{average}"


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.setShowGrid(False)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.verticalHeader().setDefaultSectionSize(ROW_PX)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(False)
    return table


def _item(text: str, *, bold: bool = False, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class PanelScreen(QWidget):
    action = Signal(str)  # a button was pressed: call_next, recall, …, pause/resume
    sign_out = Signal()
    dossier_wanted = Signal(str)  # new | list

    def __init__(self, ctl: CounterController) -> None:
        super().__init__()
        self.setObjectName("panel")
        self.ctl = ctl
        self.scale = 1.0
        self._ticket: dict[str, Any] | None = None
        self._fresh_at: datetime | None = None  # when the data shown was last brought up to date (online)
        self._stats: dict[str, Any] | None = None
        self._stats_loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        # header: counter, clerk, status, clock, sign out
        header = card()
        header.setObjectName("header")
        rows = QVBoxLayout(header)
        rows.setContentsMargins(20, 10, 20, 10)
        rows.setSpacing(8)
        self.head = head = QHBoxLayout()
        head.setSpacing(16)
        self.status_row = QHBoxLayout()  # the status and F7 go here when the window is too narrow for one line
        self.status_row.setSpacing(16)
        rows.addLayout(head)
        rows.addLayout(self.status_row)
        self.counter_title = label("", "headerTitle")
        self.clerk = label("", "headerSub")
        self.pill = label("", "pill")
        self.clock = label("", "clock")
        self.sign_out_button = QPushButton("Đăng xuất  (Ctrl+Q)")
        self.sign_out_button.setObjectName("headerButton")
        self.sign_out_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sign_out_button.clicked.connect(self.sign_out.emit)
        self.buttons: dict[str, ActionButton] = {}
        pause = ActionButton("F7", ACTION_LABELS["pause"], "plain", compact=True)
        for w in (self.counter_title, self.clerk, self.pill, pause):
            head.addWidget(w)
        head.addStretch(1)
        head.addWidget(self.clock)
        head.addWidget(self.sign_out_button)
        self.status_row.addStretch(1)
        self.two_line_header = False
        outer.addWidget(header)
        self.strip = Banner(size=19)
        outer.addWidget(self.strip)

        self.body = body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.setContentsMargins(18, 14, 18, 14)
        body.setSpacing(16)
        outer.addLayout(body, 1)
        left = QVBoxLayout()
        left.setSpacing(14)
        body.addLayout(left, 3)
        right = QVBoxLayout()
        right.setSpacing(14)
        body.addLayout(right, 2)

        # the citizen at the counter
        current = card()
        cur = QVBoxLayout(current)
        cur.setContentsMargins(24, 16, 24, 18)
        cur.setSpacing(4)
        self.state_line = label("", "stateLine")
        self.number = label("", "number")
        self.number.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.idle_hint = label("", "numberIdle", wrap=True)
        self.group_line = label("", "detail", wrap=True)
        self.priority = label("", "priority")
        self.calls = label("", "detail")
        self.times = label("", "detail", wrap=True)
        self.stats = label("", "stats")
        self.stats.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        title_row = row(label("Công dân tại quầy", "cardTitle"), stretch_after=True)
        title_row.addWidget(self.stats)
        cur.addLayout(title_row)
        cur.addStretch(1)
        cur.addWidget(self.state_line)
        cur.addWidget(self.number)
        cur.addWidget(self.idle_hint)
        cur.addLayout(row(self.group_line, self.priority))
        cur.addWidget(self.calls)
        cur.addWidget(self.times)
        cur.addStretch(1)
        left.addWidget(current, 1)

        # the actions
        actions = card()
        grid = QGridLayout(actions)
        grid.setContentsMargins(16, 14, 16, 14)
        grid.setSpacing(12)
        for i, (key, name, kind) in enumerate(BUTTONS):
            button = pause if key == "F7" else ActionButton(key, ACTION_LABELS[name], kind)
            button.setObjectName(f"action-{name}")
            button.clicked.connect(lambda _=False, key=key: self.press(key))
            self.buttons[key] = button
            if key != "F7":
                grid.addWidget(button, i // 3, i % 3)
        for c in range(3):
            grid.setColumnStretch(c, 1)
        left.addWidget(actions)
        self.hint = label("Phím tắt: F1 đến F7 như ghi trên nút; Ctrl+Q để đăng xuất.", "hint", wrap=True)
        self.receive_button = QPushButton("Tiếp nhận hồ sơ  (F8)")
        self.list_button = QPushButton("Tra cứu, trả kết quả  (F9)")
        for dossier_button, which in ((self.receive_button, "new"), (self.list_button, "list")):
            dossier_button.setObjectName("secondary")
            dossier_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            dossier_button.clicked.connect(lambda _=False, which=which: self.dossier_wanted.emit(which))
        dossier_row = row(self.receive_button, self.list_button, stretch_after=False)
        dossier_row.addWidget(self.hint, 1)
        left.addLayout(dossier_row)

        # who waits
        groups = card()
        g = QVBoxLayout(groups)
        g.setContentsMargins(16, 12, 16, 12)
        self.groups_title = label("Đang chờ theo nhóm", "cardTitle")
        g.addWidget(self.groups_title)
        self.groups_table = _table(["Nhóm", "Lĩnh vực", "Đang chờ"])
        self.groups_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.groups_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.groups_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.groups_table.setWordWrap(True)  # a long group name takes two lines, never cut
        self.groups_table.horizontalHeader().sectionResized.connect(lambda *_: self._fit_groups())
        g.addWidget(self.groups_table)
        self.own_hint = label(OWN_HINT, "hint")
        g.addWidget(self.own_hint)
        right.addWidget(groups, 0)
        nexts = card()
        n = QVBoxLayout(nexts)
        n.setContentsMargins(16, 12, 16, 12)
        self.next_title = label("Người chờ tiếp theo", "cardTitle")
        n.addWidget(self.next_title)
        self.next_table = _table(["Số", "Lĩnh vực", "Ưu tiên", "Đã chờ"])
        self.next_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.next_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        n.addWidget(self.next_table, 1)
        self.next_table.installEventFilter(self)
        self.next_empty = label("Không có ai đang chờ.", "hint")
        n.addWidget(self.next_empty)
        n.addStretch(0)
        right.addWidget(nexts, 1)

        self.tick = QTimer(self, interval=1000)
        self.tick.timeout.connect(self.update_times)
        self.tick.start()
        self.stats_timer = QTimer(self, interval=STATS_MS)
        self.stats_timer.timeout.connect(self.load_stats)
        self.stats_timer.start()
        ctl.action_finished.connect(lambda _action, accepted: self.load_stats() if accepted else None)
        ctl.signed_in.connect(lambda _session: self._new_session())

    def set_scale(self, scale: float) -> None:
        """Bigger windows get bigger type (the stylesheet) and, here, taller rows and buttons."""
        self.scale = scale
        for table in (self.groups_table, self.next_table):
            table.verticalHeader().setDefaultSectionSize(round(ROW_PX * scale))
        for button in self.buttons.values():
            button.set_scale(scale)
        self.strip.set_scale(scale)
        self.refresh()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Taller than wide: the waiting lists go under the citizen and the actions."""
        portrait = event.size().height() > event.size().width()
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        self.body.setStretch(0, 0 if portrait else 3)
        self.body.setStretch(1, 1 if portrait else 2)
        self._arrange_header(event.size().width())
        super().resizeEvent(event)

    def _arrange_header(self, width: int) -> None:
        """One line when everything fits in ``width``; otherwise the status and F7 on a second line."""
        parts = (self.counter_title, self.clerk, self.pill, self.buttons["F7"], self.clock, self.sign_out_button)
        need = sum(w.sizeHint().width() for w in parts) + self.head.spacing() * (len(parts) + 1) + 40
        two = need > width
        if two == self.two_line_header:
            return
        self.two_line_header = two
        for w in (self.pill, self.buttons["F7"]):
            (self.head if two else self.status_row).removeWidget(w)
        if two:
            self.status_row.insertWidget(0, self.pill)
            self.status_row.insertWidget(1, self.buttons["F7"])
        else:
            self.head.insertWidget(2, self.pill)
            self.head.insertWidget(3, self.buttons["F7"])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.next_table and isinstance(event, QResizeEvent):
            self._fit_next(event.size().height())
        return False

    # --- input -----------------------------------------------------------------------------------

    def press(self, key: str) -> None:
        """A key or a click: only when its button is enabled (the shortcut obeys the same rule)."""
        button = self.buttons.get(key)
        if button is None or not button.isEnabled():
            return
        name = dict((k, a) for k, a, _ in BUTTONS)[key]
        if key == "F7" and self._paused():
            name = "resume"
        self.action.emit(name)

    def _paused(self) -> bool:
        counter = self.ctl.counter()
        return counter is not None and counter.status == "paused"

    # --- today's figures of the counter ------------------------------------------------------------------

    def _new_session(self) -> None:
        self._stats = None
        self.load_stats()

    def load_stats(self) -> None:
        """GET /api/stats/today off the GUI thread (the controller's runner, so closing waits for it)."""
        ctl = self.ctl
        if self._stats_loading or ctl.session is None or ctl.offline_session or not ctl.online:
            return
        self._stats_loading = True

        def done(stats: dict[str, Any]) -> None:
            self._stats_loading = False
            self._stats = stats
            self._show_stats()

        def failed(_exc: Exception) -> None:
            self._stats_loading = False

        ctl.runner.run(ctl.client.stats_today, done, failed)

    def _show_stats(self) -> None:
        counter_id = self.ctl.counter_id
        text = stats_text(self._stats, counter_id) if counter_id is not None else ""
        self.stats.setText(text + self._stale(" (lúc {at})") if text else "")
        self.stats.setVisible(bool(text))

    def _stale(self, pattern: str) -> str:
        """``pattern`` with the time the data shown was last up to date, while offline; "" online."""
        if self.ctl.online or self._fresh_at is None:
            return ""
        return pattern.format(at=f"{self._fresh_at.astimezone(LOCAL_TZ):%H:%M}")

    # --- showing -----------------------------------------------------------------------------------

    def show_notice(self, kind: str, text: str) -> None:
        if text:
            self.strip.show_message(text, kind or "info")
        else:
            self.strip.clear_message()

    def refresh(self) -> None:
        ctl = self.ctl
        counter = ctl.counter()
        self.counter_title.setText(counter.name if counter else f"Quầy {ctl.counter_id or ''}")
        self.clerk.setText(f"Cán bộ: {ctl.display_name}" if ctl.session else "")
        if not ctl.online:
            status_key, status = "offline", "Mất kết nối"
        elif counter is None:
            status_key, status = "closed", "Đang tải…"
        else:
            status_key, status = counter.status, _STATUS.get(counter.status, counter.status)
            if counter.status == "paused":
                status = f"Tạm nghỉ: {PAUSE_REASONS.get(str(counter.reason), counter.reason or '')}".rstrip(": ")
        self.pill.setText(status)
        self.pill.setStyleSheet(pill_style(status_key))

        if ctl.online:
            self._fresh_at = ctl.clock.now()
        enabled = ctl.actions()
        paused = self._paused()
        for key, name, _kind in BUTTONS:
            button = self.buttons[key]
            if key == "F7":
                button.set_label(ACTION_LABELS["resume" if paused else "pause"], "good" if paused else "plain")
                button.setEnabled(enabled["resume" if paused else "pause"])
                button.updateGeometry()
            else:
                button.setEnabled(enabled[name])
        current = ctl.model.current(ctl.counter_id) if ctl.counter_id is not None else None
        called = current is not None and current.get("state") == "called"
        rule = ctl.model.call_count_max
        early = called and ctl.model.calls_before_no_show(current) > 0
        self.buttons["F5"].set_caption(f"sau {rule} lần gọi" if early and rule else "")
        if ctl.counter_id is not None:
            self._show_current(current, paused)
            self._show_waiting(ctl.counter_id)
        self._show_stats()
        self.update_times()
        self._arrange_header(self.width())

    def _show_current(self, ticket: dict[str, Any] | None, paused: bool) -> None:
        self._ticket = ticket
        if ticket is None:
            self.state_line.setText("Quầy đang tạm nghỉ" if paused else "Chưa gọi ai")
            self.idle_hint.setText("Bấm F7 để làm việc trở lại" if paused else "Bấm F1 để gọi số tiếp theo")
            self.idle_hint.show()
            for w in (self.number, self.group_line, self.priority, self.times):
                w.hide()
            counter_id = self.ctl.counter_id
            count = len(self.ctl.model.waiting_for(counter_id)) if counter_id is not None else 0
            self.calls.setText(f"{count} người đang chờ ở các nhóm của quầy." if count else "Hiện không có ai chờ.")
            self.calls.show()
            return
        state = ticket["state"]
        self.state_line.setText("Đang mời công dân đến quầy" if state == "called" else "Đang phục vụ")
        self.idle_hint.hide()
        self.number.setText(str(ticket["number"]))
        self.group_line.setText(f"Lĩnh vực: {self.ctl.model.group_name(str(ticket['group']))}")
        code = ticket.get("priority")
        self.priority.setText(f"Ưu tiên: {self.ctl.priorities.get(code, code)}" if code else "")
        self.priority.setVisible(bool(code))
        calls = int(ticket.get("call_count", 0))
        transfers = int(ticket.get("transfers", 0))
        extra = f" · đã chuyển nhóm {transfers} lần" if transfers else ""
        self.calls.setText(f"Đã gọi {calls} lần{extra}")
        for w in (self.number, self.group_line, self.calls, self.times):
            w.show()

    def _show_waiting(self, counter_id: int) -> None:
        model, now = self.ctl.model, self.ctl.clock.now()
        groups = model.my_groups(counter_id)
        total = sum(g["waiting"] for g in groups)
        stale = self._stale(" (lúc {at})")
        self.groups_title.setText(f"Đang chờ theo nhóm — tổng {total} người{stale}")
        self.groups_table.setRowCount(len(groups))
        own = QBrush(_OWN_ROW)
        for r, g in enumerate(groups):
            mark = f"{OWN_MARK} " if g["own"] else ""
            cells = (_item(f"{mark}{g['prefix'] or g['code']}", bold=True), _item(str(g["name"]), bold=g["own"]),
                     _item(f"{g['waiting']} người", bold=g["waiting"] > 0, align_right=True))  # fmt: skip
            for c, cell in enumerate(cells):
                if g["own"]:
                    cell.setBackground(own)
                self.groups_table.setItem(r, c, cell)
        self.own_hint.setVisible(any(g["own"] for g in groups) and not all(g["own"] for g in groups))
        self._fit_groups()
        self._waiting = waiting = model.waiting_for(counter_id)
        shown = waiting[:NEXT_SHOWN]
        self.next_table.setRowCount(len(shown))
        for r, t in enumerate(shown):
            code = t.get("priority")
            waited = (now - from_iso(str(t["issued_at"]))).total_seconds()
            self.next_table.setItem(r, 0, _item(str(t["number"]), bold=True))
            self.next_table.setItem(r, 1, _item(model.group_name(str(t["group"]))))
            self.next_table.setItem(r, 2, _item(str(self.ctl.priorities.get(code, code)) if code else "—"))
            self.next_table.setItem(r, 3, _item(_minutes(waited), align_right=True))
        self.next_table.setVisible(bool(shown))
        self.next_empty.setVisible(not shown)
        self._fit_next()

    def _fit_groups(self) -> None:
        """The groups' table exactly as tall as its rows, a long name on two lines: nothing cut, no scroll bar."""
        table = self.groups_table
        row_px = table.verticalHeader().defaultSectionSize()
        width = table.columnWidth(1) - 12  # the cell's padding
        for r in range(table.rowCount()):
            item = table.item(r, 1)
            font = QFont(table.font())  # the stylesheet's size; the item only says bold
            font.setBold(item is not None and item.font().bold())
            metrics = QFontMetrics(font)
            wide = item is not None and metrics.horizontalAdvance(item.text()) > width
            table.setRowHeight(r, row_px + (metrics.lineSpacing() if wide else 0))
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        height = table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth() + 2
        if table.height() != height or table.minimumHeight() != height:
            table.setFixedHeight(height)

    def _fit_next(self, height: int | None = None) -> None:
        """Show as many of the next citizens as the card has room for, never a scroll bar."""
        waiting = getattr(self, "_waiting", [])
        table = self.next_table
        row_px = table.verticalHeader().defaultSectionSize()
        inner = (height if height is not None else table.height()) - 2 * table.frameWidth()
        room = (inner - table.horizontalHeader().sizeHint().height()) // max(1, row_px)
        fits = max(1, min(room, self.next_table.rowCount()))
        for r in range(self.next_table.rowCount()):
            self.next_table.setRowHidden(r, r >= fits)
        count = min(fits, len(waiting))
        shown = f" — {count} trong {len(waiting)} người" if waiting and count < len(waiting) else ""
        self.next_title.setText(f"Người chờ tiếp theo{shown}{self._stale(' (lúc {at})')}")

    def update_times(self) -> None:
        now = self.ctl.clock.now()
        self.clock.setText(now.astimezone(LOCAL_TZ).strftime("%H:%M  %d/%m/%Y"))
        ticket = self._ticket
        if ticket is None:
            return
        issued = from_iso(str(ticket["issued_at"]))
        parts = [f"Lấy số lúc {issued.astimezone(LOCAL_TZ):%H:%M}"]
        since = self.ctl.model.since.get(int(ticket["id"]))
        if since is not None:
            what = "Đã gọi cách đây" if ticket["state"] == "called" else "Thời gian phục vụ"
            parts.append(f"{what} {_clock_text((now - since).total_seconds())}")
        else:
            parts.append(f"đã đợi từ lúc lấy số {_minutes((now - issued).total_seconds())}")
        self.times.setText(" · ".join(parts))
