"""The clerk's live panel: the citizen at the counter, the actions with their keys, who waits."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
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
# key, action, colour; F7 is pause or resume depending on the counter
BUTTONS = (("F1", "call_next", "primary"), ("F2", "recall", "plain"), ("F3", "start", "good"),
           ("F4", "finish", "good"), ("F5", "no_show", "warn"), ("F6", "transfer", "plain"),
           ("F7", "pause", "plain"))  # fmt: skip
_STATUS = {"open": "Đang làm việc", "closed": "Chưa mở quầy", "paused": "Tạm nghỉ"}


def _clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _minutes(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    return "dưới 1 phút" if minutes < 1 else f"{minutes} phút"


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
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        # header: counter, clerk, status, clock, sign out
        header = card()
        header.setObjectName("header")
        head = QHBoxLayout(header)
        head.setContentsMargins(20, 10, 20, 10)
        head.setSpacing(16)
        self.counter_title = label("", "headerTitle")
        self.clerk = label("", "headerSub")
        self.pill = label("", "pill")
        self.clock = label("", "clock")
        self.sign_out_button = QPushButton("Đăng xuất  (Ctrl+Q)")
        self.sign_out_button.setObjectName("headerButton")
        self.sign_out_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sign_out_button.clicked.connect(self.sign_out.emit)
        for w in (self.counter_title, self.clerk, self.pill):
            head.addWidget(w)
        head.addStretch(1)
        head.addWidget(self.clock)
        head.addWidget(self.sign_out_button)
        outer.addWidget(header)
        self.strip = Banner(size=19)
        outer.addWidget(self.strip)

        body = QHBoxLayout()
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
        cur.addWidget(label("Công dân tại quầy", "cardTitle"))
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
        self.buttons: dict[str, ActionButton] = {}
        for i, (key, name, kind) in enumerate(BUTTONS):
            button = ActionButton(key, ACTION_LABELS[name], kind)
            button.setObjectName(f"action-{name}")
            button.clicked.connect(lambda _=False, key=key: self.press(key))
            self.buttons[key] = button
            if key == "F7":
                grid.addWidget(button, 1, 2, 1, 2)
            else:
                grid.addWidget(button, i // 4, i % 4)
        for c in range(4):
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
        g.addWidget(self.groups_table)
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

    def set_scale(self, scale: float) -> None:
        """Bigger windows get bigger type (the stylesheet) and, here, taller rows and buttons."""
        self.scale = scale
        for table in (self.groups_table, self.next_table):
            table.verticalHeader().setDefaultSectionSize(round(ROW_PX * scale))
        for button in self.buttons.values():
            button.set_scale(scale)
        self.strip.set_scale(scale)
        self.refresh()

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

        enabled = ctl.actions()
        paused = self._paused()
        for key, name, _kind in BUTTONS:
            button = self.buttons[key]
            if key == "F7":
                button.set_label(ACTION_LABELS["resume" if paused else "pause"], "good" if paused else "plain")
                button.setEnabled(enabled["resume" if paused else "pause"])
            else:
                button.setEnabled(enabled[name])
        if ctl.counter_id is not None:
            self._show_current(ctl.model.current(ctl.counter_id), paused)
            self._show_waiting(ctl.counter_id)
        self.update_times()

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
        self.groups_title.setText(f"Đang chờ theo nhóm của quầy — tổng {total} người")
        self.groups_table.setRowCount(len(groups))
        row_px = self.groups_table.verticalHeader().defaultSectionSize()
        head_px = self.groups_table.horizontalHeader().sizeHint().height()
        self.groups_table.setFixedHeight(head_px + row_px * min(len(groups), 10) + 4)
        for r, g in enumerate(groups):
            self.groups_table.setItem(r, 0, _item(str(g["prefix"] or g["code"]), bold=True))
            self.groups_table.setItem(r, 1, _item(str(g["name"])))
            self.groups_table.setItem(r, 2, _item(f"{g['waiting']} người", bold=g["waiting"] > 0, align_right=True))
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
        self.next_title.setText(f"Người chờ tiếp theo{shown}")

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
