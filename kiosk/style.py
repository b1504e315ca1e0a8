"""High-contrast, large-type look for a touch kiosk read by elderly citizens, scaled to the screen it runs on.

Sizes are designed at 1080×1920 (portrait) and 1920×1080 (landscape) and scaled by how much smaller the
screen is (1366×768 on 18.5" kiosks and 720×1280 both scale by about 0.7), with floors that keep text
readable and touch targets at DESIGN.md's 72 px. Fonts are pixel sizes so they follow the window, not the
platform's DPI setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.qtbridge.metrics import WindowMetrics

MIN_TOUCH_PX = 72  # DESIGN.md: targets ≥ 72 px, at every screen size
# ≥ 8 mm between a main action ("LẤY SỐ…", "IN LẠI") and the navigation under it. Assumption: kiosk screens
# have pixels of 0.2 mm or more (18.5" 1366×768 ≈ 0.30 mm, 21.5" 1920×1080 ≈ 0.25 mm, 32" 1080×1920 ≈ 0.37 mm),
# so 40 px is at least 8 mm on every one of them.
ACTION_GAP_PX = 40


@dataclass(frozen=True)
class Metrics(WindowMetrics):
    """Every size on the kiosk's screens, from the window's size (1920×1080 reference, never scaled up)."""

    @property
    def columns(self) -> int:
        return 3 if self.landscape else 2

    @property
    def list_columns(self) -> int:
        """Procedure lists: two columns in landscape, one in portrait."""
        return 2 if self.landscape else 1

    # fonts (px)
    @property
    def title(self) -> int:
        return self.px(44, 28)

    @property
    def subtitle(self) -> int:
        return self.px(30, 22)

    @property
    def big(self) -> int:
        return self.px(34, 24)

    @property
    def body(self) -> int:
        return self.px(26, 20)

    @property
    def header(self) -> int:
        return self.px(30, 22)

    @property
    def number(self) -> int:
        return self.px(190, 110)

    @property
    def button(self) -> int:
        return self.px(32, 22)

    @property
    def tile(self) -> int:
        """Tile titles, and every list of procedures (the same size: DESIGN's "procedure lists at the tiles'
        text size")."""
        return self.px(36, 26)

    @property
    def key(self) -> int:
        return self.px(30, 22)

    # spaces (px)
    @property
    def touch(self) -> int:
        return self.px(96, MIN_TOUCH_PX)

    @property
    def key_height(self) -> int:
        return self.px(84, MIN_TOUCH_PX)

    @property
    def margin(self) -> int:
        return self.px(40, 20)

    @property
    def spacing(self) -> int:
        return self.px(20, 12)

    @property
    def gap(self) -> int:
        return ACTION_GAP_PX

    @property
    def qr(self) -> int:
        return self.px(400, 260)


def metrics_for(width: int, height: int) -> Metrics:
    return Metrics(max(1, width), max(1, height))


def stylesheet(m: Metrics) -> str:
    radius = m.px(18, 12)
    return f"""
QWidget {{ background: #ffffff; color: #0a2540; }}
QWidget#header, QWidget#header QLabel {{ background: #0b4f9c; color: #ffffff; }}
QLabel#centre {{ font-size: {m.header}px; font-weight: bold; }}
QLabel#clock {{ font-size: {m.header}px; }}
QLabel#title {{ font-size: {m.title}px; font-weight: bold; color: #0a2540; }}
QLabel#subtitle {{ font-size: {m.subtitle}px; color: #0a2540; }}
QLabel#number {{ font-size: {m.number}px; font-weight: bold; color: #0b4f9c; }}
QLabel#big {{ font-size: {m.big}px; font-weight: bold; }}
QLabel#body {{ font-size: {m.body}px; }}
QLabel#detail {{ font-size: {m.body}px; color: #4a5568; }}
QLabel#heading {{ font-size: {m.subtitle}px; font-weight: bold; color: #0b4f9c; }}
QLabel#banner {{ font-size: {m.body}px; font-weight: bold; padding: {m.px(18, 10)}px; }}
QPushButton#primary {{ background: #0b4f9c; color: white; font-size: {m.button}px; font-weight: bold;
    border: 3px solid #0a2540; border-radius: {radius}px; padding: {m.px(14, 8)}px {m.px(28, 16)}px; }}
QPushButton#primary:pressed {{ background: #083a73; }}
QPushButton#primary:disabled {{ background: #c9d1dc; color: #4a5568; border-color: #8a94a6; }}
QPushButton#secondary {{ background: #ffffff; color: #0a2540; font-size: {m.button}px; font-weight: bold;
    border: 3px solid #0a2540; border-radius: {radius}px; padding: {m.px(12, 8)}px {m.px(28, 18)}px; }}
QPushButton#secondary:pressed {{ background: #e3e7ee; }}
QPushButton#key {{ background: #eef2f7; color: #0a2540; font-size: {m.key}px; font-weight: bold;
    border: 2px solid #8a94a6; border-radius: {m.px(12, 8)}px; }}
QPushButton#key:pressed {{ background: #c9d1dc; }}
QLineEdit {{ font-size: {m.big}px; padding: {m.px(14, 6)}px; border: 3px solid #0a2540;
    border-radius: {m.px(12, 8)}px; }}
QScrollBar:vertical {{ width: {m.px(30, 24)}px; background: #eef2f7; border: none; }}
QScrollBar::handle:vertical {{ background: #8a94a6; border-radius: {m.px(12, 8)}px; min-height: 80px; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
"""


STYLE = stylesheet(metrics_for(1080, 1920))
