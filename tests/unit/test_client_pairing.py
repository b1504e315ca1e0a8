"""The new PC's side of pairing (app/client/pairing.py) against answers the test forges, and how the apps pick
their service (app/client/paired.py): the command line, else this PC's pairing, else mDNS."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest

import app.client.pairing as pairing_module
from app.client.credentials import load_pairing, save_pairing
from app.client.paired import endpoint, has_token
from app.client.queue_client import ServiceError
from app.core.pairing import cert_hash, server_proof

CODE = "482913"
CERT = b"the certificate the service showed"


@pytest.fixture(autouse=True)
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("MOTCUA_TOKEN_STORE", "file")
    return tmp_path / "cfg"


def forge(monkeypatch: pytest.MonkeyPatch, answer: Any) -> None:
    def claim(_url: str, _timeout: float, make_body: Any) -> tuple[dict[str, Any], bytes]:
        body = make_body(cert_hash(CERT))
        return answer(bytes.fromhex(body["nonce"])), CERT

    monkeypatch.setattr(pairing_module, "_claim", claim)


def test_an_answer_without_the_services_proof_is_refused_and_nothing_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # someone who does not know the code answers with a token and his own CA
    forge(monkeypatch, lambda nonce: {"token": "t", "server_proof": "00" * 32, "ca_pem": "x", "role": "kiosk"})
    with pytest.raises(ServiceError) as refused:
        pairing_module.pair(CODE, "kiosk", "Kiosk", service_url="https://10.0.0.2:8710")
    assert refused.value.code == "server_proof_wrong"
    assert load_pairing() is None


def test_a_ca_that_did_not_issue_the_certificate_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer(nonce: bytes) -> dict[str, Any]:
        proof = server_proof(CODE, nonce, cert_hash(CERT), "t").hex()
        return {"token": "t", "server_proof": proof, "ca_pem": "not a CA", "role": "kiosk"}

    forge(monkeypatch, answer)
    with pytest.raises(ServiceError) as refused:
        pairing_module.pair(CODE, "kiosk", "Kiosk", service_url="https://10.0.0.2:8710")
    assert refused.value.code == "ca_mismatch"
    assert load_pairing() is None


def test_a_code_is_six_digits_and_plain_http_on_the_lan_is_refused() -> None:
    with pytest.raises(ServiceError) as bad:
        pairing_module.pair("12345", "kiosk", "Kiosk", service_url="https://10.0.0.2:8710")
    assert bad.value.code == "bad_code_format"
    with pytest.raises(ServiceError) as plain:
        pairing_module.pair("123 456", "kiosk", "Kiosk", service_url="http://10.0.0.2:8710")
    assert plain.value.code == "pairing_needs_tls"


def args(**given: Any) -> argparse.Namespace:
    return argparse.Namespace(**{"service": None, "token_file": None, "ca_file": None, **given})


def test_apps_use_the_pairing_only_without_service_and_token_file(tmp_path: Path) -> None:
    assert endpoint(args()) == endpoint(args())  # nothing paired: discovery, no token
    assert endpoint(args()).url is None
    assert not has_token(args())
    save_pairing("https://10.0.0.2:8710", "paired-token", "PEM", role="kiosk", counter=None, name="Kiosk",
                 device_id=3)  # fmt: skip
    paired = endpoint(args())
    assert (paired.url, paired.token, paired.paired) == ("https://10.0.0.2:8710", "paired-token", True)
    assert paired.ca_file is not None
    assert paired.ca_file.name == "centre-ca.pem"
    typed = endpoint(args(service="https://10.0.0.9:8710"))
    assert (typed.url, typed.token, typed.paired) == ("https://10.0.0.9:8710", None, False)
    token_file = tmp_path / "t.token"
    token_file.write_text("file-token\n")
    assert endpoint(args(token_file=token_file)).token == "file-token"
    assert has_token(args())
