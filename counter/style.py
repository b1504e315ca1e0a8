"""A calm desktop look for a clerk's screen: readable at arm's length on 1366×768, colours that say what a
button does (blue call, green serve, orange absent), never colour alone: every button has words and a key."""

from __future__ import annotations

INK = "#0a2540"
BLUE = "#0b4f9c"
GREEN = "#1b7a3a"
ORANGE = "#b45309"
RED = "#b3261e"
GREY = "#8a94a6"
PAPER = "#f3f5f9"

BASE_SIZE = (1366, 768)  # the sizes below are for this screen; larger windows scale them up


def scale_for(width: int, height: int) -> float:
    """1.0 up to 1366×768, growing with the window up to 1.5 (a 1920×1080 screen gets about 1.35)."""
    return round(max(1.0, min(1.5, width / BASE_SIZE[0], height / BASE_SIZE[1])), 2)


def stylesheet(scale: float = 1.0) -> str:
    def px(size: int) -> int:
        return round(size * scale)

    return f"""
QWidget {{ color: {INK}; }}
QWidget#root, QWidget#signin, QWidget#panel {{ background: {PAPER}; }}
QFrame#card {{ background: white; border: {px(1)}px solid #d5dbe5; border-radius: {px(14)}px; }}
QFrame#header {{ background: {INK}; }}
QFrame#header QLabel {{ color: white; background: transparent; }}
QLabel#headerTitle {{ font-size: {px(22)}px; font-weight: bold; }}
QLabel#headerSub {{ font-size: {px(17)}px; }}
QLabel#clock {{ font-size: {px(20)}px; font-weight: bold; }}
QLabel#pill {{ font-size: {px(17)}px; font-weight: bold; border-radius: {px(14)}px; padding: {px(4)}px {px(14)}px; }}
QLabel#cardTitle {{ font-size: {px(19)}px; font-weight: bold; color: {BLUE}; }}
QLabel#stateLine {{ font-size: {px(22)}px; font-weight: bold; }}
QLabel#number {{ font-size: {px(112)}px; font-weight: bold; color: {BLUE}; }}
QLabel#numberIdle {{ font-size: {px(30)}px; font-weight: bold; color: {GREY}; }}
QLabel#detail {{ font-size: {px(19)}px; }}
QLabel#priority {{ font-size: {px(18)}px; font-weight: bold; color: white; background: {ORANGE};
    border-radius: {px(8)}px; padding: {px(3)}px {px(10)}px; }}
QLabel#hint {{ font-size: {px(16)}px; color: #4a5568; }}
QLabel#stats {{ font-size: {px(16)}px; color: #4a5568; }}
QLabel#title {{ font-size: {px(30)}px; font-weight: bold; color: {INK}; }}
QLabel#subtitle {{ font-size: {px(19)}px; color: #4a5568; }}
QLabel#fieldLabel {{ font-size: {px(18)}px; font-weight: bold; }}
QLabel#error {{ font-size: {px(17)}px; color: {RED}; font-weight: bold; }}
QLabel#status {{ font-size: {px(16)}px; color: #4a5568; }}
QLineEdit, QComboBox {{ font-size: {px(22)}px; padding: {px(8)}px {px(12)}px; border: {px(2)}px solid {GREY};
    border-radius: {px(10)}px; background: white; min-height: {px(36)}px; }}
QLineEdit:focus, QComboBox:focus {{ border-color: {BLUE}; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: {px(34)}px;
    border: none; }}
QComboBox::down-arrow {{ image: none; }}
QComboBox QAbstractItemView {{ font-size: {px(20)}px; }}
QPushButton#primary {{ background: {BLUE}; color: white; font-size: {px(22)}px; font-weight: bold; border: none;
    border-radius: {px(12)}px; padding: {px(12)}px {px(28)}px; min-height: {px(36)}px; }}
QPushButton#primary:disabled {{ background: #c9d1dc; color: #4a5568; }}
QPushButton#secondary {{ background: white; color: {INK}; font-size: {px(18)}px; font-weight: bold;
    border: {px(2)}px solid {INK}; border-radius: {px(12)}px; padding: {px(8)}px {px(20)}px; }}
QPushButton#secondary:disabled {{ color: {GREY}; border-color: #c9d1dc; }}
QPushButton#headerButton {{ background: transparent; color: white; font-size: {px(17)}px; font-weight: bold;
    border: {px(2)}px solid white; border-radius: {px(10)}px; padding: {px(6)}px {px(14)}px; }}
QListWidget {{ font-size: {px(20)}px; border: {px(2)}px solid #d5dbe5; border-radius: {px(10)}px; background: white; }}
QListWidget::item {{ padding: {px(7)}px {px(10)}px; border-bottom: {px(1)}px solid #e3e7ee; }}
QListWidget::item:selected {{ background: {BLUE}; color: white; }}
QTableWidget {{ font-size: {px(18)}px; border: none; background: white; gridline-color: #e3e7ee; }}
QHeaderView::section {{ font-size: {px(16)}px; font-weight: bold; background: #eef2f7; border: none;
    padding: {px(6)}px; }}
QDialog {{ background: {PAPER}; }}
QWidget#reception, QWidget#dossiers, QWidget#scan {{ background: {PAPER}; }}
QWidget#scan QComboBox {{ font-size: {px(16)}px; padding: {px(3)}px {px(8)}px; min-height: {px(26)}px;
    border-radius: {px(6)}px; border: {px(1)}px solid {GREY}; }}
QWidget#scan QPushButton#primary {{ font-size: {px(17)}px; padding: {px(6)}px {px(16)}px; }}
QWidget#scan QListWidget {{ font-size: {px(15)}px; }}
QWidget#scan QListWidget#pageStrip::item {{ border: none; padding: {px(4)}px; }}
QWidget#reception QLineEdit, QWidget#reception QComboBox, QWidget#dossiers QLineEdit,
QWidget#reception QSpinBox, QWidget#reception QDoubleSpinBox {{ font-size: {px(17)}px; padding: {px(3)}px {px(8)}px;
    min-height: {px(26)}px; border-radius: {px(6)}px; border: {px(1)}px solid {GREY}; background: white; }}
QWidget#reception QLineEdit:focus, QWidget#reception QComboBox:focus, QWidget#dossiers QLineEdit:focus,
QWidget#reception QSpinBox:focus, QWidget#reception QDoubleSpinBox:focus {{ border: {px(2)}px solid {BLUE}; }}
QWidget#reception QAbstractSpinBox::up-button, QWidget#reception QAbstractSpinBox::down-button {{ width: {px(16)}px; }}
QWidget#reception QLabel#fieldLabel {{ font-size: {px(16)}px; }}
QWidget#reception QCheckBox {{ font-size: {px(16)}px; }}
QLabel#fieldError {{ font-size: {px(14)}px; color: {RED}; font-weight: bold; }}
QLabel#dueLine {{ font-size: {px(17)}px; color: {INK}; }}
QLabel#procedureLine {{ font-size: {px(17)}px; }}
QWidget#reception QListWidget {{ font-size: {px(16)}px; }}
QWidget#reception QListWidget::item {{ padding: {px(3)}px {px(8)}px; }}
QWidget#reception QTableWidget, QWidget#dossiers QTableWidget {{ font-size: {px(15)}px; }}
QWidget#reception QPushButton#primary {{ font-size: {px(18)}px; padding: {px(8)}px {px(16)}px; }}
QWidget#reception QPushButton#secondary, QWidget#dossiers QPushButton#secondary {{ font-size: {px(15)}px;
    padding: {px(6)}px {px(10)}px; }}
QWidget#dossiers QPushButton#secondary:disabled {{ color: {GREY}; border-color: #c9d1dc; }}
QPlainTextEdit#dialogText {{ font-size: {px(18)}px; background: white; }}
"""


STYLE = stylesheet()
