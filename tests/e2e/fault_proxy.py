"""A TCP proxy on loopback that breaks a seeded share of connections in the middle of an HTTP exchange.

Two kinds of fault, picked per connection with a seeded RNG:
- "request":  part of the request reaches the server (somewhere inside its headers or body), then both sides
              are closed: the server sees a truncated request, the client a dead connection.
- "response": the whole request reaches the server (so it is applied), then only part of the answer, possibly
              none of it, reaches the client before both sides are closed: "applied but the answer was lost".

The cut point is placed inside the first HTTP message of the connection (its length read from the header's
Content-Length), so clients should send `Connection: close` to make every request a fresh draw. Everything
after the first message, or on a healthy connection, is pumped through untouched.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from collections import Counter
from urllib.parse import urlsplit

CHUNK = 64 * 1024
HEADER_MAX = 64 * 1024
IO_TIMEOUT_S = 30.0  # no pump can outlive a silent peer by more than this


def _message_length(head: bytes) -> int:
    """Header bytes + Content-Length (0 when absent or unreadable) of the HTTP message starting at `head`."""
    end = head.find(b"\r\n\r\n")
    length = 0
    for line in head[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    return end + 4 + length


class _Connection:
    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.client = client
        self.upstream = upstream
        self.cut = threading.Event()

    def kill(self) -> None:
        """Both sides shut down now: wakes a pump blocked in recv (close alone does not, on Linux)."""
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.client.close()
        self.upstream.close()


class FaultProxy:
    """`FaultProxy(target_url, rate=0.3, seed=1).start()`; `.url` to point clients at, `.stop()` when done."""

    def __init__(self, target_url: str, *, rate: float, seed: int = 1,
                 kinds: tuple[str, ...] = ("request", "response")) -> None:  # fmt: skip
        parts = urlsplit(target_url)
        assert parts.hostname in ("127.0.0.1", "localhost"), "loopback only"
        self.target = (parts.hostname, parts.port or 80)
        self.rate = rate
        self.kinds = kinds
        self.faults: Counter[str] = Counter()  # cuts that really happened, by kind
        self.connections = 0
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)  # the accept loop looks at the stop flag this often
        self._threads: list[threading.Thread] = []
        self._live: set[_Connection] = set()
        self._acceptor: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> FaultProxy:
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join(10)
        self._listener.close()
        with self._lock:
            live = list(self._live)
            threads = list(self._threads)
        for conn in live:
            conn.kill()
        for thread in threads:
            thread.join(IO_TIMEOUT_S)
        assert not any(t.is_alive() for t in threads), "a proxy thread outlived stop()"

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- inside ----------------------------------------------------------------------------------

    def _pick(self) -> tuple[str | None, float]:
        with self._lock:
            self.connections += 1
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return None, 0.0
            return self._rng.choice(self.kinds), self._rng.random()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), name="fault-proxy-conn", daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        kind, where = self._pick()
        client.settimeout(IO_TIMEOUT_S)
        try:
            upstream = socket.create_connection(self.target, timeout=IO_TIMEOUT_S)
        except OSError:
            client.close()
            return
        conn = _Connection(client, upstream)
        with self._lock:
            self._live.add(conn)
        back = threading.Thread(
            target=self._pump, args=(conn, upstream, client, where if kind == "response" else None, "response"),
            name="fault-proxy-back", daemon=True,
        )  # fmt: skip
        back.start()
        try:
            self._pump(conn, client, upstream, where if kind == "request" else None, "request")
        finally:
            back.join(IO_TIMEOUT_S + 5)
            with self._lock:
                self._live.discard(conn)
            conn.close()

    def _pump(self, conn: _Connection, src: socket.socket, dst: socket.socket, where: float | None,
              kind: str) -> None:  # fmt: skip
        """Copy src → dst; with `where`, stop at that fraction of the first message and kill the connection."""
        held = b""
        limit: int | None = None
        forwarded = 0
        try:
            while not conn.cut.is_set():
                data = src.recv(CHUNK)
                if not data:
                    if held:
                        dst.sendall(held)
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)  # pass the end on; the other direction may go on
                    return
                if where is None:
                    dst.sendall(data)
                    continue
                held += data
                if limit is None:
                    if b"\r\n\r\n" not in held and len(held) < HEADER_MAX:
                        continue  # the cut point depends on the message's length: wait for the header
                    total = _message_length(held) if b"\r\n\r\n" in held else len(held)
                    # a request is cut after at least one byte; an answer may be lost whole
                    lowest = 1 if kind == "request" else 0
                    limit = min(total - 1, max(lowest, int(where * total)))
                if forwarded + len(held) < limit:
                    dst.sendall(held)
                    forwarded += len(held)
                    held = b""
                    continue
                dst.sendall(held[: limit - forwarded])
                with self._lock:
                    self.faults[kind] += 1
                conn.cut.set()
                conn.kill()
                return
        except OSError:  # a peer went away (or this connection was cut from the other direction)
            conn.kill()
