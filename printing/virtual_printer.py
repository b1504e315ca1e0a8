"""A stand-in for a network thermal printer: an ESC/POS decoder and a TCP listener that keeps what it printed.

`decode_escpos` turns the ESC/POS subset our printing code and python-escpos 3.1 emit back into page images, one
per paper cut. `VirtualPrinter` listens like a printer on port 9100, answers `DLE EOT` status requests while the
connection is open (with simulated paper and online faults) and decodes each connection's bytes when it closes.
It serves the demo and the tests; nothing in production depends on it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import selectors
import socket
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from PIL import Image

log = logging.getLogger(__name__)

PaperState = Literal["ok", "near_end", "out"]

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

# Real-time status replies (DLE EOT n). Bits 1 and 4 are always set; python-escpos reads them through
# RT_MASK_ONLINE (8), RT_MASK_PAPER (0x12), RT_MASK_LOWPAPER (0x1E) and RT_MASK_NOPAPER (0x72).
_STATUS_FIXED = 0x12
_PRINTER_OFFLINE = 0x08  # n=1 bit 3
_PRINTER_STATUS_BASE = 0x16  # n=1 also has bit 2 set (drawer kick-out connector pin 3 low) on common printers
_OFFLINE_PAPER_END = 0x20  # n=2 bit 5: printing stopped because the paper ran out
_ROLL_NEAR_END = 0x0C  # n=4 bits 2-3
_ROLL_END = 0x60  # n=4 bits 5-6


class EscPosDecodeError(ValueError):
    """Bytes the decoder does not understand; `offset` is where the offending command starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at byte {offset}")
        self.offset = offset


class _Truncated(EscPosDecodeError):
    """The data ends inside a command: an error for a whole job, 'wait for more' for a live connection."""


@dataclass
class DecodedJob:
    pages: list[Image.Image] = field(default_factory=list)
    cuts: int = 0
    status_requests: list[int] = field(default_factory=list)
    text: str = ""
    raster_commands: int = 0
    unsupported: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PrintedPage:
    image: Image.Image
    received_at: datetime
    path: Path | None = None


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
        raise _Truncated(f"truncated {what}: needs {pos + count - offset} bytes, {len(data) - offset} left", offset)


def _next_op(data: bytes | bytearray, pos: int) -> tuple[_Op, int]:
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
        op, pos = _next_op(data, pos)
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


def status_byte(n: int, *, paper: PaperState = "ok", online: bool = True) -> int | None:
    """The reply to `DLE EOT n` of a printer in this state, None for requests it does not answer."""
    # A printer whose paper ran out stops and goes offline, like real ones do; its near-end sensor
    # sees no paper either, so "out" sets both paper bit pairs.
    offline = not online or paper == "out"
    if n == 1:
        return _PRINTER_STATUS_BASE | (_PRINTER_OFFLINE if offline else 0)
    if n == 2:
        return _STATUS_FIXED | (_OFFLINE_PAPER_END if paper == "out" else 0)
    if n == 3:
        return _STATUS_FIXED
    if n == 4:
        sensors = {"ok": 0, "near_end": _ROLL_NEAR_END, "out": _ROLL_NEAR_END | _ROLL_END}[paper]
        return _STATUS_FIXED | sensors
    return None


