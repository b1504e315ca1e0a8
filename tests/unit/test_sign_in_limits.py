"""Issue 11, finding 4: sign-in failures kept in the store and limited per (username, address), per username and
per address; trivial and short PINs refused wherever a secret is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.clock import ManualClock
from app.core.errors import DomainError
from app.service.api import create_app
from app.service.server import open_store
from app.store.queue_store import QueueStore
from app.store.users import (
    ADDRESS_LIMIT,
    COMMON_PINS,
    LOCK_AFTER,
    LOCK_S,
    PAIR_LIMIT,
    USER_LIMIT,
    LockedOut,
    SignInRefused,
    UserStore,
    check_secret,
    trivial_pin,
)

PIN = "482913"
ATTACKER, ATTACKER_2, ATTACKER_3, COUNTER_PC = "10.0.0.66", "10.0.0.67", "10.0.0.68", "10.0.0.21"

# --- PIN rules -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pin", "fragment"),
    [("000000", "một chữ số lặp lại"), ("111111", "một chữ số lặp lại"), ("99999999", "một chữ số lặp lại"),
     ("123456", "tăng hoặc giảm"), ("654321", "tăng hoặc giảm"), ("012345", "tăng hoặc giảm"),
     ("987654", "tăng hoặc giảm"), ("890123", "tăng hoặc giảm"), ("109876", "tăng hoặc giảm"),
     ("1234567890", "tăng hoặc giảm"), ("121212", "nhóm số lặp"), ("123123", "nhóm số lặp"),
     ("520520", "nhóm số lặp"), ("696969", "nhóm số lặp"), ("12341234", "nhóm số lặp"), ("1212121", "nhóm số lặp"),
     ("112233", "chọn nhiều nhất"), ("123321", "chọn nhiều nhất"), ("147258", "chọn nhiều nhất"),
     ("159753", "chọn nhiều nhất")],
)  # fmt: skip
def test_trivial_pins_are_refused_saying_what_to_choose(pin: str, fragment: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_secret(pin)
    assert caught.value.code == "weak_pin"
    assert "quá dễ đoán" in caught.value.message
    assert fragment in caught.value.message
    assert "Hãy chọn từ 6 chữ số trở lên không theo quy luật" in caught.value.message


@pytest.mark.parametrize("pin", ["12", "4821", "2468", "48213"])
def test_pins_shorter_than_six_digits_are_refused(pin: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_secret(pin)
    assert (caught.value.code, caught.value.message.split(".")[0]) == ("bad_secret", "Mã PIN phải có ít nhất 6 chữ số")


@pytest.mark.parametrize("pin", ["482913", "246813", "730592", "135792", "1357924680", "120455", "00123400"])
def test_pins_without_a_pattern_are_accepted(pin: str) -> None:
    assert trivial_pin(pin) is None
    check_secret(pin)


def test_the_common_list_only_holds_pins_the_patterns_miss() -> None:
    for pin in COMMON_PINS:
        reason = trivial_pin(pin)
        assert reason is not None
        assert "chọn nhiều nhất" in reason, pin  # a pattern would have caught it: keep the list short and honest
        assert len(pin) >= 6


def test_the_demo_accounts_have_valid_pins() -> None:
    from app.demo_apps import DEMO_CLERK, DEMO_DIRECTOR

    for _username, _name, pin, _job in (DEMO_CLERK, DEMO_DIRECTOR):
        check_secret(pin)


# --- failures kept in the store, limited per pair, per name and per address -----------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[tuple[QueueStore, UserStore, ManualClock]]:
    clock = ManualClock()
    queue, _devices = open_store(tmp_path / "data", clock)
    users = UserStore(queue.writer, clock)
    users.create("lan", "Nguyễn Thị Lan", "clerk", PIN)
    yield queue, users, clock
    queue.close()


def fail(users: UserStore, address: str, username: str = "lan", times: int = 1) -> list[str]:
    """Wrong secrets; what each answered: 'refused' or the scope of the lock."""
    answers = []
    for _ in range(times):
        with pytest.raises(SignInRefused) as caught:
            users.sign_in(username, "000000", address=address)
        answers.append(str(caught.value.details["scope"]) if isinstance(caught.value, LockedOut) else "refused")
    return answers


def locked_scope(users: UserStore, address: str, username: str = "lan", secret: str = PIN) -> str:
    with pytest.raises(LockedOut) as caught:
        users.sign_in(username, secret, address=address)
    return str(caught.value.details["scope"])


def test_a_lock_survives_a_restart(tmp_path: Path) -> None:
    clock = ManualClock()
    queue, _ = open_store(tmp_path / "data", clock)
    users = UserStore(queue.writer, clock)
    users.create("lan", "Nguyễn Thị Lan", "clerk", PIN)
    assert fail(users, ATTACKER, times=LOCK_AFTER) == ["refused"] * (LOCK_AFTER - 1) + ["pair"]
    queue.close()
    clock.advance(60)
    queue, _ = open_store(tmp_path / "data", clock)
    try:
        again = UserStore(queue.writer, clock)
        with pytest.raises(LockedOut) as caught:
            again.sign_in("lan", PIN, address=ATTACKER)  # even the right secret waits
        assert caught.value.details["retry_after_s"] == LOCK_S - 60
        clock.advance(LOCK_S - 60)
        assert again.sign_in("lan", PIN, address=ATTACKER)[1].username == "lan"
    finally:
        queue.close()


def test_a_lock_from_one_address_does_not_keep_the_clerk_out_at_her_counter(store) -> None:
    _, users, _ = store
    assert fail(users, ATTACKER, times=LOCK_AFTER)[-1] == "pair"
    assert locked_scope(users, ATTACKER) == "pair"
    assert users.sign_in("lan", PIN, address=COUNTER_PC)[1].username == "lan"


def test_the_name_is_locked_everywhere_after_failures_from_three_addresses(store) -> None:
    _, users, clock = store
    assert fail(users, ATTACKER, times=5) + fail(users, ATTACKER_2, times=5) == ["refused"] * 4 + ["pair"] + [
        "refused"
    ] * 4 + ["pair"]
    users.sign_in("lan", PIN, address=COUNTER_PC)  # ten failures from two machines: the clerk still works
    answers = fail(users, ATTACKER_3, times=5)
    assert answers == ["refused"] * 4 + ["user"]
    with pytest.raises(LockedOut) as caught:
        users.sign_in("lan", PIN, address=COUNTER_PC)
    assert caught.value.details == {**caught.value.details, "scope": "user", "retry_after_s": USER_LIMIT.lock_s}
    assert "trên mọi máy" in caught.value.message
    assert "báo quản trị viên" in caught.value.message
    clock.advance(USER_LIMIT.lock_s)
    assert users.sign_in("lan", PIN, address=COUNTER_PC)[1].username == "lan"


def test_one_address_alone_never_locks_the_name_everywhere(store) -> None:
    _, users, clock = store
    # Fifteen failures within ten minutes, all from one machine: each lock ends, and the next five begin.
    for round_ in range(3):
        if round_:
            clock.advance(PAIR_LIMIT.lock_s)
        assert fail(users, ATTACKER, times=PAIR_LIMIT.after) == ["refused"] * (PAIR_LIMIT.after - 1) + ["pair"]
    assert locked_scope(users, ATTACKER) == "pair"
    assert users.sign_in("lan", PIN, address=COUNTER_PC)[1].username == "lan"


def test_one_address_spraying_names_is_locked_for_every_name(store) -> None:
    _, users, clock = store
    users.create("binh", "Trần Văn Bình", "clerk", "730592")
    answers = [fail(users, ATTACKER, username=f"clerk{i}")[0] for i in range(ADDRESS_LIMIT.after)]
    assert answers == ["refused"] * (ADDRESS_LIMIT.after - 1) + ["address"]
    with pytest.raises(LockedOut) as caught:
        users.sign_in("binh", "730592", address=ATTACKER)  # a name it never tried, with the right secret
    assert caught.value.details["scope"] == "address"
    assert "Máy này đã đăng nhập sai quá nhiều lần" in caught.value.message
    assert users.sign_in("binh", "730592", address=COUNTER_PC)[1].username == "binh"  # other machines are fine
    clock.advance(ADDRESS_LIMIT.lock_s)
    assert users.sign_in("binh", "730592", address=ATTACKER)[1].username == "binh"


def test_attempts_still_being_checked_count_as_failures(store) -> None:
    queue, users, clock = store
    from app.store.users import _begin_attempt

    # Five attempts started (scrypt still running) and none finished yet: the sixth is refused at once.
    for _ in range(PAIR_LIMIT.after):
        assert queue.writer.run(lambda tx: _begin_attempt(tx.conn, "lan", ATTACKER, clock.now())) is None
    assert locked_scope(users, ATTACKER) == "pair"


def test_failures_are_pruned_once_they_count_for_nothing(store) -> None:
    queue, users, clock = store
    fail(users, ATTACKER, times=3)
    fail(users, ATTACKER_2, username="ghost", times=2)
    clock.advance(max(limit.window_s for limit in (PAIR_LIMIT, USER_LIMIT, ADDRESS_LIMIT)) + 1)
    fail(users, ATTACKER)
    rows = queue.writer.run(lambda tx: tx.conn.execute("SELECT username, address FROM sign_in_failures").fetchall())
    assert rows == [("lan", ATTACKER)]
    users.sign_in("lan", PIN, address=ATTACKER)  # a success forgets its own pair's failures
    assert queue.writer.run(lambda tx: tx.conn.execute("SELECT COUNT(*) FROM sign_in_failures").fetchone()[0]) == 0


# --- through the API ---------------------------------------------------------------------------------------


def test_the_api_limits_by_the_client_address_and_a_restart_keeps_the_lock(tmp_path: Path) -> None:
    clock = ManualClock()
    data = tmp_path / "data"
    store, devices = open_store(data, clock)
    admin = {"Authorization": f"Bearer {(data / 'admin.token').read_text().strip()}"}
    wrong = {"username": "lan", "secret": "000000"}
    try:
        app = create_app(store, devices)
        with TestClient(app, client=(ATTACKER, 50000)) as attacker, TestClient(app, client=(COUNTER_PC, 50001)) as pc:
            body = {"username": "lan", "display_name": "Nguyễn Thị Lan", "role": "clerk", "secret": PIN}
            assert attacker.post("/api/users", json=body, headers=admin).status_code == 201
            answers = [attacker.post("/api/sessions", json=wrong) for _ in range(LOCK_AFTER)]
            assert [a.status_code for a in answers] == [401] * (LOCK_AFTER - 1) + [429]
            assert answers[-1].json()["details"]["scope"] == "pair"
            assert pc.post("/api/sessions", json={"username": "lan", "secret": PIN}).status_code == 201
    finally:
        store.close()
    clock.advance(30)
    store, devices = open_store(data, clock)  # the service restarts
    try:
        with TestClient(create_app(store, devices), client=(ATTACKER, 50002)) as attacker:
            again = attacker.post("/api/sessions", json={"username": "lan", "secret": PIN})
            assert again.status_code == 429
            assert again.json()["error"] == "locked_out"
            assert int(again.headers["Retry-After"]) == LOCK_S - 30
            assert datetime.fromisoformat(again.json()["details"]["retry_at"]) > clock.now()
    finally:
        store.close()
