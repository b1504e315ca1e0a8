"""The 6-digit pairing codes (app/store/pairing_codes.py) on a clock the test moves: 5 minutes, 5 wrong tries, one
use, and a proof bound to the certificate the new PC saw."""

from __future__ import annotations

import secrets

import pytest

from app.core.clock import ManualClock
from app.core.pairing import CODE_TTL_S, MAX_WRONG_TRIES, cert_hash, client_proof, server_proof
from app.store.pairing_codes import PairingCodes, PairingRefused

CERT = cert_hash(b"the service's certificate, DER")
OTHER_CERT = cert_hash(b"a man in the middle's certificate")


def claim(codes: PairingCodes, code: str, certificate: bytes = CERT) -> str:
    nonce = secrets.token_bytes(16)
    return codes.claim(nonce, client_proof(code, nonce, certificate), CERT).code


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def test_a_code_is_six_digits_and_claims_once(clock: ManualClock) -> None:
    codes = PairingCodes(clock)
    issued = codes.issue("kiosk", "Kiosk", None, "admin")
    assert len(issued.code) == 6
    assert issued.code.isdigit()
    assert codes.status(issued.id) == "live"
    assert claim(codes, issued.code) == issued.code
    assert codes.status(issued.id) == "used"
    with pytest.raises(PairingRefused) as refused:
        claim(codes, issued.code)
    assert refused.value.code == "pairing_code_used"


def test_a_code_expires_after_five_minutes(clock: ManualClock) -> None:
    codes = PairingCodes(clock)
    issued = codes.issue("display", "Màn hình sảnh", None, "admin")
    clock.advance(CODE_TTL_S - 1)
    assert codes.status(issued.id) == "live"
    clock.advance(1)
    assert codes.status(issued.id) == "expired"
    with pytest.raises(PairingRefused) as refused:
        claim(codes, issued.code)
    assert refused.value.code == "pairing_code_expired"
    assert refused.value.message == "Mã ghép đã hết hạn, hãy lấy mã mới trên máy chủ."


def test_five_wrong_tries_kill_the_code_and_each_says_what_is_left(clock: ManualClock) -> None:
    codes = PairingCodes(clock)
    issued = codes.issue("counter", "Quầy 2", 2, "admin")
    for left in range(MAX_WRONG_TRIES - 1, 0, -1):
        with pytest.raises(PairingRefused) as refused:
            claim(codes, wrong(issued.code))
        assert refused.value.code == "pairing_code_wrong"
        assert refused.value.details["tries_left"] == left
        assert f"Còn {left} lần thử" in refused.value.message
    with pytest.raises(PairingRefused) as refused:
        claim(codes, wrong(issued.code))
    assert refused.value.code == "pairing_code_locked"
    # the right code now is refused too: the code is dead, whoever guessed
    with pytest.raises(PairingRefused) as refused:
        claim(codes, issued.code)
    assert refused.value.code == "pairing_code_locked"
    assert codes.status(issued.id) == "locked"


def test_a_proof_over_another_certificate_is_refused(clock: ManualClock) -> None:
    codes = PairingCodes(clock)
    issued = codes.issue("kiosk", "Kiosk", None, "admin")
    with pytest.raises(PairingRefused) as refused:
        claim(codes, issued.code, certificate=OTHER_CERT)  # the right digits, but the PC saw someone else's cert
    assert refused.value.code == "pairing_code_wrong"
    assert claim(codes, issued.code) == issued.code  # one try spent, the code still works over the real cert


def test_without_a_live_code_nothing_is_counted(clock: ManualClock) -> None:
    codes = PairingCodes(clock)
    with pytest.raises(PairingRefused) as refused:
        claim(codes, "123456")
    assert refused.value.code == "no_pairing_code"


def test_two_live_codes_differ_and_a_wrong_try_costs_both(clock: ManualClock) -> None:
    codes = PairingCodes(clock)
    first, second = codes.issue("kiosk", "Kiosk", None, "a"), codes.issue("display", "TV", None, "a")
    assert first.code != second.code
    wrong_for_both = next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in (first.code, second.code))
    with pytest.raises(PairingRefused):
        claim(codes, wrong_for_both)
    assert first.wrong_tries == second.wrong_tries == 1
    assert claim(codes, second.code) == second.code


def test_the_server_proof_names_the_token() -> None:
    nonce = bytes(16)
    assert server_proof("123456", nonce, CERT, "a") != server_proof("123456", nonce, CERT, "b")
    assert server_proof("123456", nonce, CERT, "a") != server_proof("654321", nonce, CERT, "a")


def test_the_proofs_key_is_the_code_stretched_and_salted_by_each_claim() -> None:
    import hashlib
    import hmac

    from app.core.pairing import code_key

    nonce = b"n" * 16
    key = code_key("123456", nonce, CERT)
    assert len(key) == 32
    assert key != code_key("123456", b"m" * 16, CERT)  # a fresh nonce: nothing can be precomputed across claims
    assert key != code_key("123456", nonce, cert_hash(b"another certificate"))
    # not a fast hash of the code: an offline guesser pays scrypt's price for each of the 10^6 codes
    assert client_proof("123456", nonce, CERT) != hmac.new(b"123456", nonce + CERT, hashlib.sha256).digest()
    assert client_proof("123456", nonce, CERT) == hmac.new(key, b"client" + nonce + CERT, hashlib.sha256).digest()


def test_only_the_newest_dead_codes_are_kept_so_a_claim_costs_a_bounded_amount(clock: ManualClock) -> None:
    from app.store.pairing_codes import KEPT_CODES

    codes = PairingCodes(clock)
    first = [codes.issue("counter", f"Quầy {n}", n, "admin") for n in range(1, KEPT_CODES + 3)]
    clock.advance(CODE_TTL_S + 1)  # all expired, none forgotten yet by time alone
    late = codes.issue("kiosk", "Kiosk", None, "admin")
    kept = codes._codes
    assert len(kept) == KEPT_CODES
    assert late in kept
    assert first[0] not in kept  # the oldest dead ones went
    assert first[-1] in kept
