"""Pairing and unpairing at the centre service in-process (TestClient, a clock the test moves): who may ask for a
code, the claim's proof, expiry at 5 minutes, the device list, and a revoked token told it was unpaired."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.access import SIGN_IN_TO_CHANGE
from app.core.clock import ManualClock
from app.core.pairing import CODE_TTL_S, NO_CERTIFICATE, client_proof, server_proof

Env = tuple[TestClient, dict[str, str], ManualClock]


def new_code(client: TestClient, auth: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post("/api/pairing/codes", json=body, headers=auth)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


def claim(client: TestClient, code: str, role: str, **extra: Any) -> tuple[Any, bytes]:
    nonce = secrets.token_bytes(16)  # plain HTTP in-process: the service has no certificate, nor does the client
    body = {"nonce": nonce.hex(), "proof": client_proof(code, nonce, NO_CERTIFICATE).hex(), "role": role, **extra}
    return client.post("/api/pairing/claim", json=body), nonce


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_kiosk_pairs_with_a_code_and_its_token_issues(env: Env) -> None:
    client, admin, _clock = env
    issued = new_code(client, admin, role="kiosk", name="Kiosk sảnh")
    assert len(issued["code"]) == 6
    assert issued["ttl_s"] == CODE_TTL_S
    answer, nonce = claim(client, issued["code"], "kiosk")
    assert answer.status_code == 201, answer.text
    paired = answer.json()
    assert paired["role"] == "kiosk"
    assert paired["name"] == "Kiosk sảnh"
    # the answer proves the service knew the code and names this very token
    assert paired["server_proof"] == server_proof(issued["code"], nonce, NO_CERTIFICATE, paired["token"]).hex()
    ticket = client.post("/api/tickets", json={"group": "HT"}, headers=bearer(paired["token"]))
    assert ticket.status_code == 201, ticket.text
    status = client.get(f"/api/pairing/codes/{issued['id']}", headers=admin).json()["status"]
    assert status == "used"
    again, _nonce = claim(client, issued["code"], "kiosk")
    assert again.json()["error"] == "pairing_code_used"


def test_a_wrong_code_says_how_many_tries_are_left(env: Env) -> None:
    client, admin, _clock = env
    issued = new_code(client, admin, role="display")
    wrong = f"{(int(issued['code']) + 1) % 10**6:06d}"
    answer, _nonce = claim(client, wrong, "display")
    assert answer.status_code == 403
    assert answer.json()["error"] == "pairing_code_wrong"
    assert "Còn 4 lần thử" in answer.json()["message"]


def test_a_code_expires_after_five_minutes(env: Env) -> None:
    client, admin, clock = env
    issued = new_code(client, admin, role="counter", counter=2)
    clock.advance(CODE_TTL_S)
    answer, _nonce = claim(client, issued["code"], "counter")
    assert answer.json() == {"error": "pairing_code_expired", "details": {},
                             "message": "Mã ghép đã hết hạn, hãy lấy mã mới trên máy chủ."}  # fmt: skip


def test_the_role_asked_must_be_the_codes(env: Env) -> None:
    client, admin, _clock = env
    issued = new_code(client, admin, role="rating", counter=1)
    answer, _nonce = claim(client, issued["code"], "kiosk")
    assert answer.json()["error"] == "pairing_role_mismatch"
    fine, _nonce = claim(client, issued["code"], "rating")  # the mismatch did not use the code up
    assert fine.status_code == 201, fine.text
    assert fine.json()["counter"] == 1


def test_who_may_ask_for_a_code(env: Env) -> None:
    client, admin, _clock = env
    kiosk = client.post("/api/devices", json={"name": "K", "role": "kiosk"}, headers=admin).json()["token"]
    director = client.post("/api/devices", json={"name": "GĐ", "role": "director"}, headers=admin).json()["token"]
    assert client.post("/api/pairing/codes", json={"role": "kiosk"}, headers=bearer(kiosk)).status_code == 403
    assert client.post("/api/pairing/codes", json={"role": "kiosk"}).status_code == 401
    by_pc = client.post("/api/pairing/codes", json={"role": "kiosk"}, headers=bearer(director))
    assert by_pc.status_code == 403  # a director's PC reads; pairing is the signed-in director's (next test)
    assert by_pc.json()["message"] == SIGN_IN_TO_CHANGE
    assert client.post("/api/pairing/codes", json={"role": "kiosk"}, headers=admin).status_code == 201
    refused = client.post("/api/pairing/codes", json={"role": "admin"}, headers=admin)
    assert refused.json()["error"] == "bad_role"  # a code never makes a second admin
    assert client.post("/api/pairing/codes", json={"role": "rating"}, headers=admin).json()["error"] == "bad_counter"


def test_a_director_signed_in_may_pair(env: Env) -> None:
    client, admin, _clock = env
    user = {"username": "gd", "display_name": "Giám Đốc", "role": "director", "secret": "864213"}
    assert client.post("/api/users", json=user, headers=admin).status_code == 201
    session = client.post("/api/sessions", json={"username": "gd", "secret": "864213"}).json()["token"]
    issued = new_code(client, bearer(session), role="display")
    assert claim(client, issued["code"], "display")[0].status_code == 201
    audit = client.get("/api/settings/audit", headers=admin).json()
    assert audit[0]["label"] == "Ghép thiết bị mới"
    assert audit[0]["who"].startswith("gd (Giám Đốc)")


def test_unpairing_revokes_at_once_with_a_vietnamese_401(env: Env) -> None:
    client, admin, _clock = env
    issued = new_code(client, admin, role="kiosk", name="Kiosk 2")
    paired = claim(client, issued["code"], "kiosk")[0].json()
    devices = client.get("/api/devices", headers=admin).json()
    mine = next(d for d in devices if d["id"] == paired["device_id"])
    assert mine["name"] == "Kiosk 2"
    assert mine["revoked"] is False
    assert all(d["role"] != "admin" for d in devices)
    assert client.get("/api/stats/today", headers=bearer(paired["token"])).status_code == 200
    assert mine["last_seen"] is None or isinstance(mine["last_seen"], str)
    seen = next(d for d in client.get("/api/devices", headers=admin).json() if d["id"] == paired["device_id"])
    assert seen["last_seen"] is not None
    gone = client.delete(f"/api/devices/{paired['device_id']}", headers=admin)
    assert gone.status_code == 200, gone.text
    refused = client.get("/api/stats/today", headers=bearer(paired["token"]))
    assert refused.status_code == 401
    assert refused.json()["error"] == "device_unpaired"
    assert refused.json()["message"].startswith("Máy này đã bị gỡ ghép")
    listed = next(d for d in client.get("/api/devices", headers=admin).json() if d["id"] == paired["device_id"])
    assert listed["revoked"] is True
    assert client.get("/api/settings/audit", headers=admin).json()[0]["label"] == "Gỡ ghép thiết bị"


def test_the_admin_token_cannot_be_unpaired(env: Env) -> None:
    client, admin, _clock = env
    admin_id = 1  # the first row of a fresh data folder is the admin token
    answer = client.delete(f"/api/devices/{admin_id}", headers=admin)
    assert answer.status_code == 404
    assert answer.json()["error"] == "unknown_device"
    assert client.get("/api/devices", headers=admin).status_code == 200  # still the admin


def test_claims_are_rate_limited(env: Env) -> None:
    client, admin, _clock = env
    issued = new_code(client, admin, role="kiosk")
    wrong = f"{(int(issued['code']) + 1) % 10**6:06d}"
    codes = []
    for _ in range(8):
        answer, _nonce = claim(client, wrong, "kiosk")
        codes.append(answer.json()["error"])
    assert "pairing_rate_limited" in codes
    limited = codes.index("pairing_rate_limited")
    assert limited <= 5  # the burst of 5 per address, then a wait


def test_the_fake_plays_the_same_rules(env: Env) -> None:
    from app.client.fake import FakeQueueClient
    from app.client.queue_client import ServiceError

    client, _admin, _clock = env
    for role, status in (("kiosk", 403), ("counter", 403), (None, 401)):
        with FakeQueueClient(role=role, counter=1 if role == "counter" else None) as fake:
            with pytest.raises(ServiceError) as refused:
                fake.pairing_code("display")
            assert refused.value.status == status
        headers = {} if role is None else bearer(_device(client, env[1], role))
        assert client.post("/api/pairing/codes", json={"role": "display"}, headers=headers).status_code == status
    with FakeQueueClient(role="director") as fake:
        issued = fake.pairing_code("rating", counter=2)
        assert issued["counter"] == 2
        assert fake.pairing_code_status(str(issued["id"])) == "live"
        with pytest.raises(ServiceError) as bad:
            fake.pairing_code("admin")
        assert bad.value.code == "bad_role"
        assert fake.devices() == []


def _device(client: TestClient, admin: dict[str, str], role: str) -> str:
    body = {"name": role, "role": role, **({"counter": 1} if role == "counter" else {})}
    token: str = client.post("/api/devices", json=body, headers=admin).json()["token"]
    return token
