"""The visible stamp: who signed for which commune and when, in Vietnamese, drawn with the bundled Noto Sans.

pyhanko embeds a subset of the TrueType font and shapes the text with HarfBuzz, so the stamp reads the same in
any viewer, on a machine without Vietnamese fonts too."""

from __future__ import annotations

import functools
import io
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.centre import commune_name
from app.core.clock import LOCAL_TZ
from app.paths import resource_dir

STAMP_WIDTH = 230.0  # points, at 8 pt text; a longer line is shrunk to fit by pyhanko, never cut
STAMP_HEIGHT = 78.0
MARGIN = 28.0
CERTIFIED_COPY = "BẢN SAO ĐIỆN TỬ CHỨNG THỰC TỪ BẢN CHÍNH"


def font_path() -> str:
    return str(resource_dir() / "fonts" / "NotoSans-Regular.ttf")


def stamp_box(
    page_width: float, page_height: float, origin: tuple[float, float] = (0.0, 0.0), rotate: int = 0
) -> tuple[float, float, float, float]:
    """Bottom right of the page as the reader sees it (after the page's /Rotate, the clerk's turn of a scan),
    clear of the margin where scanners leave shadows; in the page's own (unrotated) coordinates."""
    rotate %= 360
    shown_w, shown_h = (page_height, page_width) if rotate in (90, 270) else (page_width, page_height)
    width = min(STAMP_WIDTH, shown_w - 2 * MARGIN)
    height = min(STAMP_HEIGHT, shown_h - 2 * MARGIN)
    # the box's corners on the shown page, top-down, then mapped back through the rotation
    corners = [(shown_w - MARGIN - width, shown_h - MARGIN - height), (shown_w - MARGIN, shown_h - MARGIN)]
    points = [_unrotate(x, y, page_width, page_height, rotate) for x, y in corners]
    xs, ys = [p[0] + origin[0] for p in points], [p[1] + origin[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _unrotate(x: float, y: float, w: float, h: float, rotate: int) -> tuple[float, float]:
    """A point on the page as shown (origin top left, y down, turned `rotate`° clockwise) in page coordinates."""
    if rotate == 90:
        return y, x
    if rotate == 180:
        return w - x, y
    if rotate == 270:
        return w - y, h - x
    return x, h - y


def stamp_text(commune: str, when: datetime, certified_copy: bool) -> tuple[str, dict[str, str]]:
    """The template pyhanko fills (it adds %(signer)s from the certificate) and our parameters."""
    lines = [CERTIFIED_COPY] if certified_copy else []
    lines.append("Ký bởi: %(signer)s")
    if commune.strip():
        lines.append("Đơn vị: %(unit)s")
    lines.append("Thời gian: %(when)s")
    unit = ""
    if commune.strip():
        try:
            unit = "UBND " + commune_name(commune)
        except ValueError:
            unit = commune.strip()
    params = {"when": when.astimezone(LOCAL_TZ).strftime("%H:%M:%S %d/%m/%Y (GMT+7)"), "unit": unit}
    return "\n".join(lines), params


@functools.cache
def _font_bytes() -> bytes:
    return Path(font_path()).read_bytes()


def _font_factory(size: int) -> Any:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    class InMemoryFont(GlyphAccumulatorFactory):
        """pyhanko's factory opens the font file and never closes it: hand it bytes in memory instead."""

        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer, font_handle=io.BytesIO(_font_bytes()), font_size=self.font_size, obj_stream=obj_stream
            )

    return InMemoryFont(font_path(), font_size=size)


def stamp_style(template: str, rotate: int = 0) -> Any:
    """pyhanko's text stamp, laid out upright for the reader: on a page shown turned, the stamp is drawn at the
    shown size and its form carries the opposite turn (/Matrix), which viewers fit into the widget's box."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStamp, TextStampStyle

    rotate %= 360
    cos, sin = round(math.cos(math.radians(rotate))), round(math.sin(math.radians(rotate)))

    class TurnedStamp(TextStamp):
        def as_form_xobject(self) -> Any:
            form = super().as_form_xobject()
            if rotate:
                turn = (cos, sin, -sin, cos, 0, 0)
                form["/Matrix"] = generic.ArrayObject(generic.NumberObject(v) for v in turn)  # type: ignore[no-untyped-call]
            return form

    class TurnedStyle(TextStampStyle):
        def create_stamp(self, writer: Any, box: Any, text_params: dict[str, Any]) -> TextStamp:
            if rotate in (90, 270):  # the widget's box is the shown box turned a quarter
                box = BoxConstraints(width=box.height, height=box.width)
            return TurnedStamp(writer=writer, style=self, box=box, text_params=text_params)

    return TurnedStyle(
        stamp_text=template,
        text_box_style=TextBoxStyle(font=_font_factory(8), leading=11),  # room for stacked Vietnamese marks
        border_width=1,
        background=None,
    )