class _Connection:
    """One client's bytes so far, and how far the real-time scan has parsed them."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.data = bytearray()
        self.scanned = 0
        self.in_sync = True

    def status_requests(self) -> list[int]:
        """The `DLE EOT n` requests that arrived since the last call, found by parsing command by command so
        bytes 10 04 inside bitmap data are not mistaken for requests."""
        found: list[int] = []
        data = self.data
        while self.scanned < len(data):
            if not self.in_sync:
                # After bytes we cannot parse, fall back to searching, as a printer's real-time parser does.
                at = data.find(b"\x10\x04", self.scanned)
                if at < 0:
                    self.scanned = len(data) - 1 if data.endswith(b"\x10") else len(data)
                    break
                if at + 2 >= len(data):
                    self.scanned = at  # its n is still on its way
                    break
                found.append(data[at + 2])
                self.scanned = at + 3
                continue
            try:
                op, after = _next_op(data, self.scanned)
            except _Truncated:
                break  # the rest of the command is still on its way
            except EscPosDecodeError:
                self.in_sync = False
                continue
            if op.kind == "status":
                found.append(op.arg)
            self.scanned = after
        return found


class VirtualPrinter:
    """A network thermal printer on a TCP port, for the demo and tests.

    One thread runs a selector loop over the listening socket and the open connections. Fault attributes
    `paper` and `online` shape the status replies; `accept = False` closes the listening socket so connects
    are refused, `accept = True` listens again on the same port.
    """

    def __init__(self, out_dir: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.out_dir = out_dir
        self.host = host
        self._port = port
        self.paper: PaperState = "ok"
        self.online = True
        self.pages: list[PrintedPage] = []
        self.jobs: list[DecodedJob] = []
        self.errors: list[Exception] = []
        self.received = 0  # connections that sent something, whether it decoded or not
        self._cond = threading.Condition()
        self._want_accept = True
        self._listening = False
        self._listen_error: OSError | None = None
        self._stopping = False
        self._loop_done = False
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._next_number = 1

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"tcp:{self.host}:{self._port}"

    def __enter__(self) -> VirtualPrinter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the virtual printer is already running")
        if self.out_dir is not None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            # Keep numbering after pages from an earlier run in the same folder instead of overwriting them.
            taken = [int(p.stem) for p in self.out_dir.glob("*.png") if p.stem.isdigit()]
            self._next_number = max(taken, default=0) + 1
        self._listener = self._listen()  # bound here so `port` is known when start() returns
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_w.setblocking(False)
        self._stopping = self._loop_done = False
        self._listening = True
        self._thread = threading.Thread(target=self._run, name=f"virtual-printer-{self._port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening, close open connections (their bytes are decoded as received) and join the thread."""
        thread = self._thread
        if thread is None:
            return
        with self._cond:
            self._stopping = True
        self._wake()
        thread.join()
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._thread = self._wake_r = self._wake_w = None

    @property
    def accept(self) -> bool:
        return self._want_accept

    @accept.setter
    def accept(self, value: bool) -> None:
        """Takes effect before it returns, so a connect right after `accept = False` is refused."""
        with self._cond:
            self._want_accept = value
            if self._thread is None:
                return
            self._wake()
            self._cond.wait_for(lambda: self._listening == value or self._listen_error is not None or self._loop_done)
            error, self._listen_error = self._listen_error, None
        if error is not None:
            raise error

    def wait_for_pages(self, n: int, timeout: float = 10) -> list[PrintedPage]:
        """Block until at least `n` pages have arrived; returns all pages so far."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.pages) >= n, timeout):
                raise TimeoutError(self._waited(f"{len(self.pages)} of {n} pages", timeout))
            return list(self.pages)

    def wait_for_jobs(self, n: int, timeout: float = 10) -> None:
        """Block until `n` connections that sent data have closed and been decoded (or failed to decode)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.received >= n, timeout):
                raise TimeoutError(self._waited(f"{self.received} of {n} jobs", timeout))

    def _waited(self, got: str, timeout: float) -> str:
        message = f"virtual printer {self.url} received {got} within {timeout:g} s"
        if self.errors:
            message += "; decode errors: " + "; ".join(str(e) for e in self.errors)
        return message

    def _listen(self) -> socket.socket:
        listener = socket.create_server((self.host, self._port))
        listener.setblocking(False)
        self._port = listener.getsockname()[1]
        return listener

    def _wake(self) -> None:
        if self._wake_w is not None:
            # A full pipe already means "wake up".
            with contextlib.suppress(BlockingIOError):
                self._wake_w.send(b"\0")

    def _run(self) -> None:
        assert self._wake_r is not None
        selector = selectors.DefaultSelector()
        selector.register(self._wake_r, selectors.EVENT_READ)
        if self._listener is not None:
            selector.register(self._listener, selectors.EVENT_READ)
        connections: dict[socket.socket, _Connection] = {}
        try:
            while True:
                with self._cond:
                    if self._stopping:
                        break
                self._sync_listener(selector)
                for key, _ in selector.select():
                    if isinstance(key.data, _Connection):
                        self._read(selector, connections, key.data)
                    elif key.fileobj is self._wake_r:
                        self._wake_r.recv(4096)
                    else:
                        self._accept_one(selector, connections)
        finally:
            for connection in list(connections.values()):
                self._close(selector, connections, connection)
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            selector.close()
            with self._cond:
                self._listening = False
                self._loop_done = True
                self._cond.notify_all()

    def _sync_listener(self, selector: selectors.BaseSelector) -> None:
        """Open or close the listening socket to match `accept`; done here because the loop owns it."""
        with self._cond:
            want = self._want_accept
        if want and self._listener is None:
            try:
                self._listener = self._listen()
            except OSError as e:  # someone took the port while we were not listening
                with self._cond:
                    self._listen_error = e
                    self._cond.notify_all()
                return
            selector.register(self._listener, selectors.EVENT_READ)
        elif not want and self._listener is not None:
            selector.unregister(self._listener)
            self._listener.close()
            self._listener = None
        with self._cond:
            self._listening = self._listener is not None
            self._cond.notify_all()

    def _accept_one(self, selector: selectors.BaseSelector, connections: dict[socket.socket, _Connection]) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        connection = connections[sock] = _Connection(sock)
        selector.register(sock, selectors.EVENT_READ, connection)

    def _read(
        self, selector: selectors.BaseSelector, connections: dict[socket.socket, _Connection], connection: _Connection
    ) -> None:
        try:
            chunk = connection.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""  # reset by the client: print what arrived, like a printer would
        if not chunk:
            self._close(selector, connections, connection)
            return
        connection.data += chunk
        replies = bytes(
            b for n in connection.status_requests() if (b := status_byte(n, paper=self.paper, online=self.online))
        )
        if replies:
            # A few bytes into an empty send buffer; if the client never reads, dropping them is what it deserves.
            with contextlib.suppress(OSError):
                connection.sock.send(replies)

    def _close(
        self, selector: selectors.BaseSelector, connections: dict[socket.socket, _Connection], connection: _Connection
    ) -> None:
        selector.unregister(connection.sock)
        connection.sock.close()
        del connections[connection.sock]
        if connection.data:
            self._finish(bytes(connection.data))

    def _finish(self, data: bytes) -> None:
        """Decode one connection's bytes into pages; failures are kept in `errors`, the loop carries on."""
        received_at = datetime.now(UTC)
        try:
            job = decode_escpos(data)
            pages = [PrintedPage(image, received_at, self._save(image)) for image in job.pages]
        except Exception as e:  # one bad job must not stop the printer
            log.warning("virtual printer could not decode a %d byte job: %s", len(data), e)
            with self._cond:
                self.errors.append(e)
                self.received += 1
                self._cond.notify_all()
            return
        for page in pages:
            log.info("virtual printer: page %dx%d saved to %s", page.image.width, page.image.height, page.path)
        with self._cond:
            self.jobs.append(job)
            self.pages.extend(pages)
            self.received += 1
            self._cond.notify_all()

    def _save(self, image: Image.Image) -> Path | None:
        if self.out_dir is None:
            return None
        path = self.out_dir / f"{self._next_number:04d}.png"
        self._next_number += 1
        image.save(path)
        return path


def serve_virtual_printer(out_dir: Path, port: int = 9100, host: str = "127.0.0.1") -> None:
    """Serve until Ctrl+C, saving each printed page as a PNG in `out_dir`."""
    with VirtualPrinter(out_dir, host=host, port=port) as printer:
        print(f"virtual printer on {printer.url}, pages go to {out_dir}")
        stop = threading.Event()
        try:
            while not stop.wait(1.0):  # short waits so Ctrl+C gets through on Windows too
                pass
        except KeyboardInterrupt:
            pass
