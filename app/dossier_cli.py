"""Commands over a counter's dossier folder: `tracking-book` (Mẫu 07 as XLSX), `dossier-load` (synthetic
dossiers through the same domain code the screens use) and `calendar` (the director's day overrides)."""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from app.core.catalog import Catalog, Procedure
from app.core.citizen_id import PROVINCE_CODES
from app.core.clock import LOCAL_TZ, ManualClock
from app.core.dossier import Citizen, Dossier, ReceptionDraft, Status, Statutory
from app.core.errors import DomainError
from app.core.reception import build_dossier, check_draft, checklist, default_fees, statutory_of
from app.core.workcalendar import DayOverride

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
MIDDLE_F = ("Thị", "Ngọc", "Thị Ánh", "Thuỳ", "Mỹ", "Hồng")
MIDDLE_M = ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Xuân")
# every tone: ngang, huyền, sắc, hỏi, ngã, nặng
GIVEN_F = ("Lan", "Hoà", "Tuyết", "Thảo", "Ngã", "Ngọc", "Hương", "Quỳnh", "Yến", "Nhụy", "Diễm", "Ly")
GIVEN_M = ("An", "Bình", "Phúc", "Hải", "Dũng", "Thịnh", "Cường", "Khải", "Vỹ", "Đạt", "Tùng", "Sơn")
VILLAGES = ("Thôn Phú Xuân", "Thôn Đông Thượng", "Xóm Bãi", "Thôn Hạ Lũng", "Tổ dân phố Quyết Tiến", "Ấp Mỹ Hoà")
COMMUNES = ("xã Đông Hưng", "xã Tiền Hải", "phường Kỳ Bá", "xã Vũ Thư", "xã Quỳnh Phụ")


def _fail(message: str) -> int:
    print(f"Lỗi: {message}", file=sys.stderr)
    return 2


# --- tracking book ------------------------------------------------------------------------------------


def run_tracking_book(data: Path, first: date, last: date, out: Path, centre: str) -> int:
    from app.reports.tracking_book import TrackingRow, write_tracking_book
    from app.store.dossier_store import DossierStore

    if last < first:
        return _fail("ngày kết thúc (--to) trước ngày bắt đầu (--from).")
    if not (data / "dossiers.db").exists():
        return _fail(f"không có dữ liệu hồ sơ trong {data} (cần thư mục --data của phần mềm quầy).")
    store = DossierStore(data, ManualClock())
    try:
        dossiers = store.between(first, last)
    finally:
        store.close()
    rows = [
        TrackingRow(
            dossier_code=d.code,
            received_at=d.received_at,
            procedure_name=d.procedure_name,
            sets=d.sets,
            citizen_name=d.citizen.name,
            address=d.citizen.address,
            phone=d.citizen.phone,
            appointment_at=d.due_at,
            returned_at=d.returned_at,
            clerk_name=d.clerk,
            status=d.status_name,
            note=_book_note(d),
        )
        for d in dossiers
    ]
    try:
        written = write_tracking_book(rows, out, centre=centre, date_from=first, date_to=last)
    except OSError as exc:
        return _fail(f"không ghi được {out}: {exc.strerror or exc}.")
    print(f"Đã ghi sổ theo dõi hồ sơ ({written} hồ sơ, {first:%d/%m/%Y}–{last:%d/%m/%Y}) vào {out}.")
    return 0


def _book_note(d: Dossier) -> str:
    notes = []
    if d.outside_area:
        notes.append("Phi địa giới")
    if d.status == Status.REFUSED and d.steps:
        notes.append(f"Lý do từ chối: {d.steps[-1].detail}")
    if d.pauses:
        notes.append(f"Yêu cầu bổ sung {len(d.pauses)} lần")
    if d.note:
        notes.append(d.note)
    return "; ".join(notes)


# --- synthetic dossiers --------------------------------------------------------------------------------


