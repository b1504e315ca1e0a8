"""The rating screen's window: a blue band (centre, counter) over one page per phase of `RatingController`.

- idle: "Cảm ơn quý khách", what the screen is for; offline, a calm line under it (never an error);
- ask: the number just served and the clerk's name, the question, one big face button per level (best first);
- reason: "what was not right?", one big button with a picture per reason;
- thanks: a smiling face and a thank-you.

Every size comes from the window (app/rating/style.py): a 10" tablet either way up (1280×800, 800×1280) and the
small monitors (1366×768, 1024×600) are laid out by tests/qt/test_rating_layout.py, which walks the same pages as
`--screenshot` (app/rating/screenshots.py). Landscape puts the faces side by side and the reasons in two columns;
portrait stacks them, each a wide row with its picture at the left.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.qtbridge.unpaired import show_when_unpaired
from app.rating import texts
from app.rating.controller import Phase, RatingController
from app.rating.faces import Face, FaceButton, ReasonButton
from app.rating.style import Metrics, level_colour, level_mood, metrics_for, stylesheet


def _label(name: str, text: str = "", *, wrap: bool = True, centre: bool = True) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    if centre:
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class _ElidedLabel(QLabel):
    """One line that ends in "…" rather than being cut when the window is too narrow for it (a long centre name)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, self.width()))


class _Page(QWidget):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName("page")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setProperty("phase", name)
        self.box = QVBoxLayout(self)


