"""The centre's own CA and server certificate: what they name, when they are made again, how they are kept."""

from __future__ import annotations

import ipaddress
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from app.service.tls import (
    SERVER_DAYS,
    ensure_certificates,
    fingerprint,
    is_loopback,
    tls_files,
    wanted_names,
)

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
LAN = ["192.168.1.20", "10.0.0.5"]


def make(data: Path, *, host: str = "0.0.0.0", at: datetime = NOW, addresses: list[str] | None = None,
         centre: str = "Trung tâm xã Đông Hưng") -> tuple[x509.Certificate, x509.Certificate]:  # fmt: skip
    files = ensure_certificates(data, centre, host, now=at, addresses=LAN if addresses is None else addresses,
                                hostname="quay-kiosk")  # fmt: skip
    return load(files.ca_cert), load(files.cert)


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def sans(cert: x509.Certificate) -> tuple[set[str], set[str]]:
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(ext.get_values_for_type(x509.DNSName)), {str(ip) for ip in ext.get_values_for_type(x509.IPAddress)}


LOOPBACK = ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"]
ON_THE_LAN = ["0.0.0.0", "::", "192.168.1.20", "quay-kiosk"]


@pytest.mark.parametrize(("host", "loopback"), [(h, True) for h in LOOPBACK] + [(h, False) for h in ON_THE_LAN])
def test_loopback_binds_stay_plain_and_lan_binds_get_tls(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_first_start_makes_a_ca_and_a_server_certificate_for_every_name_clients_use(tmp_path: Path) -> None:
    ca, server = make(tmp_path, host="192.168.1.20")
    assert ca.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == "Một Cửa CA – Trung tâm xã Đông Hưng"
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert isinstance(ca.public_key(), ec.EllipticCurvePublicKey)
    assert ca.not_valid_after_utc - ca.not_valid_before_utc > timedelta(days=3600)
    server.verify_directly_issued_by(ca)
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert timedelta(days=700) < server.not_valid_after_utc - server.not_valid_before_utc < timedelta(days=800)
    dns, ips = sans(server)
    assert dns == {"localhost", "quay-kiosk", "quay-kiosk.local"}
    assert ips == {"127.0.0.1", "::1", "192.168.1.20", "10.0.0.5"}
    usage = server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert x509.ExtendedKeyUsageOID.SERVER_AUTH in usage


def test_a_specific_bound_host_is_named_too(tmp_path: Path) -> None:
    _ca, server = make(tmp_path / "ip", host="172.16.5.9")
    assert "172.16.5.9" in sans(server)[1]
    _ca, named = make(tmp_path / "name", host="motcua-server")
    assert "motcua-server" in sans(named)[0]
    assert wanted_names("0.0.0.0", [], "pc")[1] == {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}


def test_keys_and_certificates_are_private_in_a_private_folder(tmp_path: Path) -> None:
    make(tmp_path)
    files = tls_files(tmp_path)
    assert stat.S_IMODE(files.folder.stat().st_mode) == 0o700
    for path in (files.ca_cert, files.ca_key, files.cert, files.key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not list(files.folder.glob("*.tmp"))


def test_a_restart_keeps_both_when_nothing_changed(tmp_path: Path) -> None:
    make(tmp_path)
    files = tls_files(tmp_path)
    before = (files.ca_cert.read_bytes(), files.ca_key.read_bytes(), files.cert.read_bytes(), files.key.read_bytes())
    make(tmp_path, at=NOW + timedelta(days=100))
    after = (files.ca_cert.read_bytes(), files.ca_key.read_bytes(), files.cert.read_bytes(), files.key.read_bytes())
    assert after == before


def test_a_new_address_renews_the_server_certificate_under_the_same_ca(tmp_path: Path) -> None:
    ca, server = make(tmp_path)
    ca2, server2 = make(tmp_path, addresses=[*LAN, "192.168.2.7"])
    assert ca2.fingerprint(hashes.SHA256()) == ca.fingerprint(hashes.SHA256())
    assert server2.serial_number != server.serial_number
    assert "192.168.2.7" in sans(server2)[1]
    server2.verify_directly_issued_by(ca)
    # An address that went away does not force a new one: the certificate still covers everything wanted.
    _ca3, server3 = make(tmp_path, addresses=["192.168.2.7"])
    assert server3.serial_number == server2.serial_number


def test_the_server_certificate_is_renewed_30_days_before_it_expires(tmp_path: Path) -> None:
    _ca, server = make(tmp_path)
    _ca, same = make(tmp_path, at=NOW + timedelta(days=SERVER_DAYS - 31))
    assert same.serial_number == server.serial_number
    ca, renewed = make(tmp_path, at=NOW + timedelta(days=SERVER_DAYS - 29))
    assert renewed.serial_number != server.serial_number
    assert renewed.not_valid_after_utc > server.not_valid_after_utc
    renewed.verify_directly_issued_by(ca)


def test_a_server_certificate_of_another_ca_or_a_broken_one_is_replaced(tmp_path: Path) -> None:
    make(tmp_path / "a")
    make(tmp_path / "b")
    a, b = tls_files(tmp_path / "a"), tls_files(tmp_path / "b")
    b.cert.write_bytes(a.cert.read_bytes())
    b.key.write_bytes(a.key.read_bytes())
    ca, server = make(tmp_path / "b")
    server.verify_directly_issued_by(ca)
    b.cert.write_text("not a certificate")
    ca, server = make(tmp_path / "b")
    server.verify_directly_issued_by(ca)


def test_the_server_fingerprint_reads_like_openssl(tmp_path: Path) -> None:
    make(tmp_path)
    text = fingerprint(tls_files(tmp_path).ca_cert)
    assert len(text.split(":")) == 32
    assert text == text.upper()


def test_a_long_centre_name_still_fits_the_ca_name(tmp_path: Path) -> None:
    ca, _server = make(tmp_path, centre="Trung tâm Phục vụ hành chính công xã " + "Đông Hưng " * 10)
    name = str(ca.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value)
    assert len(name.encode("utf-8")) <= 64
    assert name.startswith("Một Cửa CA – Trung tâm")
