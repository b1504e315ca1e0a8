"""The settings a director owns, checked and applied to the centre's configuration (app/core/centre.py).

A change is a plain dict, as PUT /api/settings takes it; every key is optional:

    {"wait_target_min": 20,
     "groups": {"HT": {"daily_cap": 60, "windows": [["07:30", "11:00"], ["13:30", "16:00"]]}},
     "counters": {"1": {"HT": 1, "CT": 2}}}

`daily_cap` null lifts the cap; `windows` [] issues whenever the centre is open; a counter's mapping replaces the
groups it serves (group code → level, 1 served first). A group's `name` renames it; a code not yet known adds a
group (`name` and its catalogue `fields` needed, `prefix` optional: a free letter is picked), which some counter
must serve in the same change; a group's `prefix`, `number_range` and `fields` change, and null removes a group, by
the rules of app/core/group_settings.py (a removed group's name stays in `Centre.retired_groups` for the reports).
Priority categories (`"priorities": {"elderly": {"name": "…"}, "new_code": {"name": "…"}, "old_code": null}`) are
renamed, added or removed by their stable code; one that a ticket of today carries cannot be removed. The holiday
override table (`"calendar": {"2026-09-04": {"working": false, "source": "QĐ 12/QĐ-UBND", "effective":
"2026-08-20", "note": "…"}, "2026-09-05": null}`) is checked by `apply_calendar`. Every problem is collected and
refused together with a Vietnamese message per field (SettingsInvalid, 422): a cap below what was issued today, a
window ending before it starts or overlapping another, a group left without a counter, a blank or repeated name.
`setting_changes` and `apply_calendar` list what differs, one line each, for the audit table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from itertools import pairwise
from typing import Any

from app.core.catalog import PriorityCategory
from app.core.centre import LETTERS, Centre, CounterConfig, IssueWindow, ServiceGroup
from app.core.errors import DomainError
from app.core.group_settings import (
    EXTRA_KEYS,
    GroupsToday,
    check_groups,
    edit_group,
    fields_text,
    range_text,
    retire,
)
from app.core.group_settings import remove_groups as drop_groups
from app.core.workcalendar import DayOverride

WAIT_TARGET_MIN = (1, 240)  # minutes
LEVEL_RANGE = (1, 9)
NOTICE_MAX = 500  # as PUT /api/display/notice (app/service/display_page.py)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
NAME_MAX = 120  # a group's or a priority category's name
GROUP_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,11}$")  # HT, CT, DD, BTXH…
PREFIX = re.compile(r"^[A-Z]$")
PRIORITY_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")  # elderly, disabled…
SETTING_KEYS = frozenset({"wait_target_min", "groups", "counters", "notice", "priorities", "calendar"})
CALENDAR_PAST_DAYS = 366  # how far back and ahead an override may name a day
CALENDAR_AHEAD_DAYS = 2 * 366
SOURCE_MAX = 200


class SettingsInvalid(DomainError):
    """One or more settings refused; `details["errors"]`: [{"field", "message"}], the message lists them all."""

    code = "invalid_settings"
    http_status = 422

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        lines = [message for _field, message in errors]
        super().__init__(" ".join(lines), errors=[{"field": f, "message": m} for f, m in errors])
        self.errors = list(errors)


@dataclass(frozen=True)
class SettingChange:
    key: str  # "wait_target_s", "group.HT.daily_cap", "group.HT.windows", "group.HT.name", "group.HT" (added),
    # "counter.1.groups", "priority.elderly", "calendar.2026-09-02", "notice"
    label: str  # Vietnamese, for the audit list
    old: str
    new: str


def change_view(c: SettingChange) -> dict[str, str]:
    """A change as the API answers it."""
    return {"setting": c.key, "label": c.label, "old": c.old, "new": c.new}


def _hhmm(t: time) -> str:
    return t.strftime("%H:%M")


def windows_text(windows: tuple[IssueWindow, ...]) -> str:
    return ", ".join(f"{_hhmm(w.start)}–{_hhmm(w.end)}" for w in windows) or "cả ngày làm việc"


def _cap_text(cap: int | None) -> str:
    return "không giới hạn" if cap is None else f"{cap} số"


def _levels_text(groups: Mapping[str, int]) -> str:
    return ", ".join(f"{code} (mức {level})" for code, level in sorted(groups.items(), key=lambda i: (i[1], i[0])))


def _parse_time(text: Any) -> time | None:
    match = _HHMM.match(str(text).strip()) if isinstance(text, str) else None
    return time(int(match.group(1)), int(match.group(2))) if match else None


def _parse_windows(code: str, name: str, raw: Any, errors: list[tuple[str, str]]) -> tuple[IssueWindow, ...] | None:
    where = f"groups.{code}.windows"
    if not isinstance(raw, list):
        errors.append((where, f"Khung giờ cấp số của nhóm {name} phải là danh sách các cặp giờ bắt đầu, kết thúc."))
        return None
    windows: list[IssueWindow] = []
    for pair in raw:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            errors.append((where, f"Khung giờ cấp số của nhóm {name}: mỗi khung cần giờ bắt đầu và giờ kết thúc."))
            return None
        start, end = _parse_time(pair[0]), _parse_time(pair[1])
        if start is None or end is None:
            shown = f"{pair[0]}–{pair[1]}"
            errors.append((where, f"Khung giờ «{shown}» của nhóm {name} không đúng dạng giờ:phút (ví dụ 07:30)."))
            return None
        if end <= start:
            errors.append((where, f"Khung giờ cấp số {_hhmm(start)}–{_hhmm(end)} của nhóm {name} kết thúc trước "
                                  "hoặc đúng lúc bắt đầu: giờ kết thúc phải sau giờ bắt đầu."))  # fmt: skip
            return None
        windows.append(IssueWindow(start, end))
    windows.sort(key=lambda w: w.start)
    for before, after in pairwise(windows):
        if after.start < before.end:
            errors.append((where, f"Hai khung giờ {windows_text((before,))} và {windows_text((after,))} của nhóm "
                                  f"{name} chồng lên nhau."))  # fmt: skip
            return None
    return tuple(windows)


def _parse_group(group: ServiceGroup, raw: Any, issued: int, errors: list[tuple[str, str]]) -> ServiceGroup:
    if not isinstance(raw, Mapping):
        errors.append((f"groups.{group.code}", f"Cấu hình nhóm {group.name} không hợp lệ."))
        return group
    changed = group
    if "daily_cap" in raw:
        cap = raw["daily_cap"]
        where = f"groups.{group.code}.daily_cap"
        if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int)):
            errors.append((where, f"Giới hạn số phiếu trong ngày của nhóm {group.name} phải là số nguyên."))
        elif cap is not None and cap < 1:
            errors.append((where, f"Giới hạn số phiếu trong ngày của nhóm {group.name} phải từ 1 trở lên "
                                  "(để trống nếu không giới hạn)."))  # fmt: skip
        elif cap is not None and cap < issued:
            errors.append((where, f"Giới hạn {cap} số/ngày của nhóm {group.name} nhỏ hơn số phiếu đã cấp hôm nay "
                                  f"({issued}). Đặt từ {issued} trở lên, hoặc đổi vào cuối ngày."))  # fmt: skip
        elif cap is not None and cap > group.number_end - group.number_start + 1:
            most = group.number_end - group.number_start + 1
            errors.append((where, f"Giới hạn {cap} số/ngày của nhóm {group.name} vượt dải số của nhóm ({most} số)."))
        else:
            changed = replace(changed, daily_cap=cap)
    if "windows" in raw:
        windows = _parse_windows(group.code, group.name, raw["windows"], errors)
        if windows is not None:
            changed = replace(changed, windows=windows)
    if "name" in raw:
        name = _name(raw["name"], f"groups.{group.code}.name", "Tên nhóm dịch vụ", errors)
        if name is not None:
            changed = replace(changed, name=name)
    unknown = sorted(set(raw) - {"daily_cap", "windows", "name"})
    if unknown:
        errors.append((f"groups.{group.code}", f"Nhóm {group.name}: không sửa được mục {', '.join(unknown)} ở đây."))
    return changed


def _name(raw: Any, where: str, what: str, errors: list[tuple[str, str]]) -> str | None:
    """A name as typed, its spaces tidied; None (with an error) when blank, not text or too long."""
    if not isinstance(raw, str) or not " ".join(raw.split()):
        errors.append((where, f"{what} không được để trống."))
        return None
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if len(name) > NAME_MAX:
        errors.append((where, f"{what} dài {len(name)} ký tự, tối đa {NAME_MAX} ký tự."))
        return None
    return name


def _new_group(code: str, raw: Any, groups: list[ServiceGroup], errors: list[tuple[str, str]],
               today: GroupsToday, catalog_fields: Mapping[str, str] | None) -> ServiceGroup | None:  # fmt: skip
    """A group added by the director: a free prefix letter unless one is given (never one printed on a ticket of
    today); its catalogue fields; range, caps and windows as for any group."""
    where = f"groups.{code}"
    if not GROUP_CODE.match(code):
        errors.append((where, f"Mã nhóm «{code}» không hợp lệ: dùng chữ in hoa không dấu và số, bắt đầu bằng chữ, "
                              "tối đa 12 ký tự (ví dụ HT, DD2)."))  # fmt: skip
        return None
    if not isinstance(raw, Mapping) or "name" not in raw:
        errors.append((where, f"Nhóm mới «{code}» cần có tên nhóm."))
        return None
    name = _name(raw["name"], f"{where}.name", "Tên nhóm dịch vụ", errors)
    if "fields" not in raw:
        errors.append((f"{where}.fields", f"Nhóm mới «{code}»: chọn các lĩnh vực nhóm phụ trách để ki-ốt hiển thị "
                                          "thủ tục của nhóm."))  # fmt: skip
    used = {g.prefix for g in groups} | today.letters
    prefix = raw.get("prefix")
    if prefix is None or prefix == "":
        prefix = next((letter for letter in LETTERS if letter not in used), None)
        if prefix is None:
            errors.append((f"{where}.prefix", f"Nhóm mới «{code}»: đã hết chữ cái đầu số, hãy nhập một tiền tố."))
            return None
    elif not isinstance(prefix, str) or not PREFIX.match(prefix.strip().upper()):
        errors.append((f"{where}.prefix", f"Tiền tố số của nhóm mới «{code}» phải là một chữ cái in hoa từ A đến Z "
                                          "(ví dụ K)."))  # fmt: skip
        return None
    else:
        prefix = prefix.strip().upper()
        if prefix in used:
            errors.append((f"{where}.prefix", f"Tiền tố «{prefix}» đã dùng cho nhóm khác (hoặc đã in trên phiếu hôm "
                                              "nay); chọn chữ khác."))  # fmt: skip
            return None
    if name is None:
        return None
    group = ServiceGroup(code=code, name=name, prefix=prefix)
    extra = {k: v for k, v in raw.items() if k in EXTRA_KEYS and k != "prefix"}
    group = edit_group(group, extra, today, catalog_fields, errors)
    rest = {k: v for k, v in raw.items() if k not in ("name", "prefix") and k not in EXTRA_KEYS}
    return _parse_group(group, rest, 0, errors) if rest else group


def _parse_priorities(current: tuple[PriorityCategory, ...], raw: Any, in_use: Mapping[str, int],
                      errors: list[tuple[str, str]]) -> tuple[PriorityCategory, ...]:  # fmt: skip
    """Rename (`{"name"}`), add (a new code) or remove (null) priority categories; codes never change. The list
    settings_view gives ([{code, name}]) is taken too, as renames and additions."""
    if isinstance(raw, list) and all(isinstance(p, Mapping) and "code" in p for p in raw):
        raw = {str(p["code"]): {"name": p.get("name")} for p in raw}
    if not isinstance(raw, Mapping):
        errors.append(("priorities", "Mục priorities phải là bảng mã diện ưu tiên → tên (null: xoá)."))
        return current
    found = list(current)
    for code, item in raw.items():
        code = str(code)
        where = f"priorities.{code}"
        index = next((i for i, p in enumerate(found) if p.code == code), None)
        if item is None:
            if index is None:
                errors.append((where, f"Không có diện ưu tiên «{code}» để xoá."))
            elif in_use.get(code):
                errors.append((where, f"Không xoá được diện ưu tiên «{found[index].name}»: hôm nay đã có "
                                      f"{in_use[code]} phiếu thuộc diện này. Có thể đổi tên ngay, hoặc xoá từ ngày "
                                      "mai."))  # fmt: skip
            else:
                del found[index]
            continue
        if not isinstance(item, Mapping) or set(item) - {"name"}:
            errors.append((where, f'Diện ưu tiên «{code}»: chỉ sửa được tên ({{"name": "…"}}).'))
            continue
        name = _name(item.get("name"), where, "Tên diện ưu tiên", errors)
        if name is None:
            continue
        if index is not None:
            found[index] = replace(found[index], name=name)
        elif not PRIORITY_CODE.match(code):
            errors.append((where, f"Mã diện ưu tiên «{code}» không hợp lệ: chữ thường không dấu, số và dấu gạch "
                                  "dưới, bắt đầu bằng chữ (ví dụ nguoi_co_cong)."))  # fmt: skip
        else:
            found.append(PriorityCategory(code=code, name=name))
    names: dict[str, str] = {}
    for p in found:
        key = p.name.casefold()
        if key in names:
            errors.append((f"priorities.{p.code}", f"Hai diện ưu tiên trùng tên «{p.name}»."))
        names[key] = p.code
    return tuple(found)


def _parse_counter(counter: CounterConfig, raw: Any, centre: Centre, errors: list[tuple[str, str]]) -> CounterConfig:
    where = f"counters.{counter.id}"
    if not isinstance(raw, Mapping):
        errors.append((where, f"{counter.name}: cần danh sách nhóm quầy phục vụ và mức ưu tiên của từng nhóm."))
        return counter
    levels: dict[str, int] = {}
    for code, level in raw.items():
        if centre.group(str(code)) is None:
            errors.append((where, f"{counter.name}: không có nhóm dịch vụ «{code}»."))
        elif isinstance(level, bool) or not isinstance(level, int) or not LEVEL_RANGE[0] <= level <= LEVEL_RANGE[1]:
            errors.append((where, f"{counter.name}: mức phục vụ nhóm {code} phải là số từ {LEVEL_RANGE[0]} đến "
                                  f"{LEVEL_RANGE[1]} (1 được gọi trước)."))  # fmt: skip
        else:
            levels[str(code)] = level
    return replace(counter, groups=levels)


def _wait_target(raw: Any, errors: list[tuple[str, str]]) -> float | None:
    low, high = WAIT_TARGET_MIN
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not low <= raw <= high:
        errors.append(("wait_target_min", f"Mục tiêu thời gian chờ phải là số phút từ {low} đến {high}."))
        return None
    return float(raw) * 60


def apply_settings(centre: Centre, change: Mapping[str, Any], issued_today: Mapping[str, int],
                   priorities_today: Mapping[str, int] | None = None, *, groups_today: GroupsToday | None = None,
                   catalog_fields: Mapping[str, str] | None = None) -> Centre:  # fmt: skip
    """The centre with `change` applied, or SettingsInvalid listing every problem. `issued_today`: group code →
    tickets issued so far today (a cap may not go below it); `priorities_today`: priority code → today's tickets
    of that category (one in use cannot be removed); `groups_today`: the numbers, open tickets and letters of today
    (app/core/group_settings.py); `catalog_fields`: field code → name of the catalogue (None: codes not checked).
    The calendar is `apply_calendar`'s."""
    today = groups_today or GroupsToday()
    errors: list[tuple[str, str]] = []
    unknown = sorted(set(change) - SETTING_KEYS)
    if unknown:
        errors.append(("", f"Không có mục cài đặt {', '.join(unknown)}."))
    policy = centre.policy
    if "wait_target_min" in change:
        target = _wait_target(change["wait_target_min"], errors)
        if target is not None:
            policy = replace(policy, wait_target_s=target)
    groups = list(centre.groups)
    raw_groups = change.get("groups") or {}
    if not isinstance(raw_groups, Mapping):
        errors.append(("groups", "Mục groups phải là bảng mã nhóm → cấu hình."))
        raw_groups = {}
    added, named, removed, renumbered = False, set(), [], set()
    for code, raw in raw_groups.items():
        if isinstance(raw, Mapping) and "name" in raw:
            named.add(str(code))
        index = next((i for i, g in enumerate(groups) if g.code == code), None)
        if raw is None:
            removed.append(str(code))
            continue
        if index is None:
            group = _new_group(str(code), raw, groups, errors, today, catalog_fields)
            if group is not None:
                groups.append(group)
                renumbered.add(group.code)
                added = True
            continue
        if isinstance(raw, Mapping) and EXTRA_KEYS & set(raw):
            extra = {k: v for k, v in raw.items() if k in EXTRA_KEYS}
            raw = {k: v for k, v in raw.items() if k not in EXTRA_KEYS}
            before, groups[index] = groups[index], edit_group(groups[index], extra, today, catalog_fields, errors)
            if groups[index] != before:
                renumbered.add(before.code)
        groups[index] = _parse_group(groups[index], raw, int(issued_today.get(str(code), 0)), errors)
    check_groups(groups, renumbered, errors)
    seen: dict[str, str] = {}
    for g in sorted(groups, key=lambda g: g.code in named):  # a name given now is the one refused
        if g.name.casefold() in seen and g.code in named:
            errors.append((f"groups.{g.code}.name", f"Hai nhóm dịch vụ trùng tên «{g.name}» ({seen[g.name.casefold()]} "
                                                    f"và {g.code}): đặt tên khác để công dân chọn đúng."))  # fmt: skip
        seen.setdefault(g.name.casefold(), g.code)
    priorities = centre.priority_categories
    if "priorities" in change:
        priorities = _parse_priorities(priorities, change["priorities"], priorities_today or {}, errors)
    counters = list(centre.counters)
    if removed:  # before the counters' part: a mapping naming a removed group is refused there
        groups, counters = drop_groups(groups, counters, removed, today, errors)
    raw_counters = change.get("counters") or {}
    if not isinstance(raw_counters, Mapping):
        errors.append(("counters", "Mục counters phải là bảng số quầy → nhóm phục vụ."))
        raw_counters = {}
    for key, raw in raw_counters.items():
        index = next((i for i, c in enumerate(counters) if str(c.id) == str(key)), None)
        if index is None:
            errors.append((f"counters.{key}", f"Không có quầy số {key}."))
            continue
        counters[index] = _parse_counter(counters[index], raw, replace(centre, groups=tuple(groups)), errors)
    if raw_counters or added or removed:
        for g in groups:
            if g.code in removed:  # asked to go (and refused for its own reason): no second line about counters
                continue
            if not any(g.code in c.groups for c in counters):
                message = (f"Nhóm {g.name} ({g.code}) không còn quầy nào phục vụ: công dân lấy số sẽ không bao giờ "
                           "được gọi. Giao nhóm này cho ít nhất một quầy.")  # fmt: skip
                errors.append((f"groups.{g.code}", message))
    if errors:
        raise SettingsInvalid(errors)
    return replace(centre, policy=policy, groups=tuple(groups), counters=tuple(counters),
                   priority_categories=priorities,
                   retired_groups=retire(centre.retired_groups, centre.groups, groups))  # fmt: skip


