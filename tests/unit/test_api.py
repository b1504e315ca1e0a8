"""The centre API in process: validation, auth, Vietnamese errors, the full counter cycle."""

from __future__ import annotations

from pathlib import Path

import pytest


def assert_vietnamese_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"error", "message"}
    assert "Traceback" not in response.text
    assert any(ch in body["message"] for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
    if code:
        assert body["error"] == code
    return body


def test_fresh_data_folder_is_seeded_and_private(tmp_path: Path, env) -> None:
    client, _, _ = env
    data = tmp_path / "data"
    assert (data / "admin.token").stat().st_mode & 0o077 == 0
    assert (data / "queue.db").stat().st_mode & 0o077 == 0
    assert client.get("/api/health").json()["status"] == "ok"
    groups = client.get("/api/groups").json()
    assert {g["code"] for g in groups} == {"HT", "CT", "NCN", "DD", "KD", "BTXH", "NCC", "GN", "CUTRU"}
    counters = client.get("/api/counters").json()
    assert [c["id"] for c in counters] == [1, 2, 3, 4]
    assert all(set(c["groups"]) == {g["code"] for g in groups} for c in counters)
    assert {p["code"] for p in client.get("/api/priorities").json()} == {"elderly", "pregnant", "disabled", "merit"}


def test_openapi_lists_the_api(env) -> None:
    client, _, _ = env
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/tickets", "/api/counters/{counter_id}/call-next", "/api/queue", "/api/stats/today"):
        assert path in paths


def test_issue_and_serve_cycle(env) -> None:
    client, auth, clock = env
    first = client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    assert first.status_code == 201
    assert first.json()["number"] == "A001"
    assert first.json()["people_ahead"] == 0
    second = client.post("/api/tickets", json={"group": "HT"}, headers=auth).json()
    assert second["number"] == "A002"
    assert second["people_ahead"] == 1
    assert second["estimated_wait_s"] > 0
    called = client.post("/api/counters/1/call-next", headers=auth).json()
    assert called["number"] == "A001"
    assert called["state"] == "called"
    assert called["counter"] == 1
    clock.advance(20)
    assert client.post("/api/counters/1/recall", headers=auth).json()["call_count"] == 2
    assert client.post("/api/counters/1/start", headers=auth).json()["state"] == "serving"
    clock.advance(240)
    done = client.post("/api/counters/1/finish", headers=auth).json()
    assert done["outcome"] == "served"
    stats = client.get("/api/stats/today", headers=auth).json()
    assert stats["issued"] == 2
    assert stats["served"] == 1
    assert stats["waiting_now"] == 1
    assert stats["service_s"]["avg"] == 240.0
    queue = client.get("/api/queue").json()
    assert [t["number"] for t in queue["waiting"]] == ["A002"]


def test_call_next_on_empty_queue_is_204(env) -> None:
    client, auth, _ = env
    response = client.post("/api/counters/2/call-next", headers=auth)
    assert response.status_code == 204
    assert response.content == b""


def test_transfer_keeps_place_by_issue_time(env) -> None:
    client, auth, clock = env
    client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    clock.advance(60)
    client.post("/api/tickets", json={"group": "CT"}, headers=auth)
    client.post("/api/counters/1/call-next", headers=auth)
    moved = client.post("/api/counters/1/transfer", json={"group": "CT"}, headers=auth).json()
    assert moved["group"] == "CT"
    assert moved["state"] == "waiting"
    assert moved["transfers"] == 1
    # The transferred A001 was issued first, so it goes before B001 at a counter serving CT.
    assert client.post("/api/counters/2/call-next", headers=auth).json()["number"] == "A001"


def test_priority_ticket_goes_first(env) -> None:
    client, auth, _ = env
    client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    client.post("/api/tickets", json={"group": "HT", "priority": "elderly"}, headers=auth)
    assert client.post("/api/counters/1/call-next", headers=auth).json()["number"] == "A002"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "thiếu trường “nhóm dịch vụ”"),
        ({"group": ""}, "nhóm dịch vụ"),
        ({"group": 5}, "nhóm dịch vụ"),
        ({"group": "HT", "colour": "red"}, "colour"),
        ({"group": "HT", "channel": "fax"}, "kênh"),
        ([1, 2], "đối tượng JSON"),
    ],
)
def test_malformed_issue_bodies_are_422_in_vietnamese(env, body, fragment: str) -> None:
    client, auth, _ = env
    body_json = assert_vietnamese_error(client.post("/api/tickets", json=body, headers=auth), 422, "invalid_request")
    assert fragment in body_json["message"]


