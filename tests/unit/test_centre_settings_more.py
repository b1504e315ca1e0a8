"""Issue 13, the rest of the director's settings: service groups added and renamed, priority categories added,
renamed and removed (codes stable; one in use today stays), and the centre's holiday override table that counters
read (GET /api/calendar) and keep for their due dates. Checked in the core, through the service (validation in
Vietnamese, audit, the `centre.changed` event) and on the counter's store."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.client.catalog_source import starting_catalog
from app.client.fake import FakeQueueClient
from app.core.centre import Centre, default_centre
from app.core.centre_settings import (
    SettingsInvalid,
    apply_calendar,
    apply_settings,
    override_of,
    setting_changes,
)
from app.core.clock import ManualClock
from app.core.workcalendar import DayOverride
from tests.unit.report_day import DAY, at
from tests.unit.test_director_api import device, person

Env = tuple[TestClient, dict[str, str], ManualClock]


@pytest.fixture(scope="module")
def centre() -> Centre:
    return default_centre(starting_catalog(), commune="Đông Hưng")


def errors_of(centre: Centre, change: dict[str, object], in_use: dict[str, int] | None = None) -> dict[str, str]:
    with pytest.raises(SettingsInvalid) as caught:
        apply_settings(centre, change, {}, in_use or {})
    return {field: message for field, message in caught.value.errors}


# --- the core --------------------------------------------------------------------------------------------


def test_groups_are_renamed_and_added_with_a_free_prefix(centre: Centre) -> None:
    new = apply_settings(centre, {"groups": {"HT": {"name": "  Hộ tịch –  khai sinh "},
                                             "TP": {"name": "Tư pháp", "daily_cap": 30, "fields": ["HT", "CT"]}},
                                  "counters": {"1": {**centre.counters[0].groups, "TP": 2}}}, {})  # fmt: skip
    assert new.group("HT").name == "Hộ tịch – khai sinh"  # type: ignore[union-attr]
    added = new.group("TP")
    assert added is not None
    assert added.daily_cap == 30
    assert added.prefix not in {g.prefix for g in centre.groups}
    changes = {c.key: (c.old, c.new) for c in setting_changes(centre, new)}
    assert changes["group.HT.name"] == ("Hộ tịch", "Hộ tịch – khai sinh")
    assert changes["group.TP"][0] == "chưa có"
    assert changes["group.TP"][1].startswith("Tư pháp (số ")


def test_a_new_group_needs_a_counter_a_name_a_good_code_and_a_free_prefix(centre: Centre) -> None:
    errors = errors_of(centre, {"groups": {"TP": {"name": "Tư pháp"}}})
    assert "không còn quầy nào phục vụ" in errors["groups.TP"]
    assert "chọn các lĩnh vực" in errors["groups.TP.fields"]
    errors = errors_of(centre, {"groups": {"tp-1": {"name": "Tư pháp"}, "XY": {"prefix": "A"}}})
    assert "Mã nhóm «tp-1» không hợp lệ" in errors["groups.tp-1"]
    assert "cần có tên nhóm" in errors["groups.XY"]
    errors = errors_of(centre, {"groups": {"XY": {"name": "Khác", "prefix": "A"}},
                                "counters": {"1": {"XY": 1}}})  # fmt: skip
    assert "Tiền tố «A» đã dùng" in errors["groups.XY.prefix"]
    errors = errors_of(centre, {"groups": {"CT": {"name": "hộ tịch"}, "HT": {"name": "  "}}})
    assert "trùng tên" in errors["groups.CT.name"]
    assert "không được để trống" in errors["groups.HT.name"]


def test_priority_categories_keep_their_codes(centre: Centre) -> None:
    new = apply_settings(centre, {"priorities": {"elderly": {"name": "Người cao tuổi (từ 60)"},
                                                 "tre_em": {"name": "Trẻ em dưới 6 tuổi"},
                                                 "pregnant": None}}, {}, {"elderly": 4})  # fmt: skip
    codes = [p.code for p in new.priority_categories]
    assert "pregnant" not in codes
    assert codes[-1] == "tre_em"
    assert new.priority("elderly").name == "Người cao tuổi (từ 60)"  # type: ignore[union-attr]
    changes = {c.key: (c.old, c.new) for c in setting_changes(centre, new)}
    assert changes["priority.pregnant"] == ("Phụ nữ mang thai", "đã xoá")
    assert changes["priority.tre_em"] == ("chưa có", "Trẻ em dưới 6 tuổi")
    assert changes["priority.elderly"][1] == "Người cao tuổi (từ 60)"


def test_a_category_in_use_today_is_not_removed(centre: Centre) -> None:
    errors = errors_of(centre, {"priorities": {"elderly": None, "nope": None, "Bad Code": {"name": "x"},
                                               "disabled": {"name": "Phụ nữ mang thai"}}},
                       {"elderly": 3})  # fmt: skip
    assert errors["priorities.elderly"] == ("Không xoá được diện ưu tiên «Người cao tuổi»: hôm nay đã có 3 phiếu "
                                            "thuộc diện này. Có thể đổi tên ngay, hoặc xoá từ ngày mai.")  # fmt: skip
    assert "Không có diện ưu tiên «nope»" in errors["priorities.nope"]
    assert "không hợp lệ" in errors["priorities.Bad Code"]
    assert "trùng tên" in errors["priorities.disabled"]


def test_the_calendar_table_is_checked_and_its_changes_listed() -> None:
    today = DAY
    off = today + timedelta(days=11)
    table, changes = apply_calendar({}, {off.isoformat(): {"working": False, "source": " QĐ 12/QĐ-UBND ",
                                                           "note": "nghỉ bù"}}, today)  # fmt: skip
    assert table == {off: DayOverride(off, False, "QĐ 12/QĐ-UBND", today, "nghỉ bù")}
    assert [(c.key, c.old) for c in changes] == [(f"calendar.{off.isoformat()}", "không điều chỉnh")]
    assert changes[0].new == "nghỉ (QĐ 12/QĐ-UBND, hiệu lực 23/11/2026; nghỉ bù)"
    again, none = apply_calendar(
        table,
        {off.isoformat(): {"working": False, "source": "QĐ 12/QĐ-UBND", "effective": "2026-11-23", "note": "nghỉ bù"}},
        today,
    )
    assert again == table
    assert none == []
    emptied, gone = apply_calendar(table, {off.isoformat(): None}, today)
    assert emptied == {}
    assert gone[0].new == "không điều chỉnh"
    with pytest.raises(SettingsInvalid) as caught:
        apply_calendar(table, {"2026-13-01": {}, "2031-01-01": {"working": True, "source": "x"},
                               "2026-12-25": None, "2026-12-26": {"working": "yes", "source": ""},
                               "2026-12-27": {"working": True, "source": "TB 1", "effective": "27/12/2026"}},
                       today)  # fmt: skip
    errors = dict(caught.value.errors)
    assert "không hợp lệ: cần dạng YYYY-MM-DD" in errors["calendar.2026-13-01"]
    assert "quá xa hôm nay" in errors["calendar.2031-01-01"]
    assert "không có điều chỉnh nào để bỏ" in errors["calendar.2026-12-25"]
    assert "chọn «làm việc» hoặc «nghỉ»" in errors["calendar.2026-12-26"]
    assert "phải ghi rõ văn bản căn cứ" in errors["calendar.2026-12-26.source"]
    assert "ngày hiệu lực «27/12/2026»" in errors["calendar.2026-12-27.effective"]


# --- through the service ---------------------------------------------------------------------------------


def test_the_service_applies_audits_and_announces_the_new_settings(env: Env) -> None:
    client, admin, clock = env
    clock.current = at(DAY, 8)
    director = person(client, admin, "giamdoc", "director")
    assert client.post("/api/tickets", json={"group": "HT", "priority": "elderly"}, headers=admin).status_code == 201
    seq = client.get("/api/queue", headers=admin).json()["seq"]
    counters = {str(c["id"]): c["groups"] for c in client.get("/api/settings", headers=director).json()["counters"]}
    change = {
        "groups": {"HT": {"name": "Hộ tịch, khai sinh"}, "TP": {"name": "Tư pháp", "fields": ["HT"]}},
        "counters": {"2": {**counters["2"], "TP": 1}},
        "priorities": {"elderly": {"name": "Người cao tuổi (từ 60)"}, "tre_em": {"name": "Trẻ em"}},
        "calendar": {"2026-12-04": {"working": False, "source": "QĐ 125/QĐ-UBND"},
                     "2026-12-12": {"working": True, "source": "QĐ 125/QĐ-UBND", "note": "làm bù"}},
    }  # fmt: skip
    answer = client.put("/api/settings", json=change, headers=director)
    assert answer.status_code == 200, answer.text
    keys = {c["setting"] for c in answer.json()["changed"]}
    assert {"group.HT.name", "group.TP", "counter.2.groups", "priority.elderly", "priority.tre_em",
            "calendar.2026-12-04", "calendar.2026-12-12"} <= keys  # fmt: skip
    audit = client.get("/api/settings/audit", headers=director).json()
    assert {r["setting"] for r in audit} == keys
    assert {r["who"] for r in audit} == {"giamdoc (Trần Văn Giám)"}
    with client.websocket_connect(f"/api/events?since={seq}", headers=admin) as ws:
        event: dict[str, object] = {}
        for _ in range(20):
            event = ws.receive_json()
            if event.get("kind") == "centre.changed":
                break
    assert "calendar.2026-12-04" in event["payload"]["changed"]  # type: ignore[index]
    # what kiosks and counters see at once
    groups = {g["code"]: g for g in client.get("/api/groups").json()}
    assert groups["HT"]["name"] == "Hộ tịch, khai sinh"
    assert "TP" in groups
    assert client.post("/api/tickets", json={"group": "TP"}, headers=admin).status_code == 201
    names = {p["code"]: p["name"] for p in client.get("/api/priorities").json()}
    assert names["elderly"] == "Người cao tuổi (từ 60)"
    assert names["tre_em"] == "Trẻ em"
    # the counters' read of the calendar: any token that reads, not the public
    counter = device(client, admin, "counter", 1)
    calendar = client.get("/api/calendar", headers=counter)
    assert calendar.status_code == 200
    assert [override_of(o).day for o in calendar.json()] == [date(2026, 12, 4), date(2026, 12, 12)]
    assert calendar.json()[1]["note"] == "làm bù"
    assert calendar.json()[0]["effective"] == "2026-11-23"
    assert client.get("/api/calendar").status_code == 401
    # the category in use today stays, with the reason; nothing else of that change is made
    refused = client.put("/api/settings", json={"priorities": {"elderly": None, "tre_em": None},
                                                "calendar": {"2026-12-04": None, "2026-12-05": None}},
                         headers=director)  # fmt: skip
    assert refused.status_code == 422
    fields = {e["field"]: e["message"] for e in refused.json()["details"]["errors"]}
    assert set(fields) == {"priorities.elderly", "calendar.2026-12-05"}
    assert "hôm nay đã có 1 phiếu" in fields["priorities.elderly"]
    assert len(client.get("/api/calendar", headers=counter).json()) == 2
    assert "tre_em" in {p["code"] for p in client.get("/api/priorities").json()}
    # the next day it may go
    clock.current = at(DAY + timedelta(days=1), 8)
    gone = client.put("/api/settings", json={"priorities": {"elderly": None}}, headers=admin)  # the session ended
    assert gone.status_code == 200, gone.text
    assert "elderly" not in {p["code"] for p in client.get("/api/priorities").json()}


def test_the_fake_keeps_the_calendar_as_the_service_does() -> None:
    fake = FakeQueueClient(clock=ManualClock())
    fake.change_settings({"calendar": {"2026-12-04": {"working": False, "source": "QĐ 1"}}})
    assert [o["day"] for o in fake.calendar()] == ["2026-12-04"]
    assert fake.settings()["calendar"] == fake.calendar()
    fake.close()


def test_the_counter_store_takes_the_centre_table_over(tmp_path: Path) -> None:
    from app.store.dossier_store import DossierStore

    store = DossierStore(tmp_path / "counter", ManualClock())
    try:
        store.set_override(DayOverride(date(2026, 12, 1), False, "local", date(2026, 11, 1)))
        centre = [DayOverride(date(2026, 12, 4), False, "QĐ 125/QĐ-UBND", date(2026, 11, 23), "nghỉ bù")]
        assert store.replace_overrides(centre) is True
        assert store.overrides() == centre
        assert store.replace_overrides(centre) is False
    finally:
        store.close()
