"""Where the signing key lives: a PKCS#11 token (the CAs' USB tokens) or a PKCS#12 file.

The PIN is passed in for one session and kept nowhere: not on disk, not in a log, not on the returned object."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.signing.errors import SigningError, TokenGoneError, WrongPinError, os_reason

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer


@dataclass(frozen=True)
class Pkcs11Key:
    """A token: the CA's PKCS#11 module (a .dll on Windows, a .so on Linux) and its slot (None = the only one)."""

    module: str
    slot: int | None = None


@dataclass(frozen=True)
class PfxKey:
    path: Path


KeySource = Pkcs11Key | PfxKey

# PKCS#11 return codes that mean the token left or is no longer usable mid-session.
_GONE = (
    "DeviceRemoved",
    "TokenNotPresent",
    "SessionHandleInvalid",
    "SessionClosed",
    "DeviceError",
    "ObjectHandleInvalid",
    "KeyHandleInvalid",
    "NoSuchToken",
    "TokenNotRecognised",
    "CryptokiNotInitialized",
)


def token_error(exc: BaseException) -> SigningError:
    """A Vietnamese message for a PKCS#11 failure; the class name (CKR_…) tells a pulled token from others."""
    name = type(exc).__name__
    if name in ("PinIncorrect", "PinInvalid", "PinLenRange"):
        return WrongPinError("Mã PIN của thiết bị ký số không đúng. Kiểm tra lại mã PIN rồi ký lại.")
    if name == "PinLocked":
        return WrongPinError("Thiết bị ký số đã bị khóa do nhập sai mã PIN nhiều lần: liên hệ nhà cung cấp chữ ký số.")
    if name in _GONE:
        return TokenGoneError(
            "Thiết bị ký số (USB token) đã bị rút ra hoặc không còn trả lời. Các tệp đã ký trước đó vẫn giữ nguyên; "
            "cắm lại thiết bị rồi ký tiếp các tệp còn lại."
        )
    return SigningError(f"Thiết bị ký số báo lỗi ({name}). Cắm lại thiết bị, kiểm tra trình điều khiển rồi thử lại.")


def _open_token_session(key: Pkcs11Key, pin: str) -> Any:
    import pkcs11
    from pkcs11.constants import TokenFlag
    from pkcs11.exceptions import PKCS11Error

    if not Path(key.module).is_file():
        raise SigningError(
            f"Không tìm thấy thư viện PKCS#11 của thiết bị ký số: {key.module}. "
            "Cài trình điều khiển của nhà cung cấp chữ ký số rồi chỉ đúng đường dẫn tệp .dll/.so."
        )
    try:
        lib = pkcs11.lib(key.module)
        # Re-read the slot list: a token plugged in (or, for SoftHSM, a configuration set) since the last session.
        lib.reinitialize()
        # SoftHSM (and some readers) always list an empty, uninitialised slot: only tokens set up for use count.
        slots = [s for s in lib.get_slots(token_present=True) if s.get_token().flags & TokenFlag.TOKEN_INITIALIZED]
    except PKCS11Error as exc:
        raise TokenGoneError(
            f"Không mở được thiết bị ký số qua thư viện PKCS#11 ({type(exc).__name__}): cắm thiết bị (USB token) "
            "vào máy, kiểm tra trình điều khiển của nhà cung cấp chữ ký số rồi thử lại."
        ) from exc
    if not slots:
        raise TokenGoneError("Không thấy thiết bị ký số (USB token): cắm thiết bị vào máy rồi thử lại.")
    if key.slot is None and len(slots) > 1:
        raise SigningError(f"Có {len(slots)} thiết bị ký số đang cắm: chọn số khe (slot) của thiết bị cần dùng.")
    index = key.slot or 0
    if index >= len(slots):
        raise TokenGoneError(f"Không có thiết bị ký số ở khe số {index} (có {len(slots)} khe có thiết bị).")
    try:
        return slots[index].get_token().open(user_pin=pin)
    except PKCS11Error as exc:
        raise token_error(exc) from exc


def _signing_key_id(session: Any) -> bytes:
    """The CKA_ID shared by a signing private key and its certificate (how the CAs' tokens pair them)."""
    from pkcs11 import Attribute, ObjectClass

    key_ids = [
        bytes(k[Attribute.ID])
        for k in session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.SIGN: True})
    ]
    cert_ids = {bytes(c[Attribute.ID]) for c in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})}
    paired = [i for i in key_ids if i in cert_ids]
    if not paired:
        raise SigningError("Thiết bị ký số không có khóa ký kèm chứng thư số: liên hệ nhà cung cấp chữ ký số.")
    return paired[0]


@contextlib.contextmanager
def open_signer(source: KeySource, pin: str) -> Iterator[Signer]:
    """A pyhanko signer for one session (a batch); the token session closes on exit, whatever happened."""
    if isinstance(source, PfxKey):
        yield _pfx_signer(source, pin)
        return
    from pkcs11.exceptions import PKCS11Error
    from pyhanko.sign.pkcs11 import PKCS11Signer

    session = _open_token_session(source, pin)
    try:
        try:
            key_id = _signing_key_id(session)
            signer = PKCS11Signer(session, key_id=key_id, cert_id=key_id, other_certs_to_pull=None)
            signer.signing_cert  # noqa: B018 - pulls the certificate now: a bad token fails before any file is read
        except PKCS11Error as exc:
            raise token_error(exc) from exc
        yield signer
    finally:
        with contextlib.suppress(Exception):  # a pulled token cannot close its session; nothing left to protect
            session.close()


def _pfx_signer(source: PfxKey, password: str) -> Signer:
    from pyhanko.sign.signers import SimpleSigner

    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise SigningError(f"Không đọc được tệp chữ ký số {source.path.name}: {os_reason(exc)}.") from exc
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=password.encode())
    except (ValueError, TypeError) as exc:
        raise WrongPinError(
            f"Không mở được tệp chữ ký số {source.path.name}: sai mật khẩu hoặc tệp không phải PKCS#12 (.p12/.pfx)."
        ) from exc
    if signer is None:
        raise WrongPinError(f"Không mở được tệp chữ ký số {source.path.name}: sai mật khẩu.")
    loaded: Signer = signer
    return loaded
