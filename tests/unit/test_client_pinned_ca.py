"""Clients pin the centre's CA: never an https address without it, and the board address phones can open."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from app.client.board import board_url
from app.client.discovery import found_service
from app.client.events import EventStream
from app.client.hosted_service import HostedService, phone_reachable
from app.client.queue_client import QueueClient, ServiceError
from app.pinned_ca import CaFileError, is_tls, is_untrusted, requests_verify, ssl_context
from app.service.tls import ensure_certificates
from app.sync.centre_sink import CentreSink


@pytest.fixture
def ca_file(tmp_path: Path) -> Path:
    return ensure_certificates(tmp_path / "data", "Trung tâm", "0.0.0.0", addresses=[]).ca_cert


def test_plain_addresses_need_no_ca(tmp_path: Path) -> None:
    assert requests_verify("http://10.0.0.2:8710", None) is True
    assert ssl_context("ws://10.0.0.2:8710/api/events", None) is None
    with QueueClient("http://127.0.0.1:8710") as client:
        assert client.ca_file is None


def test_an_https_address_without_the_ca_is_refused_with_what_to_pass() -> None:
    with pytest.raises(ServiceError) as refused:
        QueueClient("https://10.0.0.2:8710", "token")
    assert refused.value.code == "ca_file_required"
    assert "--ca-file" in refused.value.message
    assert "tls/ca.pem" in refused.value.message
    with pytest.raises(CaFileError, match="--ca-file"):
        EventStream("https://10.0.0.2:8710", on_snapshot=print, on_event=print, on_connection=print)
    with pytest.raises(CaFileError, match="--ca-file"):
        CentreSink("https://10.0.0.2:8710", lambda: "t")


def test_a_missing_or_broken_ca_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="không có tệp này"):
        QueueClient("https://10.0.0.2:8710", ca_file=tmp_path / "nowhere.pem")
    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate")
    with pytest.raises(CaFileError, match="không phải tệp PEM"):
        ssl_context("wss://10.0.0.2:8710", broken)


def test_the_pinned_ca_is_the_only_one_trusted(ca_file: Path) -> None:
    context = ssl_context("https://10.0.0.2:8710", ca_file)
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert len(context.get_ca_certs()) == 1  # not the system's store
    with QueueClient("https://10.0.0.2:8710", "t", ca_file=ca_file) as client:
        assert client._session.verify == str(ca_file)
    assert is_tls("wss://x")
    assert not is_tls("http://x")


def test_a_certificate_verification_failure_is_told_from_a_lost_connection() -> None:
    failure = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    wrapped = ConnectionError("while connecting")
    wrapped.__cause__ = failure
    assert is_untrusted(wrapped)
    assert not is_untrusted(ConnectionResetError("reset by peer"))


def test_the_board_address_comes_from_the_service_health() -> None:
    health = {"status": "ok", "tls": True, "board_port": 8711}
    assert board_url("https://10.0.0.2:8710", health) == "http://10.0.0.2:8711"
    assert board_url("https://[fe80::1]:8710/", health) == "http://[fe80::1]:8711"
    assert board_url("http://10.0.0.2:8710", {"status": "ok"}) == "http://10.0.0.2:8710"  # before TLS


def test_discovery_reads_tls_and_the_board_port_from_the_announcement() -> None:
    found = found_service("x._motcua._tcp.local.", "10.0.0.2", 8710, {b"tls": b"1", b"board": b"8711"})
    assert found.url == "https://10.0.0.2:8710"
    assert found.board_url == "http://10.0.0.2:8711"
    plain = found_service("y._motcua._tcp.local.", "10.0.0.3", 8710, {b"path": b"/api", b"version": b"1"})
    assert plain.url == "http://10.0.0.3:8710"
    assert plain.board_url is None


def test_a_hosted_service_is_reached_on_loopback_and_shown_to_phones_on_the_lan(tmp_path: Path) -> None:
    from app.child_process import ChildProcess

    process = ChildProcess(
        proc=None, url="https://0.0.0.0:8710", data=tmp_path, output=["board on http://0.0.0.0:8711"]
    )
    hosted = HostedService(process)
    assert hosted.local_url == "https://127.0.0.1:8710"
    assert hosted.ca_file == tmp_path / "tls" / "ca.pem"
    assert hosted.board_url == "http://0.0.0.0:8711"
    follow = hosted.follow_url
    assert follow is not None
    assert follow.startswith("http://")
    assert follow.endswith(":8711")
    assert phone_reachable(None) is None
