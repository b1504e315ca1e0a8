"""The centre service's log file (DATA/logs/service.log, app/logs.py) after a scripted session holds no token, ticket
key, lookup key, PIN or ID number, while it does record the requests, by their route."""

from __future__ import annotations

from pathlib import Path

import requests

from app.service.launcher import start_server

LOOKUP = "000.00.00.X00-260213-0001-Kq7vZp2mXw9r"  # a dossier's status page: code, then its secret key
QUERY_SECRET = "Zx81QueryTokenValue"
PIN = "975312"
CCCD = "034186012345"


def test_the_service_log_holds_none_of_the_secrets_of_a_session(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data")
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    try:
        ticket = requests.post(f"{server.url}/api/tickets", json={"group": "HT"}, headers=auth, timeout=30)
        assert ticket.status_code in (200, 201), ticket.text
        follow = ticket.json()["follow"]
        assert follow
        assert requests.get(f"{server.url}/t/{follow}", timeout=10).status_code == 200
        assert requests.get(f"{server.url}/t/{follow}.json", timeout=10).status_code == 200
        requests.get(f"{server.url}/h/{LOOKUP}", timeout=10)  # found or not, its key was in the request line
        requests.get(f"{server.url}/api/health?token={QUERY_SECRET}&cccd={CCCD}", timeout=10)
        made = requests.post(f"{server.url}/api/users", headers=auth, timeout=10,
                             json={"username": "lan.nguyen", "display_name": "Nguyễn Thị Lan", "role": "clerk",
                                   "secret": PIN})  # fmt: skip
        assert made.status_code in (200, 201), made.text
        wrong = requests.get(f"{server.url}/api/users", headers={"Authorization": f"Bearer {follow}x"}, timeout=10)
        assert wrong.status_code in (401, 403)
    finally:
        assert server.stop() == 0
    log = (tmp_path / "data" / "logs" / "service.log").read_text(encoding="utf-8")
    assert '"GET /h/{code}-{key} HTTP/1.1" 404' in log or '"GET /h/{code}-{key} HTTP/1.1" 200' in log, log
    assert '"GET /t/{follow} HTTP/1.1" 200' in log, log
    assert '"GET /t/{follow}.json HTTP/1.1" 200' in log, log
    assert '"GET /api/health?… HTTP/1.1" 200' in log, log
    assert '"POST /api/tickets HTTP/1.1"' in log, log
    for secret in (server.admin_token, follow, "Kq7vZp2mXw9r", QUERY_SECRET, PIN, CCCD, "Nguyễn Thị Lan"):
        assert secret not in log, secret
    stderr = "\n".join(server.output)
    assert "/t/{follow}" not in stderr  # the access log goes to the file only; the console keeps its few lines
    assert server.admin_token not in stderr
