"""The history tab: any range of days, the report's figures with charts (arrivals by weekday × hour, the wait
histogram, each clerk's served, no-shows and ratings) and "Xuất báo cáo…" to Excel or PDF from the same figures.

The export writes on a worker (a month's PDF takes seconds): the window stays usable, a busy bar runs meanwhile,
and `exported` says how it ended with the Vietnamese line shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.dashboard import figures as fmt
from app.dashboard.charts import BarChart, HeatMap, show_waits
from app.dashboard.controller import DashboardController
from app.dashboard.export import ExportError, default_name, write_report
from app.dashboard.figures import Figures
from app.dashboard.widgets import Card, cell_texts, fill, label, named, table, tile_row
from app.qtbridge.tasks import TaskRunner

TILES = ("Lượt lấy số", "Đã phục vụ xong", "Vắng mặt", "Thời gian chờ", "Thời gian phục vụ", "Chờ quá mục tiêu",
         "Đánh giá", "Hồ sơ")  # fmt: skip
LOADING = "Đang lấy số liệu…"
CLERK_HEADERS = ("Cán bộ", "Lượt phục vụ", "Xong", "Vắng mặt", "Chờ TV (phút)", "Phục vụ TV (phút)",
                 "Số đánh giá", "Hài lòng")  # fmt: skip


def date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("dd/MM/yyyy")
    return edit


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _date(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class HistoryTab(QWidget):
    exported = Signal(bool, str)  # an export ended: written or not, and the line shown

    def __init__(self, ctl: DashboardController, parent: QWidget | None = None,
                 ask_path: Callable[[str], Path | None] | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("tab")
        self.ctl = ctl
        self.ask_path = ask_path or self._ask_path
        self.exporter = TaskRunner(self, threads=1)
        self.write = write_report  # what the worker runs (the screenshot tour holds it to show the busy bar)
        self.exporting = False
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(8)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Từ ngày"))
        self.first = date_edit()
        bar.addWidget(self.first)
        bar.addWidget(QLabel("đến ngày"))
        self.last = date_edit()
        bar.addWidget(self.last)
        self.show_button = named(QPushButton("Xem"), "primary")
        self.show_button.clicked.connect(self.load)
        bar.addWidget(self.show_button)
        for text, days in (("Hôm nay", 0), ("7 ngày", 6), ("30 ngày", 29)):
            button = QPushButton(text)
            button.clicked.connect(lambda _=False, d=days: self.pick(d))
            bar.addWidget(button)
        bar.addStretch(1)
        self.status = label("", "note")
        bar.addWidget(self.status)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # no end known: the bar runs until the file is written
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setFixedWidth(120)
        self.busy_bar.hide()
        bar.addWidget(self.busy_bar)
        self.export_button = named(QPushButton("Xuất báo cáo…"), "primary")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export)
        bar.addWidget(self.export_button)
        root.addLayout(bar)

        self.period_label = label("", "cardTitle")
        root.addWidget(self.period_label)
        row, tiles = tile_row(TILES)
        self.tiles = dict(zip(TILES, tiles, strict=True))
        root.addWidget(row)

        grid = QGridLayout()
        grid.setSpacing(8)
        self.heat_card = Card("Lượt đến theo thứ và giờ (trung bình mỗi ngày)")
        self.heat = HeatMap()
        self.heat_card.body.addWidget(self.heat)
        self.wait_card = Card("Phân bố thời gian chờ (phút)")
        self.waits = BarChart("", "lượt")
        self.wait_card.body.addWidget(self.waits)
        self.clerk_card = Card("Theo cán bộ: lượt phục vụ, vắng mặt, đánh giá")
        self.clerks = table(CLERK_HEADERS)
        self.clerk_card.body.addWidget(self.clerks)
        grid.addWidget(self.heat_card, 0, 0)
        grid.addWidget(self.wait_card, 0, 1)
        grid.addWidget(self.clerk_card, 1, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        root.addLayout(grid, 1)

        ctl.history_ready.connect(self.show_figures)
        ctl.history_failed.connect(self._failed)
        ctl.session_expired.connect(lambda: self._failed("") if self.status.text() == LOADING else None)

    # --- choosing and loading ----------------------------------------------------------------------------

    def pick(self, days_back: int, *, load: bool = True) -> None:
        today = self.ctl.day() or datetime.now(UTC).date()
        self.first.setDate(_qdate(today - timedelta(days=days_back)))
        self.last.setDate(_qdate(today))
        if load:
            self.load()

    def period(self) -> tuple[date, date]:
        return _date(self.first.date()), _date(self.last.date())

    def load(self) -> None:
        first, last = self.period()
        if last < first:
            self.status.setObjectName("error")
            self.status.setText("Ngày cuối kỳ phải từ ngày đầu kỳ trở đi.")
            self._restyle(self.status)
            return
        self.status.setObjectName("note")
        self.status.setText(LOADING)
        self._restyle(self.status)
        self.ctl.load_history(first, last)

    @staticmethod
    def _restyle(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def _failed(self, message: str) -> None:
        self.status.setObjectName("error")
        self.status.setText(message)
        self._restyle(self.status)

    # --- showing -----------------------------------------------------------------------------------------

    def show_figures(self, f: Figures) -> None:
        report = f.report
        q, t = report.queue, report.queue.total
        self.period_label.setText(f"{report.period.label()} · {report.period.as_of_label(report.as_of)}")
        self.tiles["Lượt lấy số"].show_figure(fmt.count(t.tickets), f"{report.period.days} ngày")
        self.tiles["Đã phục vụ xong"].show_figure(fmt.count(t.served), f"đi tới quầy TV {fmt.minutes(q.walk.median)}")
        self.tiles["Vắng mặt"].show_figure(fmt.count(t.no_show), f"{fmt.percent(q.no_show_rate)} số lượt đã gọi")
        self.tiles["Thời gian chờ"].show_figure(f"TV {fmt.minutes(t.wait.median)}", f"P90 {fmt.minutes(t.wait.p90)}")
        self.tiles["Thời gian phục vụ"].show_figure(
            f"TV {fmt.minutes(t.service.median)}", f"P90 {fmt.minutes(t.service.p90)}"
        )
        self.tiles["Chờ quá mục tiêu"].show_figure(
            fmt.percent(t.over_target_share), f"chờ quá {fmt.number(q.wait_target_s / 60)} phút"
        )
        r = report.ratings
        if r is None or r.total.total == 0:
            self.tiles["Đánh giá"].show_figure(fmt.NO_RATINGS)
        else:
            self.tiles["Đánh giá"].show_figure(fmt.percent(r.total.satisfied_share),
                                               f"hài lòng · {fmt.count(r.total.total)} lượt")  # fmt: skip
        d = report.dossiers.total
        if d.received == 0:
            self.tiles["Hồ sơ"].show_figure("0", "chưa có hồ sơ trong kỳ")
        else:
            self.tiles["Hồ sơ"].show_figure(
                fmt.count(d.received), f"giải quyết {d.done} · đúng hạn {fmt.percent(d.on_time_share)}"
            )
        self.heat.show_figures(f.charts)
        show_waits(self.waits, f.charts)
        rows = []
        for row in q.by_clerk:
            counts = r.by_clerk.get(row.key) if r is not None else None
            rows.append([row.name, fmt.count(row.tickets), fmt.count(row.served), fmt.count(row.no_show),
                         fmt.minutes_short(row.wait.median), fmt.minutes_short(row.service.median),
                         fmt.count(counts.total) if counts else fmt.NONE,
                         fmt.percent(counts.satisfied_share) if counts else fmt.NONE])  # fmt: skip
        fill(self.clerks, rows)
        if not self.exporting:  # the line of an export under way stays until it ends
            self.status.setObjectName("note")
            self.status.setText("")
            self._restyle(self.status)
            self.export_button.setEnabled(True)

    # --- export ------------------------------------------------------------------------------------------

    def _ask_path(self, suggested: str) -> Path | None:
        name, _filter = QFileDialog.getSaveFileName(self, "Xuất báo cáo", suggested,
                                                    "Excel (*.xlsx);;PDF (*.pdf)")  # fmt: skip
        return Path(name) if name else None

    def export(self) -> None:
        f = self.ctl.history
        if f is None:
            return
        path = self.ask_path(default_name(f.report))
        if path is None:
            return
        if path.suffix.lower() not in (".xlsx", ".pdf"):
            path = path.with_suffix(".xlsx")
        self.export_to(path)

    def export_to(self, path: Path) -> bool:
        """Start writing the period shown to `path` on the worker; False when there is nothing to write or an export
        is under way. `exported` tells how it ended."""
        f = self.ctl.history
        if f is None or self.exporting:
            return False
        report, now, write = f.report, datetime.now(UTC), self.write
        self.exporting = True
        self.export_button.setEnabled(False)
        self.busy_bar.show()
        self._say("note", f"Đang xuất báo cáo ra {path.name}…")
        self.exporter.run(lambda: write(report, path, now), self._exported, self._export_failed)
        return True

    def _exported(self, done: str) -> None:
        self._export_ended(True, "ok", done)

    def _export_failed(self, exc: Exception) -> None:
        text = str(exc) if isinstance(exc, ExportError) else f"Không xuất được báo cáo: {exc}"
        self._export_ended(False, "error", text)

    def _export_ended(self, ok: bool, kind: str, text: str) -> None:
        self.exporting = False
        self.busy_bar.hide()
        self.export_button.setEnabled(self.ctl.history is not None)
        self._say(kind, text)
        self.exported.emit(ok, text)

    def _say(self, kind: str, text: str) -> None:
        self.status.setObjectName(kind)
        self.status.setText(text)
        self._restyle(self.status)

    def shown(self) -> dict[str, Any]:
        return {
            "tiles": {name: (tile.value.text(), tile.sub.text()) for name, tile in self.tiles.items()},
            "clerks": cell_texts(self.clerks),
            "waits": dict(self.waits.series_values),
            "heat": dict(self.heat.values),
        }
