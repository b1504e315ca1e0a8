"""A stand-in for a network thermal printer: a TCP listener that keeps what it printed.

`VirtualPrinter` listens like a printer on port 9100, answers `DLE EOT` status requests while the
connection is open (with simulated paper and online faults) and decodes each connection's bytes when it closes.
It serves the demo and the tests; nothing in production depends on it.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from PIL import Image

from printing.escpos_decode import DecodedJob, EscPosDecodeError, Truncated, decode_escpos, next_op

log = logging.getLogger(__name__)

PaperState = Literal["ok", "near_end", "out"]

# Real-time status replies (DLE EOT n). Bits 1 and 4 are always set; python-escpos reads them through
# RT_MASK_ONLINE (8), RT_MASK_PAPER (0x12), RT_MASK_LOWPAPER (0x1E) and RT_MASK_NOPAPER (0x72).
_STATUS_FIXED = 0x12
_PRINTER_OFFLINE = 0x08  # n=1 bit 3
_PRINTER_STATUS_BASE = 0x16  # n=1 also has bit 2 set (drawer kick-out connector pin 3 low) on common printers
_OFFLINE_PAPER_END = 0x20  # n=2 bit 5: printing stopped because the paper ran out
_ROLL_NEAR_END = 0x0C  # n=4 bits 2-3
_ROLL_END = 0x60  # n=4 bits 5-6


@dataclass(frozen=True)
class PrintedPage:
    image: Image.Image
    received_at: datetime
    path: Path | None = None


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
                op, after = next_op(data, self.scanned)
            except Truncated:
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
