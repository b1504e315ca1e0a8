"""The in-process fake answers like the centre service: same shapes, codes and Vietnamese messages, and the same
refusals role by role (the rules come from app/core for both; the table below runs each call on both)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.client.fake import FORBIDDEN_MESSAGE, UNAUTHORIZED_MESSAGE, FakeEventStream, FakeQueueClient, demo_fake
from app.client.queue_client import UNAVAILABLE_MESSAGE, QueueApi, QueueClient, ServiceError, ServiceUnavailable
from app.core.clock import ManualClock
from tests.support.in_process import in_process_client

Env = tuple[TestClient, dict[str, str], ManualClock]


@pytest.fixture
def fake() -> Iterator[FakeQueueClient]:
    with FakeQueueClient(clock=ManualClock()) as client:
        yield client


class Recorder:
    def __init__(self) -> None:
        self.snapshots: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.states: list[bool] = []
        self.changed = threading.Condition()

    def snapshot(self, queue: dict[str, Any]) -> None:
        with self.changed:
            self.snapshots.append(queue)
            self.changed.notify_all()

    def event(self, event: dict[str, Any]) -> None:
        with self.changed:
            self.events.append(event)
            self.changed.notify_all()

    def connection(self, up: bool) -> None:
        with self.changed:
            self.states.append(up)
            self.changed.notify_all()

    def stream(self, client: FakeQueueClient, **kw: Any) -> FakeEventStream:
        return FakeEventStream(client, on_snapshot=self.snapshot, on_event=self.event, on_connection=self.connection,
                               **kw)  # fmt: skip


def test_fake_is_a_queue_api(fake: FakeQueueClient) -> None:
    api: QueueApi = fake  # mypy: the fake has the client's interface
    assert api.health()["status"] == "ok"


def test_issue_numbers_per_group_from_one(fake: FakeQueueClient) -> None:
    first, second = fake.issue("HT"), fake.issue("HT")
    other = fake.issue("CT", "elderly")
    assert [first["number"], second["number"], other["number"]] == ["A001", "A002", "B001"]
    assert (first["people_ahead"], second["people_ahead"]) == (0, 1)
    assert isinstance(second["estimated_wait_s"], int)
    assert other["priority"] == "elderly"
    assert [t["number"] for t in fake.queue()["waiting"]] == ["B001", "A001", "A002"]  # priority first
    assert fake.ticket(first["id"])["state"] == "waiting"


def test_counter_flow_and_empty_queue(fake: FakeQueueClient) -> None:
    assert fake.call_next(1) is None
    issued = fake.issue("DD")
    called = fake.call_next(1, "Chị Lan")
    assert called is not None
    assert (called["id"], called["state"], called["counter"]) == (issued["id"], "called", 1)
    assert fake.recall(1)["call_count"] == 2
    assert fake.start(1)["state"] == "serving"
    done = fake.finish(1)
    assert (done["state"], done["outcome"]) == ("done", "served")
    assert fake.stats_today()["issued"] == 1
    paused = fake.pause(1, "break")
    assert (paused["status"], paused["label"]) == ("paused", "Nghỉ giải lao")
    assert fake.resume(1)["status"] == "open"
    assert [c["status"] for c in fake.counters()][:2] == ["open", "closed"]


def test_transfer_keeps_the_ticket_and_cancel_removes_it(fake: FakeQueueClient) -> None:
    ticket = fake.issue("HT")
    fake.call_next(2)
    moved = fake.transfer(2, "CT")
    assert (moved["id"], moved["group"], moved["state"], moved["transfers"]) == (ticket["id"], "CT", "waiting", 1)
    gone = fake.cancel(ticket["id"])
    assert gone["outcome"] == "left"


def test_a_repeated_key_is_answered_not_redone(fake: FakeQueueClient) -> None:
    a = fake.issue("HT", idempotency_key="k-1")
    b = fake.issue("HT", idempotency_key="k-1")
    assert a == b
    assert fake.stats_today()["issued"] == 1


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (lambda f: f.issue("ZZZ"), 404, "unknown_group"),
        (lambda f: f.issue("HT", "vip"), 400, "unknown_priority"),
        (lambda f: f.issue(""), 422, "invalid_request"),
        (lambda f: f.recall(1), 409, "no_current"),
        (lambda f: f.call_next(99), 404, "unknown_counter"),
        (lambda f: f.ticket(12345), 404, "not_found"),
        (lambda f: f.pause(1, "nap"), 400, "bad_reason"),
        (lambda f: f.transfer(1, "ZZZ"), 404, "unknown_group"),
    ],
)
def test_refusals_carry_the_service_codes(fake: FakeQueueClient, call: Any, status: int, code: str) -> None:
    with pytest.raises(ServiceError) as caught:
        call(fake)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert not isinstance(caught.value, ServiceUnavailable)
    assert caught.value.message
    assert str(caught.value) == caught.value.message


def test_unknown_group_message_lists_the_groups(fake: FakeQueueClient) -> None:
    with pytest.raises(ServiceError, match="Không có nhóm dịch vụ “ZZZ”") as caught:
        fake.issue("ZZZ")
    assert "HT" in caught.value.message


def test_empty_group_gets_the_services_validation_message(fake: FakeQueueClient) -> None:
    with pytest.raises(ServiceError) as caught:
        fake.issue("")
    assert caught.value.message == "Dữ liệu gửi lên không hợp lệ: trường “nhóm dịch vụ” không hợp lệ."
    assert caught.value.details == {"fields": ["body.group"]}


def test_roles_answer_like_the_service(env: Env) -> None:
    service, _admin, _clock = env
    anonymous = service.post("/api/tickets", json={"group": "HT"}).json()
    assert (anonymous["error"], anonymous["message"]) == ("http_401", UNAUTHORIZED_MESSAGE)
    with FakeQueueClient(role=None) as nobody, FakeQueueClient(role="kiosk") as kiosk:
        assert nobody.groups()  # reads need no token
        with pytest.raises(ServiceError) as caught:
            nobody.issue("HT")
        assert (caught.value.status, caught.value.code, caught.value.message) == (401, "http_401", UNAUTHORIZED_MESSAGE)
        assert kiosk.issue("HT")["number"] == "A001"
        with pytest.raises(ServiceError) as caught:
            kiosk.call_next(1)
        assert (caught.value.status, caught.value.code, caught.value.message) == (403, "http_403", FORBIDDEN_MESSAGE)


# --- the fake and the service, call by call and role by role ------------------------------------------------

ROLES = [None, "display", "kiosk", "counter", "director", "admin"]
BOUND = 1  # the counter a "counter" device is bound to, on both sides


def _issue_then_cancel(api: QueueApi) -> object:
    return api.cancel(int(api.issue("DD")["id"]))


# (name, call): run in this order on both sides, after the same two tickets were issued by the admin
CALLS: list[tuple[str, Callable[[QueueApi], object]]] = [
    ("health", lambda api: api.health()),
    ("groups", lambda api: api.groups()),
    ("counters", lambda api: api.counters()),
    ("priorities", lambda api: api.priorities()),
    ("catalog", lambda api: api.catalog()),
    ("display_notice", lambda api: api.display_notice()),
    ("queue", lambda api: api.queue()),
    ("stats_today", lambda api: api.stats_today()),
    ("ticket", lambda api: api.ticket(1)),
    ("ticket unknown", lambda api: api.ticket(12345)),
    ("ticket id 0", lambda api: api.ticket(0)),
    ("issue", lambda api: api.issue("HT")),
    ("issue unknown group", lambda api: api.issue("ZZZ")),
    ("issue empty group", lambda api: api.issue("")),
    ("issue long priority", lambda api: api.issue("HT", "x" * 33)),
    ("issue by fax", lambda api: api.issue("HT", channel="fax")),
    ("cancel own", _issue_then_cancel),
    ("cancel another's", lambda api: api.cancel(2)),
    ("recall none called", lambda api: api.recall(BOUND)),
    ("call next", lambda api: api.call_next(BOUND)),
    ("call next elsewhere", lambda api: api.call_next(BOUND + 1)),
    ("call next counter 0", lambda api: api.call_next(0)),
    ("recall", lambda api: api.recall(BOUND)),
    ("start", lambda api: api.start(BOUND)),
    ("transfer unknown group", lambda api: api.transfer(BOUND, "ZZZ")),
    ("finish", lambda api: api.finish(BOUND)),
    ("no show none called", lambda api: api.no_show(BOUND)),
    ("pause for a nap", lambda api: api.pause(BOUND, "nap")),
    ("pause", lambda api: api.pause(BOUND, "break")),
    ("resume", lambda api: api.resume(BOUND)),
    ("resume elsewhere", lambda api: api.resume(BOUND + 1)),
    ("dossier codes", lambda api: api.dossier_codes()),
    ("centre dossier unknown", lambda api: api.centre_dossier("x-0001")),
]


def outcome(call: Callable[[QueueApi], object], api: QueueApi) -> tuple[object, ...]:
    """What a caller sees: the refusal (status, code, message, details), or that it went through, with what the
    caller's role decides of the answer (a public queue has no priority, per-clerk figures are the director's)."""
    try:
        answer = call(api)
    except ServiceError as exc:
        return ("refused", exc.status, exc.code, exc.message, exc.details)
    if isinstance(answer, dict) and "waiting" in answer:
        return ("ok", sorted({key for ticket in answer["waiting"] for key in ticket}))
    if isinstance(answer, dict) and "issued" in answer:
        return ("ok", "by_clerk" in answer)
    return ("ok",)


def token_for(service: TestClient, admin: dict[str, str], role: str | None) -> str | None:
    """A bearer token acting as `role`: a device's (a counter device bound to BOUND), or a director's session."""
    if role is None:
        return None
    if role == "admin":
        return admin["Authorization"].removeprefix("Bearer ")
    if role == "director":
        user = {"username": "giamdoc", "display_name": "Trần Văn Giám", "role": "director", "secret": "pass-1234-xyz"}
        assert service.post("/api/users", json=user, headers=admin).status_code == 201
        signed = service.post("/api/sessions", json={"username": "giamdoc", "secret": user["secret"]})
        assert signed.status_code == 201, signed.text
        return str(signed.json()["token"])
    body = {"name": f"{role} thử", "role": role, "counter": BOUND if role == "counter" else None}
    made = service.post("/api/devices", json=body, headers=admin)
    assert made.status_code == 201, made.text
    return str(made.json()["token"])


@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_fake_and_service_agree_call_by_call(env: Env, role: str | None) -> None:
    service, admin, _clock = env
    with in_process_client(service, admin["Authorization"].removeprefix("Bearer ")) as seeding:
        for _ in range(2):
            seeding.issue("HT")
    with FakeQueueClient(clock=ManualClock(), role="admin", counter=BOUND) as fake:
        for _ in range(2):
            fake.issue("HT")
        fake.role = role
        real: QueueClient
        with in_process_client(service, token_for(service, admin, role)) as real:
            seen = [(name, outcome(call, real), outcome(call, fake)) for name, call in CALLS]
    differ = [f"{name}: service {mine}, fake {theirs}" for name, mine, theirs in seen if mine != theirs]
    assert not differ, "\n".join(differ)
    refused = {name for name, mine, _theirs in seen if mine[0] == "refused"}
    assert refused != {name for name, _call in CALLS}, "every call refused: the table proved nothing for this role"


def test_unavailable_fails_every_call_until_back(fake: FakeQueueClient) -> None:
    fake.set_unavailable(True)
    calls: list[Callable[[], object]] = [fake.health, fake.queue, lambda: fake.issue("HT"), lambda: fake.call_next(1)]
    for call in calls:
        with pytest.raises(ServiceUnavailable) as caught:
            call()
        assert caught.value.message == UNAVAILABLE_MESSAGE
        assert caught.value.code == "unavailable"
    fake.set_unavailable(False)
    assert fake.issue("HT")["number"] == "A001"


def test_results_are_copies(fake: FakeQueueClient) -> None:
    fake.groups()[0]["name"] = "đã sửa"
    assert fake.groups()[0]["name"] != "đã sửa"


def test_event_stream_snapshot_then_events_once(fake: FakeQueueClient) -> None:
    rec = Recorder()
    stream = rec.stream(fake)
    stream.start()  # connects: the snapshot comes at once
    assert rec.states == [True]
    assert rec.snapshots[0]["seq"] == 0
    assert stream.pump() == 0
    fake.issue("HT")
    assert stream.pump() == 1
    fake.issue("CT")
    fake.call_next(1)
    assert stream.pump() == 3
    assert stream.pump() == 0
    assert [e["seq"] for e in rec.events] == [1, 2, 3, 4]
    assert [e["kind"] for e in rec.events] == ["ticket.issued", "ticket.issued", "counter.opened", "ticket.called"]
    assert rec.events[0]["payload"]["ticket"]["number"] == "A001"
    assert stream.last_seq == 4


def test_event_stream_reports_outage_and_replays_what_it_missed(fake: FakeQueueClient) -> None:
    rec = Recorder()
    stream = rec.stream(fake)
    stream.start()
    fake.issue("HT")
    fake.set_unavailable(True)
    assert stream.pump() == 0
    fake.set_unavailable(False)
    fake.issue("HT")
    assert stream.pump() == 2
    assert rec.states == [True, False, True]
    assert [e["seq"] for e in rec.events] == [1, 2]
    assert len(rec.snapshots) == 1


def test_auto_stream_delivers_after_each_commit(fake: FakeQueueClient) -> None:
    rec = Recorder()
    stream = rec.stream(fake, auto=True)
    stream.start()
    try:
        for _ in range(3):
            fake.issue("KD")
        with rec.changed:
            assert rec.changed.wait_for(lambda: len(rec.events) == 3, timeout=10)
        assert [e["payload"]["ticket"]["number"] for e in rec.events] == ["E001", "E002", "E003"]
    finally:
        stream.stop()


def test_demo_hall_is_lively() -> None:
    with demo_fake() as fake:
        queue = fake.queue()
        waiting_groups = {t["group"] for t in queue["waiting"]}
        assert len(queue["waiting"]) >= 8
        assert len(waiting_groups) >= 3
        assert any(t["priority"] for t in queue["waiting"])
        by_id = {c["id"]: c for c in queue["counters"]}
        assert by_id[1]["current"]["state"] == "called"
        assert by_id[2]["current"]["state"] == "serving"
        assert (by_id[3]["status"], by_id[3]["reason"]) == ("paused", "break")
        assert by_id[4]["status"] == "closed"
        stats = fake.stats_today()
        assert stats["issued"] == 18
        assert fake.issue("HT")["estimated_wait_s"] > 0
