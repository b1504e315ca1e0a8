"""A service group's numbering and catalogue fields, and removing a group: the part of the director's settings
(app/core/centre_settings.py) that touches what citizens hold in their hands.

    {"groups": {"TP": {"prefix": "K", "number_range": [1, 500], "fields": ["TP", "CT"]}, "DD": null}}

The rule for today's tickets: a ticket keeps the number printed on it, and the hall must never show two tickets with
the same number. So
- the prefix letter changes only while the group has issued nothing today (the citizens waiting hold the old
  letter): otherwise from tomorrow, before the first number; a letter printed on any ticket of today (a group
  removed or changed earlier today) is not given to another group the same day;
- the number range must keep every number issued today inside it: it can grow at once (a busy day runs out of
  numbers), and narrow past today's numbers from tomorrow;
- groups on the shared default range 1–999 tell their numbers apart by their letter (every group starts at 1,
  DESIGN §4); a range a director sets apart must not overlap another range set apart;
- a group is removed only while none of its tickets of today is still waiting or at a counter, and never the last
  one; the counters serving it stop serving it in the same change, and the centre remembers its name, letter and
  fields (`retire`) so the reports of days it issued tickets still name it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.centre import CounterConfig, RetiredGroup, ServiceGroup

EXTRA_KEYS = frozenset({"prefix", "number_range", "fields"})  # what this module checks in a group's change
PREFIX_LETTER = re.compile(r"^[A-Z]$")
DEFAULT_RANGE = (1, 999)
NUMBER_MAX = 9999  # four digits on the ticket and the board


@dataclass(frozen=True)
class GroupsToday:
    """What today's tickets pin down (app/store/settings_store.py reads it inside the change's transaction)."""

    numbers: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # issuing group → lowest, highest number
    open: Mapping[str, int] = field(default_factory=dict)  # group → tickets of today still waiting or at a counter
    letters: frozenset[str] = frozenset()  # the letters printed on today's tickets


def range_text(start: int, end: int) -> str:
    return f"{start}–{end}"


def fields_text(fields: Collection[str], names: Mapping[str, str] | None = None) -> str:
    return ", ".join((names or {}).get(f, f) for f in fields) or "chưa chọn lĩnh vực"


def _prefix(group: ServiceGroup, raw: Any, today: GroupsToday, errors: list[tuple[str, str]]) -> str | None:
    where = f"groups.{group.code}.prefix"
    letter = raw.strip().upper() if isinstance(raw, str) else ""
    if not PREFIX_LETTER.match(letter):
        errors.append((where, f"Chữ cái đầu số của nhóm {group.name} phải là một chữ cái in hoa từ A đến Z, không "
                              "dấu (ví dụ K)."))  # fmt: skip
        return None
    if letter == group.prefix:
        return letter
    numbers = today.numbers.get(group.code)
    if numbers is not None:
        issued = f"{group.display_number(numbers[0])}–{group.display_number(numbers[1])}"
        errors.append((where, f"Nhóm {group.name} đã cấp số hôm nay ({issued}): công dân đang giữ phiếu chữ "
                              f"{group.prefix}, nên chữ cái đầu số chỉ đổi được trước khi cấp số đầu tiên trong ngày. "
                              "Hãy đổi vào sáng mai trước giờ cấp số."))  # fmt: skip
        return None
    if letter in today.letters:
        errors.append((where, f"Chữ {letter} đã in trên phiếu của nhóm khác hôm nay: chọn chữ khác, hoặc dùng chữ "
                              f"{letter} từ ngày mai."))  # fmt: skip
        return None
    return letter


def _range(group: ServiceGroup, raw: Any, today: GroupsToday, errors: list[tuple[str, str]]) -> tuple[int, int] | None:
    where = f"groups.{group.code}.number_range"
    good = isinstance(raw, list | tuple) and len(raw) == 2
    good = good and all(isinstance(n, int) and not isinstance(n, bool) for n in raw)
    if not good:
        errors.append((where, f"Dải số của nhóm {group.name} cần số đầu và số cuối, ví dụ [1, 500]."))
        return None
    start, end = int(raw[0]), int(raw[1])
    if not 1 <= start < end <= NUMBER_MAX:
        errors.append((where, f"Dải số {range_text(start, end)} của nhóm {group.name} không hợp lệ: số đầu từ 1, số "
                              f"cuối lớn hơn số đầu và không quá {NUMBER_MAX}."))  # fmt: skip
        return None
    numbers = today.numbers.get(group.code)
    if numbers is not None and not start <= numbers[0] <= numbers[1] <= end:
        widest = range_text(min(start, numbers[0]), max(end, numbers[1]))
        errors.append((where, f"Nhóm {group.name} đã cấp các số {range_text(*numbers)} hôm nay: dải số mới phải chứa "
                              f"các số này (hôm nay chỉ mở rộng được, ví dụ {widest}). Thu hẹp dải số vào sáng mai "
                              "trước giờ cấp số."))  # fmt: skip
        return None
    if group.daily_cap is not None and group.daily_cap > end - start + 1:
        errors.append((where, f"Dải số {range_text(start, end)} của nhóm {group.name} có {end - start + 1} số, ít hơn "
                              f"giới hạn {group.daily_cap} số/ngày: hạ giới hạn hoặc mở rộng dải số."))  # fmt: skip
        return None
    return start, end


def _fields(group: ServiceGroup, raw: Any, catalog_fields: Mapping[str, str] | None,
            errors: list[tuple[str, str]]) -> tuple[str, ...] | None:  # fmt: skip
    where = f"groups.{group.code}.fields"
    if not isinstance(raw, list | tuple) or not all(isinstance(f, str) for f in raw):
        errors.append((where, f"Lĩnh vực của nhóm {group.name} phải là danh sách mã lĩnh vực trong danh mục."))
        return None
    chosen = tuple(dict.fromkeys(f.strip() for f in raw if f.strip()))
    if not chosen:
        errors.append((where, f"Nhóm {group.name} cần ít nhất một lĩnh vực để ki-ốt hiển thị thủ tục của nhóm."))
        return None
    unknown = [f for f in chosen if catalog_fields is not None and f not in catalog_fields]
    if unknown:
        errors.append((where, f"Nhóm {group.name}: danh mục thủ tục không có lĩnh vực {', '.join(unknown)}."))
        return None
    return chosen


def edit_group(group: ServiceGroup, raw: Mapping[str, Any], today: GroupsToday,
               catalog_fields: Mapping[str, str] | None, errors: list[tuple[str, str]]) -> ServiceGroup:  # fmt: skip
    """`group` with the prefix, number range and fields of `raw` (only those keys are read)."""
    changed = group
    if "fields" in raw:
        fields = _fields(group, raw["fields"], catalog_fields, errors)
        if fields is not None:
            changed = replace(changed, fields=fields)
    if "prefix" in raw and raw["prefix"] not in (None, ""):
        letter = _prefix(group, raw["prefix"], today, errors)
        if letter is not None:
            changed = replace(changed, prefix=letter)
    if "number_range" in raw:
        numbers = _range(changed, raw["number_range"], today, errors)
        if numbers is not None:
            changed = replace(changed, number_start=numbers[0], number_end=numbers[1])
    return changed


def check_groups(groups: list[ServiceGroup], changed: Collection[str], errors: list[tuple[str, str]]) -> None:
    """Across groups, after every edit of the change: one letter per group, ranges set apart do not overlap (checked
    for the groups `changed` now, so a centre that already had them stays editable)."""
    for g in groups:
        if g.code not in changed:
            continue
        for other in groups:
            if other.code == g.code:
                continue
            if other.prefix == g.prefix:
                errors.append((f"groups.{g.code}.prefix", f"Chữ {g.prefix} đã dùng cho nhóm {other.name}: mỗi nhóm một "
                                                          "chữ cái đầu số riêng."))  # fmt: skip
                break
            ours, theirs = (g.number_start, g.number_end), (other.number_start, other.number_end)
            if DEFAULT_RANGE not in (ours, theirs) and ours[0] <= theirs[1] and theirs[0] <= ours[1]:
                errors.append((f"groups.{g.code}.number_range", f"Dải số {range_text(*ours)} của nhóm {g.name} chồng "
                                                                f"lên dải {range_text(*theirs)} của nhóm {other.name}: "
                                                                "chọn dải không trùng."))  # fmt: skip
                break


Groups = tuple[list[ServiceGroup], list[CounterConfig]]


def remove_groups(groups: list[ServiceGroup], counters: list[CounterConfig], codes: Collection[str],
                  today: GroupsToday, errors: list[tuple[str, str]]) -> Groups:  # fmt: skip
    """The groups without `codes`, and the counters no longer serving them; refused (errors) for a group with
    tickets still open today, an unknown code, or when no group would be left."""
    known = {g.code: g for g in groups}
    gone: set[str] = set()
    for code in codes:
        group = known.get(code)
        where = f"groups.{code}"
        if group is None:
            errors.append((where, f"Không có nhóm dịch vụ «{code}» để xoá."))
        elif today.open.get(code):
            errors.append((where, f"Không xoá được nhóm {group.name}: hôm nay còn {today.open[code]} phiếu đang chờ "
                                  "hoặc đang ở quầy. Xoá sau khi các phiếu này xong, hoặc từ ngày mai."))  # fmt: skip
        else:
            gone.add(code)
    if gone and len(gone) >= len(groups):
        errors.append(("groups", "Không xoá được: Trung tâm cần ít nhất một nhóm dịch vụ để cấp số."))
        return groups, counters
    kept = [g for g in groups if g.code not in gone]
    served = [replace(c, groups={k: v for k, v in c.groups.items() if k not in gone}) for c in counters]
    return kept, served


def retire(retired: Collection[RetiredGroup], before: Collection[ServiceGroup],
           after: Collection[ServiceGroup]) -> tuple[RetiredGroup, ...]:  # fmt: skip
    """The removed groups to remember once `before` became `after`: each group gone now, as it was named when it
    went (a later removal of the same code replaces the older entry); none whose code a current group holds (a code
    added again takes its new name, Centre.group_names)."""
    kept = {g.code for g in after}
    found = {r.code: r for r in retired}
    for g in before:
        if g.code not in kept:
            found[g.code] = RetiredGroup(code=g.code, name=g.name, prefix=g.prefix, fields=g.fields)
    return tuple(r for code, r in found.items() if code not in kept)


__all__ = [
    "EXTRA_KEYS",
    "GroupsToday",
    "check_groups",
    "edit_group",
    "fields_text",
    "range_text",
    "remove_groups",
    "retire",
]
