"""A service PC whose centre service starts at boot (install-service) and whose kiosk is set to host it: the kiosk
attaches to the running service on the same data folder instead of starting a second one on the same port. Either
way the kiosk acts as a kiosk (its own device token, DATA/kiosk.token), never with the admin token."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest
import requests

from app.client.hosted_service import KIOSK_TOKEN_FILE, running_service, start_hosted_service
from app.client.queue_client import QueueClient, ServiceError
from app.service.launcher import start_server
from app.service.server import HOSTED_KIOSK_NAME, HOSTED_KIOSK_TOKEN


def test_the_kiosk_attaches_to_the_service_already_serving_its_folder(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", tls="on")
    try:
        port = int(server.url.rsplit(":", 1)[1])
        hosted = start_hosted_service(server.data, port=port)
        assert hosted.process is None  # attached, no second service
        assert hosted.local_url == f"https://127.0.0.1:{port}"
        with QueueClient(hosted.local_url, hosted.kiosk_token, ca_file=hosted.ca_file) as client:
            assert client.issue("HT")["number"]
        assert hosted.stop() == 0
        assert server.proc.poll() is None  # the boot-time service keeps serving the hall
    finally:
        server.stop()


def test_another_centres_service_on_the_port_is_not_taken_for_ours(tmp_path: Path) -> None:
    other = start_server(tmp_path / "other", tls="on")
    ours = start_server(tmp_path / "ours", tls="on")  # makes our folder's CA and admin token, then stops
    ours.stop()
    try:
        port = int(other.url.rsplit(":", 1)[1])
        assert running_service(ours.data, port) is None  # its certificate is not from our folder's CA
        assert running_service(other.data, port) is not None
    finally:
        other.stop()


def test_the_kiosk_on_the_service_pc_has_a_kiosks_token_not_the_admins(tmp_path: Path) -> None:
    assert KIOSK_TOKEN_FILE == HOSTED_KIOSK_TOKEN  # the kiosk reads the file the service writes
    server = start_server(tmp_path / "data", tls="on")
    try:
        hosted = start_hosted_service(server.data, port=int(server.url.rsplit(":", 1)[1]))
        token_file = server.data / KIOSK_TOKEN_FILE
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        assert hosted.kiosk_token != server.admin_token
        with QueueClient(hosted.local_url, hosted.kiosk_token, ca_file=hosted.ca_file) as kiosk:
            assert kiosk.issue("HT")["number"]  # what a kiosk does
            for admin_only in (kiosk.devices, lambda: kiosk.report(date.today(), date.today())):
                with pytest.raises(ServiceError) as refused:
                    admin_only()
                assert refused.value.status == 403
        admin = {"Authorization": f"Bearer {server.admin_token}"}
        listed = requests.get(f"{server.url}/api/devices", headers=admin, verify=str(server.ca_file), timeout=30)
        (device,) = [d for d in listed.json() if d["name"] == HOSTED_KIOSK_NAME]
        assert device["role"] == "kiosk"  # the director sees it under Thiết bị like any paired PC
        assert device["kept"] is True  # without a Gỡ ghép button (app/dashboard/devices_tab.py)
        first = hosted.kiosk_token
    finally:
        server.stop()
    again = start_server(tmp_path / "data", tls="on")  # a restart keeps the same kiosk token
    try:
        assert token_file.read_text(encoding="utf-8").strip() == first
        admin = {"Authorization": f"Bearer {again.admin_token}"}
        kept = requests.delete(f"{again.url}/api/devices/{device['id']}", headers=admin, verify=str(again.ca_file),
                               timeout=30)  # fmt: skip
        assert kept.status_code == 400, kept.text  # the Thiết bị tab cannot stop the hall's kiosk by mistake
        assert kept.json()["error"] == "hosted_kiosk"
        assert kept.json()["message"].startswith("Đây là kiosk chạy trên chính máy chủ Trung tâm")
        with QueueClient(again.url, first, ca_file=again.ca_file) as kiosk:
            assert kiosk.issue("HT")["number"]  # still issuing
    finally:
        again.stop()
    token_file.unlink()  # how the IT officer changes it: delete the file, restart the service…
    third = start_server(tmp_path / "data", tls="on")
    try:
        renewed = token_file.read_text(encoding="utf-8").strip()
        assert renewed != first
        admin = {"Authorization": f"Bearer {third.admin_token}"}
        rows = requests.get(f"{third.url}/api/devices", headers=admin, verify=str(third.ca_file), timeout=30).json()
        assert [(r["id"] == device["id"], r["kept"]) for r in rows if r["name"] == HOSTED_KIOSK_NAME] == [
            (False, True), (True, False)]  # fmt: skip
        gone = requests.delete(f"{third.url}/api/devices/{device['id']}", headers=admin, verify=str(third.ca_file),
                               timeout=30)  # fmt: skip
        assert gone.status_code == 200, gone.text  # …then unpair the old row: the old token stops working
        with QueueClient(third.url, first, ca_file=third.ca_file) as old, pytest.raises(ServiceError) as refused:
            old.issue("HT")
        assert refused.value.code == "device_unpaired"
        with QueueClient(third.url, renewed, ca_file=third.ca_file) as kiosk:
            assert kiosk.issue("HT")["number"]
    finally:
        third.stop()
