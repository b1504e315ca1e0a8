"""How a centre is set up: service groups, counters and the groups each serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from app.core.catalog import Catalog, PriorityCategory


@dataclass(frozen=True)
class IssueWindow:
    """Tickets for a group are issued from `start` (inclusive) to `end` (exclusive), local time."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class ServiceGroup:
    code: str
    name: str
    prefix: str  # letter(s) printed before the number, e.g. "A"
    fields: tuple[str, ...] = ()
    number_start: int = 1  # numbers start at 1: a peer starting at 101 confused citizens
    number_end: int = 999
    daily_cap: int | None = None
    windows: tuple[IssueWindow, ...] = ()  # empty: open whenever the centre is
    default_service_s: float = 300.0  # used for wait estimates before any history exists

    def display_number(self, number: int) -> str:
        width = max(3, len(str(self.number_end)))
        return f"{self.prefix}{number:0{width}d}"


@dataclass(frozen=True)
class CounterConfig:
    id: int
    name: str
    groups: dict[str, int] = field(default_factory=dict)  # group code → level, 1 served first


@dataclass(frozen=True)
class QueuePolicy:
    call_count_max: int = 3  # calls (first + recalls) before the ticket becomes a no-show
    fairness_cap: int = 3  # priority tickets called in a row before a waiting normal one goes
    wait_target_s: float = 30 * 60  # KPI: share of citizens who waited longer than this


@dataclass(frozen=True)
class Centre:
    name: str
    unit_code: str
    groups: tuple[ServiceGroup, ...]
    counters: tuple[CounterConfig, ...]
    priority_categories: tuple[PriorityCategory, ...]
    policy: QueuePolicy = QueuePolicy()

    def group(self, code: str) -> ServiceGroup | None:
        return next((g for g in self.groups if g.code == code), None)

    def counter(self, counter_id: int) -> CounterConfig | None:
        return next((c for c in self.counters if c.id == counter_id), None)

    def priority(self, code: str) -> PriorityCategory | None:
        return next((p for p in self.priority_categories if p.code == code), None)

    def counters_serving(self, group_code: str) -> list[CounterConfig]:
        return [c for c in self.counters if group_code in c.groups]


# The hall board's scrolling line until the director sets one.
DEFAULT_NOTICE = "Trung tâm làm việc từ thứ Hai đến thứ Sáu, sáng 7:00–11:30, chiều 13:30–17:00."

_LETTERS = "ABCDEFGHKLMNPQRSTUVXY"  # skip letters easily misread aloud or on a ticket (I, J, O, W, Z)


def default_centre(catalog: Catalog, *, counters: int = 4) -> Centre:
    """One group per catalogue field, spread over `counters` counters.

    Every counter serves every group (so nobody waits for a closed counter), but each counter
    has its own home groups at level 1 and the rest at level 2.
    """
    groups = tuple(
        ServiceGroup(code=f.code, name=f.name, prefix=_LETTERS[i % len(_LETTERS)], fields=(f.code,))
        for i, f in enumerate(catalog.fields)
    )
    counter_list = []
    for n in range(1, counters + 1):
        levels = {g.code: (1 if i % counters == n - 1 else 2) for i, g in enumerate(groups)}
        counter_list.append(CounterConfig(id=n, name=f"Quầy {n}", groups=levels))
    return Centre(
        name="Trung tâm Phục vụ hành chính công xã",
        unit_code="000.00.00.X00",
        groups=groups,
        counters=tuple(counter_list),
        priority_categories=catalog.priority_categories,
    )
