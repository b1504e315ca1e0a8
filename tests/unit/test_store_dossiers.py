"""The counter's dossier store on real SQLite files: saving, changing, numbering (online and offline), overrides."""

from __future__ import annotations

import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.core.catalog import Catalog, Procedure
from app.core.centre import default_centre
from app.core.clock import LOCAL_TZ, ManualClock
from app.core.dossier import Citizen, Dossier, ReceptionDraft, Status, mark_done, request_supplement
from app.core.dossier_code import CodeBlock, owner_of
from app.core.errors import Conflict, DomainError, NotFound
from app.core.reception import build_dossier, check_draft, checklist, statutory_of
from app.core.vn_holidays import vn_calendar
from app.core.workcalendar import DayOverride, WorkCalendar
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file
from app.store.code_blocks import reserve_block
from app.store.database import connect
from app.store.dossier_store import DossierStore
from app.store.queue_store import QueueStore

START = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # 08:00 on Tuesday 10/11/2026 in Hà Nội
DAY = date(2026, 11, 10)
UNIT = "000.00.12.H48"
ID = "034186012345"
NAME = "Nguyễn Thị Ánh Tuyết"
OTHER_ID = "001090123456"  # Hà Nội, male born 1990
MARITAL = "1.004873"  # 3 working days
BIRTH = "1.001193"  # same day


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog_file(default_catalog_path())


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return vn_calendar()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def open_store(tmp_path: Path, clock: ManualClock) -> Iterator[Callable[..., DossierStore]]:
    """Open (or reopen) a counter's store in its own folder; every store still open at the end is closed."""
    opened: list[DossierStore] = []

    def open_(name: str = "counter") -> DossierStore:
        store = DossierStore(tmp_path / name, clock)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        if store.writer._thread.is_alive():
            store.close()


def citizen(id_number: str = ID, name: str = NAME, born: date = date(1986, 3, 5), sex: str = "Nữ") -> Citizen:
    return Citizen(id_number, name, born, sex, "Thôn Đông, xã Vũ Thư, Thái Bình")


def builder(
    catalog: Catalog, cal: WorkCalendar, counter: int, who: Citizen | None = None, code: str = MARITAL
) -> Callable[[str, datetime], Dossier]:
    procedure: Procedure = next(p for p in catalog.procedures if p.code == code)
    draft = ReceptionDraft(
        procedure.code, who or citizen(), tuple(c for c in checklist(procedure) if c.required), statutory_of(procedure)
    )
    check_draft(draft, catalog, DAY)

    def build(code: str, at: datetime) -> Dossier:
        return build_dossier(draft, procedure, code=code, at=at, clerk="canbo1", counter=counter, calendar=cal)

    return build


def number_of(code: str) -> int:
    return int(code.rsplit("-", 1)[1])