def notice_of(change: Mapping[str, Any]) -> str | None:
    """The hall notice a change sets, as one clean line (None: not changed); SettingsInvalid when too long or not
    text. The same cleaning as PUT /api/display/notice (app/service/display_page.py clean_notice)."""
    if change.get("notice") is None:
        return None
    raw = change["notice"]
    if not isinstance(raw, str):
        raise SettingsInvalid([("notice", "Dòng thông báo phải là một dòng chữ.")])
    text = unicodedata.normalize("NFC", raw)
    text = " ".join("".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n\r").split())
    if len(text) > NOTICE_MAX:
        raise SettingsInvalid([("notice", f"Dòng thông báo dài {len(text)} ký tự, vượt quá {NOTICE_MAX} ký tự cho "
                                          "phép. Hãy rút gọn nội dung rồi gửi lại.")])  # fmt: skip
    return text


def setting_changes(old: Centre, new: Centre, field_names: Mapping[str, str] | None = None) -> list[SettingChange]:
    """What differs between two configurations, in the audit's words (`field_names`: the catalogue's, for the
    fields a group serves)."""
    found: list[SettingChange] = []
    if old.policy.wait_target_s != new.policy.wait_target_s:
        found.append(SettingChange("wait_target_s", "Mục tiêu thời gian chờ", f"{old.policy.wait_target_s / 60:g} phút",
                                   f"{new.policy.wait_target_s / 60:g} phút"))  # fmt: skip
    before = {g.code: g for g in old.groups}
    for g in new.groups:
        was = before.get(g.code)
        if was is None:
            found.append(SettingChange(f"group.{g.code}", f"Thêm nhóm dịch vụ {g.code}", "chưa có",
                                       f"{g.name} (số {g.display_number(g.number_start)}…)"))  # fmt: skip
            continue
        if was.name != g.name:
            found.append(SettingChange(f"group.{g.code}.name", f"Tên nhóm dịch vụ {g.code}", was.name, g.name))
        if was.daily_cap != g.daily_cap:
            found.append(SettingChange(f"group.{g.code}.daily_cap", f"Giới hạn số/ngày – {g.name}",
                                       _cap_text(was.daily_cap), _cap_text(g.daily_cap)))  # fmt: skip
        if was.windows != g.windows:
            found.append(SettingChange(f"group.{g.code}.windows", f"Giờ cấp số – {g.name}", windows_text(was.windows),
                                       windows_text(g.windows)))  # fmt: skip
        if was.prefix != g.prefix:
            found.append(SettingChange(f"group.{g.code}.prefix", f"Chữ cái đầu số – {g.name}", was.prefix, g.prefix))
        if (was.number_start, was.number_end) != (g.number_start, g.number_end):
            found.append(SettingChange(f"group.{g.code}.number_range", f"Dải số – {g.name}",
                                       range_text(was.number_start, was.number_end),
                                       range_text(g.number_start, g.number_end)))  # fmt: skip
        if was.fields != g.fields:
            names = field_names or {}
            found.append(SettingChange(f"group.{g.code}.fields", f"Lĩnh vực – {g.name}", fields_text(was.fields, names),
                                       fields_text(g.fields, names)))  # fmt: skip
    kept = {g.code for g in new.groups}
    for g in old.groups:
        if g.code not in kept:
            found.append(SettingChange(f"group.{g.code}", f"Xoá nhóm dịch vụ {g.code}", f"{g.name} (chữ {g.prefix})",
                                       "đã xoá"))  # fmt: skip
    old_priorities = {p.code: p.name for p in old.priority_categories}
    new_priorities = {p.code: p.name for p in new.priority_categories}
    for code in [*old_priorities, *(c for c in new_priorities if c not in old_priorities)]:
        was_name, name = old_priorities.get(code), new_priorities.get(code)
        if was_name != name:
            found.append(SettingChange(f"priority.{code}", f"Diện ưu tiên «{code}»", was_name or "chưa có",
                                       name or "đã xoá"))  # fmt: skip
    counters = {c.id: c for c in old.counters}
    for c in new.counters:
        was_c = counters.get(c.id)
        if was_c is not None and dict(was_c.groups) != dict(c.groups):
            found.append(SettingChange(f"counter.{c.id}.groups", f"Nhóm phục vụ – {c.name}", _levels_text(was_c.groups),
                                       _levels_text(c.groups)))  # fmt: skip
    return found


def settings_view(centre: Centre) -> dict[str, Any]:
    """What the settings screen edits, in the shape `apply_settings` takes back (plus names to show)."""
    return {
        "wait_target_min": centre.policy.wait_target_s / 60,
        "groups": [
            {"code": g.code, "name": g.name, "prefix": g.prefix, "daily_cap": g.daily_cap,
             "windows": [[_hhmm(w.start), _hhmm(w.end)] for w in g.windows],
             "number_range": [g.number_start, g.number_end], "fields": list(g.fields)}
            for g in centre.groups
        ],
        "counters": [{"id": c.id, "name": c.name, "groups": dict(c.groups)} for c in centre.counters],
        "priorities": [{"code": p.code, "name": p.name} for p in centre.priority_categories],
    }  # fmt: skip


# --- the holiday override table ------------------------------------------------------------------------------


def override_text(o: DayOverride | None) -> str:
    """ "nghỉ (QĐ 12/QĐ-UBND, hiệu lực 20/08/2026)" for the audit; "không điều chỉnh" for none."""
    if o is None:
        return "không điều chỉnh"
    kind = "làm việc" if o.working else "nghỉ"
    note = f"; {o.note}" if o.note else ""
    return f"{kind} ({o.source}, hiệu lực {o.effective:%d/%m/%Y}{note})"


def override_view(o: DayOverride) -> dict[str, Any]:
    """An override as the API answers it (GET /api/settings "calendar", GET /api/calendar)."""
    return {"day": o.day.isoformat(), "working": o.working, "source": o.source,
            "effective": o.effective.isoformat(), "note": o.note}  # fmt: skip


def override_of(data: Mapping[str, Any]) -> DayOverride:
    """override_view's dict back (the counter reads GET /api/calendar with it); ValueError when malformed."""
    return DayOverride(day=date.fromisoformat(str(data["day"])), working=bool(data["working"]),
                       source=str(data["source"]), effective=date.fromisoformat(str(data["effective"])),
                       note=str(data.get("note") or ""))  # fmt: skip


def _iso_day(text: Any) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        return None


def _override(day: date, raw: Any, today: date, errors: list[tuple[str, str]]) -> DayOverride | None:
    where = f"calendar.{day.isoformat()}"
    shown = f"{day:%d/%m/%Y}"
    if not isinstance(raw, Mapping):
        errors.append((where, f"Ngày {shown}: cần cho biết làm việc hay nghỉ và văn bản căn cứ."))
        return None
    unknown = sorted(set(raw) - {"working", "source", "effective", "note"})
    if unknown:
        errors.append((where, f"Ngày {shown}: không có mục {', '.join(unknown)}."))
    working = raw.get("working")
    if not isinstance(working, bool):
        errors.append((where, f"Ngày {shown}: chọn «làm việc» hoặc «nghỉ»."))
    source = raw.get("source")
    source = " ".join(unicodedata.normalize("NFC", source).split()) if isinstance(source, str) else ""
    if not source:
        errors.append((f"{where}.source", f"Ngày {shown}: phải ghi rõ văn bản căn cứ (ví dụ Thông báo "
                                          "9441/TB-BNV)."))  # fmt: skip
    elif len(source) > SOURCE_MAX:
        errors.append((f"{where}.source", f"Ngày {shown}: văn bản căn cứ dài quá {SOURCE_MAX} ký tự."))
    effective = today if raw.get("effective") in (None, "") else _iso_day(raw.get("effective"))
    if effective is None:
        errors.append((f"{where}.effective", f"Ngày {shown}: ngày hiệu lực «{raw.get('effective')}» không đúng dạng "
                                             "YYYY-MM-DD."))  # fmt: skip
    note = raw.get("note") or ""
    if not isinstance(note, str) or len(note) > SOURCE_MAX:
        errors.append((f"{where}.note", f"Ngày {shown}: ghi chú phải là chữ, tối đa {SOURCE_MAX} ký tự."))
        note = ""
    if not isinstance(working, bool) or not source or len(source) > SOURCE_MAX or effective is None:
        return None
    return DayOverride(day=day, working=working, source=source, effective=effective, note=" ".join(note.split()))


def apply_calendar(current: Mapping[date, DayOverride], raw: Any,
                   today: date) -> tuple[dict[date, DayOverride], list[SettingChange]]:  # fmt: skip
    """The centre's override table with `raw` ({"YYYY-MM-DD": {working, source, effective?, note?} | null})
    applied, and the changes for the audit; SettingsInvalid listing every problem (a day too far back or ahead, no
    source document, removing a day that has no override)."""
    errors: list[tuple[str, str]] = []
    table = dict(current)
    if not isinstance(raw, Mapping):
        raise SettingsInvalid([("calendar", "Mục calendar phải là bảng ngày YYYY-MM-DD → điều chỉnh (null: bỏ).")])
    for key, item in raw.items():
        day = _iso_day(key)
        if day is None:
            errors.append((f"calendar.{key}", f"Ngày «{key}» không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2026-09-02."))
            continue
        if not today - timedelta(days=CALENDAR_PAST_DAYS) <= day <= today + timedelta(days=CALENDAR_AHEAD_DAYS):
            errors.append((f"calendar.{key}", f"Ngày {day:%d/%m/%Y} quá xa hôm nay: chỉ điều chỉnh được từ một năm "
                                              "trước đến hai năm sau."))  # fmt: skip
            continue
        if item is None:
            if day not in table:
                errors.append((f"calendar.{key}", f"Ngày {day:%d/%m/%Y} không có điều chỉnh nào để bỏ."))
            else:
                del table[day]
            continue
        made = _override(day, item, today, errors)
        if made is not None:
            table[day] = made
    if errors:
        raise SettingsInvalid(errors)
    changes = [
        SettingChange(f"calendar.{day.isoformat()}", f"Lịch làm việc ngày {day:%d/%m/%Y}",
                      override_text(current.get(day)), override_text(table.get(day)))
        for day in sorted(set(current) | set(table))
        if current.get(day) != table.get(day)
    ]  # fmt: skip
    return table, changes


__all__ = [
    "NOTICE_MAX",
    "SettingChange",
    "SettingsInvalid",
    "apply_calendar",
    "apply_settings",
    "notice_of",
    "override_of",
    "override_text",
    "override_view",
    "setting_changes",
    "settings_view",
]
