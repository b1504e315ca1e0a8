"""Staff accounts and sign-in sessions: hashing, secret rules, lockout, expiry, and the API that uses them."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.clock import LOCAL_TZ, ManualClock
from app.core.errors import Conflict, DomainError
from app.service.server import open_store
from app.store.queue_store import QueueStore
from app.store.users import (
    BAD_CREDENTIALS,
    LOCK_AFTER,
    LOCK_S,
    LockedOut,
    SignInRefused,
    UserStore,
    check_secret,
    hash_secret,
    session_end,
    verify_secret,
)

# --- hashing and secret rules ------------------------------------------------------------------------


def test_hash_format_and_verification() -> None:
    stored = hash_secret("482913")
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(key)) == 32
    assert "482913" not in stored
    assert verify_secret("482913", stored)
    assert not verify_secret("482914", stored)
    assert not verify_secret("", stored)


def test_salt_differs_so_the_same_secret_hashes_differently() -> None:
    a, b = hash_secret("mật khẩu dài"), hash_secret("mật khẩu dài")
    assert a != b
    assert a.split("$")[4] != b.split("$")[4]
    assert verify_secret("mật khẩu dài", a)
    assert verify_secret("mật khẩu dài", b)


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "bcrypt$1$2$3$AAAA$BBBB", "scrypt$x$8$1$AAAA$BBBB", "scrypt$16384$8$1$!!$BBBB",
     "scrypt$3$8$1$AAAA$BBBB", "scrypt$1073741824$8$1$AAAA$BBBB"],
)  # fmt: skip
def test_malformed_hashes_never_verify(stored: str) -> None:
    assert not verify_secret("1234", stored)


@pytest.mark.parametrize("secret", ["482913", "1357924680", "20260517", "đủ tám ký", "password", "12345678a"])
def test_good_secrets(secret: str) -> None:
    check_secret(secret)


@pytest.mark.parametrize(
    ("secret", "fragment"),
    [("123", "ít nhất 6 chữ số"), ("4821", "ít nhất 6 chữ số"), ("48213", "ít nhất 6 chữ số"),
     ("", "ít nhất 8 ký tự"), ("abc1234", "ít nhất 8 ký tự"),
     ("        ", "dấu cách"), ("x" * 129, "dài quá")],
)  # fmt: skip
def test_short_secrets_are_refused_in_vietnamese(secret: str, fragment: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_secret(secret)
    assert fragment in caught.value.message


# --- the store -------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[QueueStore, UserStore, ManualClock]]:
    clock = ManualClock()
    queue, _devices = open_store(tmp_path / "data", clock)
    yield queue, UserStore(queue.writer, clock), clock
    queue.close()


def test_create_list_and_duplicate_username(store) -> None:
    _, users, _ = store
    made = users.create("lan.nguyen", "  Nguyễn   Thị Lan ", "clerk", "482913")
    assert made["display_name"] == "Nguyễn Thị Lan"
    assert "pw_hash" not in made
    with pytest.raises(Conflict) as caught:
        users.create("LAN.NGUYEN", "Khác", "clerk", "970531")  # usernames ignore case
    assert "đã có người dùng" in caught.value.message
    listed = users.list_users()
    assert [u["username"] for u in listed] == ["lan.nguyen"]
    assert all("hash" not in key for u in listed for key in u)
    for bad in (("x", "Tên", "clerk", "482913"), ("lan nguyen", "Tên", "clerk", "482913"),
                ("ok", "", "clerk", "482913"), ("ok", "Tên", "boss", "482913"), ("ok", "Tên", "clerk", "12"),
                ("ok", "Tên", "clerk", "123456")):  # fmt: skip
        with pytest.raises(DomainError):
            users.create(*bad)


def test_sign_in_with_any_case_of_the_username(store) -> None:
    _, users, _ = store
    users.create("lan", "Nguyễn Thị Lan", "clerk", "482913")
    token, session = users.sign_in("LAN", "482913", 2)
    assert (session.username, session.role, session.counter) == ("lan", "clerk", 2)
    assert users.session(token) == session
    assert users.session("not-a-token") is None


def test_unknown_user_and_wrong_secret_get_the_same_answer(store) -> None:
    _, users, _ = store
    users.create("lan", "Nguyễn Thị Lan", "clerk", "482913")
    answers = []
    for username, secret in (("lan", "0000"), ("nobody", "482913"), ("bad name!", "482913")):
        with pytest.raises(SignInRefused) as caught:
            users.sign_in(username, secret)
        answers.append((type(caught.value), caught.value.code, caught.value.message))
    assert answers == [(SignInRefused, "bad_credentials", BAD_CREDENTIALS)] * 3


def test_five_failures_lock_the_username_for_five_minutes(store) -> None:
    _, users, clock = store
    users.create("lan", "Nguyễn Thị Lan", "clerk", "482913")
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(SignInRefused) as caught:
            users.sign_in("lan", "0000")
        assert not isinstance(caught.value, LockedOut)
    with pytest.raises(LockedOut) as caught:
        users.sign_in("lan", "0000")
    until = datetime.fromisoformat(str(caught.value.details["retry_at"])).astimezone(LOCAL_TZ)
    assert f"thử lại sau {until:%H:%M}" in caught.value.message
    assert "khoảng 5 phút" in caught.value.message
    with pytest.raises(LockedOut):  # even the right secret waits
        users.sign_in("lan", "482913")
    users.create("binh", "Trần Văn Bình", "clerk", "730592")
    users.sign_in("binh", "730592")  # other names are not affected
    clock.advance(LOCK_S - 60)
    with pytest.raises(LockedOut) as caught:
        users.sign_in("lan", "482913")
    assert "khoảng 1 phút" in caught.value.message
    clock.advance(61)
    assert users.sign_in("lan", "482913")[1].username == "lan"


def test_unknown_usernames_lock_the_same_way(store) -> None:
    _, users, _ = store
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(SignInRefused):
            users.sign_in("ghost", "0000")
    with pytest.raises(LockedOut):
        users.sign_in("ghost", "0000")


def test_a_success_clears_earlier_failures(store) -> None:
    _, users, _ = store
    users.create("lan", "Nguyễn Thị Lan", "clerk", "482913")
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(SignInRefused):
            users.sign_in("lan", "0000")
    users.sign_in("lan", "482913")
    for _ in range(LOCK_AFTER - 1):
        with pytest.raises(SignInRefused) as caught:
            users.sign_in("lan", "0000")
        assert not isinstance(caught.value, LockedOut)


def test_session_ends_at_local_midnight(store) -> None:
    _, users, clock = store
    users.create("lan", "Nguyễn Thị Lan", "clerk", "482913")
    clock.current = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 23:30 in Hà Nội
    token, session = users.sign_in("lan", "482913")
    assert session.expires_at == datetime(2026, 11, 24, 0, 0, tzinfo=LOCAL_TZ)
    assert session_end(datetime(2026, 11, 23, 17, 0, tzinfo=UTC)) == datetime(2026, 11, 25, 0, 0, tzinfo=LOCAL_TZ)
    clock.advance(29 * 60 + 59)
    assert users.session(token) is not None
    clock.advance(1)
    assert users.session(token) is None


def test_sessions_survive_a_restart_and_revoke(tmp_path: Path) -> None:
    clock = ManualClock()
    queue, _ = open_store(tmp_path / "data", clock)
    users = UserStore(queue.writer, clock)
    users.create("lan", "Nguyễn Thị Lan", "clerk", "482913")
    kept, _ = users.sign_in("lan", "482913", 1)
    gone, _ = users.sign_in("lan", "482913", 1)
    assert users.revoke(gone)
    assert not users.revoke(gone)
    queue.close()
    queue, _ = open_store(tmp_path / "data", clock)
    try:
        again = UserStore(queue.writer, clock)
        assert again.session(kept) is not None
        assert again.session(gone) is None
        stored = queue.writer.run(lambda tx: tx.conn.execute("SELECT token_sha256 FROM sessions").fetchall())
        assert all(kept not in row[0] for row in stored)  # only the hash is kept
    finally:
        queue.close()


# --- the API -----------------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def make_user(client: TestClient, admin: dict[str, str], username: str, role: str, secret: str = "482913") -> None:
    body = {"username": username, "display_name": f"Cán bộ {username}", "role": role, "secret": secret}
    response = client.post("/api/users", json=body, headers=admin)
    assert response.status_code == 201, response.text


def sign_in(client: TestClient, username: str, secret: str = "482913", counter: int | None = None) -> dict:
    body: dict[str, object] = {"username": username, "secret": secret}
    if counter is not None:
        body["counter"] = counter
    response = client.post("/api/sessions", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_only_an_admin_creates_and_lists_users(env) -> None:
    client, admin, _ = env
    kiosk = client.post("/api/devices", json={"name": "Kiosk", "role": "kiosk"}, headers=admin).json()["token"]
    body = {"username": "lan", "display_name": "Nguyễn Thị Lan", "role": "clerk", "secret": "482913"}
    assert client.post("/api/users", json=body).status_code == 401
    assert client.post("/api/users", json=body, headers=bearer(kiosk)).status_code == 403
    made = client.post("/api/users", json=body, headers=admin)
    assert made.status_code == 201
    assert set(made.json()) == {"id", "username", "display_name", "role", "active", "created_at"}
    short = client.post("/api/users", json={**body, "username": "binh", "secret": "4821"}, headers=admin)
    assert short.status_code == 400
    assert "ít nhất 6 chữ số" in short.json()["message"]
    trivial = client.post("/api/users", json={**body, "username": "binh", "secret": "123456"}, headers=admin)
    assert (trivial.status_code, trivial.json()["error"]) == (400, "weak_pin")
    assert "dễ đoán" in trivial.json()["message"]
    assert client.post("/api/users", json=body, headers=admin).status_code == 409
    clerk = sign_in(client, "lan")["token"]
    assert client.get("/api/users", headers=bearer(clerk)).status_code == 403
    listed = client.get("/api/users", headers=admin)
    assert listed.status_code == 200
    assert [u["username"] for u in listed.json()] == ["lan"]
    assert "scrypt" not in listed.text
    make_user(client, admin, "boss", "admin")
    by_admin_session = client.post(
        "/api/users", json={**body, "username": "minh"}, headers=bearer(sign_in(client, "boss")["token"])
    )
    assert by_admin_session.status_code == 201


def test_a_clerk_session_calls_next_and_is_recorded(env) -> None:
    client, admin, clock = env
    make_user(client, admin, "lan", "clerk")
    session = sign_in(client, "lan", counter=2)
    assert session["user"] == {"username": "lan", "display_name": "Cán bộ lan", "role": "clerk"}
    assert session["counter"] == 2
    assert datetime.fromisoformat(session["expires_at"]).astimezone(LOCAL_TZ).time().isoformat() == "00:00:00"
    assert client.get("/api/sessions/current", headers=bearer(session["token"])).json()["counter"] == 2
    client.post("/api/tickets", json={"group": "HT"}, headers=admin)
    auth = bearer(session["token"])
    # The session's username is recorded, whatever name the body carries.
    called = client.post("/api/counters/2/call-next", json={"clerk": "someone else"}, headers=auth)
    assert called.status_code == 200, called.text
    client.post("/api/counters/2/start", headers=auth)
    clock.advance(120)
    assert client.post("/api/counters/2/finish", headers=auth).json()["outcome"] == "served"
    assert set(client.get("/api/stats/today", headers=admin).json()["by_clerk"]) == {"lan"}
    assert "by_clerk" not in client.get("/api/stats/today", headers=auth).json()  # per person: director only
    paused = client.post("/api/counters/2/pause", json={"reason": "break"}, headers=auth)
    assert paused.status_code == 200
    assert client.post("/api/counters/2/resume", headers=auth).json()["status"] == "open"


def test_a_clerk_session_acts_only_at_its_own_counter(env) -> None:
    client, admin, _ = env
    make_user(client, admin, "lan", "clerk")
    auth = bearer(sign_in(client, "lan", counter=2)["token"])
    refused = client.post("/api/counters/3/call-next", headers=auth)
    assert refused.status_code == 403
    assert "quầy số 2" in refused.json()["message"]
    free = bearer(sign_in(client, "lan")["token"])  # signed in without a counter: no counter at all
    unbound = client.post("/api/counters/3/call-next", headers=free)
    assert unbound.status_code == 403
    assert "chưa gắn với quầy nào" in unbound.json()["message"]
    unknown = client.post("/api/sessions", json={"username": "lan", "secret": "482913", "counter": 99})
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "unknown_counter"


def test_a_director_cannot_call_but_may_set_the_notice(env) -> None:
    client, admin, _ = env
    make_user(client, admin, "giamdoc", "director", secret="mật khẩu lãnh đạo")
    auth = bearer(sign_in(client, "giamdoc", "mật khẩu lãnh đạo")["token"])
    refused = client.post("/api/counters/1/call-next", headers=auth)
    assert refused.status_code == 403
    assert client.post("/api/tickets", json={"group": "HT"}, headers=auth).status_code == 403
    assert client.post("/api/users", json={}, headers=auth).status_code == 403
    notice = client.put("/api/display/notice", json={"text": "Chiều nay nghỉ họp."}, headers=auth)
    assert notice.status_code == 200
    assert client.get("/api/display/notice").json()["text"] == "Chiều nay nghỉ họp."
    make_user(client, admin, "lan", "clerk")
    clerk = bearer(sign_in(client, "lan")["token"])
    assert client.put("/api/display/notice", json={"text": "x"}, headers=clerk).status_code == 403


def test_bad_credentials_do_not_tell_whether_the_user_exists(env, caplog: pytest.LogCaptureFixture) -> None:
    client, admin, _ = env
    make_user(client, admin, "lan", "clerk")
    caplog.set_level(logging.DEBUG)
    wrong = client.post("/api/sessions", json={"username": "lan", "secret": "9999"})
    unknown = client.post("/api/sessions", json={"username": "nobody", "secret": "9999"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["message"] == BAD_CREDENTIALS
    assert "9999" not in caplog.text
    assert "scrypt$" not in caplog.text


def test_lockout_is_429_with_a_time_to_retry(env) -> None:
    client, admin, _ = env
    make_user(client, admin, "lan", "clerk")
    answers = [client.post("/api/sessions", json={"username": "lan", "secret": "0000"}) for _ in range(LOCK_AFTER)]
    assert [a.status_code for a in answers] == [401] * (LOCK_AFTER - 1) + [429]
    locked = answers[-1]
    assert locked.json()["error"] == "locked_out"
    assert "thử lại sau" in locked.json()["message"]
    assert int(locked.headers["Retry-After"]) == LOCK_S


def test_sign_out_revokes_the_token(env) -> None:
    client, admin, _ = env
    make_user(client, admin, "lan", "clerk")
    auth = bearer(sign_in(client, "lan", counter=1)["token"])
    client.post("/api/tickets", json={"group": "HT"}, headers=admin)
    assert client.delete("/api/sessions/current", headers=auth).status_code == 204
    assert client.post("/api/counters/1/call-next", headers=auth).status_code == 401
    assert client.get("/api/sessions/current", headers=auth).status_code == 401
    assert client.delete("/api/sessions/current", headers=auth).status_code == 401
    assert client.delete("/api/sessions/current", headers=admin).status_code == 401  # a device token is no session


def test_a_session_expires_at_midnight_through_the_api(env) -> None:
    client, admin, clock = env
    make_user(client, admin, "lan", "clerk")
    clock.current = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 23:00 local
    auth = bearer(sign_in(client, "lan", counter=1)["token"])
    assert client.post("/api/counters/1/call-next", headers=auth).status_code == 204
    clock.advance(3600)
    assert client.post("/api/counters/1/call-next", headers=auth).status_code == 401


def test_openapi_lists_the_session_routes(env) -> None:
    client, _, _ = env
    paths = client.get("/openapi.json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/users"])
    assert "post" in paths["/api/sessions"]
    assert {"get", "delete"} <= set(paths["/api/sessions/current"])
