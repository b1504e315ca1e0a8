"""`python -m app serve`: open the data folder, seed it, run uvicorn (HTTPS on the LAN), announce on the LAN."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shlex
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import uvicorn
import uvicorn.server
from fastapi import FastAPI
from starlette.types import ASGIApp

from app.atomic_file import write_atomic
from app.child_process import shown_command
from app.core.centre import Centre, commune_name, default_centre, full_name, renamed
from app.core.clock import Clock, SystemClock
from app.logs import setup_logging
from app.paths import default_catalog_path
from app.service.api import create_app
from app.service.board_port import BoardOnly
from app.service.mdns import Announcer
from app.service.nightly_backup import NightlyBackup
from app.service.protocols import JsonErrorHttpProtocol, SlowClientWebSocketProtocol
from app.service.tls import ensure_certificates, fingerprint, is_loopback
from app.store.catalog_file import load_catalog_file
from app.store.devices import DeviceRegistry
from app.store.queue_store import QueueStore

log = logging.getLogger(__name__)

DEFAULT_PORT = 8710
TlsMode = Literal["auto", "on", "off"]
ReadyCheck = Callable[[str, str], bool]  # (API address, board address) → passed; then the service stops (smoke.py)


def open_store(data: Path, clock: Clock | None = None, *, commune: str | None = None,
               centre_name: str | None = None, layout: Mapping[str, Any] | None = None,
               ) -> tuple[QueueStore, DeviceRegistry]:  # fmt: skip
    """Open a data folder, seeding a fresh one with the catalogue's centre and an admin token. `commune` and
    `centre_name` name the centre (core.centre.renamed; a change is logged); None keeps the name it has
    (ValueError, in Vietnamese, for a blank one). The service requires a commune (serve); in-process callers
    (tests, `user add`) may leave a fresh folder unnamed. `layout`: default_centre's counters, fields and unit
    code for a fresh folder (config.toml's, app.config.seed_layout); an existing folder keeps its own."""
    commune = commune_name(commune) if commune is not None else None  # refused before anything is written
    centre_name = full_name(centre_name) if centre_name is not None else None
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)
    catalog_path = data / "catalog.json"  # an admin's edited catalogue wins over the bundled one
    source = catalog_path if catalog_path.exists() else default_catalog_path()
    seed = dict(layout or {})

    def fresh() -> Centre:
        return renamed(default_centre(load_catalog_file(source), **seed), commune, centre_name)

    store = QueueStore(data / "queue.db", clock or SystemClock(), fresh)
    before, wanted = store.centre.name, renamed(store.centre, commune, centre_name)
    if store.rename_centre(wanted.commune, wanted.name):
        log.info("Tên trung tâm: %s (trước đây: %s)", wanted.name, before)
    devices = DeviceRegistry(store.writer, store.clock)
    token_file = data / "admin.token"
    if not token_file.exists() or not devices.has_admin():
        token = secrets.token_urlsafe(32)
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token + "\n")
        devices.replace_admin(token, store.clock.now())
    ensure_hosted_kiosk(data, devices, store.clock)
    return store, devices


HOSTED_KIOSK_TOKEN = "kiosk.token"  # noqa: S105 - the file name, in the data folder
HOSTED_KIOSK_NAME = "Kiosk trên máy chủ"


def ensure_hosted_kiosk(data: Path, devices: DeviceRegistry, clock: Clock) -> None:
    """The kiosk on the service PC (`kiosk --host-service`, or attached to the boot-time service) acts as a kiosk,
    not as the admin: its own device token in DATA/kiosk.token (0600), listed under Thiết bị like any paired PC but
    not unpaired from there (the hall would stop issuing). Made on the first start, and again at the next start when
    the file was lost or deleted (how the IT officer changes it)."""
    path = data / HOSTED_KIOSK_TOKEN
    with contextlib.suppress(OSError):
        kept = devices.find(path.read_text(encoding="utf-8").strip())  # not a request: no last-seen
        if kept is not None and kept.role == "kiosk":
            devices.hosted_kiosk = kept.id  # the Thiết bị tab cannot unpair it (the hall would stop issuing)
            return
    made = devices.create(HOSTED_KIOSK_NAME, "kiosk", clock.now())
    write_atomic(path, (made["token"] + "\n").encode())
    devices.hosted_kiosk = int(made["id"])


