"""A SoftHSM2 test token with a TEST CA and a signer: the demo's and the tests' stand-in for a CA's USB token.

Everything here is a test fixture made on this machine: the subject says TEST, the PIN sits in a file beside
the token, and the CA is trusted only where someone passes it to `verify --trust`."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.atomic_file import write_atomic
from app.signing.errors import SigningError

SOFTHSM_UTIL = "softhsm2-util"
SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
TOKEN_LABEL = "MOTCUA-TEST"  # noqa: S105 - a label, not a secret
KEY_LABEL = "signer"
KEY_ID = b"\x01"
TEST_PIN = "123456"  # a test token's PIN: not a secret, written beside it for the demo
TEST_SO_PIN = "12345678"


@dataclass(frozen=True)
class DemoToken:
    pkcs11: str
    softhsm2_conf: Path
    pin_file: Path
    ca: Path
    pfx: Path  # the same signer as a PKCS#12 file (password = the PIN), for the no-token path

    def as_json(self) -> str:
        return json.dumps(
            {
                "pkcs11": self.pkcs11,
                "softhsm2_conf": str(self.softhsm2_conf),
                "pin_file": str(self.pin_file),
                "ca": str(self.ca),
                "pfx": str(self.pfx),
            },
            ensure_ascii=False,
        )


def softhsm_module() -> str | None:
    return next((m for m in SOFTHSM_MODULES if Path(m).is_file()), None)


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Một Cửa TEST"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def make_test_pki(
    signer_name: str = "UBND xã Đông Hưng TEST",
) -> tuple[rsa.RSAPrivateKey, x509.Certificate, rsa.RSAPrivateKey, x509.Certificate]:
    """A TEST root CA and a signer certificate it issued (digital signature + non-repudiation)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)  # a little slack for clock skew between peers
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name("Một Cửa TEST CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_key, ca_cert, key, cert


def _write_conf(folder: Path) -> Path:
    tokens = folder / "tokens"
    if tokens.exists():  # a second run makes a fresh token rather than a second one beside the first
        shutil.rmtree(tokens)
    tokens.mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
        encoding="utf-8",
    )
    return conf


def _init_token(conf: Path) -> None:
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    util = shutil.which(SOFTHSM_UTIL) or "/usr/bin/softhsm2-util"
    subprocess.run(  # noqa: S603 - fixed program, arguments made here
        [util, "--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TEST_PIN, "--so-pin", TEST_SO_PIN],
        env=env,
        check=True,
        capture_output=True,
    )


def _store_on_token(
    module: str, conf: Path, key: rsa.RSAPrivateKey, cert: x509.Certificate, ca_cert: x509.Certificate
) -> None:
    """Writes the key, its certificate (with CKA_SUBJECT, which pyhanko's lookup and real tokens carry) and the CA
    certificate, as the CAs' tokens carry their chain."""
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        lib = pkcs11.lib(module)
        lib.reinitialize()  # SoftHSM reads its configuration (the token folder) at C_Initialize only
        token = lib.get_token(token_label=TOKEN_LABEL)
    finally:
        if before is None:
            del os.environ["SOFTHSM2_CONF"]
        else:
            os.environ["SOFTHSM2_CONF"] = before
    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    with token.open(rw=True, user_pin=TEST_PIN) as session:
        attrs = decode_rsa_private_key(der_key)
        attrs.update(
            {
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.SENSITIVE: True,
                Attribute.EXTRACTABLE: False,
                Attribute.LABEL: KEY_LABEL,
                Attribute.ID: KEY_ID,
                Attribute.SUBJECT: cert.subject.public_bytes(),
            }
        )
        session.create_object(attrs)
        cert_attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
        cert_attrs.update({Attribute.TOKEN: True, Attribute.LABEL: KEY_LABEL, Attribute.ID: KEY_ID})
        session.create_object(cert_attrs)
        ca_attrs = decode_x509_certificate(ca_cert.public_bytes(serialization.Encoding.DER))
        ca_attrs.update({Attribute.TOKEN: True, Attribute.LABEL: "ca", Attribute.ID: b"\x02"})
        session.create_object(ca_attrs)


def create_test_token(folder: Path, signer_name: str = "UBND xã Đông Hưng TEST") -> DemoToken:
    """Makes `folder`/softhsm2.conf with one initialised token holding a TEST signer, plus its CA and a PFX."""
    module = softhsm_module()
    if module is None or not (shutil.which(SOFTHSM_UTIL) or Path("/usr/bin/softhsm2-util").exists()):
        raise SigningError("Chưa cài SoftHSM2 (gói softhsm2): không tạo được thiết bị ký thử.")
    folder.mkdir(parents=True, exist_ok=True)
    _, ca_cert, key, cert = make_test_pki(signer_name)
    conf = _write_conf(folder)
    _init_token(conf)
    _store_on_token(module, conf, key, cert, ca_cert)
    ca_pem = folder / "test-ca.pem"
    write_atomic(ca_pem, ca_cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    pin_file = folder / "pin.txt"
    write_atomic(pin_file, TEST_PIN.encode())
    pfx = folder / "signer.p12"
    write_atomic(
        pfx,
        pkcs12.serialize_key_and_certificates(
            b"signer", key, cert, [ca_cert], serialization.BestAvailableEncryption(TEST_PIN.encode())
        ),
    )
    return DemoToken(pkcs11=module, softhsm2_conf=conf, pin_file=pin_file, ca=ca_pem, pfx=pfx)
