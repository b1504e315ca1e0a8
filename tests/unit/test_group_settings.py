"""Service groups removed, their letter and number range changed, their catalogue fields chosen: the rules in the
core (app/core/group_settings.py) and through the service (checked against today's real tickets, audited, heard by
every screen through `centre.changed`, what kiosks read at once)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.client.catalog_source import starting_catalog
from app.client.fake import FakeQueueClient
from app.core.centre import Centre, RetiredGroup, default_centre
from app.core.centre_codec import centre_from_dict, centre_to_dict
from app.core.centre_settings import SettingsInvalid, apply_settings, setting_changes
from app.core.clock import ManualClock, local_day
from app.core.group_settings import GroupsToday
from app.core.report import PeriodReport, ReportPeriod, build_report
from app.core.report_codec import report_from_dict
from app.core.ticket import Ticket
from app.paths import default_catalog_path
from app.report_cli import run_report
from app.service.api import create_app
from app.service.server import open_store
from app.store.director_figures import report_figures
from app.store.report_queries import load_report_data
from tests.unit.report_day import DAY, at
from tests.unit.test_director_api import person
from tests.unit.test_report_core import dossier
from tests.unit.test_report_day import by_key

Env = tuple[TestClient, dict[str, str], ManualClock]
FIELDS = {f.code: f.name for f in starting_catalog().fields}


@pytest.fixture(scope="module")
def centre() -> Centre:
    return default_centre(starting_catalog(), commune="Đông Hưng")


def errors_of(centre: Centre, change: dict[str, object], today: GroupsToday | None = None) -> dict[str, str]:
    with pytest.raises(SettingsInvalid) as caught:
        apply_settings(centre, change, {}, {}, groups_today=today, catalog_fields=FIELDS)
    return dict(caught.value.errors)


# --- the core --------------------------------------------------------------------------------------------


def test_a_group_is_removed_and_its_counters_stop_serving_it(centre: Centre) -> None:
    new = apply_settings(centre, {"groups": {"GN": None}}, {}, groups_today=GroupsToday(numbers={"GN": (1, 4)}))
    assert new.group("GN") is None
    assert all("GN" not in c.groups for c in new.counters)
    changes = {c.key: (c.label, c.old, c.new) for c in setting_changes(centre, new)}
    assert changes["group.GN"] == ("Xoá nhóm dịch vụ GN", "Giảm nghèo (chữ " + centre.group("GN").prefix + ")",  # type: ignore[union-attr]
                                   "đã xoá")  # fmt: skip
    assert {k for k in changes if k.startswith("counter.")} == {f"counter.{c.id}.groups" for c in centre.counters}


def test_a_group_with_open_tickets_or_the_last_one_is_not_removed(centre: Centre) -> None:
    errors = errors_of(centre, {"groups": {"HT": None, "ZZ": None}}, GroupsToday(open={"HT": 2}))
    assert errors["groups.HT"] == ("Không xoá được nhóm Hộ tịch: hôm nay còn 2 phiếu đang chờ hoặc đang ở quầy. Xoá "
                                   "sau khi các phiếu này xong, hoặc từ ngày mai.")  # fmt: skip
    assert "Không có nhóm dịch vụ «ZZ»" in errors["groups.ZZ"]
    everything = {g.code: None for g in centre.groups}
    assert "ít nhất một nhóm" in errors_of(centre, {"groups": everything})["groups"]
    # a counter mapping that still names the removed group is refused
    errors = errors_of(centre, {"groups": {"GN": None}, "counters": {"1": {"HT": 1, "GN": 2}}})
    assert "không có nhóm dịch vụ «GN»" in errors["counters.1"]


def test_the_letter_changes_only_before_the_first_number_of_the_day(centre: Centre) -> None:
    ht = centre.group("HT")
    assert ht is not None
    free = apply_settings(centre, {"groups": {"HT": {"prefix": "z"}}}, {})
    assert free.group("HT").prefix == "Z"  # type: ignore[union-attr]
    assert [(c.key, c.old, c.new) for c in setting_changes(centre, free)] == [("group.HT.prefix", ht.prefix, "Z")]
    errors = errors_of(centre, {"groups": {"HT": {"prefix": "Z"}}}, GroupsToday(numbers={"HT": (1, 12)}))
    assert "đã cấp số hôm nay (A001–A012)" in errors["groups.HT.prefix"]
    assert "sáng mai trước giờ cấp số" in errors["groups.HT.prefix"]
    ct = centre.group("CT")
    assert ct is not None
    errors = errors_of(centre, {"groups": {"HT": {"prefix": ct.prefix}, "CT": {"prefix": "ÄB"},
                                           "DD": {"prefix": "Q"}}}, GroupsToday(letters=frozenset({"Q"})))  # fmt: skip
    assert f"Chữ {ct.prefix} đã dùng cho nhóm Chứng thực" in errors["groups.HT.prefix"]
    assert "một chữ cái in hoa từ A đến Z" in errors["groups.CT.prefix"]
    assert "Chữ Q đã in trên phiếu của nhóm khác hôm nay" in errors["groups.DD.prefix"]
    swapped = apply_settings(centre, {"groups": {"HT": {"prefix": ct.prefix}, "CT": {"prefix": ht.prefix}}}, {})
    assert (swapped.group("HT").prefix, swapped.group("CT").prefix) == (ct.prefix, ht.prefix)  # type: ignore[union-attr]


def test_a_range_keeps_todays_numbers_and_does_not_overlap_another_set_apart(centre: Centre) -> None:
    grown = apply_settings(centre, {"groups": {"HT": {"number_range": [1, 1500]}}}, {},
                           groups_today=GroupsToday(numbers={"HT": (1, 999)}))  # fmt: skip
    ht = grown.group("HT")
    assert ht is not None
    assert (ht.number_start, ht.number_end) == (1, 1500)
    assert ht.display_number(7) == "A0007"
    assert [(c.old, c.new) for c in setting_changes(centre, grown)] == [("1–999", "1–1500")]
    errors = errors_of(centre, {"groups": {"HT": {"number_range": [20, 500]}, "CT": {"number_range": [9, 3]},
                                           "DD": {"number_range": "1-9"}}},
                       GroupsToday(numbers={"HT": (1, 12)}))  # fmt: skip
    assert "đã cấp các số 1–12 hôm nay" in errors["groups.HT.number_range"]
    assert "ví dụ 1–500" in errors["groups.HT.number_range"]
    assert "số cuối lớn hơn số đầu" in errors["groups.CT.number_range"]
    assert "cần số đầu và số cuối" in errors["groups.DD.number_range"]
    # ranges set apart must not overlap; the shared default 1–999 is told apart by the letter
    apart = apply_settings(centre, {"groups": {"HT": {"number_range": [1, 499]}, "CT": {"number_range": [500, 899]}}},
                           {})  # fmt: skip
    errors = errors_of(apart, {"groups": {"DD": {"number_range": [800, 950]}}})
    assert errors["groups.DD.number_range"] == ("Dải số 800–950 của nhóm Đất đai chồng lên dải 500–899 của nhóm "
                                                "Chứng thực: chọn dải không trùng.")  # fmt: skip
    capped = apply_settings(centre, {"groups": {"KD": {"daily_cap": 300}}}, {})
    assert (
        "ít hơn giới hạn 300 số/ngày"
        in errors_of(capped, {"groups": {"KD": {"number_range": [1, 100]}}})["groups.KD.number_range"]
    )


def test_a_new_group_picks_its_fields_from_the_catalogue(centre: Centre) -> None:
    serve = {"counters": {"1": {**centre.counters[0].groups, "TP": 2}}}
    new = apply_settings(centre, {"groups": {"TP": {"name": "Tư pháp", "prefix": "t", "fields": ["HT", "CT", "HT"],
                                                    "number_range": [1, 300]}}, **serve}, {},
                         catalog_fields=FIELDS)  # fmt: skip
    tp = new.group("TP")
    assert tp is not None
    assert (tp.prefix, tp.fields, tp.number_end) == ("T", ("HT", "CT"), 300)
    edited = apply_settings(new, {"groups": {"TP": {"fields": ["NCC"]}}}, {}, catalog_fields=FIELDS)
    changes = {c.key: (c.old, c.new) for c in setting_changes(new, edited, FIELDS)}
    assert changes["group.TP.fields"] == ("Hộ tịch, Chứng thực", "Người có công")
    errors = errors_of(centre, {"groups": {"TP": {"name": "Tư pháp", "fields": ["XX"]},
                                           "HT": {"fields": []}}, **serve})  # fmt: skip
    assert "không có lĩnh vực XX" in errors["groups.TP.fields"]
    assert "ít nhất một lĩnh vực" in errors["groups.HT.fields"]


def _served(tid: int, group: str, hour: int) -> Ticket:
    ticket = Ticket.issue(id=tid, day=local_day(at(DAY, hour)), group=group, number=tid, display=f"H{tid:03d}",
                          now=at(DAY, hour))  # fmt: skip
    ticket.call(counter=4, clerk="lan", now=at(DAY, hour, 5))
    ticket.start(now=at(DAY, hour, 6))
    ticket.finish(now=at(DAY, hour, 15))
    return ticket


def test_a_removed_group_keeps_its_name_in_reports_until_its_code_is_taken_again(centre: Centre) -> None:
    gn = centre.group("GN")
    assert gn is not None
    removed = apply_settings(centre, {"groups": {"GN": None}}, {}, groups_today=GroupsToday(numbers={"GN": (1, 1)}))
    assert removed.retired_groups == (RetiredGroup("GN", "Giảm nghèo", gn.prefix, ("GN",)),)
    assert centre_from_dict(json.loads(json.dumps(centre_to_dict(removed), ensure_ascii=False))) == removed
    period = ReportPeriod(DAY, DAY)
    # the catalogue unreadable (no field names given): II.06a falls back on the groups' names, the removed one too
    report = build_report(removed, period, at(DAY, 17), [_served(1, "GN", 8), _served(2, "HT", 9)],
                          [dossier(at(DAY, 9), at(DAY, 17), field="GN")])  # fmt: skip
    assert [(r.key, r.name) for r in report.queue.by_group] == [("GN", "Giảm nghèo"), ("HT", "Hộ tịch")]
    assert [(r.code, r.name) for r in report.dossiers.by_field] == [("GN", "Giảm nghèo")]
    assert removed.group_name("ZZ") == "ZZ"  # a code never known here stays bare
    # the code reused for another group: the group holding it now names it, for past days as well
    serve = {"counters": {"4": {**removed.counters[3].groups, "GN": 1}}}
    again = apply_settings(removed, {"groups": {"GN": {"name": "Hỗ trợ sinh kế", "fields": ["GN"]}}, **serve}, {},
                           catalog_fields=FIELDS)  # fmt: skip
    assert again.retired_groups == ()
    report = build_report(again, period, at(DAY, 17), [_served(1, "GN", 8)], [])
    assert [(r.key, r.name) for r in report.queue.by_group] == [("GN", "Hỗ trợ sinh kế")]
    # removed a second time: the later name is the one remembered, once
    gone = apply_settings(again, {"groups": {"GN": None}}, {})
    assert gone.retired_groups == (RetiredGroup("GN", "Hỗ trợ sinh kế", again.group("GN").prefix, ("GN",)),)  # type: ignore[union-attr]
    # other changes leave the remembered groups as they are
    assert apply_settings(removed, {"wait_target_min": 20}, {}).retired_groups == removed.retired_groups


# --- through the service ---------------------------------------------------------------------------------


def test_the_service_checks_group_changes_against_todays_tickets(env: Env) -> None:
    client, admin, clock = env
    clock.current = at(DAY, 8)
    director = person(client, admin, "giamdoc", "director")
    assert client.post("/api/tickets", json={"group": "GN"}, headers=admin).status_code == 201
    view = client.get("/api/settings", headers=director).json()
    assert view["open_today"] == {"GN": 1}
    assert {f["code"] for f in view["catalog_fields"]} == set(FIELDS)
    gn = next(g for g in view["groups"] if g["code"] == "GN")
    assert gn["fields"] == ["GN"]
    refused = client.put("/api/settings", json={"groups": {"GN": None, "HT": {"prefix": gn["prefix"]}}},
                         headers=director)  # fmt: skip
    assert refused.status_code == 422
    fields = {e["field"]: e["message"] for e in refused.json()["details"]["errors"]}
    assert "còn 1 phiếu đang chờ" in fields["groups.GN"]
    assert f"Chữ {gn['prefix']}" in fields["groups.HT.prefix"]
    assert client.get("/api/settings/audit", headers=director).json() == []
    # the citizen is served; the group can go, and its letter stays off other groups today
    counter = next(c for c in view["counters"] if c["groups"].get("GN") == 1)["id"]
    for step in ("call-next", "start", "finish"):
        assert client.post(f"/api/counters/{counter}/{step}", headers=admin).status_code in (200, 201), step
    seq = client.get("/api/queue", headers=admin).json()["seq"]
    change = {"groups": {"GN": None, "TP": {"name": "Tư pháp", "fields": ["HT", "CT"], "number_range": [1, 200]}},
              "counters": {"1": {"HT": 1, "TP": 1}}}  # fmt: skip
    saved = client.put("/api/settings", json=change, headers=director)
    assert saved.status_code == 200, saved.text
    keys = {c["setting"] for c in saved.json()["changed"]}
    assert {"group.GN", "group.TP", "counter.1.groups"} <= keys
    assert {r["setting"] for r in client.get("/api/settings/audit", headers=director).json()} == keys
    queue = client.get("/api/queue", headers=admin).json()
    groups = {g["code"]: g for g in queue["groups"]}
    assert "GN" not in groups
    assert groups["TP"]["fields"] == ["HT", "CT"]  # the kiosk lists the procedures of these fields
    assert groups["TP"]["prefix"] != gn["prefix"]
    assert all("GN" not in c["groups"] for c in queue["counters"])
    with client.websocket_connect(f"/api/events?since={seq}", headers=admin) as ws:  # every screen hears of it
        event = ws.receive_json()
        while event.get("type") != "event":  # past the stream's own greeting, if any
            event = ws.receive_json()
    assert event["kind"] == "centre.changed"
    assert "group.GN" in event["payload"]["changed"]
    taken = client.put("/api/settings", json={"groups": {"TP": {"prefix": gn["prefix"]}}}, headers=director)
    assert taken.status_code == 422
    assert "đã in trên phiếu của nhóm khác hôm nay" in taken.text
    ticket = client.post("/api/tickets", json={"group": "TP"}, headers=admin)
    assert ticket.status_code == 201
    assert ticket.json()["number"] == groups["TP"]["prefix"] + "001"


def _named_groups(report: PeriodReport) -> dict[str, str]:
    return {r.key: r.name for r in report.queue.by_group}


def _day_report(data: Path, clock: ManualClock) -> PeriodReport:
    """The day's report as `python -m app report` builds it from the data folder."""
    period = ReportPeriod(DAY, DAY)
    loaded = load_report_data(data, period, catalog_path=default_catalog_path)
    return build_report(loaded.centre, period, clock.now(), loaded.tickets, loaded.dossiers, ratings=loaded.ratings,
                        clerk_names=loaded.clerk_names, field_names=loaded.field_names)  # fmt: skip


