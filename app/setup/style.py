"""Look of the wizard: large text and targets for a person with little IT training, on a laptop or a touch screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QSizePolicy, QVBoxLayout, QWizardPage

if TYPE_CHECKING:
    from app.setup.wizard import SetupWizard

BASE_POINT_SIZE = 14
OK_COLOUR = "#1b6e2d"
ERROR_COLOUR = "#b3261e"
BUSY_COLOUR = "#5a5a5a"

STYLE = """
QWizard, QWizardPage { background: #ffffff; }
QLabel#title { font-size: 22pt; font-weight: bold; color: #0b3d91; }
QLabel#intro { font-size: 13pt; color: #333333; }
QLabel#status { font-size: 13pt; }
QLineEdit, QSpinBox, QComboBox { min-height: 40px; font-size: 14pt; padding: 0 8px; }
QSpinBox { border: 1px solid #8a8a8a; border-radius: 3px; background: #ffffff; }
QSpinBox::up-button, QSpinBox::down-button { width: 34px; }
QLineEdit#code { font-size: 26pt; min-height: 60px; letter-spacing: 6px; }
QPushButton { min-height: 46px; padding: 2px 22px; font-size: 13pt; }
QRadioButton, QCheckBox { font-size: 14pt; min-height: 36px; spacing: 12px; }
QRadioButton::indicator, QCheckBox::indicator { width: 26px; height: 26px; }
QListWidget { font-size: 13pt; }
QListWidget::item { min-height: 34px; }
QListWidget::indicator { width: 24px; height: 24px; }
"""


class Page(QWizardPage):
    """A page with a big title and a line of explanation; the wizard holds what every page fills in."""

    def __init__(self, title: str, intro: str) -> None:
        super().__init__()
        self.box = QVBoxLayout(self)
        self.box.setSpacing(10)
        self.heading = named_label(title, "title")
        self.box.addWidget(self.heading)
        self.intro = named_label(intro, "intro")
        self.box.addWidget(self.intro)

    @property
    def wiz(self) -> SetupWizard:
        from app.setup.wizard import SetupWizard

        wizard = self.wizard()
        assert isinstance(wizard, SetupWizard)
        return wizard


def field_label(text: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setStyleSheet("font-size: 14pt; font-weight: bold; padding-top: 6px;")
    return label


def line_edit(placeholder: str = "", text: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setPlaceholderText(placeholder)
    return edit


def button(text: str) -> QPushButton:
    b = QPushButton(text)
    b.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return b


def named_label(text: str, name: str) -> QLabel:
    label = QLabel(text, wordWrap=True)
    label.setObjectName(name)  # the style sheet's QLabel#name
    return label


def status_label() -> QLabel:
    label = named_label("", "status")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def show_status(label: QLabel, text: str, kind: str = "ok") -> None:
    """`kind`: ok (green), error (red), busy (grey), info (grey, no mark)."""
    colour = {"ok": OK_COLOUR, "error": ERROR_COLOUR, "busy": BUSY_COLOUR, "info": BUSY_COLOUR}[kind]
    mark = {"ok": "✔ ", "error": "✖ ", "busy": "… ", "info": ""}[kind]
    label.setStyleSheet(f"color: {colour}; font-size: 13pt;")
    label.setText(mark + text)
