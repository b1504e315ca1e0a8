"""Issue 13, the dashboard's side of the centre service: GET /api/report (the report's figures as JSON) and the
settings a director owns (GET/PUT /api/settings, the audit), who may call them, the Vietnamese refusals, the
`centre.changed` event, and the fake client agreeing with the service call by call."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.client.api import QueueApi
from app.client.fake import FakeQueueClient
from app.client.queue_client import QueueClient, ServiceError
from app.core.access import SIGN_IN_TO_CHANGE
from app.core.clock import ManualClock
from app.core.report import ReportPeriod, build_report
from app.core.report_charts import charts_from_dict
from app.core.report_codec import report_from_dict, report_to_dict
from app.core.report_tables import report_tables
from app.paths import default_catalog_path
from app.store.report_queries import load_report_data
from tests.support.in_process import in_process_client
from tests.unit.report_day import DAY, add_ratings, at, d, scripted_day, scripted_dossiers

Env = tuple[TestClient, dict[str, str], ManualClock]
PIN = "482913"


def device(client: TestClient, admin: dict[str, str], role: str, counter: int | None = None) -> dict[str, str]:
    made = client.post("/api/devices", json={"name": f"{role} thử", "role": role, "counter": counter}, headers=admin)
    assert made.status_code == 201, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def person(client: TestClient, admin: dict[str, str], username: str, role: str, counter: int | None = None,
           name: str = "Trần Văn Giám") -> dict[str, str]:  # fmt: skip
    made = client.post("/api/users", json={"username": username, "display_name": name, "role": role, "secret": PIN},
                       headers=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    signed = client.post("/api/sessions", json={"username": username, "secret": PIN, "counter": counter})
    assert signed.status_code == 201, signed.text
    return {"Authorization": f"Bearer {signed.json()['token']}"}


# --- who may ---------------------------------------------------------------------------------------------


def test_only_the_director_and_the_admin_read_figures_and_change_settings(env: Env) -> None:
    client, admin, _clock = env
    callers = {
        "kiosk": device(client, admin, "kiosk"),
        "counter": device(client, admin, "counter", 1),
        "display": device(client, admin, "display"),
        "clerk": person(client, admin, "lan", "clerk", 1, "Nguyễn Thị Lan"),
    }
    director = person(client, admin, "giamdoc", "director")
    director_pc = device(client, admin, "director")  # a device token for the dashboard PC
    change = {"wait_target_min": 25}
    calls: list[tuple[str, Callable[[dict[str, str]], Any]]] = [
        ("report", lambda h: client.get("/api/report?from=2026-11-23&to=2026-11-23", headers=h)),
        ("settings", lambda h: client.get("/api/settings", headers=h)),
        ("audit", lambda h: client.get("/api/settings/audit", headers=h)),
        ("change", lambda h: client.put("/api/settings", json=change, headers=h)),
        ("notice", lambda h: client.put("/api/display/notice", json={"text": "Chiều nay nghỉ họp."}, headers=h)),
    ]
    for name, call in calls:
        nobody = call({})
        assert nobody.status_code == 401, name
        assert nobody.json()["error"] == "http_401"
        for role, headers in callers.items():
            refused = call(headers)
            assert refused.status_code == 403, (name, role)
            assert refused.json()["message"] == "Thiết bị này không có quyền thực hiện thao tác này."
        for headers in (director, admin):
            assert call(headers).status_code == 200, name
        by_pc = call(director_pc)  # the PC's own token reads; a change is the signed-in director's
        if name in ("change", "notice"):
            assert by_pc.status_code == 403
            assert by_pc.json()["message"] == SIGN_IN_TO_CHANGE
        else:
            assert by_pc.status_code == 200, name
    audit = client.get("/api/settings/audit", headers=director).json()
    assert [row["who"] for row in audit] == ["giamdoc (Trần Văn Giám)"]  # the same change twice: one row
    assert audit[0]["label"] == "Mục tiêu thời gian chờ"
    assert (audit[0]["old"], audit[0]["new"]) == ("30 phút", "25 phút")


# --- the report's figures ---------------------------------------------------------------------------------


@pytest.fixture
def day(env: Env, tmp_path: Path) -> tuple[TestClient, dict[str, str], Path]:
    client, admin, clock = env
    hall = scripted_day(client, admin, clock)
    scripted_dossiers(client, admin, tmp_path / "counter")
    add_ratings(tmp_path / "data" / "queue.db", hall)
    clock.current = at(d(30), 12)
    return client, admin, tmp_path / "data"


def test_the_report_endpoint_gives_the_core_figures_that_the_report_command_uses(day: Any) -> None:
    client, admin, data = day
    answer = client.get("/api/report?from=2026-11-23", headers=admin)  # `to` defaults to `from`
    assert answer.status_code == 200, answer.text
    body = answer.json()
    period = ReportPeriod(DAY, DAY)
    loaded = load_report_data(data, period, catalog_path=default_catalog_path)
    expected = build_report(loaded.centre, period, at(d(30), 12), loaded.tickets, loaded.dossiers,
                            ratings=loaded.ratings, clerk_names=loaded.clerk_names,
                            field_names=loaded.field_names)  # fmt: skip
    assert body["report"] == json.loads(json.dumps(report_to_dict(expected)))
    decoded = report_from_dict(body["report"])
    assert decoded == expected  # the very PeriodReport the XLSX/PDF writers take
    assert report_tables(decoded) == report_tables(expected)
    queue = body["report"]["queue"]["total"]
    assert (queue["tickets"], queue["served"], queue["no_show"]) == (9, 6, 1)  # A001–A006, B001–B003; A003 absent
    ratings = body["report"]["ratings"]["total"]  # levels 3, 2, 1, 3, 3 and a 7 that no scale has
    assert (ratings["per_level"], ratings["out_of_scale"], ratings["satisfied"]) == ({"1": 1, "2": 1, "3": 3}, 1, 4)
    charts = charts_from_dict(body["charts"])
    assert sum(b.count for b in charts.wait_bins) == decoded.queue.total.wait.count
    assert sum(charts.arrivals.values()) == decoded.queue.total.tickets
    assert {h for (_wd, h) in charts.arrivals} == {int(r.key) for r in decoded.queue.by_hour}
    assert charts.weekdays_in_period == {0: 1}  # 23/11/2026 is a Monday


def test_a_longer_period_and_bad_dates(day: Any) -> None:
    client, admin, _data = day
    week = client.get("/api/report?from=2026-11-17&to=2026-11-23", headers=admin).json()
    assert week["report"]["period"] == {"from": "2026-11-17", "to": "2026-11-23"}
    assert week["charts"]["weekdays_in_period"] == {str(i): 1 for i in range(7)}
    backwards = client.get("/api/report?from=2026-11-23&to=2026-11-20", headers=admin)
    assert backwards.status_code == 400
    assert backwards.json()["error"] == "bad_period"
    assert "trước ngày bắt đầu" in backwards.json()["message"]
    impossible = client.get("/api/report?from=2026-13-45", headers=admin)
    assert impossible.status_code == 400
    assert "YYYY-MM-DD" in impossible.json()["message"]
    assert client.get("/api/report?from=23/11/2026", headers=admin).status_code == 422
    assert client.get("/api/report", headers=admin).status_code == 422
    too_long = client.get("/api/report?from=2024-01-01&to=2026-01-01", headers=admin)
    assert too_long.status_code == 400
    assert "366" in too_long.json()["message"]


def test_live_part_names_the_clerk_at_each_counter_and_todays_dossier_files(env: Env) -> None:
    client, admin, clock = env
    clock.current = at(DAY, 8)
    lan = person(client, admin, "lan", "clerk", 1, "Nguyễn Thị Lan")
    client.post("/api/tickets", json={"group": "HT"}, headers=admin)
    assert client.post("/api/counters/1/call-next", headers=lan).status_code == 200
    client.post("/api/counters/2/pause", json={"reason": "meeting"}, headers=admin)
    live = client.get("/api/report?from=2026-11-23", headers=admin).json()["live"]
    counters = {c["id"]: c for c in live["counters"]}
    assert (counters[1]["status"], counters[1]["clerk"]) == ("open", "lan")
    assert (counters[2]["status"], counters[2]["reason"]) == ("paused", "meeting")
    assert counters[3]["status"] == "closed"
    assert live["mirror_today"] == {"complete": 0, "files_missing": 0}
    assert live["day"] == "2026-11-23"


# --- settings ---------------------------------------------------------------------------------------------


def _issue(client: TestClient, admin: dict[str, str], group: str, n: int) -> None:
    for _ in range(n):
        assert client.post("/api/tickets", json={"group": group}, headers=admin).status_code == 201


def test_refusals_say_what_is_wrong_in_vietnamese_and_change_nothing(env: Env) -> None:
    client, admin, clock = env
    clock.current = at(DAY, 8)
    _issue(client, admin, "HT", 5)
    before = client.get("/api/settings", headers=admin).json()
    assert before["issued_today"] == {"HT": 5}
    bad = {
        "wait_target_min": 0,
        "groups": {"HT": {"daily_cap": 3, "windows": [["07:30", "11:00"]]},
                   "CT": {"windows": [["11:00", "07:30"]]},
                   "DD": {"windows": [["07:30", "11:00"], ["10:30", "12:00"]]},
                   "KD": {"windows": [["7h30", "11h"]]}},
        "counters": {str(c["id"]): {"HT": 1} for c in before["counters"]},
    }  # fmt: skip
    refused = client.put("/api/settings", json=bad, headers=admin)
    assert refused.status_code == 422
    body = refused.json()
    assert body["error"] == "invalid_settings"
    errors = {e["field"]: e["message"] for e in body["details"]["errors"]}
    assert "từ 1 đến 240" in errors["wait_target_min"]
    assert errors["groups.HT.daily_cap"] == ("Giới hạn 3 số/ngày của nhóm Hộ tịch nhỏ hơn số phiếu đã cấp hôm nay (5). "
                                             "Đặt từ 5 trở lên, hoặc đổi vào cuối ngày.")  # fmt: skip
    assert "11:00–07:30" in errors["groups.CT.windows"]
    assert "kết thúc trước" in errors["groups.CT.windows"]
    assert "chồng lên nhau" in errors["groups.DD.windows"]
    assert "giờ:phút" in errors["groups.KD.windows"]
    assert "không còn quầy nào phục vụ" in errors["groups.CT"]  # every counter now serves HT only
    assert all(message in body["message"] for message in errors.values())
    assert client.get("/api/settings", headers=admin).json() == before  # nothing applied
    assert client.get("/api/settings/audit", headers=admin).json() == []
    for weird in ({"colour": "red"}, {"groups": {"ZZ": {"daily_cap": 9}}}, {"counters": {"9": {"HT": 1}}},
                  {"groups": {"HT": {"daily_cap": "năm"}}}, {"counters": {"1": {"HT": 0}}},
                  {"notice": "x" * 501}):  # fmt: skip
        answer = client.put("/api/settings", json=weird, headers=admin)
        assert answer.status_code == 422, weird
        assert answer.json()["error"] == "invalid_settings"


def test_a_change_is_applied_audited_and_announced(env: Env) -> None:
    client, admin, clock = env
    clock.current = at(DAY, 8)
    director = person(client, admin, "giamdoc", "director")
    _issue(client, admin, "HT", 2)
    seq = client.get("/api/queue", headers=admin).json()["seq"]
    change = {
        "wait_target_min": 20,
        "groups": {"HT": {"daily_cap": 3}, "DD": {"windows": [["13:30", "16:00"], ["07:30", "11:00"]]}},
        "counters": {"4": {"HT": 1, "CT": 2}},
        "notice": "  Chiều thứ Sáu   nghỉ họp\n",
    }
    answer = client.put("/api/settings", json=change, headers=director)
    assert answer.status_code == 200, answer.text
    changed = {c["setting"]: (c["old"], c["new"]) for c in answer.json()["changed"]}
    assert changed["wait_target_s"] == ("30 phút", "20 phút")
    assert changed["group.HT.daily_cap"] == ("không giới hạn", "3 số")
    assert changed["group.DD.windows"] == ("cả ngày làm việc", "07:30–11:00, 13:30–16:00")
    assert changed["counter.4.groups"][1] == "HT (mức 1), CT (mức 2)"
    assert changed["notice"][1] == "Chiều thứ Sáu nghỉ họp"
    settings = answer.json()["settings"]
    assert settings["wait_target_min"] == 20
    dd = next(g for g in settings["groups"] if g["code"] == "DD")
    assert dd["windows"] == [["07:30", "11:00"], ["13:30", "16:00"]]
    audit = client.get("/api/settings/audit", headers=director).json()
    assert {row["setting"] for row in audit} == set(changed)
    assert {row["who"] for row in audit} == {"giamdoc (Trần Văn Giám)"}
    assert client.get("/api/display/notice").json()["text"] == "Chiều thứ Sáu nghỉ họp"
    # the screens hear of it: one event, after which the queue carries the new rules
    with client.websocket_connect(f"/api/events?since={seq}", headers=admin) as ws:
        kinds: list[object] = []
        while "centre.changed" not in kinds and len(kinds) < 20:
            kinds.append(ws.receive_json().get("kind"))
    assert kinds[-1] == "centre.changed"
    # the new cap holds at once: one more HT ticket, then the group is closed for the day
    _issue(client, admin, "HT", 1)
    full = client.post("/api/tickets", json={"group": "HT"}, headers=admin)
    assert full.status_code == 409
    assert "đã cấp đủ 3 số" in full.json()["message"]
    groups = {g["code"]: g for g in client.get("/api/queue", headers=admin).json()["groups"]}
    assert groups["HT"]["open"] is False
    assert groups["DD"]["open"] is True  # 08:00 is inside 07:30–11:00
    clock.current = at(DAY, 11, 30)
    lunch = {g["code"]: g for g in client.get("/api/groups").json()}["DD"]
    assert lunch["open"] is False
    assert lunch["reopens_at"] == "2026-11-23T06:30:00.000000+00:00"  # 13:30 local
    stats = client.get("/api/stats/today", headers=admin).json()
    assert stats["wait_target_s"] == 1200


def test_the_changes_survive_a_restart(env: Env, tmp_path: Path) -> None:
    from app.service.server import open_store

    client, admin, clock = env
    client.put("/api/settings", json={"groups": {"CT": {"daily_cap": 40}}}, headers=admin)
    store, _devices = open_store(tmp_path / "data", ManualClock(clock.current))
    try:
        assert store.centre.group("CT") is not None
        assert store.centre.group("CT").daily_cap == 40  # type: ignore[union-attr]
    finally:
        store.close()


# --- the fake agrees with the service ---------------------------------------------------------------------

ROLES = [None, "display", "kiosk", "counter", "director", "admin"]
CALLS: list[tuple[str, Callable[[QueueApi], object]]] = [
    ("report today", lambda api: api.report(date(2026, 11, 23), date(2026, 11, 23))),
    ("report backwards", lambda api: api.report(date(2026, 11, 23), date(2026, 11, 1))),
    ("settings", lambda api: api.settings()),
    ("change nothing", lambda api: api.change_settings({})),
    ("change cap below issued", lambda api: api.change_settings({"groups": {"HT": {"daily_cap": 1}}})),
    ("change window backwards", lambda api: api.change_settings({"groups": {"CT": {"windows": [["11:00", "07:30"]]}}})),
    ("change target", lambda api: api.change_settings({"wait_target_min": 25})),
    ("audit", lambda api: api.settings_audit()),
]


def _outcome(call: Callable[[QueueApi], object], api: QueueApi) -> tuple[object, ...]:
    try:
        answer = call(api)
    except ServiceError as exc:
        return ("refused", exc.status, exc.code, exc.message, exc.details)
    if isinstance(answer, dict) and "report" in answer:
        return ("ok", answer["report"]["queue"]["total"]["tickets"], sorted(answer))
    if isinstance(answer, dict) and "changed" in answer:
        return ("ok", [(c["setting"], c["old"], c["new"]) for c in answer["changed"]])
    if isinstance(answer, list):
        return ("ok", [(row["setting"], row["old"], row["new"]) for row in answer])
    return ("ok",)


def _token(service: TestClient, admin: dict[str, str], role: str | None) -> str | None:
    if role is None:
        return None
    if role == "admin":
        return admin["Authorization"].removeprefix("Bearer ")
    if role == "director":
        return person(service, admin, "giamdoc", "director")["Authorization"].removeprefix("Bearer ")
    return device(service, admin, role, 1 if role == "counter" else None)["Authorization"].removeprefix("Bearer ")


@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_fake_and_service_agree_on_the_director_calls(env: Env, role: str | None) -> None:
    service, admin, clock = env
    clock.current = at(DAY, 8)
    _issue(service, admin, "HT", 2)
    with FakeQueueClient(clock=ManualClock(at(DAY, 8)), role="admin") as fake:
        for _ in range(2):
            fake.issue("HT")
        fake.role = role
        real: QueueClient
        with in_process_client(service, _token(service, admin, role)) as real:
            seen = [(name, _outcome(call, real), _outcome(call, fake)) for name, call in CALLS]
    differ = [f"{name}: service {mine}, fake {theirs}" for name, mine, theirs in seen if mine != theirs]
    assert not differ, "\n".join(differ)


def test_the_fake_refuses_a_director_pcs_token_what_the_service_refuses_it() -> None:
    pc = FakeQueueClient(role="director", person=False)  # a director device token (app/dashboard on a paired PC)
    signed_in = FakeQueueClient(role="director")
    try:
        assert pc.settings()["wait_target_min"] == 30  # reading stays allowed
        assert pc.devices() == []
        for change in (lambda: pc.change_settings({"wait_target_min": 25}), lambda: pc.pairing_code("display"),
                       lambda: pc.unpair_device(1)):  # fmt: skip
            with pytest.raises(ServiceError) as refused:
                change()
            assert (refused.value.status, refused.value.code) == (403, "forbidden")
            assert refused.value.message == SIGN_IN_TO_CHANGE
        assert signed_in.change_settings({"wait_target_min": 25})["changed"]
    finally:
        pc.close()
        signed_in.close()
