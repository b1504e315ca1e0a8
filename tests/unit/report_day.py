"""A scripted day at a centre for the report's tests: the queue through the real API (two clerks signed in at
counters 1 and 2, calls, a recall, a transfer, a no-show, cancellations, a ticket left at closing), dossiers
received and changed through a counter's own store and pushed to the centre's mirror over the API, and ratings
in a `ratings` table as the rating screen will keep them.

Every dossier carries the two columns of Biểu II.06a it must land in for the day, labelled by hand here, so the
tests check the report against the script, not against the code that made the report.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.core.catalog import Catalog
from app.core.clock import LOCAL_TZ, ManualClock, to_iso
from app.core.dossier import (
    Channel,
    Citizen,
    Dossier,
    ReceptionDraft,
    mark_done,
    refuse,
    request_supplement,
    return_result,
    withdraw,
)
from app.core.dossier_codec import dossier_to_dict
from app.core.reception import build_dossier, checklist, statutory_of
from app.core.vn_holidays import vn_calendar
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.dossier_store import DossierStore

DAY = date(2026, 11, 23)  # a Monday; ManualClock() starts at 08:00 of it in the centre
UNIT = "000.00.12.H48"
MARITAL, BIRTH, COPY = "1.004873", "1.001193", "2.000815"  # HT 3 working days, HT same day, CT same day
PIN = "482913"
CLERKS = {"lan": ("Nguyễn Thị Lan", 1), "minh": ("Trần Văn Minh", 2)}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local wall-clock time as an aware UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def d(n: int) -> date:
    return date(2026, 11, n)


# --- the queue ----------------------------------------------------------------------------------------


@dataclass
class Hall:
    client: TestClient
    admin: dict[str, str]
    clock: ManualClock
    clerk: dict[int, dict[str, str]]  # counter → the signed-in clerk's auth header
    numbers: dict[str, int]  # "A001" → ticket id (the scripted day's)

    def go(self, hour: int, minute: int, day: date = DAY) -> Hall:
        target = at(day, hour, minute)
        assert target >= self.clock.now(), "the script runs forward"
        self.clock.current = target
        return self

    def issue(self, group: str) -> str:
        answer = self.client.post("/api/tickets", json={"group": group}, headers=self.admin)
        assert answer.status_code == 201, answer.text
        self.numbers.setdefault(answer.json()["number"], answer.json()["id"])
        return str(answer.json()["number"])

    def act(self, counter: int, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.client.post(f"/api/counters/{counter}/{action}", json=body, headers=self.clerk[counter])
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def call(self, counter: int, expect: str) -> None:
        assert self.act(counter, "call-next")["number"] == expect

    def cancel(self, number: str) -> None:
        answer = self.client.post(f"/api/tickets/{self.numbers[number]}/cancel", headers=self.admin)
        assert answer.status_code == 200, answer.text


def sign_in_clerks(client: TestClient, admin: dict[str, str]) -> dict[int, dict[str, str]]:
    headers = {}
    for username, (name, counter) in CLERKS.items():
        made = client.post(
            "/api/users", json={"username": username, "display_name": name, "role": "clerk", "secret": PIN},
            headers=admin,
        )  # fmt: skip
        assert made.status_code == 201, made.text
        signed = client.post("/api/sessions", json={"username": username, "secret": PIN, "counter": counter})
        assert signed.status_code == 201, signed.text
        headers[counter] = {"Authorization": f"Bearer {signed.json()['token']}"}
    return headers


def scripted_day(client: TestClient, admin: dict[str, str], clock: ManualClock) -> Hall:
    """The day at the hall. Counter 1's home group is HT (prefix A), counter 2's is CT (B): each calls its own
    group first. The next morning one ticket is issued, which closes the day: A005, never called, is removed."""
    clock.current = at(DAY, 7, 55)
    hall = Hall(client, admin, clock, sign_in_clerks(client, admin), {})
    hall.go(8, 0).issue("HT")  # A001
    hall.go(8, 2).issue("HT")  # A002
    hall.go(8, 5).issue("CT")  # B001
    hall.go(8, 10).call(1, "A001")
    hall.go(8, 11).act(1, "start")
    hall.go(8, 12).call(2, "B001")
    hall.go(8, 14).act(2, "recall")
    hall.go(8, 16).act(2, "start")
    hall.go(8, 19).act(1, "finish")
    hall.go(8, 20).call(1, "A002")
    hall.go(8, 21).act(1, "start")
    hall.act(2, "transfer", {"group": "HT"})  # B001 goes on waiting in HT, keeping its issue time
    hall.go(8, 30).act(1, "finish")
    hall.go(8, 31).call(1, "B001")
    hall.go(8, 33).act(1, "start")
    hall.go(8, 45).act(1, "finish")
    hall.go(9, 0).issue("HT")  # A003
    hall.go(9, 5).issue("HT")  # A004
    hall.go(9, 10).issue("CT")  # B002
    hall.go(9, 40).call(1, "A003")
    hall.go(9, 41).call(2, "B002")
    hall.go(9, 42).act(1, "recall")
    hall.act(2, "start")
    hall.go(9, 44).act(1, "recall")
    hall.go(9, 46)
    assert hall.act(1, "recall")["outcome"] == "no_show"  # three calls were the limit
    hall.go(9, 47).call(1, "A004")
    hall.go(9, 48).act(1, "start")
    hall.go(9, 50).act(2, "finish")
    hall.go(10, 2).act(1, "finish")
    hall.go(10, 15).issue("HT")  # A005: never called
    hall.go(10, 16).issue("CT")  # B003
    hall.go(10, 20).call(2, "B003")
    hall.go(10, 21).act(2, "start")
    hall.go(10, 25).issue("HT")  # A006
    hall.go(10, 30).cancel("A006")
    hall.go(10, 40).act(2, "finish")
    hall.go(8, 0, d(24)).issue("HT")  # the next day: the roll closes A005; this ticket is outside the day
    return hall


# --- dossiers -----------------------------------------------------------------------------------------


@cache
def catalog() -> Catalog:
    return load_catalog_file(default_catalog_path())


@dataclass(frozen=True)
class Planned:
    """A dossier of the script and the Biểu II.06a columns it belongs in for DAY (None: not in the report)."""

    label: str
    procedure: str
    received: datetime
    due: datetime | None
    channel: Channel
    changes: tuple[tuple[datetime, str], ...]  # (when, what): done | return | refuse | withdraw | supplement
    columns: tuple[str, str] | None


PLAN = (
    Planned("carried overdue", MARITAL, at(d(18), 9), at(d(20), 16), Channel.DIRECT, (), ("carried", "overdue")),
    Planned("carried within", MARITAL, at(d(19), 9), at(d(25), 9), Channel.DIRECT, (), ("carried", "within")),
    Planned("carried done late", MARITAL, at(d(16), 9), at(d(20), 9), Channel.DIRECT,
            ((at(DAY, 10), "done"),), ("carried", "late")),
    Planned("done before the day", MARITAL, at(d(17), 9), at(d(20), 9), Channel.DIRECT,
            ((at(d(19), 15), "done"), (at(d(20), 8), "return")), None),
    Planned("same day on time", BIRTH, at(DAY, 8, 30), at(DAY, 17), Channel.DIRECT,
            ((at(DAY, 14), "done"),), ("direct_post", "on_time")),
    Planned("online early", MARITAL, at(DAY, 9), at(d(26), 9), Channel.ONLINE,
            ((at(DAY, 15), "done"),), ("online", "early")),
    Planned("post within", MARITAL, at(DAY, 9, 30), at(d(26), 9), Channel.POST, (), ("direct_post", "within")),
    Planned("refused", COPY, at(DAY, 10), at(DAY, 17), Channel.DIRECT,
            ((at(DAY, 10, 30), "refuse"),), ("direct_post", "returned")),
    Planned("carried withdrawn", MARITAL, at(d(20), 9), at(d(25), 9), Channel.DIRECT,
            ((at(DAY, 11), "withdraw"),), ("carried", "withdrawn")),
    Planned("paused today", MARITAL, at(DAY, 11), at(d(26), 11), Channel.DIRECT,
            ((at(DAY, 11, 30), "supplement"),), ("direct_post", "within")),
    Planned("paused since before, past due", MARITAL, at(d(18), 10), at(d(20), 10), Channel.DIRECT,
            ((at(d(19), 10), "supplement"),), ("carried", "within")),
    Planned("returned the same day", COPY, at(DAY, 13), at(DAY, 17), Channel.DIRECT,
            ((at(DAY, 13, 20), "done"), (at(DAY, 13, 25), "return")), ("direct_post", "on_time")),
    Planned("received the next day", COPY, at(d(24), 8), at(d(24), 17), Channel.DIRECT, (), None),
    Planned("done the next day", MARITAL, at(d(18), 11), at(d(20), 11), Channel.DIRECT,
            ((at(d(24), 9), "done"),), ("carried", "overdue")),
)  # fmt: skip

_CHANGES: dict[str, Callable[[Dossier, datetime], Dossier]] = {
    "done": lambda x, now: mark_done(x, at=now, clerk="lan"),
    "return": lambda x, now: return_result(x, at=now, clerk="lan", collected_by="Lê Văn Nhận"),
    "refuse": lambda x, now: refuse(x, at=now, clerk="minh", reason="Không thuộc thẩm quyền"),
    "withdraw": lambda x, now: withdraw(x, at=now, clerk="lan", reason="Công dân xin rút"),
    "supplement": lambda x, now: request_supplement(x, at=now, clerk="lan", items=("Tờ khai",), reason=""),
}


def _builder(plan: Planned, number: int) -> Callable[[str, datetime], Dossier]:
    procedure = next(p for p in catalog().procedures if p.code == plan.procedure)
    who = Citizen(f"0341860{number:05d}", f"Công Dân Số {number}", date(1986, 3, 5), "Nữ", "Thôn Đông")
    draft = ReceptionDraft(procedure.code, who, tuple(c for c in checklist(procedure) if c.required),
                           statutory_of(procedure), channel=plan.channel)  # fmt: skip

    def build(code: str, now: datetime) -> Dossier:
        made = build_dossier(draft, procedure, code=code, at=now, clerk="lan", counter=1, calendar=vn_calendar())
        return replace(made, due_at=plan.due)  # the appointment the script wants, whatever the calendar says

    return build


def scripted_dossiers(client: TestClient, admin: dict[str, str], folder: Path) -> dict[str, Planned]:
    """Receive and change every planned dossier at a counter's own store, then push each to the centre's mirror
    as the counter's sync does; the plan by dossier code."""
    clock = ManualClock(at(d(16), 8))
    store = DossierStore(folder, clock)
    by_code: dict[str, Planned] = {}
    try:
        events: list[tuple[datetime, int, str, Planned]] = []
        for index, plan in enumerate(PLAN):
            events.append((plan.received, index, "receive", plan))
            events += [(when, index, what, plan) for when, what in plan.changes]
        codes: dict[int, str] = {}
        for when, index, what, plan in sorted(events, key=lambda e: (e[0], e[1])):
            clock.current = when
            if what == "receive":
                codes[index] = store.receive(UNIT, 1, _builder(plan, index + 1)).code
                by_code[codes[index]] = plan
            else:
                store.change(codes[index], what, _CHANGES[what])
        for code in by_code:
            pushed = client.put(f"/api/dossiers/{code}", json=dossier_to_dict(store.get(code)), headers=admin)
            assert pushed.status_code == 200, pushed.text
    finally:
        store.close()
    return by_code