class _Server(uvicorn.Server):
    """The API's server; under TLS it also runs the plain board port (`board`) in the same event loop, started
    after the API's own start-up (the application's lifespan runs once, here) and stopped with it."""

    def __init__(self, config: uvicorn.Config, host: str, announcer: Announcer | None, *, app: FastAPI,
                 board: uvicorn.Server | None = None, on_ready: ReadyCheck | None = None) -> None:  # fmt: skip
        super().__init__(config)
        self.on_ready = on_ready
        self.check_passed: bool | None = None  # on_ready's answer
        self.display_host = host
        self.announcer = announcer
        self.app = app
        self.board = board
        self.ready = False
        self.stopped_by: str | None = None  # the signal that asked for the stop, for the last log line

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """SIGTERM (systemd, a service manager, ChildProcess.stop) and Ctrl+C stop the service gracefully: both
        servers close, the store is closed, the log says so and the process exits 0. uvicorn's own version raises
        the signal again once its shutdown is done, which kills the process with -15 before `serve` closes the
        store. The board server never runs its own serve() (see startup), so these handlers are the only ones."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self._stop_on) for sig in uvicorn.server.HANDLED_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    def _stop_on(self, sig: int, frame: FrameType | None) -> None:
        self.stopped_by = self.stopped_by or signal.Signals(sig).name
        self.handle_exit(sig, frame)  # should_exit (a second Ctrl+C: force_exit)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.should_exit or not self.servers:
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        scheme = "https" if self.config.is_ssl else "http"
        board_port = port
        if self.board is not None:
            started = await _start_board(self.board)
            if started is None:
                self.should_exit = True
                return
            board_port = started
            # Printed before the ready line, so whoever waits for "serving on" already has it.
            print(f"board on http://{_url_host(self.display_host)}:{board_port}", flush=True)
        self.app.state.lan = {"tls": self.config.is_ssl, "board_port": board_port}
        self.ready = True
        # One line, flushed: tests and the demo wait for it instead of sleeping.
        print(f"serving on {scheme}://{_url_host(self.display_host)}:{port}", flush=True)
        if self.on_ready is not None:  # asked from a thread: the loop must keep serving while it asks
            url, board_url = f"{scheme}://{_url_host(self.display_host)}:{port}", f"http://127.0.0.1:{board_port}"
            threading.Thread(target=self._check_then_stop, args=(url, board_url), daemon=True).start()
        if self.announcer is not None:
            self.announcer.port, self.announcer.board_port = port, board_port
            await self.announcer.start()

    def _check_then_stop(self, url: str, board_url: str) -> None:
        assert self.on_ready is not None
        try:
            self.check_passed = self.on_ready(url, board_url)
        finally:
            self.should_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self.board is not None and self.board.started:
            await self.board.on_tick(counter)  # its Date header; it has no main loop of its own
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.announcer is not None:
            await self.announcer.stop()
        stopping = [super().shutdown(sockets)]
        if self.board is not None and self.board.started:
            stopping.append(self.board.shutdown())
        await asyncio.gather(*stopping)


async def _start_board(board: uvicorn.Server) -> int | None:
    """Bind the plain board port; its port, or None (logged) when it cannot be opened."""
    config = board.config
    if not config.loaded:
        config.load()
    board.lifespan = config.lifespan_class(config)  # "off": the API's server runs the lifespan
    try:
        await board.startup()
    except SystemExit:  # uvicorn's way of saying the port is taken
        log.error("cannot open the board port %s (in use?); choose another with --plain-port", config.port)
        return None
    port: int = board.servers[0].sockets[0].getsockname()[1]
    return port


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _config(app: ASGIApp, host: str, port: int, *, lifespan: Literal["on", "off"], **ssl: Any) -> uvicorn.Config:
    # http=: requests the parser refuses (an unknown method…) get the API's JSON error, not uvicorn's plain text;
    # ws=: a slow client's 1013 close is queued behind its backlog instead of waiting for it to read (protocols.py).
    # timeout_graceful_shutdown: a stop or an update must not wait all day on a TV that holds its socket open.
    # log_config=None: uvicorn's records go through the root logger (app/logs.py: the file, redacted); its access
    # log, one line per request with the path reduced to its route, goes to the file only.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=True, lifespan=lifespan, log_config=None,
        timeout_graceful_shutdown=5, http=JsonErrorHttpProtocol, ws=SlowClientWebSocketProtocol, **ssl,
    )  # fmt: skip
    logging.getLogger("uvicorn.access").setLevel(logging.INFO)  # after Config, which sets it to log_level
    return config


MISSING_COMMUNE = """Lỗi: Trung tâm chưa có tên xã (phường). Tên đầy đủ, ví dụ "Trung tâm Phục vụ hành chính công \
xã Đông Hưng", hiện trên kiosk, màn hình sảnh, bảng gọi số, phiếu số thứ tự và các mẫu phiếu.
Chạy lại lệnh với tên xã của Trung tâm, ví dụ:

  {command} --commune "Đông Hưng"