class RatingWindow(QWidget):
    def __init__(self, controller: RatingController) -> None:
        super().__init__()
        self.setObjectName("root")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setWindowTitle("Một Cửa — Đánh giá mức độ hài lòng")
        self.ctl = controller
        self.metrics: Metrics = metrics_for(1280, 800)
        self._built_for: tuple[int, int, bool, tuple[str, ...], tuple[str, ...]] | None = None

        self.header = QWidget()
        self.header.setObjectName("header")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.centre = _ElidedLabel("centre")
        self.counter = _label("counter", wrap=False, centre=False)
        self.header_box = QHBoxLayout(self.header)
        self.header_box.addWidget(self.centre, 1)
        self.header_box.addWidget(self.counter, 0, Qt.AlignmentFlag.AlignRight)

        self.stack = QStackedWidget()
        self.idle = _Page("idle")
        self.idle_title = _label("title", texts.IDLE_TITLE)
        self.idle_hint = _label("hint", texts.IDLE_HINT)
        self.status = _label("status")
        self.idle_face = Face(1.0, level_colour(3, 3))
        self.idle.box.addStretch(2)
        self.idle.box.addWidget(self.idle_face, 0, Qt.AlignmentFlag.AlignHCenter)
        self.idle.box.addWidget(self.idle_title)
        self.idle.box.addWidget(self.idle_hint)
        self.idle.box.addStretch(1)
        self.idle.box.addWidget(self.status)

        self.ask = _Page("ask")
        self.number = _label("number", wrap=False)
        self.clerk = _label("clerk")
        self.question = _label("question", texts.QUESTION)
        self.faces = QWidget()
        self.ask.box.addWidget(self.number)
        self.ask.box.addWidget(self.clerk)
        self.ask.box.addWidget(self.question)
        self.ask.box.addWidget(self.faces, 1)
        self.face_buttons: list[FaceButton] = []

        self.reason = _Page("reason")
        self.reason_title = _label("question", texts.REASON_QUESTION)
        self.reason_grid = QWidget()
        self.reason.box.addWidget(self.reason_title)
        self.reason.box.addWidget(self.reason_grid, 1)
        self.reason_buttons: list[ReasonButton] = []

        self.thanks = _Page("thanks")
        self.thanks_face = Face(1.0, level_colour(3, 3))
        self.thanks_title = _label("title", texts.THANKS_TITLE)
        self.thanks_hint = _label("hint", texts.THANKS_HINT)
        self.thanks.box.addStretch(1)
        self.thanks.box.addWidget(self.thanks_face, 0, Qt.AlignmentFlag.AlignHCenter)
        self.thanks.box.addWidget(self.thanks_title)
        self.thanks.box.addWidget(self.thanks_hint)
        self.thanks.box.addStretch(1)

        self.pages = {Phase.IDLE: self.idle, Phase.ASK: self.ask, Phase.REASON: self.reason, Phase.THANKS: self.thanks}
        for page in self.pages.values():
            self.stack.addWidget(page)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self.header)
        root.addWidget(self.stack, 1)
        controller.changed.connect(self.show_state)
        self.unpaired_notice = show_when_unpaired(controller.bridge.unpaired, self)  # the stream stopped: say why
        self.show_state()

    # --- layout from the window's size -------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.show_state()

    def _restyle(self) -> None:
        m = self.metrics = metrics_for(self.width(), self.height())
        key = (self.width(), self.height(), m.landscape, self.ctl.labels, self.ctl.reasons)
        if key == self._built_for:
            return
        self._built_for = key
        self.setStyleSheet(stylesheet(m))
        self.header.setFixedHeight(m.header_height)
        self.header_box.setContentsMargins(m.margin, 0, m.margin, 0)
        for page in self.pages.values():
            page.box.setContentsMargins(m.margin, m.spacing, m.margin, m.margin)
            page.box.setSpacing(m.spacing)
        face = m.px(220, 110)
        for widget in (self.idle_face, self.thanks_face):
            widget.setFixedSize(face, face)
        self._build_faces(m)
        self._build_reasons(m)

    def _build_faces(self, m: Metrics) -> None:
        for button in self.face_buttons:
            button.deleteLater()
        old = self.faces.layout()
        if old is not None:
            QWidget().setLayout(old)  # drop the old layout with its items
        direction = QBoxLayout.Direction.LeftToRight if m.landscape else QBoxLayout.Direction.TopToBottom
        row = QBoxLayout(direction, self.faces)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(m.spacing)
        levels = self.ctl.levels
        self.face_buttons = []
        for level in range(levels, 0, -1):  # the best first, as the forms list them
            button = FaceButton(level, self.ctl.labels[level - 1], level_mood(level, levels),
                                level_colour(level, levels), m.choice)  # fmt: skip
            button.clicked.connect(lambda _=False, lv=level: self.ctl.choose(lv))
            row.addWidget(button, 1)
            self.face_buttons.append(button)

    def _build_reasons(self, m: Metrics) -> None:
        for button in self.reason_buttons:
            button.deleteLater()
        old = self.reason_grid.layout()
        if old is not None:
            QWidget().setLayout(old)
        grid = QGridLayout(self.reason_grid)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(m.spacing)
        columns = 2 if m.landscape else 1
        self.reason_buttons = []
        for index, reason in enumerate(self.ctl.reasons):
            button = ReasonButton(index, reason, m.choice)
            button.clicked.connect(lambda _=False, r=reason: self.ctl.choose_reason(r))
            grid.addWidget(button, index // columns, index % columns)
            self.reason_buttons.append(button)

    # --- what the controller says ----------------------------------------------------------------------------

    def show_state(self) -> None:
        self._restyle()
        ctl = self.ctl
        self.centre.set_full_text(ctl.centre_name or texts.CENTRE_FALLBACK)
        self.counter.setText(ctl.counter_name())
        self.status.setText(texts.OFFLINE if ctl.online is False else "")
        self.status.setVisible(ctl.online is False)
        visit = ctl.visit or {}
        self.number.setText(texts.number_line(str(visit.get("number") or "")))
        clerk = visit.get("clerk_name") or visit.get("clerk")
        self.clerk.setText(texts.clerk_line(str(clerk)) if clerk else texts.NO_CLERK)
        for button in self.face_buttons:
            button.setChecked(ctl.level == button.level)
            button.setCheckable(ctl.level == button.level)
        self.stack.setCurrentWidget(self.pages[ctl.phase])

    def closeEvent(self, event: QCloseEvent) -> None:
        self.ctl.stop()
        super().closeEvent(event)
