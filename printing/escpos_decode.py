"""ESC/POS back to pictures: the subset our printing code and python-escpos 3.1 emit, one page per paper cut.

Used by the virtual printer and by tests that read what a printer was sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

# `ESC 2` default line spacing on most 203 dpi heads; LF and `ESC d n` feed this many dots per line.
DEFAULT_LINE_DOTS = 30

ESC, GS, DLE = 0x1B, 0x1D, 0x10
LF, CR, HT = 0x0A, 0x0D, 0x09

# Styling and code-page commands with one argument byte (python-escpos `set()` and `qr(native=True)` send them).
# They change how the printer renders text, which we keep only as a string, so they are skipped.
_ESC_ONE_ARG_IGNORED = frozenset(b"a!EM-t{G")
_GS_ONE_ARG_IGNORED = frozenset(b"!bB")

# PIL mode "1" treats a set bit as white; ESC/POS a set bit as a black dot.
_INVERT = bytes(255 - i for i in range(256))
_TEXT_RUN = re.compile(rb"[\t\x20-\x7e\x80-\xff]+")


class EscPosDecodeError(ValueError):
    """Bytes the decoder does not understand; `offset` is where the offending command starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at byte {offset}")
        self.offset = offset


class Truncated(EscPosDecodeError):
    """The data ends inside a command: an error for a whole job, 'wait for more' for a live connection."""


@dataclass
class DecodedJob:
    pages: list[Image.Image] = field(default_factory=list)
    cuts: int = 0
    status_requests: list[int] = field(default_factory=list)
    text: str = ""
    raster_commands: int = 0
    unsupported: list[str] = field(default_factory=list)


_Kind = Literal[
    "init",
    "raster",
    "graphics_store",
    "graphics_print",
    "feed_lines",
    "feed_dots",
    "line_spacing",
    "cut",
    "status",
    "text",
    "unsupported",
    "ignored",
]


@dataclass(frozen=True, slots=True)
class _Op:
    kind: _Kind
    offset: int
    arg: int = 0  # lines, dots, spacing, cut feed or status n
    start: int = 0  # payload (bitmap or text) in the input
    end: int = 0
    width: int = 0  # dots; rows are padded to whole bytes
    height: int = 0
    scale_x: int = 1
    scale_y: int = 1


_ESC_ONE_ARG_KINDS: dict[int, _Kind] = {ord("d"): "feed_lines", ord("J"): "feed_dots", ord("3"): "line_spacing"}


def _need(data: bytes | bytearray, pos: int, count: int, offset: int, what: str) -> None:
    if pos + count > len(data):
        raise Truncated(f"truncated {what}: needs {pos + count - offset} bytes, {len(data) - offset} left", offset)


def next_op(data: bytes | bytearray, pos: int) -> tuple[_Op, int]:
    """Parse the command at `pos`; returns it and where the next one starts. Payloads are offsets, not copies,
    so the live listener can re-scan a growing buffer cheaply."""
    b = data[pos]
    if b == LF:
        return _Op("feed_lines", pos, arg=1), pos + 1
    if b == CR:
        return _Op("ignored", pos), pos + 1
    if run := _TEXT_RUN.match(data, pos):
        return _Op("text", pos, start=pos, end=run.end()), run.end()
    if b == ESC:
        return _next_esc(data, pos)
    if b == GS:
        return _next_gs(data, pos)
    if b == DLE:
        _need(data, pos, 3, pos, "DLE command")
        if data[pos + 1] != 0x04:
            raise EscPosDecodeError(f"unknown command DLE 0x{data[pos + 1]:02X}", pos)
        n = data[pos + 2]
        if n not in (1, 2, 3, 4):
            raise EscPosDecodeError(f"unsupported status request DLE EOT {n}", pos)
        return _Op("status", pos, arg=n), pos + 3
    raise EscPosDecodeError(f"unknown byte 0x{b:02X}", pos)


def _next_esc(data: bytes | bytearray, pos: int) -> tuple[_Op, int]:
    _need(data, pos, 2, pos, "ESC command")
    c = data[pos + 1]
    if c == ord("@"):
        return _Op("init", pos), pos + 2
    if c == ord("2"):
        return _Op("line_spacing", pos, arg=DEFAULT_LINE_DOTS), pos + 2
    if c in (ord("d"), ord("J"), ord("3")) or c in _ESC_ONE_ARG_IGNORED:
        _need(data, pos, 3, pos, f"ESC {chr(c)}")
        n = data[pos + 2]
        kind = _ESC_ONE_ARG_KINDS.get(c, "ignored")
        return _Op(kind, pos, arg=n), pos + 3
    raise EscPosDecodeError(f"unknown command ESC 0x{c:02X} ({chr(c)!r})", pos)


