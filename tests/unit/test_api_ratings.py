"""Issue 13, citizens' ratings through the API in process: only a rating screen rates, only its own counter's visit
just finished, once per ticket, the clerk from the queue; the director reads them, the report counts them."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from app.core.clock import ManualClock, local_day
from app.core.dossier_codec import dossier_to_dict
from app.core.rating import RATE_WINDOW_S, REASONS
from app.report_cli import run_report
from tests.unit.test_api import assert_vietnamese_error
from tests.unit.test_dossier_mirror import make_dossier
from tests.unit.test_report_day import by_key, rows_of

Env = tuple[TestClient, dict[str, str], ManualClock]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def device(client: TestClient, admin: dict[str, str], role: str, counter: int | None = None) -> dict[str, str]:
    made = client.post("/api/devices", json={"name": f"{role} {counter}", "role": role, "counter": counter},
                       headers=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    return bearer(made.json()["token"])


def person(client: TestClient, admin: dict[str, str], username: str, name: str, role: str = "clerk",
           counter: int | None = None) -> dict[str, str]:  # fmt: skip
    made = client.post("/api/users", json={"username": username, "display_name": name, "role": role,
                                           "secret": "482913"}, headers=admin)  # fmt: skip
    assert made.status_code == 201, made.text
    signed = client.post("/api/sessions", json={"username": username, "secret": "482913", "counter": counter})
    assert signed.status_code == 201, signed.text
    return bearer(signed.json()["token"])


def serve_one(client: TestClient, admin: dict[str, str], clerk: dict[str, str], counter: int,
              group: str = "HT") -> dict[str, Any]:  # fmt: skip
    """Issue a ticket and serve it to the end at `counter`; the finished ticket."""
    client.post("/api/tickets", json={"group": group}, headers=admin).raise_for_status()
    client.post(f"/api/counters/{counter}/call-next", headers=clerk).raise_for_status()
    client.post(f"/api/counters/{counter}/start", headers=clerk).raise_for_status()
    done = client.post(f"/api/counters/{counter}/finish", headers=clerk)
    assert done.status_code == 200, done.text
    return dict(done.json())


def rate(client: TestClient, who: dict[str, str], ticket_id: int, level: int, reason: str | None = None,
         **extra: Any) -> Any:  # fmt: skip
    body: dict[str, Any] = {"ticket_id": ticket_id, "level": level, **extra}
    if reason is not None:
        body["reason"] = reason
    return client.post("/api/ratings", json=body, headers=who)


def test_the_screen_rates_the_visit_its_counter_just_finished_once(env: Env) -> None:
    client, admin, clock = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    screen = device(client, admin, "rating", 1)
    assert client.get("/api/ratings/prompt", headers=screen).json()["visit"] is None
    ticket = serve_one(client, admin, lan, 1)
    clock.advance(3)
    prompt = client.get("/api/ratings/prompt", headers=screen).json()
    assert prompt["visit"]["ticket_id"] == ticket["id"]
    assert (prompt["visit"]["number"], prompt["visit"]["clerk"], prompt["visit"]["clerk_name"]) == (
        "A001", "lan", "Nguyễn Thị Lan")  # fmt: skip
    assert prompt["scale"]["labels"] == ["Không hài lòng", "Hài lòng", "Rất hài lòng"]
    assert prompt["reasons"] == list(REASONS)
    assert prompt["window_s"] == RATE_WINDOW_S

    first = rate(client, screen, ticket["id"], 1, "Chờ lâu")
    assert first.status_code == 201, first.text
    kept = first.json()
    assert (kept["level"], kept["label"], kept["reason"], kept["counter"], kept["clerk"]) == (
        1, "Không hài lòng", "Chờ lâu", 1, "lan")  # fmt: skip
    assert kept["already_rated"] is False
    # a second tap, or a second screen: the first rating stands and is the answer, with 200, never an error
    again = rate(client, screen, ticket["id"], 3)
    assert again.status_code == 200
    assert (again.json()["level"], again.json()["already_rated"]) == (1, True)
    assert client.get("/api/ratings/prompt", headers=screen).json()["visit"] is None  # nothing left to ask

    listed = client.get("/api/ratings", headers=admin).json()
    assert listed["count"] == 1
    assert [(r["number"], r["clerk"], r["clerk_name"], r["level"], r["reason"]) for r in listed["ratings"]] == [
        ("A001", "lan", "Nguyễn Thị Lan", 1, "Chờ lâu")]  # fmt: skip


def test_the_clerk_comes_from_the_queue_never_from_the_body(env: Env) -> None:
    client, admin, _ = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    screen = device(client, admin, "rating", 1)
    ticket = serve_one(client, admin, lan, 1)
    named = rate(client, screen, ticket["id"], 3, clerk="giamdoc", counter=2)
    assert_vietnamese_error(named, 422, "invalid_request")
    assert rate(client, screen, ticket["id"], 3).json()["clerk"] == "lan"


def test_only_a_rating_screen_rates(env: Env) -> None:
    client, admin, _ = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    director = person(client, admin, "giamdoc", "Trần Văn Giám", role="director")
    ticket = serve_one(client, admin, lan, 1)
    for who in (device(client, admin, "kiosk"), device(client, admin, "counter", 1), device(client, admin, "display"),
                lan, director):  # fmt: skip
        assert_vietnamese_error(rate(client, who, ticket["id"], 3), 403)
        assert_vietnamese_error(client.get("/api/ratings/prompt", headers=who), 403)
    assert_vietnamese_error(rate(client, {}, ticket["id"], 3), 401)
    # the director reads them; a rating screen, a counter, a kiosk do not
    assert client.get("/api/ratings", headers=director).status_code == 200
    for role, counter in (("rating", 1), ("counter", 1), ("kiosk", None)):
        assert_vietnamese_error(client.get("/api/ratings", headers=device(client, admin, role, counter)), 403)


def test_a_rating_device_is_made_for_one_counter(env: Env) -> None:
    client, admin, _ = env
    unbound = client.post("/api/devices", json={"name": "Máy đánh giá", "role": "rating"}, headers=admin)
    assert_vietnamese_error(unbound, 400, "bad_counter")
    made = client.post("/api/devices", json={"name": "Máy đánh giá quầy 2", "role": "rating", "counter": 2},
                       headers=admin)  # fmt: skip
    assert made.status_code == 201
    assert (made.json()["role"], made.json()["counter"]) == ("rating", 2)


def test_the_screen_of_counter_2_cannot_rate_a_visit_of_counter_1(env: Env) -> None:
    client, admin, _ = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    ticket = serve_one(client, admin, lan, 1)
    screen2 = device(client, admin, "rating", 2)
    refused = assert_vietnamese_error(rate(client, screen2, ticket["id"], 3), 403, "forbidden")
    assert "quầy số 2" in refused["message"]
    assert client.get("/api/ratings/prompt", headers=screen2).json()["visit"] is None
    assert_vietnamese_error(client.get("/api/ratings/prompt?counter=1", headers=screen2), 403, "forbidden")
    assert client.get("/api/ratings", headers=admin).json()["count"] == 0
    # the admin may rate any counter's visit, under the same time limit
    assert rate(client, admin, ticket["id"], 2).status_code == 201


def test_a_visit_finished_ten_minutes_ago_is_refused(env: Env) -> None:
    client, admin, clock = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    screen = device(client, admin, "rating", 1)
    ticket = serve_one(client, admin, lan, 1)
    clock.advance(10 * 60)
    assert client.get("/api/ratings/prompt", headers=screen).json()["visit"] is None
    late = assert_vietnamese_error(rate(client, screen, ticket["id"], 3), 409, "rating_closed")
    assert "5 phút" in late["message"]
    assert client.get("/api/ratings", headers=admin).json()["count"] == 0


def test_only_a_visit_served_to_the_end_is_rated(env: Env) -> None:
    client, admin, _ = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    screen = device(client, admin, "rating", 1)
    client.post("/api/tickets", json={"group": "HT"}, headers=admin)
    called = client.post("/api/counters/1/call-next", headers=lan).json()
    assert_vietnamese_error(rate(client, screen, called["id"], 3), 409, "not_finished")  # called, not served
    client.post("/api/counters/1/start", headers=lan)
    assert_vietnamese_error(rate(client, screen, called["id"], 3), 409, "not_finished")  # still at the counter
    assert_vietnamese_error(rate(client, screen, 999, 3), 404, "unknown_ticket")


def test_bad_levels_and_reasons_and_a_five_level_scale(env: Env) -> None:
    client, admin, _ = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    director = person(client, admin, "giamdoc", "Trần Văn Giám", role="director")
    screen = device(client, admin, "rating", 1)
    ticket = serve_one(client, admin, lan, 1)
    assert_vietnamese_error(rate(client, screen, ticket["id"], 0), 422, "invalid_request")
    assert_vietnamese_error(rate(client, screen, ticket["id"], 4), 400, "bad_rating_level")  # 3 levels by default
    assert_vietnamese_error(rate(client, screen, ticket["id"], 1, "Cán bộ tên Lan"), 400, "bad_reason")
    broken = client.post("/api/ratings", content=b"{", headers={**screen, "Content-Type": "application/json"})
    assert_vietnamese_error(broken, 422, "bad_json")
    assert_vietnamese_error(client.put("/api/ratings/scale", json={"levels": 5}, headers=screen), 403)
    assert_vietnamese_error(client.put("/api/ratings/scale", json={"levels": 4}, headers=director), 400, "bad_scale")
    five = client.put("/api/ratings/scale", json={"levels": 5}, headers=director)
    assert five.status_code == 200
    assert five.json()["labels"] == ["Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"]
    assert client.get("/api/ratings/prompt", headers=screen).json()["scale"]["levels"] == 5
    kept = rate(client, screen, ticket["id"], 4)
    assert (kept.status_code, kept.json()["label"]) == (201, "Hài lòng")


def test_a_retry_with_its_key_gets_its_first_answer(env: Env) -> None:
    client, admin, _ = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    screen = device(client, admin, "rating", 1)
    ticket = serve_one(client, admin, lan, 1)
    keyed = {**screen, "Idempotency-Key": "rate-1"}
    first = client.post("/api/ratings", json={"ticket_id": ticket["id"], "level": 2}, headers=keyed)
    retry = client.post("/api/ratings", json={"ticket_id": ticket["id"], "level": 2}, headers=keyed)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert first.json() == retry.json()


def test_the_dossier_received_during_the_visit_is_tied_to_the_rating(env: Env) -> None:
    client, admin, clock = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    screen = device(client, admin, "rating", 1)
    ticket = serve_one(client, admin, lan, 1)
    dossier = replace(make_dossier(), ticket=ticket["number"], counter=1, received_at=clock.now())
    pushed = client.put(f"/api/dossiers/{dossier.code}", json=dossier_to_dict(dossier), headers=lan)
    assert pushed.status_code == 200, pushed.text
    assert rate(client, screen, ticket["id"], 3).json()["dossier_code"] == dossier.code


def test_the_period_report_counts_the_ratings_the_screen_gave(env: Env, tmp_path: Path) -> None:
    client, admin, clock = env
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    minh = person(client, admin, "minh", "Trần Văn Minh", counter=2)
    screen1, screen2 = device(client, admin, "rating", 1), device(client, admin, "rating", 2)
    for level, reason in ((3, None), (1, "Chờ lâu")):
        assert rate(client, screen1, serve_one(client, admin, lan, 1)["id"], level, reason).status_code == 201
    assert rate(client, screen2, serve_one(client, admin, minh, 2)["id"], 2).status_code == 201
    out = tmp_path / "bao-cao.xlsx"
    day = local_day(clock.now()).isoformat()
    assert run_report(argparse.Namespace(data=tmp_path / "data", first=day, last=None, out=out), now=clock.now()) == 0
    wb = load_workbook(out)
    clerks = by_key(wb["Đánh giá theo cán bộ"])
    assert clerks["Nguyễn Thị Lan (lan)"][1:] == [2, 1, 0, 1, 0.5]  # rated, very satisfied, satisfied, not, share
    assert clerks["Trần Văn Minh (minh)"][1:] == [1, 0, 1, 0, 1.0]
    summary = {row[0]: row[1] for row in rows_of(wb["Tổng hợp"])[1]}
    assert summary["Số lượt đánh giá"] == 3


def test_a_five_level_centre_is_reported_on_its_own_scale(env: Env, tmp_path: Path) -> None:
    from app.core.report import ReportPeriod
    from app.paths import default_catalog_path
    from app.store.report_queries import load_report_data

    client, admin, clock = env
    director = person(client, admin, "giamdoc", "Lê Văn Giám", role="director")
    lan = person(client, admin, "lan", "Nguyễn Thị Lan", counter=1)
    screen = device(client, admin, "rating", 1)
    assert client.put("/api/ratings/scale", json={"levels": 5}, headers=director).status_code == 200
    assert rate(client, screen, serve_one(client, admin, lan, 1)["id"], 5).status_code == 201
    day = local_day(clock.now())
    loaded = load_report_data(tmp_path / "data", ReportPeriod(day, day), catalog_path=default_catalog_path)
    assert len(loaded.rating_scale.labels) == 5
    answer = client.get(f"/api/report?from={day.isoformat()}&to={day.isoformat()}", headers=director)
    assert answer.status_code == 200
    ratings = answer.json()["report"]["ratings"]
    assert len(ratings["scale"]["labels"]) == 5  # before: the default 3 levels, and this 5 counted off the scale
    assert ratings["total"]["per_level"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert ratings["total"]["out_of_scale"] == 0
