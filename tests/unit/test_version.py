"""The bundle's version: one number (pyproject = app/version.py), compared as numbers, named by every client, said
by the service, and a client older than the service's minimum told so in Vietnamese."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import version
from app.client import queue_client
from app.client.queue_client import QueueClient, ServiceError
from app.version import (
    MIN_CLIENT_VERSION,
    VERSION,
    __version__,
    agent_version,
    is_older,
    outdated_for,
    outdated_message,
    user_agent,
    version_key,
)
from tests.support.in_process import TestClientAdapter

ROOT = Path(__file__).resolve().parents[2]


def test_pyproject_and_the_code_say_the_same_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == VERSION
    try:
        installed = metadata.version(version.DISTRIBUTION)
    except metadata.PackageNotFoundError:
        installed = None
    assert __version__ == (installed or VERSION)
    assert not is_older(VERSION, MIN_CLIENT_VERSION), "the service must serve the apps of its own bundle"


@pytest.mark.parametrize(
    ("older", "newer"),
    [("0.1.0", "0.2.0"), ("0.9.9", "0.10.0"), ("1.2", "1.10"), ("0.1.0", "0.1.1"), ("1.9.9", "2")],
)
def test_versions_compare_as_numbers(older: str, newer: str) -> None:
    assert is_older(older, newer)
    assert not is_older(newer, older)


def test_equal_spellings_and_unreadable_versions_are_never_older() -> None:
    assert version_key("1.0") == version_key("1.0.0") == version_key("v1") == (1,)
    assert version_key("0.2.0rc1") == (0, 2)
    assert not is_older("1.0", "1.0.0")
    assert not is_older("abc", "0.2.0")
    assert not is_older("0.1.0", "")


def test_a_client_reads_the_services_minimum_from_its_health() -> None:
    assert outdated_for({"min_client_version": "0.2.0"}, own="0.1.0") == (
        "Phần mềm trên máy này (phiên bản 0.1.0) cũ hơn phiên bản tối thiểu dịch vụ trung tâm yêu cầu (0.2.0). "
        "Vui lòng cập nhật."
    )
    assert outdated_for({"min_client_version": "0.1.0"}, own="0.1.0") is None
    assert outdated_for({"status": "ok"}, own="0.1.0") is None  # an older service says nothing about it
    assert outdated_for(None, own="0.1.0") is None


def test_user_agents_name_the_app_and_its_version() -> None:
    assert user_agent("kiosk") == f"motcua-kiosk/{__version__}"
    assert agent_version("motcua-counter/0.0.9 python-requests/2.32") == ("counter", "0.0.9")
    assert agent_version("python-requests/2.32.3") is None
    assert agent_version("curl/8.5.0") is None
    assert agent_version(None) is None


def test_health_and_every_answer_carry_the_version(env) -> None:
    client, _auth, _clock = env
    health = client.get("/api/health")
    assert health.json()["version"] == __version__
    assert health.json()["min_client_version"] == MIN_CLIENT_VERSION
    assert health.headers["X-Motcua-Version"] == __version__
    assert client.get("/api/groups").headers["X-Motcua-Min-Client-Version"] == MIN_CLIENT_VERSION
    assert client.get("/openapi.json").json()["info"]["version"] == __version__


def test_writes_from_an_app_older_than_the_minimum_get_426_in_vietnamese(env) -> None:
    client, auth, _clock = env
    old = {**auth, "User-Agent": "motcua-kiosk/0.0.1"}
    refused = client.post("/api/tickets", json={"group": "HT"}, headers=old)
    assert refused.status_code == 426
    assert refused.json() == {
        "error": "client_outdated",
        "message": outdated_message("0.0.1", MIN_CLIENT_VERSION),
        "details": {"client": "kiosk", "version": "0.0.1", "min_client_version": MIN_CLIENT_VERSION},
    }
    assert client.get("/api/queue", headers=old).json()["waiting"] == []  # nothing was issued; reads still work
    current = {**auth, "User-Agent": user_agent("kiosk")}
    assert client.post("/api/tickets", json={"group": "HT"}, headers=current).status_code == 201
    # a third-party caller (curl, a script) is never asked for a version
    assert (
        client.post("/api/tickets", json={"group": "HT"}, headers={**auth, "User-Agent": "curl/8"}).status_code == 201
    )


class Recording(TestClientAdapter):
    def __init__(self, service: TestClient) -> None:
        super().__init__(service)
        self.agents: list[str] = []

    def send(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.agents.append(str(request.headers.get("User-Agent")))
        return super().send(request, *args, **kwargs)


def test_queue_client_names_itself_and_shows_the_services_refusal(env, monkeypatch) -> None:
    client, auth, _clock = env
    token = auth["Authorization"].removeprefix("Bearer ")
    adapter = Recording(client)
    api = QueueClient(str(client.base_url), token, adapter=adapter, attempts=1)
    api.issue("HT")
    assert adapter.agents == [user_agent()]
    monkeypatch.setattr(queue_client, "user_agent", lambda: "motcua-counter/0.0.1")
    old = QueueClient(str(client.base_url), token, adapter=TestClientAdapter(client), attempts=1)
    with pytest.raises(ServiceError) as refused:
        old.issue("HT")
    assert refused.value.status == 426
    assert refused.value.code == "client_outdated"
    assert refused.value.message == outdated_message("0.0.1", MIN_CLIENT_VERSION)
    assert old.health()["min_client_version"] == MIN_CLIENT_VERSION  # reads are still answered
