"""The director's settings checked in the core (app/core/centre_settings.py) and the dashboard's chart figures
(app/core/report_charts.py): edges the API tests do not walk."""

from __future__ import annotations

from datetime import time

import pytest

from app.client.catalog_source import starting_catalog
from app.core.centre import Centre, IssueWindow, default_centre
from app.core.centre_settings import SettingsInvalid, apply_settings, notice_of, setting_changes, settings_view
from app.core.report_charts import WAIT_EDGES_MIN, wait_bins


@pytest.fixture(scope="module")
def centre() -> Centre:
    return default_centre(starting_catalog(), commune="Đông Hưng")


def errors_of(centre: Centre, change: dict[str, object], issued: dict[str, int] | None = None) -> dict[str, str]:
    with pytest.raises(SettingsInvalid) as caught:
        apply_settings(centre, change, issued or {})
    assert caught.value.code == "invalid_settings"
    return {e["field"]: e["message"] for e in caught.value.details["errors"]}  # type: ignore[attr-defined]


def test_nothing_asked_nothing_changed(centre: Centre) -> None:
    assert apply_settings(centre, {}, {}) == centre
    assert setting_changes(centre, centre) == []
    again = apply_settings(centre, settings_view(centre) | {"groups": {}, "counters": {}}, {})
    assert again == centre


def test_windows_are_kept_in_order_and_a_cap_can_be_lifted(centre: Centre) -> None:
    capped = apply_settings(centre, {"groups": {"HT": {"daily_cap": 80}}}, {"HT": 80})  # equal to issued: allowed
    assert capped.group("HT").daily_cap == 80  # type: ignore[union-attr]
    lifted = apply_settings(
        capped, {"groups": {"HT": {"daily_cap": None, "windows": [["13:30", "16:00"], ["7:30", "11:00"]]}}}, {}
    )
    ht = lifted.group("HT")
    assert ht is not None
    assert ht.daily_cap is None
    assert ht.windows == (IssueWindow(time(7, 30), time(11)), IssueWindow(time(13, 30), time(16)))
    assert [c.key for c in setting_changes(capped, lifted)] == ["group.HT.daily_cap", "group.HT.windows"]


def test_each_problem_has_its_own_line(centre: Centre) -> None:
    errors = errors_of(centre, {"groups": {"HT": {"daily_cap": 0}, "CT": {"windows": [["08:00", "08:00"]]},
                                           "DD": {"windows": "sáng"}, "KD": {"daily_cap": 5000},
                                           "BTXH": {"colour": "đỏ"}}})  # fmt: skip
    assert "từ 1 trở lên" in errors["groups.HT.daily_cap"]
    assert "08:00–08:00" in errors["groups.CT.windows"]
    assert "danh sách" in errors["groups.DD.windows"]
    assert "vượt dải số" in errors["groups.KD.daily_cap"]
    assert "không sửa được mục colour" in errors["groups.BTXH"]


def test_a_group_left_without_a_counter_is_refused(centre: Centre) -> None:
    only_ht = {str(c.id): {"HT": 1} for c in centre.counters}
    errors = errors_of(centre, {"counters": only_ht})
    unserved = {g.code for g in centre.groups} - {"HT"}
    assert {f"groups.{code}" for code in unserved} <= set(errors)
    assert "groups.HT" not in errors
    served_elsewhere = {"1": {"HT": 1}}  # counter 1 drops its groups; the others still serve them all
    assert apply_settings(centre, {"counters": served_elsewhere}, {}).counter(1).groups == {"HT": 1}  # type: ignore[union-attr]


def test_the_notice_is_one_clean_line() -> None:
    assert notice_of({}) is None
    assert notice_of({"notice": " Nghỉ \x07 chiều\tthứ Sáu \n"}) == "Nghỉ chiều thứ Sáu"
    assert notice_of({"notice": ""}) == ""
    with pytest.raises(SettingsInvalid):
        notice_of({"notice": 5})


def test_wait_bins_split_at_their_edges() -> None:
    bins = wait_bins([0, 299.9, 300, 3599, 3600, 7200])
    assert [b.count for b in bins] == [2, 1, 0, 0, 0, 0, 1, 2]
    assert len(bins) == len(WAIT_EDGES_MIN) + 1
    assert (bins[0].label, bins[-1].label) == ("0–5", "≥ 60")
