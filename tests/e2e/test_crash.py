"""A real server killed with SIGKILL mid-burst loses no acknowledged ticket."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import requests

from app.service.launcher import start_server


def test_sigkill_during_a_burst_keeps_every_acknowledged_ticket(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = start_server(data)
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    acknowledged: list[dict] = []
    lock = threading.Lock()
    enough = threading.Event()

    def burst(group: str) -> None:
        with requests.Session() as s:
            while True:
                try:
                    r = s.post(f"{server.url}/api/tickets", json={"group": group}, headers=auth, timeout=10)
                except requests.RequestException:
                    return  # the server is gone
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(r.json())
                        if len(acknowledged) >= 200:
                            enough.set()

    threads = [threading.Thread(target=burst, args=(g,)) for g in ("HT", "HT", "CT", "DD")]
    for t in threads:
        t.start()
    assert enough.wait(120), "the burst never reached 200 tickets"
    server.kill()  # mid-burst: requests are in flight
    for t in threads:
        t.join()
    assert server.proc.returncode == -9

    restarted = start_server(data)
    try:
        queue = requests.get(f"{restarted.url}/api/queue", timeout=30).json()
        waiting = {t["id"]: t for t in queue["waiting"]}
        for ticket in acknowledged:
            assert ticket["id"] in waiting, f"acknowledged ticket {ticket['number']} was lost"
            assert waiting[ticket["id"]]["number"] == ticket["number"]
        numbers = [t["number"] for t in queue["waiting"]]
        assert [n for n, c in Counter(numbers).items() if c > 1] == []
        # Numbers per group run 1..n without holes: nothing half-written survived the crash.
        for prefix in {n[0] for n in numbers}:
            seqs = sorted(int(n[1:]) for n in numbers if n[0] == prefix)
            assert seqs == list(range(1, len(seqs) + 1))
        # The queue goes on where it stopped.
        auth2 = {"Authorization": f"Bearer {restarted.admin_token}"}
        next_ticket = requests.post(f"{restarted.url}/api/tickets", json={"group": "CT"}, headers=auth2, timeout=30)
        ct_count = sum(1 for n in numbers if n.startswith("B"))
        assert next_ticket.json()["number"] == f"B{ct_count + 1:03d}"
        stats = requests.get(f"{restarted.url}/api/stats/today", headers=auth2, timeout=30).json()
        assert stats["issued"] == len(numbers) + 1
    finally:
        restarted.stop()