def test_a_group_removed_today_is_named_in_the_days_report_and_after_a_restart(tmp_path: Path) -> None:
    clock = ManualClock(at(DAY, 8))
    data = tmp_path / "data"
    store, devices = open_store(data, clock)
    admin = {"Authorization": f"Bearer {(data / 'admin.token').read_text().strip()}"}
    with TestClient(create_app(store, devices)) as client:
        director = person(client, admin, "giamdoc", "director")
        assert client.post("/api/tickets", json={"group": "GN"}, headers=admin).status_code == 201
        assert client.post("/api/tickets", json={"group": "HT"}, headers=admin).status_code == 201
        for minute, step in ((5, "call-next"), (6, "start"), (15, "finish")):  # counter 4 serves GN first
            clock.current = at(DAY, 8, minute)
            assert client.post(f"/api/counters/4/{step}", headers=admin).status_code in (200, 201), step
        clock.current = at(DAY, 10)
        saved = client.put("/api/settings", json={"groups": {"GN": None}}, headers=director)
        assert saved.status_code == 200, saved.text
        assert "GN" not in {g["code"] for g in saved.json()["settings"]["groups"]}
        answer = client.get("/api/report", params={"from": DAY.isoformat()}, headers=director)
        assert answer.status_code == 200, answer.text
        by_group = {r["key"]: r["name"] for r in answer.json()["report"]["queue"]["by_group"]}
        assert by_group == {"GN": "Giảm nghèo", "HT": "Hộ tịch"}
    store.close()

    report = _day_report(data, clock)
    assert _named_groups(report) == {"GN": "Giảm nghèo", "HT": "Hộ tịch"}
    out = tmp_path / "ngay.xlsx"  # as `python -m app report --data … --date … --out …` writes it
    assert run_report(argparse.Namespace(data=data, first=DAY.isoformat(), last=None, out=out), now=clock.now()) == 0
    rows = by_key(load_workbook(out)["Theo nhóm"])
    assert rows["GN"][1] == "Giảm nghèo"
    assert rows["GN"][2:4] == [1, 1]  # issued and served: the figures stayed with the removed group
    assert rows["Tổng cộng"][2] == 2

    store, _devices = open_store(data, clock)  # a restart: the name was kept with the configuration
    try:
        assert store.centre.group("GN") is None
        assert store.centre.group_name("GN") == "Giảm nghèo"
        figures = report_figures(store, DAY, DAY, catalog_path=default_catalog_path)
        assert {r["key"]: r["name"] for r in figures["report"]["queue"]["by_group"]}["GN"] == "Giảm nghèo"
    finally:
        store.close()


def test_the_dashboards_fake_names_a_removed_group_as_the_service_does(tmp_path: Path) -> None:
    clock = ManualClock(at(DAY, 8))
    with FakeQueueClient(clock=clock, data_dir=tmp_path) as fake:
        fake.issue("GN")
        for minute, step in ((5, fake.call_next), (6, fake.start), (15, fake.finish)):
            clock.current = at(DAY, 8, minute)
            step(4)
        fake.change_settings({"groups": {"GN": None}})
        assert "GN" not in {g["code"] for g in fake.groups()}
        history = report_from_dict(fake.report(DAY, DAY)["report"])  # what the history tab shows and exports
        assert _named_groups(history) == {"GN": "Giảm nghèo"}
    with FakeQueueClient(clock=clock, data_dir=tmp_path) as reopened:
        assert _named_groups(report_from_dict(reopened.report(DAY, DAY)["report"])) == {"GN": "Giảm nghèo"}
