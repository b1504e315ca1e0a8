"""The dashboard's building blocks: a look for a director's desk screen (1366×768 up to 1920×1080), figure tiles,
titled cards and read-only tables."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

INK = "#0a2540"
BLUE = "#0b4f9c"
GREEN = "#1b7a3a"
ORANGE = "#b45309"
RED = "#b3261e"
GREY = "#5b6577"
PAPER = "#f3f5f9"
LINE = "#d5dbe5"

BASE_SIZE = (1366, 768)


def scale_for(width: int, height: int) -> float:
    """1.0 at 1366×768, up to 1.35 at 1920×1080."""
    return round(max(1.0, min(1.4, width / BASE_SIZE[0], height / BASE_SIZE[1])), 2)


def stylesheet(scale: float = 1.0) -> str:
    def px(size: float) -> int:
        return round(size * scale)

    return f"""
QWidget {{ color: {INK}; font-size: {px(13)}px; }}
QWidget#root, QWidget#tab {{ background: {PAPER}; }}
QFrame#header {{ background: {INK}; }}
QFrame#header QLabel {{ color: white; background: transparent; }}
QLabel#headerTitle {{ font-size: {px(19)}px; font-weight: bold; }}
QLabel#headerSub {{ font-size: {px(14)}px; }}
QLabel#online {{ font-size: {px(13)}px; font-weight: bold; border-radius: {px(10)}px; padding: {px(3)}px {px(10)}px;
    background: {GREEN}; color: white; }}
QLabel#offline {{ font-size: {px(13)}px; font-weight: bold; border-radius: {px(10)}px; padding: {px(3)}px {px(10)}px;
    background: {RED}; color: white; }}
QFrame#card, QFrame#tile {{ background: white; border: 1px solid {LINE}; border-radius: {px(8)}px; }}
QFrame#tile[alert="true"] {{ border: {px(2)}px solid {ORANGE}; }}
QLabel#cardTitle {{ font-size: {px(14)}px; font-weight: bold; color: {BLUE}; }}
QLabel#tileTitle {{ font-size: {px(12)}px; color: {GREY}; }}
QLabel#tileValue {{ font-size: {px(22)}px; font-weight: bold; }}
QLabel#tileSub {{ font-size: {px(12)}px; color: {GREY}; }}
QLabel#note {{ font-size: {px(12)}px; color: {GREY}; }}
QLabel#error {{ font-size: {px(13)}px; color: {RED}; font-weight: bold; }}
QLabel#ok {{ font-size: {px(13)}px; color: {GREEN}; font-weight: bold; }}
QLabel#big {{ font-size: {px(15)}px; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ font-size: {px(14)}px; font-weight: bold; padding: {px(7)}px {px(22)}px; background: #e3e8f0;
    border-top-left-radius: {px(6)}px; border-top-right-radius: {px(6)}px; margin-right: {px(2)}px; }}
QTabBar::tab:selected {{ background: {PAPER}; color: {BLUE}; }}
QTableWidget {{ font-size: {px(13)}px; border: none; background: white; gridline-color: #e8ecf2;
    alternate-background-color: #f7f9fc; }}
QHeaderView::section {{ font-size: {px(12)}px; font-weight: bold; background: #eef2f7; border: none;
    border-bottom: 1px solid {LINE}; padding: {px(4)}px; }}
QPushButton {{ font-size: {px(13)}px; padding: {px(5)}px {px(14)}px; border: 1px solid {GREY};
    border-radius: {px(6)}px; background: white; }}
QPushButton#primary {{ background: {BLUE}; color: white; font-weight: bold; border: none; }}
QPushButton#primary:disabled {{ background: #c9d1dc; color: {GREY}; }}
QLineEdit {{ font-size: {px(13)}px; padding: {px(2)}px {px(6)}px; border: 1px solid {GREY};
    border-radius: {px(5)}px; background: white; }}
QLineEdit[bad="true"], QSpinBox[bad="true"], QToolButton[bad="true"] {{ border: {px(2)}px solid {RED};
    background: #fdecea; }}
QDateEdit, QSpinBox {{ font-size: {px(13)}px; }}
"""


W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """The widget with its object name (what the stylesheet addresses)."""
    widget.setObjectName(name)
    return widget


def label(text: str, name: str) -> QLabel:
    return named(QLabel(text), name)


class Card(QFrame):
    """A white card with a title and a body layout."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(10, 8, 10, 8)
        self.body.setSpacing(6)
        self.title = label(title, "cardTitle")
        self.body.addWidget(self.title)


class Tile(QFrame):
    """One figure: a title, the value in large type, a line under it."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        self.title = label(title, "tileTitle")
        self.value = label("–", "tileValue")
        self.sub = label("", "tileSub")
        for part in (self.title, self.value, self.sub):
            part.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(part)

    def show_figure(self, value: str, sub: str = "", *, alert: bool = False) -> None:
        self.value.setText(value)
        self.sub.setText(sub)
        self.setToolTip(f"{self.title.text()}: {value} {sub}".strip())
        if self.property("alert") != alert:
            self.setProperty("alert", alert)
            self.style().unpolish(self)
            self.style().polish(self)


def tile_row(titles: Sequence[str]) -> tuple[QWidget, list[Tile]]:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(8)
    tiles = [Tile(t) for t in titles]
    for tile in tiles:
        layout.addWidget(tile)
    return row, tiles


def table(headers: Sequence[str], *, stretch: int = 0) -> QTableWidget:
    """A read-only table; column `stretch` takes the spare width, the others fit their content."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    t.setAlternatingRowColors(True)
    t.setWordWrap(False)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
    t.verticalHeader().setDefaultSectionSize(24)
    return t


def fill(t: QTableWidget, rows: Sequence[Sequence[str]], *, text_columns: Collection[int] = (0,),
         bold_last: bool = False) -> None:  # fmt: skip
    """Replace the rows; text columns read left, figures right."""
    t.verticalHeader().setDefaultSectionSize(t.fontMetrics().height() + 8)
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            align = Qt.AlignmentFlag.AlignLeft if c in text_columns else Qt.AlignmentFlag.AlignRight
            item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
            if bold_last and r == len(rows) - 1:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            t.setItem(r, c, item)


def cell_texts(t: QTableWidget) -> list[list[str]]:
    """What a table shows (tests read the screen through this)."""

    def text(r: int, c: int) -> str:
        item = t.item(r, c)
        return item.text() if item is not None else ""

    return [[text(r, c) for c in range(t.columnCount())] for r in range(t.rowCount())]