def raw(store: DossierStore, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(store.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# --- saving and reading -------------------------------------------------------------------------------


def test_a_received_dossier_can_be_read_back(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    saved = store.receive(UNIT, 1, builder(catalog, cal, 1))
    assert saved.code == f"{UNIT}-261110-8001"
    assert saved.received_at == START
    assert saved.status is Status.RECEIVED
    assert store.get(saved.code) == saved
    assert store.get(f"  {saved.code.lower()} ") == saved  # typed or scanned in lower case
    assert store.count() == 1
    assert [d.code for d in store.recent()] == [saved.code]
    assert store.changes_after(0) == [(1, saved.code, 1, "created")]
    with pytest.raises(NotFound):
        store.get(f"{UNIT}-261110-8002")


def test_a_reopened_store_keeps_its_dossiers_and_numbering(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    first = store.receive(UNIT, 1, builder(catalog, cal, 1))
    store.close()
    again = open_store()
    assert again.get(first.code) == first
    second = again.receive(UNIT, 1, builder(catalog, cal, 1))
    assert number_of(second.code) == number_of(first.code) + 1


def test_the_database_is_private(
    open_store: Callable[..., DossierStore], tmp_path: Path, catalog: Catalog, cal: WorkCalendar
) -> None:
    folder = tmp_path / "counter"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    store = open_store()
    store.receive(UNIT, 1, builder(catalog, cal, 1))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.path.name == "dossiers.db"
    for side in ("dossiers.db-wal", "dossiers.db-shm"):
        if (folder / side).exists():
            assert stat.S_IMODE((folder / side).stat().st_mode) == 0o600, side


def test_settings_are_kept(open_store: Callable[..., DossierStore]) -> None:
    store = open_store()
    assert store.setting("unit_code", "chưa có") == "chưa có"
    store.set_setting("unit_code", UNIT)
    assert store.setting("unit_code") == UNIT


# --- changes ------------------------------------------------------------------------------------------


def supplement(d: Dossier, now: datetime) -> Dossier:
    return request_supplement(d, at=now, clerk="canbo1", items=("Bản sao quyết định ly hôn",), reason="")


def test_a_change_saves_the_next_revision_and_records_it(
    open_store: Callable[..., DossierStore], clock: ManualClock, catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    d = store.receive(UNIT, 1, builder(catalog, cal, 1))
    clock.advance(3600)
    after = store.change(d.code, "supplement", supplement)
    assert (after.revision, after.status) == (2, Status.SUPPLEMENT)
    assert store.get(d.code) == after
    assert raw(store, "SELECT revision, status FROM dossiers WHERE code=?", d.code) == [(2, 5)]
    assert [(c[1], c[2], c[3]) for c in store.changes_after(0)] == [(d.code, 1, "created"), (d.code, 2, "supplement")]
    first_id = store.changes_after(0)[0][0]
    assert [c[2] for c in store.changes_after(first_id)] == [2]


def test_a_change_that_fails_leaves_the_dossier_and_the_outbox_untouched(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    d = store.receive(UNIT, 1, builder(catalog, cal, 1))
    before_changes = store.changes_after(0)

    def refuse_without_reason(dossier: Dossier, now: datetime) -> Dossier:
        raise DomainError("Phải ghi rõ lý do từ chối.", code="reason_required")

    with pytest.raises(DomainError) as caught:
        store.change(d.code, "refuse", refuse_without_reason)
    assert caught.value.code == "reason_required"

    with pytest.raises(Conflict):  # a change that forgets to bump the revision is refused
        store.change(d.code, "note", lambda dossier, now: replace(dossier, note="sửa lén"))
    with pytest.raises(Conflict):  # a change that skips a revision too
        store.change(d.code, "note", lambda dossier, now: replace(dossier, revision=dossier.revision + 2))
    with pytest.raises(NotFound):
        store.change(f"{UNIT}-261110-9999", "supplement", supplement)

    assert store.get(d.code) == d
    assert raw(store, "SELECT revision, status FROM dossiers") == [(1, 2)]
    assert store.changes_after(0) == before_changes


def test_the_dossier_row_and_its_changes_row_commit_together(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    """When the outbox row cannot be written, the dossier update is rolled back with it."""
    store = open_store()
    d = store.receive(UNIT, 1, builder(catalog, cal, 1))
    conn = connect(store.path)
    try:  # a stray outbox row for revision 2 makes the change's own INSERT fail its UNIQUE (code, revision)
        conn.execute("INSERT INTO changes (code, revision, kind, at) VALUES (?, 2, 'stray', 'x')", (d.code,))
    finally:
        conn.close()
    with pytest.raises(sqlite3.IntegrityError):
        store.change(d.code, "supplement", supplement)
    assert raw(store, "SELECT revision, status FROM dossiers WHERE code=?", d.code) == [(1, 2)]
    assert store.get(d.code) == d
    assert [c[3] for c in store.changes_after(0)] == ["created", "stray"]
    # once the stray row is gone the same change goes through: nothing half-written was left behind
    raw_delete = connect(store.path)
    try:
        raw_delete.execute("DELETE FROM changes WHERE kind='stray'")
    finally:
        raw_delete.close()
    done = store.change(d.code, "done", lambda x, now: mark_done(x, at=now, clerk="a"))
    assert (done.revision, done.status) == (2, Status.DONE)
    assert [(c[2], c[3]) for c in store.changes_after(0)] == [(1, "created"), (2, "done")]


# --- numbers ------------------------------------------------------------------------------------------


def test_without_a_block_each_counter_uses_its_own_fallback(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    one, two = open_store("c1"), open_store("c2")
    assert [number_of(one.receive(UNIT, 1, builder(catalog, cal, 1)).code) for _ in range(3)] == [8001, 8002, 8003]
    assert [number_of(two.receive(UNIT, 2, builder(catalog, cal, 2)).code) for _ in range(2)] == [8101, 8102]
    assert one.numbers_left(DAY, "fallback") == 96
    assert one.numbers_left(DAY) == 0  # no centre block


def test_a_centre_block_is_used_first_then_the_fallback(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    block = CodeBlock(DAY, 1, 20, "centre")
    store.add_block(block)
    store.add_block(block)  # the same block twice (a retried request) is kept once
    assert store.numbers_left(DAY) == 20
    codes = [store.receive(UNIT, 1, builder(catalog, cal, 1)).code for _ in range(21)]
    assert codes[0] == f"{UNIT}-261110-0001"
    assert [number_of(c) for c in codes] == [*range(1, 21), 8001]
    assert store.numbers_left(DAY) == 0
    # a block of another day is not used today
    store.add_block(CodeBlock(date(2026, 11, 11), 1, 20, "centre"))
    assert number_of(store.receive(UNIT, 1, builder(catalog, cal, 1)).code) == 8002
    assert store.numbers_left(date(2026, 11, 11)) == 20


def test_a_new_block_is_used_before_what_is_left_of_the_fallback(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    assert number_of(store.receive(UNIT, 3, builder(catalog, cal, 3)).code) == 8201
    store.add_block(CodeBlock(DAY, 41, 60, "centre"))  # the LAN came back
    assert number_of(store.receive(UNIT, 3, builder(catalog, cal, 3)).code) == 41


def test_past_its_99_fallback_numbers_a_counter_continues_in_its_overflow_range(
    open_store: Callable[..., DossierStore], catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    build = builder(catalog, cal, 2)
    numbers = [number_of(store.receive(UNIT, 2, build).code) for _ in range(101)]
    assert numbers[:99] == list(range(8101, 8200))
    assert numbers[99:] == [12001, 12002]
    assert store.get(f"{UNIT}-261110-12001").counter == 2
    assert {owner_of(n) for n in numbers} == {"counter 2"}


def test_a_new_day_starts_the_fallback_again(
    open_store: Callable[..., DossierStore], clock: ManualClock, catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    store.receive(UNIT, 1, builder(catalog, cal, 1))
    clock.advance(24 * 3600)
    d = store.receive(UNIT, 1, builder(catalog, cal, 1))
    assert d.code == f"{UNIT}-261111-8001"


def test_four_offline_counters_never_share_a_number(
    open_store: Callable[..., DossierStore], tmp_path: Path, clock: ManualClock, catalog: Catalog, cal: WorkCalendar
) -> None:
    # Counters 1 and 2 were online long enough to get one block each from the centre service.
    centre = QueueStore(tmp_path / "centre" / "q.db", clock, lambda: default_centre(catalog))
    try:
        blocks = {1: reserve_block(centre.writer, DAY), 2: reserve_block(centre.writer, DAY)}
    finally:
        centre.close()
    assert (blocks[1].first, blocks[1].last, blocks[2].first, blocks[2].last) == (1, 20, 21, 40)
    stores = {n: open_store(f"counter{n}") for n in (1, 2, 3, 4)}
    for n, block in blocks.items():
        stores[n].add_block(block)

    # Then the LAN went down: each counter receives 150 dossiers on its own, all at once.
    codes: dict[int, list[str]] = {n: [] for n in stores}
    failures: list[BaseException] = []

    def work(n: int) -> None:
        build = builder(catalog, cal, n)
        try:
            for _ in range(150):
                codes[n].append(stores[n].receive(UNIT, n, build).code)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads)
    assert failures == []

    everything = [c for n in stores for c in codes[n]]
    assert len(everything) == 600
    assert len(set(everything)) == 600
    for n, mine in codes.items():
        numbers = [number_of(c) for c in mine]
        for number in numbers:
            owner = owner_of(number)
            if owner == "centre":
                assert n in blocks
                assert blocks[n].first <= number <= blocks[n].last
            else:
                assert owner == f"counter {n}", (n, number)
        centre_used = 20 if n in blocks else 0
        assert sum(owner_of(x) == "centre" for x in numbers) == centre_used
        assert sum(8000 < x < 10000 for x in numbers) == 99  # the whole fallback, then overflow
        assert sum(x > 10000 for x in numbers) == 150 - 99 - centre_used
        assert all(c.startswith(f"{UNIT}-261110-") for c in mine)
        assert stores[n].count() == 150
        assert len(stores[n].changes_after(0, limit=1000)) == 150


# --- overrides and returning citizens ------------------------------------------------------------------


def test_overrides_can_be_set_listed_and_removed(open_store: Callable[..., DossierStore]) -> None:
    store = open_store()
    assert store.overrides() == []
    closure = DayOverride(date(2026, 11, 12), False, "QĐ 12/QĐ-UBND", date(2026, 11, 1), "Bão số 9")
    swap = DayOverride(date(2026, 11, 14), True, "TB 9441/TB-BNV", date(2026, 10, 1))
    store.set_override(swap)
    store.set_override(closure)
    assert store.overrides() == [closure, swap]  # ordered by day
    changed = replace(closure, note="Bão số 9 (gia hạn)")
    store.set_override(changed)  # the same day again replaces it
    assert store.overrides() == [changed, swap]
    assert store.remove_override(date(2026, 11, 14)) is True
    assert store.remove_override(date(2026, 11, 14)) is False
    assert store.overrides() == [changed]
    # a closure moves a dossier's appointment
    calendar = vn_calendar(store.overrides())
    assert not calendar.is_working_day(date(2026, 11, 12))


def test_a_returning_citizen_finds_their_dossiers(
    open_store: Callable[..., DossierStore], clock: ManualClock, catalog: Catalog, cal: WorkCalendar
) -> None:
    store = open_store()
    first = store.receive(UNIT, 1, builder(catalog, cal, 1))
    clock.advance(600)
    other = store.receive(
        UNIT, 1, builder(catalog, cal, 1, citizen(OTHER_ID, "Trần Văn Bình", date(1990, 1, 2), "Nam"))
    )
    clock.advance(7 * 24 * 3600)
    second = store.receive(UNIT, 1, builder(catalog, cal, 1, code=BIRTH))
    mine = store.of_citizen(ID)
    assert [d.code for d in mine] == [second.code, first.code]  # newest first
    assert mine[1] == first
    assert [d.code for d in store.of_citizen(OTHER_ID)] == [other.code]
    assert store.of_citizen("001099999999") == []
    assert [d.code for d in store.between(DAY, DAY)] == [first.code, other.code]
    assert [d.code for d in store.between(DAY, date(2026, 11, 30))] == [first.code, other.code, second.code]
    assert [d.code for d in store.recent(2)] == [second.code, other.code]
    assert second.code == f"{UNIT}-261117-8001"
    assert second.received_at.astimezone(LOCAL_TZ).date() == date(2026, 11, 17)