# --- ratings ------------------------------------------------------------------------------------------

RATINGS_TABLE = """CREATE TABLE IF NOT EXISTS ratings (id INTEGER PRIMARY KEY, ticket_id INTEGER, counter INTEGER,
    clerk TEXT, dossier_code TEXT, level INTEGER NOT NULL, reason TEXT, at TEXT NOT NULL)"""


def add_ratings(db: Path, hall: Hall) -> list[tuple[Any, ...]]:
    """The day's ratings, one of the day before and one on a level no scale has, in the ratings table (made by
    migration m009_ratings; made here as the report knows it when the database predates it); the rows written."""
    rows = [
        (hall.numbers["A001"], 1, "lan", None, 3, None, to_iso(at(DAY, 8, 20))),
        (hall.numbers["A002"], 1, "lan", None, 2, None, to_iso(at(DAY, 8, 31))),
        (hall.numbers["B001"], 1, "lan", None, 1, "Chờ lâu, phải chuyển quầy", to_iso(at(DAY, 8, 46))),
        (hall.numbers["B002"], 2, "minh", None, 3, None, to_iso(at(DAY, 9, 51))),
        (hall.numbers["B003"], 2, "minh", None, 3, "", at(DAY, 10, 41).astimezone(LOCAL_TZ).isoformat()),
        (hall.numbers["A004"], 1, "lan", None, 7, None, to_iso(at(DAY, 10, 3))),  # outside the 3-level scale
        (None, 1, "lan", "X", 1, "Hôm trước", to_iso(at(d(22), 10))),  # the day before: not in the report
    ]
    conn = sqlite3.connect(db)
    try:
        conn.execute(RATINGS_TABLE)
        conn.executemany(
            "INSERT INTO ratings (ticket_id, counter, clerk, dossier_code, level, reason, at) VALUES (?,?,?,?,?,?,?)",
            rows,
        )
        conn.commit()
    finally:
        conn.close()
    return rows
