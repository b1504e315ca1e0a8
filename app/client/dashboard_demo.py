"""A centre with history, for the director's dashboard without a service (`python -m app dashboard --demo`, its
screenshots and tests): the in-process fake (app/client/fake.py) run through two weeks of working days and this
morning, by the queue's own commands on a hand-moved clock.

Four clerks with accounts (their names show in the per-clerk tables) work counters 1–4; citizens arrive more in the
morning than the afternoon, a few are called three times and marked absent, one cancels; dossiers are received,
done, refused and paused and kept in the centre's mirror as the counters' sync would; ratings are written when the
store has a `ratings` table. This morning ends with people waiting, counter 3 on a break and counter 4 closed.
Everything is seeded: the same run gives the same figures.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from app.client.catalog_source import starting_catalog
from app.client.fake import FakeQueueClient
from app.client.fake_devices import seed_demo_devices
from app.client.queue_client import ServiceError
from app.core.clock import LOCAL_TZ, ManualClock, to_iso
from app.core.dossier import Channel, Citizen, Dossier, ReceptionDraft, mark_done, refuse, request_supplement
from app.core.dossier_code import format_code
from app.core.dossier_codec import dossier_to_dict
from app.core.reception import build_dossier, checklist, statutory_of
from app.core.vn_holidays import vn_calendar
from app.store.users import UserStore

TODAY = date(2026, 11, 23)  # a Monday: ManualClock's default day
NOW = time(10, 40)  # this morning, when the screenshots are taken
CLERKS = {"lan": "Nguyễn Thị Lan", "minh": "Trần Văn Minh", "hoa": "Lê Thị Hoa", "tuan": "Phạm Anh Tuấn"}
PIN = "482913"
GROUP_WEIGHTS = {"HT": 5, "CT": 6, "DD": 2, "KD": 1, "BTXH": 1, "NCC": 1}
HISTORY_DAYS = 10  # working days before today
UNIT = "000.00.12.H48"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def _rate(minute_of_day: int) -> float:
    """Arrivals per minute: a morning peak about 8:45, a smaller one mid-afternoon, nobody at lunch."""
    hour = minute_of_day / 60
    if 11.5 <= hour < 13.5 or hour < 7.5 or hour >= 16.75:
        return 0.0
    if hour < 11.5:
        return 0.3 + 0.55 * max(0.0, 1 - abs(hour - 8.75) / 1.4)
    return 0.2 + 0.3 * max(0.0, 1 - abs(hour - 14.75) / 1.2)


class _Hall:
    def __init__(self, fake: FakeQueueClient, clock: ManualClock, rng: random.Random) -> None:
        self.fake, self.clock, self.rng = fake, clock, rng
        self.busy_until: dict[int, datetime] = {}
        self.absent: dict[int, int] = {}  # counter → recalls left before the no-show
        self.walking: set[int] = set()  # counters whose citizen was called and walks up
        self.clerk_of = dict(zip((1, 2, 3, 4), CLERKS, strict=True))
        self.served: list[tuple[int, int, str]] = []  # (ticket id, counter, clerk) of finished visits

    def arrive(self) -> None:
        groups = list(GROUP_WEIGHTS)
        group = self.rng.choices(groups, [GROUP_WEIGHTS[g] for g in groups])[0]
        priority = "elderly" if self.rng.random() < 0.08 else None
        with contextlib.suppress(ServiceError):  # a group outside its hours or at its cap: come back another day
            self.fake.issue(group, priority)

    def step(self, counters: dict[int, time]) -> None:
        """One minute at the counters; each stops calling new citizens at its time in `counters`."""
        now = self.clock.now()
        local = now.astimezone(LOCAL_TZ).time()
        waiting = sum(int(g["waiting"]) for g in self.fake.store.groups())  # a read: idle counters ask nothing
        for counter, stop in counters.items():
            if counter in self.absent:
                self.absent[counter] -= 1
                self.fake.recall(counter)  # the last recall past the limit marks the no-show
                if self.absent[counter] < 0:
                    del self.absent[counter]
                continue
            if counter in self.walking:  # the citizen called last minute reaches the counter
                self.walking.discard(counter)
                self.fake.start(counter)
                minutes = max(1.5, self.rng.lognormvariate(1.7, 0.45))
                self.busy_until[counter] = now + timedelta(minutes=minutes)
                continue
            until = self.busy_until.get(counter)
            if until is not None and now < until:
                continue
            if until is not None:
                finished = self.fake.finish(counter)
                self.served.append((int(finished["id"]), counter, self.clerk_of[counter]))
                del self.busy_until[counter]
            if local >= stop or waiting == 0:
                continue
            called = self.fake.call_next(counter, clerk=self.clerk_of[counter])
            if called is None:
                continue
            waiting -= 1
            if self.rng.random() < 0.06:
                self.absent[counter] = 2  # two recalls, then the third marks the no-show
                continue
            self.walking.add(counter)

    def run_day(self, day: date, until: time, counters: dict[int, time], load: float = 1.0) -> None:
        self.busy_until.clear()
        self.absent.clear()
        self.walking.clear()
        minute = 7 * 60 + 25
        end = until.hour * 60 + until.minute
        while minute < end:
            self.clock.current = at(day, minute // 60, minute % 60)
            arrivals = sum(1 for _ in range(3) if self.rng.random() < load * _rate(minute) / 3)
            for _ in range(arrivals):
                self.arrive()
            hour = minute / 60
            if 7.5 <= hour < 11.5 or 13.5 <= hour < 17.25:
                self.step(counters)
            minute += 1


def _add_users(fake: FakeQueueClient) -> None:
    users = UserStore(fake.store.writer, fake.store.clock)
    for username, name in CLERKS.items():
        users.create(username, name, "clerk", PIN)


def _dossier(n: int, day: date, rng: random.Random, received: datetime) -> Dossier:
    catalog = starting_catalog()
    procedure = rng.choice([p for p in catalog.procedures if statutory_of(p) is not None][:40])
    who = Citizen(f"0341860{n:05d}", f"Công Dân Mẫu {n}", date(1980 + n % 30, 3, 5), "Nữ" if n % 2 else "Nam",
                  "Thôn Đông")  # fmt: skip
    channel = Channel.ONLINE if n % 5 == 0 else Channel.DIRECT
    draft = ReceptionDraft(procedure.code, who, tuple(c for c in checklist(procedure) if c.required),
                           statutory_of(procedure), channel=channel)  # fmt: skip
    return build_dossier(draft, procedure, code=format_code(UNIT, day, n), at=received, clerk="lan",
                         counter=1 + n % 4, calendar=vn_calendar())  # fmt: skip


def _add_dossiers(fake: FakeQueueClient, days: list[date], rng: random.Random) -> None:
    n = 0
    for day in days:
        for _ in range(rng.randint(3, 6) if day != TODAY else 4):
            n += 1
            received = at(day, rng.randint(8, 9), rng.randint(0, 59))
            d = _dossier(n, day, rng, received)
            later = received + timedelta(days=rng.randint(1, 5), hours=2)
            now = at(TODAY, NOW.hour, NOW.minute)
            roll = rng.random()
            if day == TODAY:
                if n % 4 == 0:  # due today: a same-day appointment still open
                    d = replace(d, due_at=at(TODAY, 16, 30))
            elif roll < 0.55 and later < now:
                d = mark_done(d, at=later, clerk="minh")
            elif roll < 0.62:
                d = refuse(d, at=received + timedelta(minutes=30), clerk="minh", reason="Không thuộc thẩm quyền")
            elif roll < 0.7:
                d = request_supplement(d, at=received + timedelta(hours=3), clerk="lan", items=("Tờ khai",), reason="")
            elif roll < 0.8:
                d = replace(d, due_at=at(TODAY, 16, 30))  # due this afternoon
            fake.mirror.put(dossier_to_dict(d))


def _add_ratings(fake: FakeQueueClient, served: list[tuple[int, int, str]], rng: random.Random) -> None:
    """Ratings of some finished visits, when the store keeps ratings (the rating screen's table)."""

    def job(tx: object) -> None:
        conn: sqlite3.Connection = tx.conn  # type: ignore[attr-defined]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "ratings" not in tables:
            return
        columns = {r[1] for r in conn.execute("PRAGMA table_info(ratings)")}
        wanted = ("ticket_id", "counter", "clerk", "dossier_code", "level", "reason", "at")
        if not set(wanted) <= columns:
            return
        for ticket_id, counter, clerk in served:
            if rng.random() < 0.4:
                level = rng.choices((1, 2, 3), (1, 5, 8))[0]
                reason = "Chờ lâu" if level == 1 else None
                issued = fake.store.ticket(ticket_id)["issued_at"]
                moment = datetime.fromisoformat(issued) + timedelta(minutes=25)
                conn.execute(f"INSERT INTO ratings ({', '.join(wanted)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (ticket_id, counter, clerk, None, level, reason, to_iso(moment)))  # fmt: skip

    fake.store.writer.run(job)


DIRECTOR = "giamdoc (Trần Văn Giám)"


def _director_settings(fake: FakeQueueClient) -> None:
    """Two days of the holiday override table (a day off in lieu, a make-up Saturday) and a priority category
    renamed, as a director saves them (in the audit)."""
    from app.store.settings_store import SettingsStore

    off = TODAY + timedelta(days=11)  # Friday 4 December
    saturday = off + timedelta(days=8)
    SettingsStore(fake.store).change({
        "priorities": {"elderly": {"name": "Người cao tuổi (từ 60 tuổi)"}},
        "calendar": {
            off.isoformat(): {"working": False, "source": "QĐ 125/QĐ-UBND", "effective": TODAY.isoformat(),
                              "note": "nghỉ bù cho ngày làm việc thứ Bảy"},
            saturday.isoformat(): {"working": True, "source": "QĐ 125/QĐ-UBND", "effective": TODAY.isoformat(),
                                   "note": "làm bù"},
        },
    }, DIRECTOR)  # fmt: skip


def working_days_before(day: date, count: int) -> list[date]:
    found: list[date] = []
    cursor = day
    while len(found) < count:
        cursor -= timedelta(days=1)
        if cursor.weekday() < 5:
            found.append(cursor)
    return sorted(found)


def dashboard_demo(*, history_days: int = HISTORY_DAYS, seed: int = 7) -> FakeQueueClient:
    """The fake centre at 10:40 this morning, with `history_days` working days behind it (role admin)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    days = working_days_before(TODAY, history_days)
    clock = ManualClock(at(days[0] if days else TODAY, 7, 0))
    fake = FakeQueueClient(clock=clock)
    fake.store.rename_centre("xã Đông Hưng", "Trung tâm Phục vụ hành chính công xã Đông Hưng")  # the screens' sample
    _add_users(fake)
    hall = _Hall(fake, clock, rng)
    full_day = dict.fromkeys((1, 2, 3, 4), time(16, 50))
    for day in days:
        hall.run_day(day, time(17, 15), full_day)
    if days:  # the director's own corrections, made at the end of the last working day
        _director_settings(fake)
    hall.run_day(TODAY, NOW, {1: NOW, 2: NOW, 3: time(10, 15)}, load=0.75)  # counter 4 stays closed today
    clock.current = at(TODAY, NOW.hour, NOW.minute)
    fake.pause(3, "break")
    for _ in range(3):  # a few more at the moment of the picture
        hall.arrive()
    _add_dossiers(fake, [*days, TODAY], rng)
    _add_ratings(fake, hall.served, rng)
    seed_demo_devices(fake)  # the Thiết bị tab's paired PCs
    return fake


__all__ = ["TODAY", "dashboard_demo", "working_days_before"]
