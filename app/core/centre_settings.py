"""The settings a director owns, checked and applied to the centre's configuration (app/core/centre.py).

A change is a plain dict, as PUT /api/settings takes it; every key is optional:

    {"wait_target_min": 20,
     "groups": {"HT": {"daily_cap": 60, "windows": [["07:30", "11:00"], ["13:30", "16:00"]]}},
     "counters": {"1": {"HT": 1, "CT": 2}}}

`daily_cap` null lifts the cap; `windows` [] issues whenever the centre is open; a counter's mapping replaces the
groups it serves (group code → level, 1 served first). Every problem is collected and refused together with a
Vietnamese message per field (SettingsInvalid, 422): a cap below what was issued today, a window ending before it
starts or overlapping another, a group left without a counter. `setting_changes` lists what differs, one line
each, for the audit table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import time
from itertools import pairwise
from typing import Any

from app.core.centre import Centre, CounterConfig, IssueWindow, ServiceGroup
from app.core.errors import DomainError

WAIT_TARGET_MIN = (1, 240)  # minutes
LEVEL_RANGE = (1, 9)
NOTICE_MAX = 500  # as PUT /api/display/notice (app/service/display_page.py)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class SettingsInvalid(DomainError):
    """One or more settings refused; `details["errors"]`: [{"field", "message"}], the message lists them all."""

    code = "invalid_settings"
    http_status = 422

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        lines = [message for _field, message in errors]
        super().__init__(" ".join(lines), errors=[{"field": f, "message": m} for f, m in errors])


@dataclass(frozen=True)
class SettingChange:
    key: str  # "wait_target_s", "group.HT.daily_cap", "group.HT.windows", "counter.1.groups"
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
    unknown = sorted(set(raw) - {"daily_cap", "windows"})
    if unknown:
        errors.append((f"groups.{group.code}", f"Nhóm {group.name}: không sửa được mục {', '.join(unknown)} ở đây."))
    return changed


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


def apply_settings(centre: Centre, change: Mapping[str, Any], issued_today: Mapping[str, int]) -> Centre:
    """The centre with `change` applied, or SettingsInvalid listing every problem. `issued_today`: group code →
    tickets issued so far today (a cap may not go below it)."""
    errors: list[tuple[str, str]] = []
    unknown = sorted(set(change) - {"wait_target_min", "groups", "counters", "notice"})
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
    for code, raw in raw_groups.items():
        index = next((i for i, g in enumerate(groups) if g.code == code), None)
        if index is None:
            errors.append((f"groups.{code}", f"Không có nhóm dịch vụ «{code}»."))
            continue
        groups[index] = _parse_group(groups[index], raw, int(issued_today.get(str(code), 0)), errors)
    counters = list(centre.counters)
    raw_counters = change.get("counters") or {}
    if not isinstance(raw_counters, Mapping):
        errors.append(("counters", "Mục counters phải là bảng số quầy → nhóm phục vụ."))
        raw_counters = {}
    for key, raw in raw_counters.items():
        index = next((i for i, c in enumerate(counters) if str(c.id) == str(key)), None)
        if index is None:
            errors.append((f"counters.{key}", f"Không có quầy số {key}."))
            continue
        counters[index] = _parse_counter(counters[index], raw, centre, errors)
    if raw_counters:
        for g in groups:
            if not any(g.code in c.groups for c in counters):
                message = (f"Nhóm {g.name} ({g.code}) không còn quầy nào phục vụ: công dân lấy số sẽ không bao giờ "
                           "được gọi. Giao nhóm này cho ít nhất một quầy.")  # fmt: skip
                errors.append((f"groups.{g.code}", message))
    if errors:
        raise SettingsInvalid(errors)
    return replace(centre, policy=policy, groups=tuple(groups), counters=tuple(counters))


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


def setting_changes(old: Centre, new: Centre) -> list[SettingChange]:
    """What differs between two configurations, in the audit's words."""
    found: list[SettingChange] = []
    if old.policy.wait_target_s != new.policy.wait_target_s:
        found.append(SettingChange("wait_target_s", "Mục tiêu thời gian chờ", f"{old.policy.wait_target_s / 60:g} phút",
                                   f"{new.policy.wait_target_s / 60:g} phút"))  # fmt: skip
    before = {g.code: g for g in old.groups}
    for g in new.groups:
        was = before.get(g.code)
        if was is None:
            continue
        if was.daily_cap != g.daily_cap:
            found.append(SettingChange(f"group.{g.code}.daily_cap", f"Giới hạn số/ngày – {g.name}",
                                       _cap_text(was.daily_cap), _cap_text(g.daily_cap)))  # fmt: skip
        if was.windows != g.windows:
            found.append(SettingChange(f"group.{g.code}.windows", f"Giờ cấp số – {g.name}", windows_text(was.windows),
                                       windows_text(g.windows)))  # fmt: skip
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
             "number_range": [g.number_start, g.number_end]}
            for g in centre.groups
        ],
        "counters": [{"id": c.id, "name": c.name, "groups": dict(c.groups)} for c in centre.counters],
    }  # fmt: skip


__all__ = [
    "NOTICE_MAX",
    "SettingChange",
    "SettingsInvalid",
    "apply_settings",
    "notice_of",
    "setting_changes",
    "settings_view",
]
