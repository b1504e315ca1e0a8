"""The live tab: the hall now (from the hall model) and today's figures (from the service's report of today).

Tiles: people waiting and the longest wait now; counters open, paused, serving; tickets issued, served, no-shows;
median and P90 of the wait and of the service; the share that waited longer than the target; today's ratings.
Below: each group's queue, the arrivals against services per hour, today's dossiers, each counter (status, why
paused, its ticket, the clerk) and each clerk's day.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from app.client.hall_views import CounterView
from app.core.clock import from_iso
from app.core.report import PeriodReport
from app.dashboard import figures as fmt
from app.dashboard.charts import BarChart, show_hours
from app.dashboard.controller import DashboardController
from app.dashboard.figures import Figures
from app.dashboard.widgets import Card, cell_texts, fill, label, table, tile_row

TILES = ("Đang chờ", "Quầy", "Đã cấp số hôm nay", "Thời gian chờ", "Thời gian phục vụ", "Chờ quá mục tiêu",
         "Đánh giá hôm nay")  # fmt: skip
GROUP_HEADERS = ("Nhóm dịch vụ", "Đang chờ", "Chờ lâu nhất", "Số tiếp theo", "Đã cấp")
COUNTER_HEADERS = ("Quầy", "Trạng thái", "Số", "Cán bộ", "Lượt", "Vắng", "Phục vụ TV")
CLERK_HEADERS = ("Cán bộ", "Lượt phục vụ", "Xong", "Vắng mặt", "Chờ TV", "Phục vụ TV", "Đánh giá")
NO_DOSSIERS = "Hôm nay Trung tâm chưa nhận hồ sơ nào (chưa có hồ sơ trên máy chủ Trung tâm)."


def status_text(view: CounterView, reason: str | None) -> str:
    if view.status == "paused":
        why = fmt.PAUSE_REASONS.get(reason or "", reason or "")
        return f"Tạm dừng ({why})" if why else "Tạm dừng"
    return {"called": "Đang gọi", "serving": "Đang phục vụ", "free": "Mở, chờ khách", "closed": "Đóng"}[view.status]


def rating_of(report: PeriodReport, clerk: str) -> str:
    r = report.ratings
    if r is None or clerk not in r.by_clerk or r.by_clerk[clerk].total == 0:
        return fmt.NONE
    c = r.by_clerk[clerk]
    return f"{fmt.percent(c.satisfied_share)} ({c.total})"


class LiveTab(QWidget):
    def __init__(self, ctl: DashboardController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tab")
        self.ctl = ctl
        root = QVBoxLayout(self)
        root.setContentsMargins(10, 8, 10, 8)
        root.setSpacing(8)
        row, tiles = tile_row(TILES)
        self.tiles = dict(zip(TILES, tiles, strict=True))
        root.addWidget(row)
        grid = QGridLayout()
        grid.setSpacing(8)
        root.addLayout(grid, 1)

        self.groups_card = Card("Hàng chờ theo nhóm")
        self.groups = table(GROUP_HEADERS)
        self.groups_card.body.addWidget(self.groups)
        self.hours_card = Card("Lượt đến và lượt phục vụ theo giờ")
        self.hours = BarChart("", "lượt")
        self.hours_card.body.addWidget(self.hours)
        self.dossier_card = Card("Hồ sơ hôm nay")
        self.dossiers = label("", "big")
        self.dossiers.setWordWrap(True)
        self.dossier_note = label("", "note")
        self.dossier_note.setWordWrap(True)
        self.dossier_card.body.addWidget(self.dossiers)
        self.dossier_card.body.addWidget(self.dossier_note)
        self.dossier_card.body.addStretch(1)
        self.counters_card = Card("Quầy")
        self.counters = table(COUNTER_HEADERS, stretch=3)
        self.counters_card.body.addWidget(self.counters)
        self.clerks_card = Card("Cán bộ hôm nay")
        self.clerks = table(CLERK_HEADERS)
        self.clerks_card.body.addWidget(self.clerks)
        self.note = label("", "note")

        grid.addWidget(self.groups_card, 0, 0)
        grid.addWidget(self.hours_card, 0, 1)
        grid.addWidget(self.dossier_card, 0, 2)
        grid.addWidget(self.counters_card, 1, 0)
        grid.addWidget(self.clerks_card, 1, 1, 1, 2)
        grid.setColumnStretch(0, 6)
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(2, 3)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        root.addWidget(self.note)

        ctl.hall_changed.connect(self.show_hall)
        ctl.figures_changed.connect(self.show_figures)
        ctl.figures_failed.connect(lambda message: self.note.setText(f"Không lấy được số liệu: {message}"))

    # --- the hall, from the hall model -------------------------------------------------------------------

    def _longest_wait_s(self, codes: list[str] | None = None) -> float | None:
        now = self.ctl.now()
        waiting = self.ctl.hall.waiting_tickets(codes)
        if now is None or not waiting:
            return None
        issued = [from_iso(str(t["issued_at"])) for t in waiting if t.get("issued_at")]
        return max(0.0, (now - min(issued)).total_seconds()) if issued else None

    def show_hall(self) -> None:
        hall = self.ctl.hall
        views = hall.group_views()
        waiting = sum(g.waiting for g in views)
        longest = self._longest_wait_s()
        self.tiles["Đang chờ"].show_figure(
            fmt.count(waiting),
            f"chờ lâu nhất {fmt.minutes(longest)}" if longest is not None else "không ai chờ",
            alert=self._over_target(longest),
        )
        rows = []
        for g in views:
            wait = self._longest_wait_s([g.code])
            state = "" if g.open else " (ngừng cấp số)"
            rows.append([f"{g.name}{state}", fmt.count(g.waiting), fmt.minutes(wait) if wait is not None else fmt.NONE,
                         ", ".join(g.next_numbers) or fmt.NONE, fmt.count(g.issued_today)])  # fmt: skip
        fill(self.groups, rows, text_columns=(0, 3))
        self._show_counters()

    def _over_target(self, wait_s: float | None) -> bool:
        f = self.ctl.figures
        return f is not None and wait_s is not None and wait_s > f.report.queue.wait_target_s

    def _show_counters(self) -> None:
        views = self.ctl.hall.counter_views()
        f = self.ctl.figures
        live: dict[int, dict[str, Any]] = {int(c["id"]): c for c in (f.counters if f else ())}
        names = f.report.clerk_names if f else {}
        by_counter = {r.key: r for r in f.report.queue.by_counter} if f else {}
        rows = []
        for v in views:
            row = live.get(v.id, {})
            reason = v.reason or row.get("reason")
            figures = by_counter.get(str(v.id))
            clerk = fmt.clerk_name(row.get("clerk"), names) if v.status != "closed" else fmt.NONE
            rows.append([v.name, status_text(v, reason), v.number or fmt.NONE, clerk,
                         fmt.count(figures.tickets if figures else 0), fmt.count(figures.no_show if figures else 0),
                         fmt.minutes_short(figures.service.median if figures else None)])  # fmt: skip
        fill(self.counters, rows, text_columns=(0, 1, 2, 3))
        open_ = sum(1 for v in views if v.status in ("free", "called", "serving"))
        paused = [v for v in views if v.status == "paused"]
        serving = sum(1 for v in views if v.status in ("called", "serving"))
        why = ", ".join(fmt.PAUSE_SHORT.get(v.reason or "", v.reason or "") for v in paused)
        sub = f"phục vụ {serving} · tạm dừng {len(paused)}" + (f" ({why})" if why else "")
        self.tiles["Quầy"].show_figure(f"{open_} mở / {len(views)}", sub)

    # --- today's figures, from the service's report --------------------------------------------------------

    def show_figures(self, f: Figures) -> None:
        report = f.report
        q, t = report.queue, report.queue.total
        self.tiles["Đã cấp số hôm nay"].show_figure(
            fmt.count(t.tickets), f"xong {fmt.count(t.served)} · vắng mặt {fmt.count(t.no_show)}"
        )
        self.tiles["Thời gian chờ"].show_figure(f"TV {fmt.minutes(t.wait.median)}", f"P90 {fmt.minutes(t.wait.p90)}")
        self.tiles["Thời gian phục vụ"].show_figure(
            f"TV {fmt.minutes(t.service.median)}", f"P90 {fmt.minutes(t.service.p90)}"
        )
        over = t.over_target_share
        self.tiles["Chờ quá mục tiêu"].show_figure(
            fmt.percent(over), f"chờ quá {fmt.number(q.wait_target_s / 60)} phút", alert=bool(over and over > 0.2)
        )
        r = report.ratings
        if r is None or r.total.total == 0:
            self.tiles["Đánh giá hôm nay"].show_figure(fmt.NO_RATINGS, "")
        else:
            self.tiles["Đánh giá hôm nay"].show_figure(
                fmt.percent(r.total.satisfied_share), f"hài lòng · {fmt.count(r.total.total)} lượt đánh giá"
            )
        show_hours(self.hours, q)
        self._show_dossiers(f)
        rows = [[r.name, fmt.count(r.tickets), fmt.count(r.served), fmt.count(r.no_show),
                 fmt.minutes_short(r.wait.median), fmt.minutes_short(r.service.median), rating_of(report, r.key)]
                for r in q.by_clerk]  # fmt: skip
        fill(self.clerks, rows)
        self._show_counters()
        self.show_hall()  # the longest wait needs the service's time, which came with the figures
        moment = report.as_of
        self.note.setText(f"Số liệu đến {fmt.clock_text(moment)} (cập nhật khi có thay đổi và mỗi 30 giây). "
                          "Thời gian tính bằng phút; TV: trung vị; P90: 90% số lượt bằng hoặc ít hơn.")  # fmt: skip

    def _show_dossiers(self, f: Figures) -> None:
        d = f.report.dossiers.total
        files = f.mirror_today
        if d.received == 0:
            self.dossiers.setText(NO_DOSSIERS)
            self.dossier_note.setText("")
            return
        lines = [
            f"Tiếp nhận hôm nay: <b>{fmt.count(d.new)}</b> (trực tuyến {d.online}, trực tiếp, bưu chính "
            f"{d.direct_post})",
            f"Đã về máy chủ đủ tệp: <b>{fmt.count(files.get('complete', 0))}</b>",
            f"Còn chờ đồng bộ tệp: <b>{fmt.count(files.get('files_missing', 0))}</b>",
            f"Hẹn trả hôm nay (chưa xong): <b>{fmt.count(f.charts.due_today)}</b>",
            f"Quá hạn, đang giải quyết: <b>{fmt.count(d.overdue)}</b>",
            f"Đã giải quyết hôm nay: <b>{fmt.count(d.done)}</b>",
        ]
        self.dossiers.setText("<br>".join(lines))
        self.dossier_note.setText("Theo bản sao hồ sơ trên máy chủ Trung tâm: hồ sơ một quầy chưa gửi lên thì chưa "
                                  "được tính.")  # fmt: skip

    # --- for tests ---------------------------------------------------------------------------------------

    def shown(self) -> dict[str, Any]:
        return {
            "tiles": {name: (tile.value.text(), tile.sub.text()) for name, tile in self.tiles.items()},
            "groups": cell_texts(self.groups),
            "counters": cell_texts(self.counters),
            "clerks": cell_texts(self.clerks),
            "dossiers": self.dossiers.text(),
            "hours": dict(self.hours.series_values),
        }
