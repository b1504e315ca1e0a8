"""The counter follows the centre's holiday table end to end: a real `serve`, the counter's own controller and
CentreCalendar (counter/dossier/centre_calendar.py) fetching GET /api/calendar once the clerk signs in, a director
adding a day off through PUT /api/settings, and the next dossier's due date moving past it, at the counter and in
`python -m app due-date --data` on the counter's own folder (the table is kept there for when the LAN is down)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from pytestqt.qtbot import QtBot

from app.core.clock import LOCAL_TZ, SystemClock
from app.core.reception import build_dossier, check_draft
from app.dossier_cli import synthetic_draft
from app.paths import default_catalog_path
from app.qtbridge.events import default_stream_factory
from app.service.launcher import ServerProcess, start_server
from app.store.catalog_file import load_catalog_file
from counter.controller import CounterController
from counter.dossier.centre_calendar import CentreCalendar
from counter.dossier.desk import CentreHeader, DossierDesk, open_desk
from counter.session import CounterClient

ROOT = Path(__file__).resolve().parents[2]
PIN = "482913"
PROCEDURE = "1.004873"  # xác nhận tình trạng hôn nhân: 3 working days


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = start_server(tmp_path / "centre")
    yield proc
    proc.stop()


def person(server: ServerProcess, username: str, role: str) -> dict[str, str]:
    admin = {"Authorization": f"Bearer {server.admin_token}"}
    body = {"username": username, "display_name": username, "role": role, "secret": PIN}
    made = requests.post(f"{server.url}/api/users", headers=admin, json=body, timeout=30)
    assert made.status_code == 201, made.text
    signed = requests.post(f"{server.url}/api/sessions", json={"username": username, "secret": PIN}, timeout=30)
    assert signed.status_code == 201, signed.text
    return {"Authorization": f"Bearer {signed.json()['token']}"}


def due_of(desk: DossierDesk, received: datetime) -> datetime:
    """The appointment the counter gives a dossier received at `received`, as its reception builds it."""
    procedure = next(p for p in desk.catalog.procedures if p.code == PROCEDURE)
    draft = synthetic_draft(random.Random(1), procedure, received.date())
    checked = check_draft(draft, desk.catalog, received.date())
    made = build_dossier(draft, checked, code="000.00.00.X00-000000-0001", at=received, clerk="lan", counter=1,
                         calendar=desk.calendar)  # fmt: skip
    assert made.due_at is not None
    return made.due_at.astimezone(LOCAL_TZ)


def working_day_between(desk: DossierDesk, after: date, until: date) -> date:
    day = after + timedelta(days=1)
    while not desk.calendar.is_working_day(day):
        day += timedelta(days=1)
    assert day <= until, "the sample procedure needs a working day between reception and the appointment"
    return day


def due_date_cli(folder: Path, received: datetime) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "app", "due-date", "--data", str(folder), "--procedure", PROCEDURE,
                           "--received", received.strftime("%Y-%m-%d %H:%M")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_day_off_the_director_adds_moves_the_counters_due_date(qtbot: QtBot, server: ServerProcess,
                                                                 tmp_path: Path) -> None:  # fmt: skip
    director = person(server, "giamdoc", "director")
    person(server, "lan", "clerk")
    folder = tmp_path / "counter"
    desk = open_desk(folder, load_catalog_file(default_catalog_path()), SystemClock(), CentreHeader())
    client = CounterClient(server.url, None, timeout=20.0)
    stream = default_stream_factory(client, token=lambda: client.token, reconnect_delay=(0.2, 2.0))
    ctl = CounterController(client, client, stream)
    calendar = CentreCalendar(desk, ctl, client)
    try:
        ctl.start()
        # a Monday morning next week: a working week ahead whatever day the test runs
        today = datetime.now(LOCAL_TZ).date()
        monday = today + timedelta(days=7 - today.weekday())
        received = datetime(monday.year, monday.month, monday.day, 8, 0, tzinfo=LOCAL_TZ)
        with qtbot.waitSignal(calendar.updated, timeout=20_000) as first:
            assert ctl.sign_in("lan", PIN, 1)
        assert first.args == [False]  # the centre has no override yet: nothing changed
        before = due_of(desk, received)
        off = working_day_between(desk, received.date(), before.date())
        assert due_date_cli(folder, received) == before.isoformat()
        # the director's change reaches the counter through `centre.changed`, and the counter fetches the table
        change = {"calendar": {off.isoformat(): {"working": False, "source": "QĐ 125/QĐ-UBND", "note": "nghỉ bù"}}}
        with qtbot.waitSignal(calendar.updated, timeout=20_000, check_params_cb=lambda changed: changed) as fetched:
            saved = requests.put(f"{server.url}/api/settings", json=change, headers=director, timeout=30)
            assert saved.status_code == 200, saved.text
        assert fetched.args == [True]
        kept = {o.day: o for o in desk.store.overrides()}
        assert kept[off].working is False
        assert kept[off].source == "QĐ 125/QĐ-UBND"
        after = due_of(desk, received)
        assert after > before
        assert after.date() == working_day_between(desk, before.date(), before.date() + timedelta(days=7))
        assert after.time() == before.time()
        # kept in the counter's own folder: the due date is right without the centre too
        assert due_date_cli(folder, received) == after.isoformat()
        # and taken back when the director removes the day
        with qtbot.waitSignal(calendar.updated, timeout=20_000, check_params_cb=lambda changed: changed):
            dropped = requests.put(f"{server.url}/api/settings", json={"calendar": {off.isoformat(): None}},
                                   headers=director, timeout=30)  # fmt: skip
            assert dropped.status_code == 200, dropped.text
        assert due_of(desk, received) == before
    finally:
        ctl.stop()
        calendar.stop()
        desk.store.close()
        client.close()