def test_broken_json_is_explained(env) -> None:
    client, auth, _ = env
    response = client.post("/api/tickets", content=b'{"group": ', headers={**auth, "Content-Type": "application/json"})
    assert "JSON hợp lệ" in assert_vietnamese_error(response, 422)["message"]


def test_unknown_group_counter_priority_and_ticket(env) -> None:
    client, auth, _ = env
    assert_vietnamese_error(client.post("/api/tickets", json={"group": "XX"}, headers=auth), 404, "unknown_group")
    assert_vietnamese_error(
        client.post("/api/tickets", json={"group": "HT", "priority": "vip"}, headers=auth), 400, "unknown_priority"
    )
    assert_vietnamese_error(client.post("/api/counters/99/call-next", headers=auth), 404, "unknown_counter")
    assert_vietnamese_error(client.post("/api/counters/abc/call-next", headers=auth), 422)
    assert_vietnamese_error(client.get("/api/tickets/12345", headers=auth), 404)
    assert_vietnamese_error(client.post("/api/counters/1/transfer", json={"group": "ZZ"}, headers=auth), 404)
    assert_vietnamese_error(client.get("/api/nothing-here"), 404)


def test_actions_in_the_wrong_state_are_409(env) -> None:
    client, auth, _ = env
    assert_vietnamese_error(client.post("/api/counters/1/finish", headers=auth), 409, "no_current")
    client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    client.post("/api/counters/1/call-next", headers=auth)
    assert_vietnamese_error(client.post("/api/counters/1/finish", headers=auth), 409, "bad_state")
    assert_vietnamese_error(client.post("/api/counters/1/call-next", headers=auth), 409, "counter_busy")
    assert_vietnamese_error(client.post("/api/counters/1/pause", json={"reason": "break"}, headers=auth), 409)


def test_recall_past_the_limit_is_a_no_show(env) -> None:
    client, auth, _ = env
    client.post("/api/tickets", json={"group": "HT"}, headers=auth)
    client.post("/api/counters/1/call-next", headers=auth)
    assert client.post("/api/counters/1/recall", headers=auth).json()["call_count"] == 2
    assert client.post("/api/counters/1/recall", headers=auth).json()["call_count"] == 3
    last = client.post("/api/counters/1/recall", headers=auth).json()
    assert last["state"] == "done"
    assert last["outcome"] == "no_show"


def test_no_show_only_after_the_calls_the_ticket_promises(env) -> None:
    client, auth, _ = env
    issued = client.post("/api/tickets", json={"group": "HT"}, headers=auth).json()
    assert issued["no_show_after_calls"] == 3  # what the printed ticket says
    client.post("/api/counters/1/call-next", headers=auth)
    early = assert_vietnamese_error(client.post("/api/counters/1/no-show", headers=auth), 409, "too_few_calls")
    assert "3 lần gọi" in early["message"]
    client.post("/api/counters/1/recall", headers=auth)
    client.post("/api/counters/1/recall", headers=auth)
    assert client.post("/api/counters/1/no-show", headers=auth).json()["outcome"] == "no_show"


