"""The centre's own small CA and the service's certificate: PINs and tokens never cross the LAN in clear.

At the first start on a LAN address the service makes `DATA/tls/ca.pem` + `ca.key` (EC P-256, ten years,
"Một Cửa CA – <centre>") and a server certificate signed by it (`server.pem` + `server.key`, two years) for
every name and address clients may use: localhost, 127.0.0.1, ::1, this PC's host name (and NAME.local, the
mDNS name), each non-loopback IPv4 of this PC and the bound host when it is a specific one. Clients pin the CA
(`--ca-file DATA/tls/ca.pem`); no public CA is involved, and none could certify a private LAN address.

The server certificate is made again at start-up when it expires within 30 days, when it no longer covers the
PC's current names and addresses (DHCP gave it a new one) or when it was not issued by the CA on disk; the CA
is kept (clients have pinned it) and only replaced, with a warning, when it is itself about to expire. Every
file is written 0600 through a temporary file and a rename, in a 0700 folder.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

CA_DAYS = 3650
SERVER_DAYS = 730
RENEW_BEFORE = timedelta(days=30)
BACKDATE = timedelta(hours=1)  # a client whose clock is a little behind still accepts a fresh certificate
_CN_MAX = 64  # X.509 upper bound for a common name, in UTF-8 bytes
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class TlsFiles:
    folder: Path
    ca_cert: Path
    ca_key: Path
    cert: Path
    key: Path


def tls_files(data: Path) -> TlsFiles:
    folder = data / "tls"
    return TlsFiles(folder, folder / "ca.pem", folder / "ca.key", folder / "server.pem", folder / "server.key")


def is_loopback(host: str) -> bool:
    """True for an address only this PC can reach (127.0.0.0/8, ::1, localhost); 0.0.0.0, :: and LAN
    addresses or names are reachable from the LAN."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it names this PC on the LAN


def lan_addresses() -> list[str]:
    """Every non-loopback IPv4 address of this PC."""
    import ifaddr  # zeroconf's own dependency

    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if ip.is_IPv4 and isinstance(ip.ip, str) and not ip.ip.startswith("127.") and ip.ip not in found:
                found.append(ip.ip)
    return found


