"""The dashboard's charts: arrivals against services per hour and the wait histogram (QtCharts), the arrivals
heat-map by weekday and hour (painted). Each takes the core's figures as they came from the service."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.report import QueueSection
from app.core.report_charts import WEEKDAYS, ChartFigures
from app.dashboard.widgets import BLUE, GREEN, GREY, INK, LINE, ORANGE


def nice_axis(value: float) -> tuple[int, int]:
    """(top, ticks) of a count axis: whole steps of 1, 2, 5, 10, 20, 25, 50… at most six, the top just above
    `value`."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if value <= step * 6:
            top = max(step, int(-(-value // step) * step))
            return top, top // step + 1
    return int(value) + 1, 2


class BarChart(QChartView):
    """Bars in one or more series over text categories."""

    def __init__(self, title: str, y_title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        chart = QChart()
        chart.setTitle(title)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setMargins(QMargins(4, 2, 4, 2))
        chart.setBackgroundRoundness(6)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(chart)
        self.y_title = y_title
        self.series_values: dict[str, list[float]] = {}  # what is drawn, for tests
        self.categories: list[str] = []
        self.empty_text = ""
        self.ui_scale = 1.0  # the window's (app/dashboard/widgets.py scale_for): fonts grow with it

    def set_scale(self, scale: float) -> None:
        self.ui_scale = scale
        self.apply_fonts()

    def _font(self, px: float, *, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(round(px * self.ui_scale))
        font.setBold(bold)
        return font

    def apply_fonts(self) -> None:
        chart = self.chart()
        small = self._font(11)
        for axis in chart.axes():
            axis.setLabelsFont(small)
            axis.setTitleFont(small)
        chart.legend().setFont(small)
        chart.setTitleFont(self._font(12, bold=True))

    def show_bars(self, categories: Sequence[str], series: Sequence[tuple[str, str, Sequence[float]]],
                  *, empty: str = "Chưa có số liệu") -> None:  # fmt: skip
        """`series`: (name, colour, one value per category)."""
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self.categories = list(categories)
        self.series_values = {name: list(values) for name, _colour, values in series}
        bars = QBarSeries()
        top = 0.0
        for name, colour, values in series:
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour))
            for v in values:
                bar_set.append(float(v))
                top = max(top, float(v))
            bars.append(bar_set)
        chart.addSeries(bars)
        x = QBarCategoryAxis()
        x.append(list(categories) or [""])
        y = QValueAxis()
        axis_top, ticks = nice_axis(top)
        y.setRange(0, axis_top)
        y.setTickCount(ticks)
        y.setLabelFormat("%d")
        if self.y_title:
            y.setTitleText(self.y_title)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(x)
        bars.attachAxis(y)
        chart.legend().setVisible(len(series) > 1)
        self.apply_fonts()
        self.empty_text = "" if top > 0 else empty
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:  # noqa: N802 - Qt's name
        super().drawForeground(painter, rect)
        if self.empty_text:
            painter.save()
            painter.setPen(QColor(GREY))
            painter.drawText(self.chart().plotArea(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.restore()


def show_hours(chart: BarChart, queue: QueueSection) -> None:
    """Tickets issued per local hour against services finished in it (the report's per-hour table)."""
    rows = list(queue.by_hour)
    chart.show_bars(
        [r.key for r in rows],
        [("Lượt đến (lấy số)", BLUE, [r.tickets for r in rows]),
         ("Phục vụ xong", GREEN, [r.finished or 0 for r in rows])],
        empty="Chưa có lượt lấy số",
    )  # fmt: skip


def show_waits(chart: BarChart, charts: ChartFigures) -> None:
    chart.show_bars([b.label for b in charts.wait_bins], [("Số lượt", ORANGE, [b.count for b in charts.wait_bins])],
                    empty="Chưa có lượt nào được gọi")  # fmt: skip


class HeatMap(QWidget):
    """Arrivals per weekday (rows) and local hour (columns): the average per day of that weekday in the period,
    darker for more; the number in each cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(150)
        self.rows: list[int] = []  # weekdays shown
        self.hours: list[int] = []
        self.values: dict[tuple[int, int], float] = {}  # average arrivals per day
        self.ui_scale = 1.0

    def set_scale(self, scale: float) -> None:
        self.ui_scale = scale
        self.update()

    def show_figures(self, charts: ChartFigures) -> None:
        weekdays = charts.weekdays_in_period
        self.values = {key: n / max(1, weekdays.get(key[0], 1)) for key, n in charts.arrivals.items()}
        seen_hours = [h for _wd, h in charts.arrivals]
        self.hours = list(range(min([7, *seen_hours]), max([16, *seen_hours]) + 1))
        self.rows = [*range(5), *(wd for wd in (5, 6) if any(k[0] == wd for k in charts.arrivals))]
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont(self.font())
        font.setPixelSize(round(12 * self.ui_scale))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        left = metrics.horizontalAdvance("Chủ nhật") + 12
        top = metrics.height() + 6
        cols, rows = max(1, len(self.hours)), max(1, len(self.rows))
        cell_w = (self.width() - left - 4) / cols
        cell_h = min(40.0 * self.ui_scale, (self.height() - top - 4) / rows)
        most = max(self.values.values(), default=0.0)
        painter.setPen(QColor(INK))
        for c, hour in enumerate(self.hours):
            painter.drawText(QRectF(left + c * cell_w, 0, cell_w, top), Qt.AlignmentFlag.AlignCenter, f"{hour}h")
        for r, wd in enumerate(self.rows):
            y = top + r * cell_h
            painter.setPen(QColor(INK))
            right = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
            painter.drawText(QRectF(0, y, left - 6, cell_h), right, WEEKDAYS[wd])
            for c, hour in enumerate(self.hours):
                value = self.values.get((wd, hour), 0.0)
                share = value / most if most else 0.0
                colour = QColor(BLUE)
                colour.setAlphaF(0.06 + 0.9 * share)
                box = QRectF(left + c * cell_w + 1, y + 1, cell_w - 2, cell_h - 2)
                painter.fillRect(box, colour if value else QColor("#f4f6fa"))
                painter.setPen(QColor(LINE))
                painter.drawRect(box)
                if value:
                    painter.setPen(QColor("white" if share > 0.55 else INK))
                    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".replace(".", ",")
                    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
