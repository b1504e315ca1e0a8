"""The fake client rates as the centre service does: the same scenario, call by call, on `FakeQueueClient` and on
`QueueClient` against the service in process, gives the same answers and the same refusals (status and code)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.client.api import QueueApi
from app.client.fake import FakeQueueClient
from app.client.queue_client import ServiceError
from app.core.clock import ManualClock
from tests.support.in_process import in_process_client

Env = tuple[TestClient, dict[str, str], ManualClock]
As = Callable[[str | None, int | None], QueueApi]  # a client acting as (role, counter)


def outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        answer = call()
    except ServiceError as exc:
        return ("refused", exc.status, exc.code)
    if isinstance(answer, dict) and "visit" in answer:
        visit = answer["visit"]
        return (
            "prompt",
            visit and (visit["number"], visit["clerk"]),
            answer["scale"]["levels"],
            len(answer["reasons"]),
        )
    if isinstance(answer, dict) and "ratings" in answer:
        return ("list", [(r["number"], r["level"], r["reason"]) for r in answer["ratings"]])
    return ("rated", answer["number"], answer["level"], answer["reason"], answer["counter"], answer["already_rated"])


def scenario(act: As, advance: Callable[[float], None]) -> list[tuple[Any, ...]]:
    """`act(role, counter)` is asked before every call: the fake plays one caller at a time."""

    def serve(counter: int) -> int:
        act("admin", None).issue("HT")
        assert act("admin", None).call_next(counter) is not None
        act("admin", None).start(counter)
        return int(act("admin", None).finish(counter)["id"])

    def screen(counter: int = 1) -> QueueApi:
        return act("rating", counter)

    seen = [outcome(lambda: screen().rating_prompt())]
    first = serve(1)
    seen += [
        outcome(lambda: screen().rating_prompt()),
        outcome(lambda: screen().rating_prompt(2)),
        outcome(lambda: screen(2).rate(first, 3)),
        outcome(lambda: act("kiosk", None).rate(first, 3)),
        outcome(lambda: act("counter", 1).rate(first, 3)),
        outcome(lambda: act("director", None).rate(first, 3)),
        outcome(lambda: act(None, None).rate(first, 3)),
        outcome(lambda: screen().rate(first, 4)),
        outcome(lambda: screen().rate(first, 0)),
        outcome(lambda: screen().rate(first, 1, "Vì sao cũng được")),
        outcome(lambda: screen().rate(999, 3)),
        outcome(lambda: screen().rate(first, 1, "Chờ lâu", idempotency_key="k1")),
        outcome(lambda: screen().rate(first, 1, "Chờ lâu", idempotency_key="k1")),
        outcome(lambda: screen().rate(first, 3)),
        outcome(lambda: screen().rating_prompt()),
    ]
    late = serve(1)
    advance(301)
    seen += [
        outcome(lambda: screen().rating_prompt()),
        outcome(lambda: screen().rate(late, 2)),
        outcome(lambda: act("director", None).ratings()),
        outcome(lambda: screen().ratings()),
    ]
    return seen


@pytest.fixture
def fake() -> Iterator[FakeQueueClient]:
    with FakeQueueClient(clock=ManualClock()) as client:
        yield client


def test_fake_and_service_rate_alike(fake: FakeQueueClient, env: Env) -> None:
    def as_fake(role: str | None, counter: int | None) -> QueueApi:
        fake.role, fake.counter = role, counter  # the fake plays one caller at a time
        return fake

    assert isinstance(fake.clock, ManualClock)
    on_fake = scenario(as_fake, fake.clock.advance)

    service, admin, clock = env
    clients: dict[tuple[str | None, int | None], QueueApi] = {}

    def as_service(role: str | None, counter: int | None) -> QueueApi:
        if (role, counter) not in clients:
            token = admin["Authorization"].removeprefix("Bearer ") if role == "admin" else None
            if role not in ("admin", None):
                made = service.post("/api/devices", json={"name": f"{role} {counter}", "role": role,
                                                          "counter": counter}, headers=admin)  # fmt: skip
                token = made.json()["token"]
            clients[role, counter] = in_process_client(service, token)
        return clients[role, counter]

    on_service = scenario(as_service, clock.advance)
    assert on_fake == on_service
    assert on_service[0] == ("prompt", None, 3, 5)
    assert on_service[1] == ("prompt", ("A001", None), 3, 5)  # served by the admin's token: no clerk
    assert on_service[3] == ("refused", 403, "forbidden")
    assert on_service[12] == ("rated", "A001", 1, "Chờ lâu", 1, False)
    assert on_service[13] == on_service[12]  # its key: its first answer
    assert on_service[14] == ("rated", "A001", 1, "Chờ lâu", 1, True)  # another tap: the first rating stands
    assert on_service[17] == ("refused", 409, "rating_closed")
