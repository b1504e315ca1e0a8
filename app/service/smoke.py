"""`python -m app serve --smoke-test` (and `motcua-service --smoke-test` in the bundle): the service starts on a fresh
temporary data folder as on a LAN (its own CA, HTTPS, the plain board port, both on free loopback ports, no mDNS),
answers `/api/health` over HTTPS pinned to that CA and `/display` on the board port, then stops. Exit 0 when all of
that worked; the temporary folder is removed either way."""

from __future__ import annotations

import json
import ssl
import sys
import tempfile
import urllib.request
from pathlib import Path

from app.service.server import serve

SMOKE_COMMUNE = "Thử Nghiệm"


def run_smoke_test() -> int:
    with tempfile.TemporaryDirectory(prefix="motcua-smoke-") as folder:
        data = Path(folder) / "data"

        def check(url: str, board_url: str) -> bool:
            try:
                print(ask(url, board_url, data / "tls" / "ca.pem"), flush=True)
                return True
            except Exception as exc:  # anything at all: the smoke test says what and fails
                print(f"Lỗi: dịch vụ trung tâm không trả lời đúng ({exc}).", file=sys.stderr, flush=True)
                return False

        return serve(data, "127.0.0.1", 0, mdns=False, tls="on", plain_port=0, commune=SMOKE_COMMUNE, on_ready=check)


def ask(url: str, board_url: str, ca_file: Path) -> str:
    """One line about the service at `url` (HTTPS, pinned to `ca_file`) and its board at `board_url`; raises if
    either does not answer as it should."""
    pinned = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca_file))
    with urllib.request.urlopen(f"{url}/api/health", context=pinned, timeout=15) as answer:  # noqa: S310 - our URL
        health = json.load(answer)
    if health.get("status") != "ok" or not health.get("tls"):
        raise ValueError(f"/api/health: {health}")
    with urllib.request.urlopen(f"{board_url}/display", timeout=15) as answer:  # noqa: S310 - our own URL
        board = answer.read()
    if b"<html" not in board.lower():
        raise ValueError("/display is not the hall board")
    return f"service ok: {health.get('centre')}, https + board port {health.get('board_port')}"
