"""A service PC whose centre service starts at boot (install-service) and whose kiosk is set to host it: the kiosk
attaches to the running service on the same data folder instead of starting a second one on the same port."""

from __future__ import annotations

from pathlib import Path

from app.client.hosted_service import running_service, start_hosted_service
from app.client.queue_client import QueueClient
from app.service.launcher import start_server


def test_the_kiosk_attaches_to_the_service_already_serving_its_folder(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", tls="on")
    try:
        port = int(server.url.rsplit(":", 1)[1])
        hosted = start_hosted_service(server.data, port=port)
        assert hosted.process is None  # attached, no second service
        assert hosted.local_url == f"https://127.0.0.1:{port}"
        with QueueClient(hosted.local_url, hosted.admin_token, ca_file=hosted.ca_file) as client:
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
