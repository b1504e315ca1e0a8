"""A dossier received at counter 1 reaches the centre's mirror, and counter 2 finds it there and returns it."""

from __future__ import annotations

from pathlib import Path

import requests

from app.core.clock import ManualClock
from app.core.dossier import Status, return_result
from app.core.dossier_codec import dossier_from_dict
from app.core.vn_holidays import vn_calendar
from app.paths import default_catalog_path
from app.service.launcher import ServerProcess
from app.store.catalog_file import load_catalog_file
from app.store.dossier_store import DossierStore
from app.sync.centre_sink import CentreSink
from app.sync.worker import Drain
from counter.session import CounterClient
from tests.unit.test_store_dossiers import START, UNIT, builder


def counter_token(server: ServerProcess) -> str:
    answer = requests.post(f"{server.url}/api/devices", json={"name": "Quầy", "role": "counter"},
                           headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10)  # fmt: skip
    answer.raise_for_status()
    return str(answer.json()["token"])


def test_a_dossier_from_another_counter_is_found_at_the_centre_and_returned_here(
    server: ServerProcess, tmp_path: Path
) -> None:
    token = counter_token(server)
    clock = ManualClock(START)
    first = DossierStore(tmp_path / "counter1", clock)
    second = DossierStore(tmp_path / "counter2", clock)
    client = CounterClient(server.url, token)
    try:
        made = first.receive(UNIT, 1, builder(load_catalog_file(default_catalog_path()), vn_calendar(), 1))
        sent = Drain(first, CentreSink(server.url, lambda: token), clock).run_once()
        assert sent.sent == 1

        # counter 2 never saw it: the centre's mirror has it, with the citizen, for the clerk to act on
        found = second.adopt(dossier_from_dict(client.centre_dossier(made.code.lower())))
        assert found == made
        returned = second.change(
            made.code, "returned", lambda d, at: return_result(d, at=at, clerk="canbo2", collected_by=d.citizen.name)
        )
        assert returned.status == Status.RETURNED
        assert returned.revision == made.revision + 1
        assert Drain(second, CentreSink(server.url, lambda: token), clock).run_once().sent == 1
        mirror = client.centre_dossier(made.code)
        assert mirror["revision"] == returned.revision
        assert mirror["status"] == int(Status.RETURNED)
        assert second.adopt(made) == returned  # adopting again keeps this counter's newer copy

        # without a token the mirror answers nothing
        assert requests.get(f"{server.url}/api/dossiers/{made.code}", timeout=10).status_code == 401
    finally:
        client.close()
        first.close()
        second.close()
