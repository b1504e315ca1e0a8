"""The rating screen's look: calm, high-contrast, huge targets, sized from the window it runs in.

Designed at 1280×800 (a 10" tablet on its side) and 800×1280 (upright), scaled down for a 1024×600 monitor with
floors that keep text readable and every target at least DESIGN.md's 72 px. Fonts are pixel sizes so they follow
the window, not the platform's DPI.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.qtbridge.metrics import WindowMetrics

MIN_TOUCH_PX = 72
INK = "#0a2540"
BLUE = "#0b4f9c"
MUTED = "#4a5568"
PAPER = "#ffffff"
# Each level's colour, worst first: red → green (the faces' fill; a pale tint of it behind the button).
LEVEL_COLOURS = {
    3: ("#c62828", "#7cb342", "#2e7d32"),
    5: ("#c62828", "#ef6c00", "#f9a825", "#7cb342", "#2e7d32"),
}
# Each level's mood, worst first, from -1 (frown) to 1 (broad smile): "Hài lòng" smiles, it is a good mark.
LEVEL_MOODS = {3: (-1.0, 0.55, 1.0), 5: (-1.0, -0.5, 0.0, 0.55, 1.0)}


def level_colour(level: int, levels: int) -> str:
    colours = LEVEL_COLOURS.get(levels) or LEVEL_COLOURS[3]
    return colours[min(max(level, 1), len(colours)) - 1]


def level_mood(level: int, levels: int) -> float:
    moods = LEVEL_MOODS.get(levels)
    if moods is None:
        return -1.0 + 2.0 * (level - 1) / max(1, levels - 1)
    return moods[min(max(level, 1), len(moods)) - 1]


@dataclass(frozen=True)
class Metrics(WindowMetrics):
    REFERENCE = (1280, 800)  # a 10" tablet
    MAX_SCALE = 1.25
    SQUARE_IS_LANDSCAPE = True

    # fonts (px)
    @property
    def header(self) -> int:
        return self.px(26, 18)

    @property
    def title(self) -> int:
        return self.px(44, 28)

    @property
    def number(self) -> int:
        return self.px(96, 56)

    @property
    def body(self) -> int:
        return self.px(28, 20)

    @property
    def choice(self) -> int:
        """A face's or a reason's words."""
        return self.px(30, 20)

    # spaces (px)
    @property
    def margin(self) -> int:
        return self.px(32, 14)

    @property
    def spacing(self) -> int:
        return self.px(20, 10)

    @property
    def header_height(self) -> int:
        return self.px(64, 44)


def metrics_for(width: int, height: int) -> Metrics:
    return Metrics(max(1, width), max(1, height))


def stylesheet(m: Metrics) -> str:
    return f"""
QWidget#page, QWidget#root {{ background: {PAPER}; }}
QLabel {{ color: {INK}; background: transparent; }}
QWidget#header {{ background: {BLUE}; }}
QWidget#header QLabel {{ color: #ffffff; font-size: {m.header}px; }}
QLabel#counter {{ font-weight: bold; }}
QLabel#title {{ font-size: {m.title}px; font-weight: bold; }}
QLabel#number {{ font-size: {m.number}px; font-weight: bold; color: {BLUE}; }}
QLabel#clerk {{ font-size: {m.body}px; }}
QLabel#question {{ font-size: {m.title}px; font-weight: bold; }}
QLabel#hint {{ font-size: {m.body}px; color: {MUTED}; }}
QLabel#status {{ font-size: {m.body}px; color: {MUTED}; }}
"""