def _next_gs(data: bytes | bytearray, pos: int) -> tuple[_Op, int]:
    _need(data, pos, 2, pos, "GS command")
    c = data[pos + 1]
    if c == ord("v"):
        # GS v 0 m xL xH yL yH d...: width in bytes, height in rows; m bit 0 doubles width, bit 1 height.
        _need(data, pos, 8, pos, "GS v 0 header")
        m = data[pos + 3]
        if data[pos + 2] != ord("0") or m not in (0, 1, 2, 3, 48, 49, 50, 51):
            raise EscPosDecodeError(f"malformed GS v 0 (0x{data[pos + 2]:02X} 0x{m:02X})", pos)
        width_bytes = data[pos + 4] | data[pos + 5] << 8
        height = data[pos + 6] | data[pos + 7] << 8
        if width_bytes == 0 or height == 0:
            raise EscPosDecodeError(f"empty GS v 0 image {width_bytes}x{height}", pos)
        end = pos + 8 + width_bytes * height
        _need(data, end, 0, pos, f"GS v 0 image of {width_bytes} bytes x {height} rows")
        sx, sy = 1 + (m & 1), 1 + (m >> 1 & 1)
        return _Op(
            "raster", pos, start=pos + 8, end=end, width=width_bytes * 8, height=height, scale_x=sx, scale_y=sy
        ), end
    if c == ord("("):
        # GS ( X pL pH ...: pL pH count the bytes that follow them.
        _need(data, pos, 5, pos, "GS ( header")
        sub = data[pos + 2]
        length = data[pos + 3] | data[pos + 4] << 8
        end = pos + 5 + length
        _need(data, end, 0, pos, f"GS ( {chr(sub)} with {length} bytes")
        if sub == ord("L"):
            return _graphics(data, pos, pos + 5, end), end
        if sub == ord("k"):
            return _Op("unsupported", pos, start=pos, end=end), end
        raise EscPosDecodeError(f"unknown command GS ( 0x{sub:02X}", pos)
    if c == ord("8"):
        # GS 8 L p1 p2 p3 p4 m fn ...: GS ( L with a 4-byte length, for graphics over 64 KiB.
        _need(data, pos, 7, pos, "GS 8 L header")
        if data[pos + 2] != ord("L"):
            raise EscPosDecodeError(f"unknown command GS 8 0x{data[pos + 2]:02X}", pos)
        length = int.from_bytes(data[pos + 3 : pos + 7], "little")
        end = pos + 7 + length
        _need(data, end, 0, pos, f"GS 8 L with {length} bytes")
        return _graphics(data, pos, pos + 7, end), end
    if c == ord("V"):
        _need(data, pos, 3, pos, "GS V")
        m = data[pos + 2]
        if m in (0, 1, 48, 49):
            return _Op("cut", pos), pos + 3
        if m in (65, 66):
            _need(data, pos, 4, pos, "GS V m n")
            return _Op("cut", pos, arg=data[pos + 3]), pos + 4
        raise EscPosDecodeError(f"unknown cut mode GS V {m}", pos)
    if c in _GS_ONE_ARG_IGNORED:
        _need(data, pos, 3, pos, f"GS {chr(c)}")
        return _Op("ignored", pos), pos + 3
    raise EscPosDecodeError(f"unknown command GS 0x{c:02X} ({chr(c)!r})", pos)