def test_pause_and_resume_counter(env) -> None:
    client, auth, _ = env
    assert (
        client.post("/api/counters/3/pause", json={"reason": "back_office"}, headers=auth).json()["status"] == "paused"
    )
    assert next(c for c in client.get("/api/counters").json() if c["id"] == 3)["status"] == "paused"
    assert_vietnamese_error(
        client.post("/api/counters/3/pause", json={"reason": "nap"}, headers=auth), 400, "bad_reason"
    )
    assert client.post("/api/counters/3/resume", headers=auth).json()["status"] == "open"


def test_writes_need_a_valid_token_and_the_right_role(env) -> None:
    client, auth, _ = env
    assert_vietnamese_error(client.post("/api/tickets", json={"group": "HT"}), 401)
    assert_vietnamese_error(
        client.post("/api/tickets", json={"group": "HT"}, headers={"Authorization": "Bearer wrong"}), 401
    )
    assert_vietnamese_error(
        client.post("/api/tickets", json={"group": "HT"}, headers={"Authorization": "Basic x"}), 401
    )
    kiosk = client.post("/api/devices", json={"name": "Kiosk sảnh", "role": "kiosk"}, headers=auth)
    assert kiosk.status_code == 201
    kiosk_auth = {"Authorization": f"Bearer {kiosk.json()['token']}"}
    assert client.post("/api/tickets", json={"group": "HT"}, headers=kiosk_auth).status_code == 201
    assert_vietnamese_error(client.post("/api/counters/1/call-next", headers=kiosk_auth), 403)
    assert_vietnamese_error(client.post("/api/devices", json={"name": "x", "role": "admin"}, headers=kiosk_auth), 403)
    assert_vietnamese_error(client.post("/api/devices", json={"name": "x", "role": "boss"}, headers=auth), 400)
    assert client.get("/api/queue").status_code == 200  # reading the board needs no token


def test_idempotency_key_answers_a_retry_without_issuing_twice(env) -> None:
    client, auth, _ = env
    headers = {**auth, "Idempotency-Key": "kiosk1-000042"}
    first = client.post("/api/tickets", json={"group": "HT"}, headers=headers).json()
    again = client.post("/api/tickets", json={"group": "HT"}, headers=headers).json()
    assert first == again
    assert client.get("/api/stats/today", headers=auth).json()["issued"] == 1


def test_events_websocket_snapshot_then_live(env) -> None:
    client, auth, _ = env
    with client.websocket_connect("/api/events") as ws:
        hello = ws.receive_json()
        assert hello["type"] == "snapshot"
        assert hello["seq"] == 0
        client.post("/api/tickets", json={"group": "HT"}, headers=auth)
        event = ws.receive_json()
        assert event["type"] == "event"
        assert event["kind"] == "ticket.issued"
        assert event["seq"] == 1
        assert event["payload"]["ticket"]["number"] == "A001"
    with client.websocket_connect("/api/events?since=0") as ws:
        replay = ws.receive_json()
        assert replay["seq"] == 1
        assert replay["kind"] == "ticket.issued"


def test_the_ticket_qr_opens_a_page_that_follows_the_turn(env) -> None:
    client, admin, _ = env
    first = client.post("/api/tickets", json={"group": "HT"}, headers=admin).json()
    second = client.post("/api/tickets", json={"group": "HT"}, headers=admin).json()
    assert client.get(f"/t/{second['id']}").status_code == 404  # the sequential id opens nothing
    page = client.get(f"/t/{second['follow']}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert second["number"] in page.text
    assert "Trước quý khách có 1 người" in page.text
    client.post("/api/counters/1/call-next", headers=admin)
    assert "Mời đến Quầy 1" in client.get(f"/t/{first['follow']}").text
    assert "Quý khách là người tiếp theo." in client.get(f"/t/{second['follow']}").text
    assert client.get("/t/99999").status_code == 404
    forged = f"{first['id']}-" + "0" * 20  # a guessed key for a real ticket
    assert client.get(f"/t/{forged}").status_code == 404
