"""Dossiers by the national periodic columns (Biểu số II.06a/VPCP/KSTT, gov_rules §7), per field and procedure.

For a period [start, as_of) each dossier received before `as_of` and not closed before `start` falls in exactly
one column of each group, from its recorded steps:

received   carried over (kỳ trước chuyển qua): received before `start`
           online (trực tuyến): received in the period through the portal (KenhThucHien 2)
           direct or post (trực tiếp, bưu chính): received in the period at a counter or by post (1, 3)
closed in the period, by the first step that closed it:
           done (đã giải quyết): a step to 9 đã xử lý xong or 10 đã trả kết quả, split by the local day it was
               done against the local day of the appointment (due_at): early = before that day, on time = that
               day, late = after it (no appointment recorded: on time)
           returned (trả lại): a step to 3 không được tiếp nhận / từ chối (Mẫu 03) or 8 dừng xử lý
           withdrawn (rút hồ sơ): a step to 7 công dân rút hồ sơ
in progress at `as_of` (đang giải quyết): not closed by then; overdue when its appointment is before `as_of`,
           within the deadline otherwise, and while a pause for a supplement runs (the clock stops).

So received = done + returned + withdrawn + in progress, on every row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Literal

from app.core.clock import LOCAL_TZ
from app.core.dossier import Channel, Dossier, Status

Received = Literal["carried", "online", "direct_post"]
Result = Literal["early", "on_time", "late", "returned", "withdrawn", "within", "overdue"]

_CLOSING: dict[Status, Literal["done", "returned", "withdrawn"]] = {
    Status.DONE: "done",
    Status.RETURNED: "done",
    Status.REFUSED: "returned",
    Status.STOPPED: "returned",
    Status.WITHDRAWN: "withdrawn",
}


@dataclass(frozen=True)
class Counts:
    carried: int = 0
    online: int = 0
    direct_post: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    within: int = 0
    overdue: int = 0
    returned: int = 0
    withdrawn: int = 0

    @property
    def received(self) -> int:
        return self.carried + self.online + self.direct_post

    @property
    def new(self) -> int:
        return self.online + self.direct_post

    @property
    def done(self) -> int:
        return self.early + self.on_time + self.late

    @property
    def in_progress(self) -> int:
        return self.within + self.overdue

    @property
    def on_time_share(self) -> float | None:
        """Done early or on time, over everything done (QĐ 766 "đúng hạn")."""
        return (self.early + self.on_time) / self.done if self.done else None

    def plus(self, received: Received, outcome: Result) -> Counts:
        return replace(self, **{received: getattr(self, received) + 1, outcome: getattr(self, outcome) + 1})

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class DossierRow:
    code: str  # field code, or procedure code
    name: str
    counts: Counts
    field_code: str = ""  # procedure rows: the field it belongs to


@dataclass(frozen=True)
class DossierSection:
    by_field: tuple[DossierRow, ...]
    by_procedure: tuple[DossierRow, ...]
    total: Counts


def closing(d: Dossier) -> tuple[Literal["done", "returned", "withdrawn"], datetime] | None:
    """How and when the dossier was closed: its first step into a closing status; None while it is open."""
    for step in d.steps:
        kind = _CLOSING.get(step.status)
        if kind is not None:
            return kind, step.at
    kind = _CLOSING.get(d.status)  # a record without steps (imported): its status and the best time known
    if kind is None:
        return None
    return kind, d.returned_at or d.received_at


def _paused_at(d: Dossier, moment: datetime) -> bool:
    return any(p.start <= moment and (p.end is None or p.end > moment) for p in d.pauses)


def classify(d: Dossier, start: datetime, as_of: datetime) -> tuple[Received, Result] | None:
    """The dossier's two columns for the period [start, as_of); None when it does not belong to the period."""
    if d.received_at >= as_of:
        return None
    closed = closing(d)
    if closed is not None and closed[1] < start:
        return None
    received: Received
    if d.received_at < start:
        received = "carried"
    elif d.channel == Channel.ONLINE:
        received = "online"
    else:
        received = "direct_post"
    if closed is not None and closed[1] < as_of:
        kind, at = closed
        if kind != "done":
            return received, kind
        if d.due_at is None:
            return received, "on_time"
        done_day, due_day = at.astimezone(LOCAL_TZ).date(), d.due_at.astimezone(LOCAL_TZ).date()
        return received, "early" if done_day < due_day else "on_time" if done_day == due_day else "late"
    if _paused_at(d, as_of) or d.due_at is None or d.due_at >= as_of:
        return received, "within"
    return received, "overdue"


def dossier_section(
    dossiers: Iterable[Dossier], start: datetime, as_of: datetime, field_names: Mapping[str, str]
) -> DossierSection:
    by_field: dict[str, Counts] = defaultdict(Counts)
    by_procedure: dict[str, Counts] = defaultdict(Counts)
    procedures: dict[str, tuple[str, str]] = {}  # code → (name, field)
    for d in dossiers:
        columns = classify(d, start, as_of)
        if columns is None:
            continue
        by_field[d.field_code] = by_field[d.field_code].plus(*columns)
        by_procedure[d.procedure_code] = by_procedure[d.procedure_code].plus(*columns)
        procedures.setdefault(d.procedure_code, (d.procedure_name, d.field_code))
    order = {code: i for i, code in enumerate(field_names)}

    def field_key(code: str) -> tuple[int, str]:
        return order.get(code, len(order)), code

    field_rows = tuple(
        DossierRow(code, field_names.get(code, code or "(chưa rõ lĩnh vực)"), by_field[code])
        for code in sorted(by_field, key=field_key)
    )
    procedure_rows = tuple(
        DossierRow(code, procedures[code][0], by_procedure[code], field_code=procedures[code][1])
        for code in sorted(by_procedure, key=lambda c: (*field_key(procedures[c][1]), c))
    )
    total = sum((r.counts for r in field_rows), Counts())
    return DossierSection(field_rows, procedure_rows, total)