def wanted_names(host: str, addresses: Iterable[str] | None = None,
                 hostname: str | None = None) -> tuple[frozenset[str], frozenset[IpAddress]]:  # fmt: skip
    """(DNS names, IP addresses) the server certificate must cover for a service bound to `host`."""
    dns = {"localhost"}
    name = (hostname if hostname is not None else socket.gethostname()).strip().rstrip(".")
    if name and all(_DNS_LABEL.match(label) for label in name.split(".")):
        dns.add(name.lower())
        if "." not in name:
            dns.add(f"{name.lower()}.local")  # the name the mDNS announcement gives
    ips: set[IpAddress] = {ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")}
    for address in lan_addresses() if addresses is None else addresses:
        ips.add(ipaddress.ip_address(address))
    bound = host.strip("[]")
    try:
        ip = ipaddress.ip_address(bound)
        if not ip.is_unspecified:
            ips.add(ip)
    except ValueError:
        if bound and all(_DNS_LABEL.match(label) for label in bound.split(".")):
            dns.add(bound.lower())
    return frozenset(dns), frozenset(ips)


def fingerprint(cert_file: Path) -> str:
    """SHA-256 of a certificate, AA:BB:… as browsers and `openssl x509 -fingerprint` show it."""
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def ensure_certificates(data: Path, centre: str, host: str, *, now: datetime | None = None,
                        addresses: Iterable[str] | None = None, hostname: str | None = None) -> TlsFiles:  # fmt: skip
    """The CA and a server certificate valid now for `host`, made or renewed as needed (see the module doc)."""
    files = tls_files(data)
    files.folder.mkdir(parents=True, exist_ok=True)
    files.folder.chmod(0o700)
    at = now or datetime.now(UTC)
    dns, ips = wanted_names(host, addresses, hostname)
    ca = _load_ca(files, at)
    if ca is None:
        ca = _make_ca(files, centre, at)
    ca_key, ca_cert = ca
    reason = _renewal_reason(files, ca_cert, dns, ips, at)
    if reason:
        log.info("TLS: making a new server certificate (%s)", reason)
        _make_server(files, ca_key, ca_cert, dns, ips, at)
    return files


# --- the CA ---------------------------------------------------------------------------------------


def _load_ca(files: TlsFiles, at: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None:
    if not (files.ca_cert.exists() and files.ca_key.exists()):
        return None
    try:
        cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
        key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    except ValueError:
        log.warning("TLS: %s or %s is unreadable; making a new CA — every client must get the new ca.pem",
                    files.ca_cert, files.ca_key)  # fmt: skip
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        log.warning("TLS: ca.key does not belong to ca.pem; making a new CA — every client must get the new ca.pem")
        return None
    if cert.not_valid_after_utc - RENEW_BEFORE <= at:
        log.warning("TLS: the centre's CA expires on %s; making a new one — every client must get the new ca.pem",
                    cert.not_valid_after_utc.date())  # fmt: skip
        return None
    return key, cert


def _make_ca(files: TlsFiles, centre: str, at: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(f"Một Cửa CA – {centre}".strip())),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Một Cửa"),
    ])  # fmt: skip
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(at - BACKDATE)
        .not_valid_after(at + timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(files.ca_key, _key_pem(key))
    _write_private(files.ca_cert, cert.public_bytes(serialization.Encoding.PEM))
    log.info("TLS: made the centre's CA %s (SHA-256 %s)", files.ca_cert, fingerprint(files.ca_cert))
    return key, cert


# --- the server certificate -----------------------------------------------------------------------


def _renewal_reason(files: TlsFiles, ca_cert: x509.Certificate, dns: frozenset[str], ips: frozenset[IpAddress],
                    at: datetime) -> str | None:  # fmt: skip
    """Why the server certificate on disk will not do (None: it will)."""
    if not (files.cert.exists() and files.key.exists()):
        return "none yet"
    try:
        cert = x509.load_pem_x509_certificate(files.cert.read_bytes())
        key = serialization.load_pem_private_key(files.key.read_bytes(), password=None)
    except ValueError:
        return "unreadable"
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != cert.public_key():
        return "key does not match"
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return "issued by another CA"
    if cert.not_valid_after_utc - RENEW_BEFORE <= at:
        return f"expires on {cert.not_valid_after_utc.date()}"
    if cert.not_valid_before_utc > at:
        return "not valid yet (the clock went back)"
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return "no subject alternative names"
    have_dns = {name.lower() for name in san.get_values_for_type(x509.DNSName)}
    have_ips = set(san.get_values_for_type(x509.IPAddress))
    missing = sorted(dns - have_dns) + sorted(str(ip) for ip in ips - have_ips)
    return f"does not cover {', '.join(missing)}" if missing else None


def _make_server(files: TlsFiles, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate,
                 dns: frozenset[str], ips: frozenset[IpAddress], at: datetime) -> None:  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(n) for n in sorted(dns)]
    names += [x509.IPAddress(ip) for ip in sorted(ips, key=lambda ip: (ip.version, int(ip)))]
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, (sorted(dns - {"localhost"}) or ["localhost"])[0])])
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(at - BACKDATE)
        .not_valid_after(min(at + timedelta(days=SERVER_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_private(files.key, _key_pem(key))
    _write_private(files.cert, cert.public_bytes(serialization.Encoding.PEM))


def _fit(name: str) -> str:
    """A common name cut to X.509's 64 bytes of UTF-8, never inside a letter."""
    return name.encode("utf-8")[:_CN_MAX].decode("utf-8", errors="ignore").strip()


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, content: bytes) -> None:
    """Write 0600 through a temporary file and a rename: a crash never leaves half a key behind."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