def _graphics(data: bytes | bytearray, pos: int, body: int, end: int) -> _Op:
    """The function inside GS ( L / GS 8 L; `body` points at m, `end` is past the command."""
    if end - body < 2:
        raise EscPosDecodeError("GS ( L without function", pos)
    m, fn = data[body], data[body + 1]
    if m != 0x30:
        raise EscPosDecodeError(f"unsupported GS ( L m=0x{m:02X}", pos)
    if fn in (0x32, 0x02):
        if end - body != 2:
            raise EscPosDecodeError(f"GS ( L print with {end - body - 2} extra bytes", pos)
        return _Op("graphics_print", pos)
    if fn != 0x70:
        raise EscPosDecodeError(f"unsupported GS ( L function 0x{fn:02X}", pos)
    # fn 112 stores raster graphics: a bx by c xL xH yL yH d..., width in dots, rows padded to whole bytes.
    if end - body < 10:
        raise EscPosDecodeError("GS ( L store without its header", pos)
    a, bx, by, colour = data[body + 2 : body + 6]
    if a != 0x30 or bx not in (1, 2) or by not in (1, 2) or colour not in (0x31, 0x32, 0x33, 0x34):
        raise EscPosDecodeError(f"unsupported GS ( L graphics a=0x{a:02X} bx={bx} by={by} c=0x{colour:02X}", pos)
    width = data[body + 6] | data[body + 7] << 8
    height = data[body + 8] | data[body + 9] << 8
    if width == 0 or height == 0:
        raise EscPosDecodeError(f"empty GS ( L graphics {width}x{height}", pos)
    expected = (width + 7) // 8 * height
    if end - body - 10 != expected:
        raise EscPosDecodeError(
            f"GS ( L graphics {width}x{height} needs {expected} data bytes, the length says {end - body - 10}", pos
        )
    return _Op("graphics_store", pos, start=body + 10, end=end, width=width, height=height, scale_x=bx, scale_y=by)


def _bitmap(data: bytes, op: _Op) -> Image.Image:
    """The op's rows as a mode "1" image, cut to its width in dots and scaled like the printer would."""
    width_bytes = (op.width + 7) // 8
    image = Image.frombytes("1", (width_bytes * 8, op.height), data[op.start : op.end].translate(_INVERT))
    if op.width != width_bytes * 8:
        image = image.crop((0, 0, op.width, op.height))
    if op.scale_x != 1 or op.scale_y != 1:
        image = image.resize((op.width * op.scale_x, op.height * op.scale_y), Image.Resampling.NEAREST)
    return image


class _Paper:
    """What the head put on the paper since the last cut: images and white gaps, top to bottom."""

    def __init__(self) -> None:
        self.pieces: list[Image.Image | int] = []
        self.has_image = False

    def feed(self, dots: int) -> None:
        if dots:
            self.pieces.append(dots)

    def print(self, image: Image.Image) -> None:
        self.pieces.append(image)
        self.has_image = True

    def tear_off(self) -> Image.Image | None:
        """The page so far, or None when nothing was printed on it (a bare feed is not a page)."""
        pieces, had_image = self.pieces, self.has_image
        self.pieces, self.has_image = [], False
        if not had_image:
            return None
        width = max(p.width for p in pieces if isinstance(p, Image.Image))
        height = sum(p if isinstance(p, int) else p.height for p in pieces)
        page = Image.new("1", (width, height), 1)
        y = 0
        for piece in pieces:
            if isinstance(piece, int):
                y += piece
            else:
                page.paste(piece, (0, y))
                y += piece.height
        return page


def decode_escpos(data: bytes) -> DecodedJob:
    """Decode a whole job; raises `EscPosDecodeError` (a ValueError) on unknown or truncated commands."""
    data = bytes(data)
    job = DecodedJob()
    paper = _Paper()
    text: list[str] = []
    line_dots = DEFAULT_LINE_DOTS
    stored: Image.Image | None = None
    pos = 0
    while pos < len(data):
        op, pos = next_op(data, pos)
        match op.kind:
            case "init":
                line_dots, stored = DEFAULT_LINE_DOTS, None
            case "line_spacing":
                line_dots = op.arg
            case "feed_lines":
                paper.feed(op.arg * line_dots)
                if data[op.offset] == LF:
                    text.append("\n")
            case "feed_dots":
                paper.feed(op.arg)
            case "raster":
                paper.print(_bitmap(data, op))
                job.raster_commands += 1
            case "graphics_store":
                stored = _bitmap(data, op)
            case "graphics_print":
                # The printer prints the graphic in its buffer and clears it; with nothing stored it prints nothing.
                if stored is not None:
                    paper.print(stored)
                    job.raster_commands += 1
                    stored = None
            case "cut":
                paper.feed(op.arg)
                job.cuts += 1
                if (page := paper.tear_off()) is not None:
                    job.pages.append(page)
            case "status":
                job.status_requests.append(op.arg)
            case "text":
                text.append(data[op.start : op.end].decode("cp437"))  # the ESC/POS power-on code page
            case "unsupported":
                job.unsupported.append(f"GS ( k (native 2D code, {op.end - op.start} bytes) at byte {op.offset}")
            case "ignored":
                pass
    if (page := paper.tear_off()) is not None:
        job.pages.append(page)  # an uncut job is still on the paper
    job.text = "".join(text)
    return job