def synthetic_citizen(rng: random.Random, today: date) -> Citizen:
    female = rng.random() < 0.5
    born = date(rng.randint(1940, 2007), rng.randint(1, 12), rng.randint(1, 28))
    century = (born.year // 100 - 19) * 2 + (1 if female else 0)
    number = f"{rng.choice(sorted(PROVINCE_CODES))}{century}{born.year % 100:02d}{rng.randint(0, 999_999):06d}"
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    name = f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"
    address = f"{rng.choice(VILLAGES)}, {rng.choice(COMMUNES)}, tỉnh Hưng Yên"
    phone = f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.7 else ""
    return Citizen(number, name, born, "Nữ" if female else "Nam", address, phone)


def synthetic_draft(rng: random.Random, procedure: Procedure, today: date) -> ReceptionDraft:
    statutory = statutory_of(procedure) or Statutory(float(rng.choice((3, 5, 7, 10))), "working_days")
    return ReceptionDraft(
        procedure_code=procedure.code,
        citizen=synthetic_citizen(rng, today),
        components=tuple(c for c in checklist(procedure)),
        statutory=statutory,
        fees=default_fees(procedure),
        outside_area=rng.random() < 0.08,
        sets=1,
    )


def load_dossiers(data: Path, count: int, *, seed: int, counter: int, unit_code: str, catalog: Catalog,
                  start: datetime | None = None) -> list[Dossier]:  # fmt: skip
    """`count` dossiers received one after another in working hours, from `start` (default: 30 days ago)."""
    from app.core.vn_holidays import vn_calendar
    from app.store.dossier_store import DossierStore

    rng = random.Random(seed)  # noqa: S311 - made-up test data, reproducible by seed
    begin = start or datetime.combine(date.today() - timedelta(days=30), time(7, 30), LOCAL_TZ)
    clock = ManualClock(begin.astimezone(UTC))
    store = DossierStore(data, clock)
    made: list[Dossier] = []
    try:
        calendar = vn_calendar(store.overrides())
        for _ in range(count):
            _next_working_moment(clock, rng, calendar)
            procedure = rng.choice(catalog.procedures)
            draft = synthetic_draft(rng, procedure, clock.now().astimezone(LOCAL_TZ).date())
            checked = check_draft(draft, catalog, clock.now().astimezone(LOCAL_TZ).date())

            def build(code: str, at: datetime, draft: ReceptionDraft = draft, checked: Procedure = checked) -> Dossier:
                return build_dossier(draft, checked, code=code, at=at, clerk="dulieu.mau", counter=counter,
                                     calendar=calendar)  # fmt: skip

            made.append(store.receive(unit_code, counter, build))
    finally:
        store.close()
    return made


def _next_working_moment(clock: ManualClock, rng: random.Random, calendar: object) -> None:
    from app.core.workcalendar import WorkCalendar

    assert isinstance(calendar, WorkCalendar)
    clock.advance(rng.randint(3, 25) * 60)
    local = clock.now().astimezone(LOCAL_TZ)
    if local.time() >= time(16, 45) or not calendar.is_working_day(local.date()):
        day = calendar.next_working_day(local.date())
        clock.current = datetime.combine(day, time(7, rng.randint(5, 40)), LOCAL_TZ).astimezone(UTC)
    elif time(11, 20) <= local.time() < time(13, 30):
        clock.current = local.replace(hour=13, minute=rng.randint(30, 50)).astimezone(UTC)


def run_dossier_load(data: Path, count: int, seed: int, counter: int, unit_code: str) -> int:
    from app.paths import default_catalog_path
    from app.store.catalog_file import load_catalog_file

    if count < 1:
        return _fail("--count phải từ 1 trở lên.")
    try:
        made = load_dossiers(data, count, seed=seed, counter=counter, unit_code=unit_code,
                             catalog=load_catalog_file(default_catalog_path()))  # fmt: skip
    except DomainError as exc:
        return _fail(exc.message)
    outside = sum(1 for d in made if d.outside_area)
    print(f"Đã tạo {len(made)} hồ sơ mẫu ({outside} phi địa giới) trong {data}: {made[0].code} … {made[-1].code}.")
    return 0


# --- calendar overrides --------------------------------------------------------------------------------


def run_calendar(data: Path, action: str, day: date | None, working: bool, source: str, effective: date | None,
                 note: str) -> int:  # fmt: skip
    from app.store.dossier_store import DossierStore

    store = DossierStore(data, ManualClock(datetime.now(UTC)))
    try:
        if action == "list":
            overrides = store.overrides()
            if not overrides:
                print("Chưa có ngày điều chỉnh nào: dùng lịch nghỉ lễ mặc định.")
            for o in overrides:
                kind = "làm việc" if o.working else "nghỉ"
                print(f"{o.day:%d/%m/%Y}  {kind:9}  theo {o.source} (hiệu lực {o.effective:%d/%m/%Y})  {o.note}")
            return 0
        if day is None:
            return _fail("cần --day YYYY-MM-DD.")
        if action == "remove":
            removed = store.remove_override(day)
            print(f"Đã bỏ điều chỉnh ngày {day:%d/%m/%Y}." if removed else f"Ngày {day:%d/%m/%Y} không có điều chỉnh.")
            return 0
        try:
            override = DayOverride(day, working, source, effective or day, note)
        except ValueError as exc:
            return _fail(str(exc))
        store.set_override(override)
        print(f"Đã ghi ngày {day:%d/%m/%Y} là ngày {'làm việc' if working else 'nghỉ'} (theo {source}).")
        return 0
    finally:
        store.close()