(thay "Đông Hưng" bằng tên xã của Trung tâm; với phường: --commune "phường Ba Đình"). Tên được lưu trong thư mục \
dữ liệu {data}, các lần sau không cần nhập lại; đổi tên: chạy lại với --commune mới. Kiosk chạy kèm dịch vụ \
(--host-service) cũng nhận --commune."""


def serve(data: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT, mdns: bool = True, *,
          tls: TlsMode = "auto", plain_port: int | None = None, commune: str | None = None,
          centre_name: str | None = None, command: Sequence[str] = (), layout: Mapping[str, Any] | None = None,
          backup: NightlyBackup | None = None, on_ready: ReadyCheck | None = None) -> int:  # fmt: skip
    """Run the centre service until SIGTERM or Ctrl+C; the exit code (0 after a graceful stop, 1 when it could
    not start, 2 when the centre has no commune yet: `command`, the command line as typed, goes into the message
    that says how to give one). On a loopback address: plain HTTP (one PC). On a LAN address (or `tls="on"`):
    HTTPS/WSS with the centre's own CA (tls.py) on `port`, and the read-only board and ticket pages over plain
    HTTP on `plain_port` (default `port` + 1; 0 = a free one) for TVs and phones (board_port.py). `backup`: the
    nightly backup to a second folder (nightly_backup.py), run beside the service and shown in /api/health.
    `on_ready`: asked once the service is up, then the service stops; the exit code is 0 only if it passed."""
    if commune is None and not _has_commune(data):
        typed = shlex.join(command) if command else f"{shown_command('app', 'serve')} --data {shlex.quote(str(data))}"
        print(MISSING_COMMUNE.format(command=typed, data=data), file=sys.stderr, flush=True)
        return 2
    setup_logging(data / "logs", "service")  # DATA/logs/service.log, rotated, personal data redacted (app/logs.py)
    try:
        store, devices = open_store(data, commune=commune, centre_name=centre_name, layout=layout)
    except ValueError as exc:  # a blank --commune or --centre-name
        print(f"Lỗi: {exc}", file=sys.stderr, flush=True)
        return 2
    log.info("Trung tâm: %s", store.centre.name)
    lan = not is_loopback(host)
    use_tls = tls == "on" or (tls == "auto" and lan)
    if tls == "off" and lan:
        log.warning("TLS is OFF (--tls off) on %s: clerks' PINs and session tokens cross the LAN in clear text", host)
    app = create_app(store, devices)
    app.state.lan = {"tls": use_tls, "board_port": None}
    app.state.backup = backup
    board: uvicorn.Server | None = None
    ssl: dict[str, str] = {}
    if use_tls:
        files = ensure_certificates(data, store.centre.name, host)
        log.info("TLS on: clients pin %s (SHA-256 %s)", files.ca_cert, fingerprint(files.ca_cert))
        ssl = {"ssl_certfile": str(files.cert), "ssl_keyfile": str(files.key)}
        board_port = plain_port if plain_port is not None else (port + 1 if port else 0)
        board = uvicorn.Server(_config(BoardOnly(app), host, board_port, lifespan="off"))
    announcer = Announcer(host, port, store.centre.name, tls=use_tls) if mdns else None
    server = _Server(_config(app, host, port, lifespan="on", **ssl), host, announcer, app=app, board=board,
                     on_ready=on_ready)  # fmt: skip
    if backup is not None:
        backup.start()
    try:
        server.run()
    finally:
        if backup is not None:
            backup.stop()
        store.close()
    if not server.ready or (on_ready is not None and not server.check_passed):
        return 1
    log.info("Dịch vụ trung tâm đã dừng%s.", f" ({server.stopped_by})" if server.stopped_by else "")
    return 0


def _has_commune(data: Path) -> bool:
    """Whether the data folder's centre already has its commune; a fresh folder is not touched to find out."""
    if not (data / "queue.db").exists():
        return False
    store, _devices = open_store(data)
    try:
        return bool(store.centre.commune)
    finally:
        store.close()
