"""`python -m app serve`: open the data folder, seed it, run uvicorn, announce on the LAN."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sys
from pathlib import Path

import uvicorn

from app.core.centre import default_centre
from app.core.clock import Clock, SystemClock
from app.paths import default_catalog_path
from app.service.api import create_app
from app.service.mdns import Announcer
from app.service.protocols import JsonErrorHttpProtocol, SlowClientWebSocketProtocol
from app.store.catalog_file import load_catalog_file
from app.store.devices import DeviceRegistry
from app.store.queue_store import QueueStore

log = logging.getLogger(__name__)

DEFAULT_PORT = 8710


def open_store(data: Path, clock: Clock | None = None) -> tuple[QueueStore, DeviceRegistry]:
    """Open a data folder, seeding a fresh one with the catalogue's centre and an admin token."""
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)
    catalog_path = data / "catalog.json"  # an admin's edited catalogue wins over the bundled one
    source = catalog_path if catalog_path.exists() else default_catalog_path()
    store = QueueStore(data / "queue.db", clock or SystemClock(), lambda: default_centre(load_catalog_file(source)))
    devices = DeviceRegistry(store.writer)
    token_file = data / "admin.token"
    if not token_file.exists() or not devices.has_admin():
        token = secrets.token_urlsafe(32)
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token + "\n")
        devices.replace_admin(token, store.clock.now())
    return store, devices


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, host: str, announcer: Announcer | None) -> None:
        super().__init__(config)
        self.display_host = host
        self.announcer = announcer

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.should_exit or not self.servers:
            return
        port = self.servers[0].sockets[0].getsockname()[1]
        # One line, flushed: tests and the demo wait for it instead of sleeping.
        print(f"serving on http://{self.display_host}:{port}", flush=True)
        if self.announcer is not None:
            self.announcer.port = port
            await self.announcer.start()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.announcer is not None:
            await self.announcer.stop()
        await super().shutdown(sockets)


def serve(data: Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT, mdns: bool = True) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store, devices = open_store(data)
    announcer = Announcer(host, port, store.centre.name) if mdns else None
    app = create_app(store, devices)
    # http=: requests the parser refuses (an unknown method…) get the API's JSON error, not uvicorn's plain text;
    # ws=: a slow client's 1013 close is queued behind its backlog instead of waiting for it to read (protocols.py).
    # timeout_graceful_shutdown: a stop or an update must not wait all day on a TV that holds its socket open.
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5,
        http=JsonErrorHttpProtocol, ws=SlowClientWebSocketProtocol,
    )  # fmt: skip
    server = _Server(config, host, announcer)
    try:
        server.run()
    finally:
        store.close()
    if not server.started:
        sys.exit(1)
