"""A TCP relay on loopback in front of an HTTP service that breaks exchanges the way a LAN does.

Every fault is off until asked for:
- `rate` (with `kinds`, `seed`): a seeded share of connections is cut inside its first HTTP message.
  "request": part of the request reaches the service (somewhere in its headers or body), then both sides are
  closed: the service sees a truncated request, the client a dead connection. "response": the whole request
  reaches the service (so it is applied), then only part of the answer, possibly none, reaches the client:
  "applied but the answer was lost". The cut point is placed inside the first message (its length read from
  Content-Length), so clients should send `Connection: close` to make every request a fresh draw.
- `lose_answers=N`: the first N connections deliver their request whole and lose the whole answer.
- `hold(marker)`: the answer to the next request whose head contains `marker` is kept back (`answer_held` is
  set) until `release()`, then lost: the service has committed, the client never hears of it.
- `blocked = True`: new connections are closed at once, as if the service were unreachable; `cut()` kills every
  open connection now.
`faults` counts the cuts that happened by kind ("request", "response", "held"), `lost` is set once an answer was
lost, and `heads` keeps the head (request line and headers) of every request that went through.
"""

from __future__ import annotations

import contextlib
import random
import re
import socket
import threading
from collections import Counter
from urllib.parse import urlsplit

CHUNK = 64 * 1024
HEADER_MAX = 64 * 1024
IO_TIMEOUT_S = 30.0  # no pump outlives a silent peer by more than this (None: wait as long as the peers do)
_REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/1\.[01]\r\n")


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
        self.holding = threading.Event()  # the answer now coming is the one to hold back

    def kill(self) -> None:
        """Both sides shut down now: wakes a pump blocked in recv (close alone does not, on Linux)."""
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.client.close()
        self.upstream.close()


class FaultRelay:
    """`FaultRelay(target_url, …).start()` (or `with`); `.url` to point clients at, `.stop()` when done."""

    def __init__(self, target_url: str, *, rate: float = 0.0, seed: int = 1,
                 kinds: tuple[str, ...] = ("request", "response"), lose_answers: int = 0,
                 io_timeout: float | None = IO_TIMEOUT_S) -> None:  # fmt: skip
        parts = urlsplit(target_url)
        assert parts.hostname in ("127.0.0.1", "localhost"), "loopback only"
        self.target = (parts.hostname, parts.port or 80)
        self.rate = rate
        self.kinds = kinds
        self.lose_answers = lose_answers
        self.io_timeout = io_timeout
        self.blocked = False
        self.faults: Counter[str] = Counter()  # cuts that really happened, by kind
        self.connections = 0
        self.heads: list[bytes] = []
        self.lost = threading.Event()
        self.answer_held = threading.Event()
        self._hold_marker: bytes | None = None
        self._released = threading.Event()
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

    def start(self) -> FaultRelay:
        self._acceptor = threading.Thread(target=self._accept, name="fault-relay", daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._released.set()
        if self._acceptor is not None:
            self._acceptor.join(10)
        self._listener.close()
        self.cut()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(IO_TIMEOUT_S)
        assert not any(t.is_alive() for t in threads), "a relay thread outlived stop()"

    def __enter__(self) -> FaultRelay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- faults on demand ------------------------------------------------------------------------

    def hold(self, marker: bytes) -> None:
        """Keep back the answer to the next request whose head contains `marker`, until `release()`; then lose it."""
        with self._lock:
            self._hold_marker = marker
        self._released.clear()
        self.answer_held.clear()

    def release(self) -> None:
        self._released.set()

    def cut(self) -> None:
        """Kill every open connection now (the clients see them drop)."""
        with self._lock:
            live = list(self._live)
        for conn in live:
            conn.kill()

    def header_values(self, marker: bytes, name: str) -> list[str]:
        """The value of header `name` in every request whose head contains `marker` ("" where it had none)."""
        pattern = re.compile(rb"\r\n" + re.escape(name.encode()) + rb":\s*([^\r\n]*)", re.IGNORECASE)
        with self._lock:
            heads = [h for h in self.heads if marker in h]
        return [m.group(1).decode() if (m := pattern.search(h)) else "" for h in heads]

    # --- inside ----------------------------------------------------------------------------------

    def _plan(self) -> tuple[str | None, float]:
        """The fault for a new connection's first message: (kind or None, where in the message)."""
        with self._lock:
            self.connections += 1
            if self.lose_answers > 0:
                self.lose_answers -= 1
                return "response", 0.0
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
            if self.blocked:
                client.close()
                continue
            thread = threading.Thread(target=self._serve, args=(client,), name="fault-relay-conn", daemon=True)
            with self._lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        kind, where = self._plan()
        client.settimeout(self.io_timeout)
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:  # the service is down: the client sees the connection drop
            client.close()
            return
        upstream.settimeout(self.io_timeout)
        conn = _Connection(client, upstream)
        with self._lock:
            self._live.add(conn)
        back = threading.Thread(
            target=self._pump, args=(conn, upstream, client, where if kind == "response" else None, "response"),
            name="fault-relay-back", daemon=True,
        )  # fmt: skip
        back.start()
        try:
            self._pump(conn, client, upstream, where if kind == "request" else None, "request")
        finally:
            back.join()
            with self._lock:
                self._live.discard(conn)
            conn.close()

    def _look_at_request(self, conn: _Connection, data: bytes) -> None:
        """Keep a request's head; arm the hold when it is the request asked for."""
        if not _REQUEST_LINE.match(data):
            return
        head = data[: data.find(b"\r\n\r\n")] if b"\r\n\r\n" in data else data[:HEADER_MAX]
        with self._lock:
            self.heads.append(head)
            if self._hold_marker is not None and self._hold_marker in head:
                self._hold_marker = None
                conn.holding.set()

    def _lose_held_answer(self, conn: _Connection) -> None:
        self.answer_held.set()
        self._released.wait(IO_TIMEOUT_S)
        with self._lock:
            self.faults["held"] += 1
        self.lost.set()
        conn.cut.set()
        conn.kill()

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
                if kind == "request":
                    self._look_at_request(conn, data)
                elif conn.holding.is_set():  # the answer to the held request: the service has committed
                    self._lose_held_answer(conn)
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
                if kind == "response":
                    self.lost.set()
                conn.cut.set()
                conn.kill()
                return
        except OSError:  # a peer went away (or this connection was cut from the other direction)
            conn.kill()
