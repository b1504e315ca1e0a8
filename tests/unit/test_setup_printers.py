"""The wizard's Qt-free probes: the network printer sweep (on loopback, never the LAN) and the checks' own refusals."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from app.setup.checks import CheckFailed, gateway_login
from app.setup.printers import FoundPrinter, hosts_of, scan_network, usb_printers


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


def test_sweep_finds_what_answers_and_reports_it_as_it_goes(listener: int) -> None:
    seen: list[FoundPrinter] = []
    found = scan_network(hosts_of("127.0.0.0/29"), listener, on_found=seen.append)
    assert [p.spec for p in found] == [f"tcp:127.0.0.1:{listener}"] == [p.spec for p in seen]
    assert found[0].label == f"Máy in mạng 127.0.0.1 (cổng {listener})"


def test_a_cancelled_sweep_tries_nothing_more(listener: int) -> None:
    cancel = threading.Event()
    cancel.set()
    assert scan_network(hosts_of("127.0.0.0/29"), listener, cancel=cancel) == []


def test_only_a_24_is_swept() -> None:
    assert len(hosts_of("192.168.1.77/24")) == 254
    with pytest.raises(ValueError, match=r"quá rộng: chỉ tìm trong một mạng /24"):
        hosts_of("10.0.0.0/16")


def test_usb_listing_never_fails() -> None:
    assert all(p.spec.startswith("usb:") for p in usb_printers())  # [] on a PC without libusb or printers


@pytest.mark.parametrize(
    ("url", "user", "password", "expected"),
    [
        ("motcua.tinh.gov.vn", "u", "p", "phải bắt đầu bằng https://"),
        ("https://motcua.tinh.gov.vn", "", "p", "Cần tên đăng nhập và mật khẩu"),
        ("https://motcua.tinh.gov.vn", "u", "", "Cần tên đăng nhập và mật khẩu"),
    ],
)
def test_gateway_check_refuses_before_any_request(url: str, user: str, password: str, expected: str) -> None:
    with pytest.raises(CheckFailed, match=expected):
        gateway_login(url, "", user, password)
