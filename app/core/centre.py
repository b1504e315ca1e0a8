"""How a centre is set up: service groups, counters and the groups each serves."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field, replace
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
class RetiredGroup:
    """A service group the director removed, remembered so that reports over days it issued tickets still name it
    (its tickets keep the code). Written in the same change that removes the group; dropped when a group with the
    same code is added again (app/core/centre_settings.py)."""

    code: str
    name: str
    prefix: str
    fields: tuple[str, ...] = ()  # the II.06a field names fall back on group names when the catalogue is unreadable


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
    commune: str = ""  # "xã Đông Hưng", "phường Ba Đình" (commune_name); "" in a folder never given one
    retired_groups: tuple[RetiredGroup, ...] = ()  # removed groups, by code: never a code of `groups`

    def group(self, code: str) -> ServiceGroup | None:
        return next((g for g in self.groups if g.code == code), None)

    def group_names(self) -> dict[str, str]:
        """Group code → name for whatever a report lists by group: the current groups' names first, then the names
        removed groups had when they went. A code reused for another group (removed, then added again under the
        same code) is named as the group now holding it, for every period, past days included: tickets record the
        code only, and the director re-added it knowing the old one was gone."""
        return {**{r.code: r.name for r in self.retired_groups}, **{g.code: g.name for g in self.groups}}

    def group_name(self, code: str) -> str:
        """The group's name by `group_names`; the bare code for one never known here."""
        return self.group_names().get(code, code)

    def counter(self, counter_id: int) -> CounterConfig | None:
        return next((c for c in self.counters if c.id == counter_id), None)

    def priority(self, code: str) -> PriorityCategory | None:
        return next((p for p in self.priority_categories if p.code == code), None)

    def counters_serving(self, group_code: str) -> list[CounterConfig]:
        return [c for c in self.counters if group_code in c.groups]


# The hall board's scrolling line until the director sets one.
DEFAULT_NOTICE = "Trung tâm làm việc từ thứ Hai đến thứ Sáu, sáng 7:00–11:30, chiều 13:30–17:00."

LETTERS = "ABCDEFGHKLMNPQRSTUVXY"  # skip letters easily misread aloud or on a ticket (I, J, O, W, Z)


def default_centre(catalog: Catalog, *, counters: int = 4, commune: str = "", fields: Collection[str] = (),
                   unit_code: str = "000.00.00.X00") -> Centre:  # fmt: skip
    """One group per catalogue field (only `fields` when given: the first-run wizard's choice), spread over
    `counters` counters, named after `commune` (commune_name).

    Every counter serves every group (so nobody waits for a closed counter), but each counter
    has its own home groups at level 1 and the rest at level 2.
    """
    chosen = [f for f in catalog.fields if not fields or f.code in fields] or list(catalog.fields)
    groups = tuple(
        ServiceGroup(code=f.code, name=f.name, prefix=LETTERS[i % len(LETTERS)], fields=(f.code,))
        for i, f in enumerate(chosen)
    )
    counter_list = []
    for n in range(1, counters + 1):
        levels = {g.code: (1 if i % counters == n - 1 else 2) for i, g in enumerate(groups)}
        counter_list.append(CounterConfig(id=n, name=f"Quầy {n}", groups=levels))
    unit = commune_name(commune) if commune.strip() else ""
    return Centre(
        name=centre_name_for(unit) if unit else UNNAMED_CENTRE,
        unit_code=unit_code,
        groups=groups,
        counters=tuple(counter_list),
        priority_categories=catalog.priority_categories,
        commune=unit,
    )


# --- the centre's name -------------------------------------------------------------------------------------

CENTRE_NAME_STEM = "Trung tâm Phục vụ hành chính công"
UNNAMED_CENTRE = f"{CENTRE_NAME_STEM} xã"  # what folders seeded before the commune was asked for are called
COMMUNE_KINDS = ("xã", "phường", "đặc khu", "thị trấn")  # the level-2 units (since 7/2025: xã, phường, đặc khu)
_PASTED_PREFIXES = (CENTRE_NAME_STEM, "Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND")


def commune_name(text: str) -> str:
    """The commune as an officer may type it, in one spelling: "Đông Hưng", "xã Đông Hưng", "Xã  đông hưng" and
    "UBND xã Đông Hưng" all give "xã Đông Hưng"; "phường Ba Đình" (or "đặc khu Côn Đảo") keeps its kind. A name
    typed all in lower or upper case gets a capital on each syllable, as place names are written; otherwise its
    case stays ("Cư M'gar"). ValueError (in Vietnamese) when no name is left."""
    words = unicodedata.normalize("NFC", text).split()
    for prefix in _PASTED_PREFIXES:  # a full name pasted in: keep the commune part
        stem = prefix.split()
        if [w.casefold() for w in words[: len(stem)]] == [w.casefold() for w in stem]:
            words = words[len(stem) :]
    kind = "xã"
    for candidate in COMMUNE_KINDS:
        parts = candidate.split()
        if [w.casefold() for w in words[: len(parts)]] == parts:
            kind, words = candidate, words[len(parts) :]
            break
    name = " ".join(words).strip(" ,.;")
    if not name:
        raise ValueError('Chưa có tên xã/phường. Ví dụ: "Đông Hưng" hoặc "phường Ba Đình".')
    if name == name.lower() or name == name.upper():
        name = " ".join(w[:1].upper() + w[1:].lower() for w in name.split())
    return f"{kind} {name}"


def centre_name_for(commune: str) -> str:
    """ "xã Đông Hưng" → "Trung tâm Phục vụ hành chính công xã Đông Hưng"."""
    return f"{CENTRE_NAME_STEM} {commune}"


def place_of(commune: str) -> str:
    """The commune without its kind, as the date line of a form says it: "xã Đông Hưng" → "Đông Hưng"."""
    for kind in COMMUNE_KINDS:
        if commune.startswith(kind + " "):
            return commune[len(kind) + 1 :]
    return commune


def split_centre_name(name: str) -> tuple[str, str]:
    """(the stem, the commune part) of a standard name, for a header on two lines; (name, "") for any other."""
    if name.startswith(CENTRE_NAME_STEM + " ") and name != UNNAMED_CENTRE:
        return CENTRE_NAME_STEM, name[len(CENTRE_NAME_STEM) + 1 :]
    return name, ""


def full_name(text: str) -> str:
    """A centre's own full name (`serve --centre-name`), its spaces tidied; ValueError (in Vietnamese) when blank."""
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name:
        raise ValueError("Tên trung tâm (--centre-name) đang để trống.")
    return name


def renamed(centre: Centre, commune: str | None = None, name: str | None = None) -> Centre:
    """The centre as `serve --commune … [--centre-name …]` names it; None keeps what it has. A new commune gives
    the standard name unless `name` (a full name of the centre's own) is given; the same commune keeps a name
    given earlier. ValueError (in Vietnamese) for a blank one."""
    unit = commune_name(commune) if commune is not None else centre.commune
    if name is not None:
        full = full_name(name)
    elif unit and (unit != centre.commune or centre.name == UNNAMED_CENTRE):
        full = centre_name_for(unit)
    else:
        full = centre.name
    return replace(centre, commune=unit, name=full)
