"""Two counters hammering call-next in parallel never receive the same ticket."""

from __future__ import annotations

import threading
from collections import Counter

import requests

from app.service.launcher import ServerProcess

TICKETS = 300


def test_parallel_call_next_never_hands_out_a_ticket_twice(server: ServerProcess) -> None:
    auth = {"Authorization": f"Bearer {server.admin_token}"}
    with requests.Session() as s:
        for i in range(TICKETS):
            group = ("HT", "CT", "DD")[i % 3]
            assert (
                s.post(f"{server.url}/api/tickets", json={"group": group}, headers=auth, timeout=30).status_code == 201
            )

    received: dict[int, list[str]] = {1: [], 2: [], 3: []}
    errors: list[str] = []
    start = threading.Barrier(len(received))

    def counter(counter_id: int) -> None:
        with requests.Session() as s:
            start.wait()
            while True:
                r = s.post(f"{server.url}/api/counters/{counter_id}/call-next", headers=auth, timeout=30)
                if r.status_code == 204:
                    return
                if r.status_code != 200:
                    errors.append(r.text)
                    return
                received[counter_id].append(r.json()["number"])
                s.post(f"{server.url}/api/counters/{counter_id}/start", headers=auth, timeout=30)

    threads = [threading.Thread(target=counter, args=(c,)) for c in received]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    everything = [n for numbers in received.values() for n in numbers]
    duplicates = [n for n, c in Counter(everything).items() if c > 1]
    assert duplicates == []
    assert len(everything) == TICKETS
    assert all(received.values()), "every counter got some of the work"
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    stats = requests.get(f"{server.url}/api/stats/today", headers=admin, timeout=30).json()
    assert stats["waiting_now"] == 0
