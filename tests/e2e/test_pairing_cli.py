"""Pairing as an IT officer does it, over a real service with TLS on loopback: `python -m app pair-code` on the
service PC, `python -m app pair` on the new PC, the kiosk then runs on the pairing alone; wrong codes; unpairing."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from app.client.credentials import load_pairing
from app.client.queue_client import QueueClient, ServiceError
from app.service.launcher import ServerProcess, start_server

ROOT = Path(__file__).resolve().parents[2]


def run(config: Path, module: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "MOTCUA_CONFIG_DIR": str(config),
           "MOTCUA_TOKEN_STORE": "file"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def pair_code(server: ServerProcess, *args: str) -> str:
    port = server.url.rsplit(":", 1)[1]
    done = run(server.data / "unused-config", "app", "pair-code", "--data", str(server.data), "--port", port, *args)
    assert done.returncode == 0, done.stderr
    assert "Có hiệu lực đến" in done.stdout
    assert "██" in done.stdout  # the code printed large
    found = re.search(r"^\s+(\d{6})$", done.stdout, re.MULTILINE)
    assert found, done.stdout
    return found.group(1)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "new-pc"
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(folder))  # load_pairing in this process reads the new PC's folder
    monkeypatch.setenv("MOTCUA_TOKEN_STORE", "file")
    return folder


def test_pair_code_then_pair_then_the_kiosk_runs_on_the_pairing(tls_server: ServerProcess, config: Path) -> None:
    assert tls_server.url.startswith("https://127.0.0.1:")
    code = pair_code(tls_server, "--role", "kiosk", "--name", "Kiosk sảnh")
    done = run(config, "app", "pair", "--code", code, "--role", "kiosk", "--service", tls_server.url)
    assert done.returncode == 0, done.stderr
    assert "Đã ghép máy này" in done.stdout
    assert "Mã nhận dạng máy chủ" in done.stdout
    pairing = load_pairing()
    assert pairing is not None
    assert pairing.url == tls_server.url
    assert pairing.role == "kiosk"
    assert pairing.ca_file == config / "centre-ca.pem"
    assert pairing.ca_file.read_bytes() == (tls_server.data / "tls" / "ca.pem").read_bytes()
    for name in ("centre-ca.pem", "device.token", "pairing.json"):
        assert stat.S_IMODE((config / name).stat().st_mode) == 0o600
    with QueueClient(pairing.url, pairing.token, ca_file=pairing.ca_file) as client:
        assert client.issue("HT")["number"]  # the stored token works for a kiosk's request
    # the kiosk with neither --service nor --token-file: the pairing's address, token and CA
    kiosk = run(config, "kiosk", "--smoke-test")
    assert kiosk.returncode == 0, kiosk.stderr
    assert "kiosk ok" in kiosk.stdout


def test_a_wrong_code_says_how_many_tries_are_left(tls_server: ServerProcess, config: Path) -> None:
    code = pair_code(tls_server, "--role", "display")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    done = run(config, "app", "pair", "--code", wrong, "--role", "display", "--service", tls_server.url)
    assert done.returncode == 1
    assert "Mã ghép không đúng. Còn 4 lần thử" in done.stderr
    assert load_pairing() is None
    bad = run(config, "app", "pair", "--code", "12345", "--role", "display", "--service", tls_server.url)
    assert bad.returncode == 1
    assert "đúng 6 chữ số" in bad.stderr


def test_unpaired_from_the_api_the_next_request_is_told(tls_server: ServerProcess, config: Path) -> None:
    code = pair_code(tls_server, "--role", "counter", "--counter", "2", "--name", "Quầy 2")
    done = run(config, "app", "pair", "--code", code, "--role", "counter", "--counter", "2",
               "--service", tls_server.url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    pairing = load_pairing()
    assert pairing is not None
    assert pairing.counter == 2
    auth = {"Authorization": f"Bearer {tls_server.admin_token}"}
    gone = requests.delete(f"{tls_server.url}/api/devices/{pairing.device_id}", headers=auth,
                           verify=str(tls_server.ca_file), timeout=30)  # fmt: skip
    assert gone.status_code == 200, gone.text
    with QueueClient(pairing.url, pairing.token, ca_file=pairing.ca_file) as client, \
            pytest.raises(ServiceError) as refused:  # fmt: skip
        client.stats_today()
    assert refused.value.status == 401
    assert refused.value.code == "device_unpaired"
    assert refused.value.message.startswith("Máy này đã bị gỡ ghép")
    forgot = run(config, "app", "unpair")
    assert forgot.returncode == 0, forgot.stderr
    assert not (config / "pairing.json").exists()
    assert not (config / "device.token").exists()
    assert load_pairing() is None


def test_pairing_with_the_service_found_by_mdns(tmp_path: Path, config: Path) -> None:
    server = start_server(tmp_path / "data", tls="on", mdns=True)
    try:
        code = pair_code(server, "--role", "display", "--name", "TV sảnh")
        done = run(config, "app", "pair", "--code", code, "--role", "display", "--timeout", "30")
        assert done.returncode == 0, done.stderr
        pairing = load_pairing()
        assert pairing is not None
        assert pairing.url.startswith("https://")
        assert pairing.url.endswith(":" + server.url.rsplit(":", 1)[1])
        with QueueClient(pairing.url, pairing.token, ca_file=pairing.ca_file) as client:
            assert client.stats_today() is not None
    finally:
        server.stop()


def _pair_in_process(server: ServerProcess, role: str) -> None:
    from app.client.pairing import pair

    code = pair_code(server, "--role", role, "--name", "Máy thử")
    pair(code, role, "Máy thử", service_url=server.url, timeout=30)


def _move_stored_address(config: Path, url: str) -> None:
    import json

    record = json.loads((config / "pairing.json").read_text(encoding="utf-8"))
    record["url"] = url
    (config / "pairing.json").write_text(json.dumps(record), encoding="utf-8")


def test_the_service_pc_got_a_new_address_the_app_finds_it_again_by_mdns(tmp_path: Path, config: Path) -> None:
    import argparse
    import socket

    from app.client.paired import paired_client

    server = start_server(tmp_path / "data", tls="on", mdns=True)
    try:
        _pair_in_process(server, "display")
        with socket.socket() as unused:  # the address the service had yesterday: nothing answers there now
            unused.bind(("127.0.0.1", 0))
            gone = f"https://127.0.0.1:{unused.getsockname()[1]}"
        _move_stored_address(config, gone)
        args = argparse.Namespace(service=None, token_file=None, ca_file=None)
        with paired_client(QueueClient, args, discovery_timeout=30) as client:
            assert client.base_url != gone
            assert client.base_url.endswith(":" + server.url.rsplit(":", 1)[1])
            assert client.stats_today() is not None  # the token still works at the new address
        moved = load_pairing()
        assert moved is not None
        assert moved.url == client.base_url
    finally:
        server.stop()


def test_a_service_of_another_centre_is_not_taken_for_the_paired_one(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from app.client import discovery
    from app.client.paired import paired_client

    ours = start_server(tmp_path / "ours", tls="on")
    theirs = start_server(tmp_path / "theirs", tls="on")  # its own CA
    try:
        _pair_in_process(ours, "display")
        ours.stop()  # our service is down; only the other centre's answers on the LAN
        found = [discovery.FoundService("Một Cửa xã khác", theirs.url)]
        monkeypatch.setattr(discovery, "discover", lambda *_a, **_k: found)
        stored = load_pairing()
        assert stored is not None
        args = argparse.Namespace(service=None, token_file=None, ca_file=None)
        with paired_client(QueueClient, args, discovery_timeout=1) as client:
            assert client.base_url == stored.url  # kept: the other service's certificate is not from our CA
        after = load_pairing()
        assert after is not None
        assert after.url == stored.url
    finally:
        ours.stop()
        theirs.stop()


def test_a_pc_paired_as_the_directors_signs_its_director_in_and_its_own_token_changes_nothing(
    tls_server: ServerProcess, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.access import SIGN_IN_TO_CHANGE
    from app.dashboard import app as dashboard

    admin = {"Authorization": f"Bearer {tls_server.admin_token}"}
    person = {"username": "giamdoc", "display_name": "Trần Văn Giám", "role": "director", "secret": "482913"}
    made = requests.post(f"{tls_server.url}/api/users", json=person, headers=admin, verify=str(tls_server.ca_file),
                         timeout=30)  # fmt: skip
    assert made.status_code == 201, made.text
    code = pair_code(tls_server, "--role", "director", "--name", "Máy lãnh đạo")
    done = run(config, "app", "pair", "--code", code, "--role", "director", "--service", tls_server.url)
    assert done.returncode == 0, done.stderr
    pairing = load_pairing()
    assert pairing is not None
    assert pairing.role == "director"
    with QueueClient(pairing.url, pairing.token, ca_file=pairing.ca_file) as pc:
        assert pc.settings()["wait_target_min"] == 30  # the PC's token reads the figures and the settings
        for change in (lambda: pc.change_settings({"wait_target_min": 25}), lambda: pc.pairing_code("display")):
            with pytest.raises(ServiceError) as refused:
                change()
            assert refused.value.status == 403
            assert refused.value.message == SIGN_IN_TO_CHANGE
    monkeypatch.setattr(dashboard, "can_ask", lambda: True)  # a real screen, where the sign-in dialog shows
    client = dashboard.make_client(dashboard.parse_args([]))
    try:
        assert client.token is None  # type: ignore[attr-defined]  # the dashboard asks for the director
        signed = client.sign_in("giamdoc", "482913")  # type: ignore[attr-defined]  # what SignInDialog sends
        client.set_token(signed["token"])  # type: ignore[attr-defined]
        assert client.change_settings({"wait_target_min": 25})["changed"]
        assert client.settings_audit()[0]["who"] == "giamdoc (Trần Văn Giám)"  # a person, not the PC
    finally:
        client.close()
    gone = requests.delete(f"{tls_server.url}/api/devices/{pairing.device_id}", headers=admin,
                           verify=str(tls_server.ca_file), timeout=30)  # fmt: skip
    assert gone.status_code == 200, gone.text
    with pytest.raises(ValueError, match=r"^Máy này đã bị gỡ ghép"):  # a lost PC: no PIN prompt, the reason
        dashboard.make_client(dashboard.parse_args([]))
