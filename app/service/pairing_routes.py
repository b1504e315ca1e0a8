"""Pairing a new PC with the centre service, and unpairing a lost one (issue 14, item 3).

POST   /api/pairing/codes        an admin or director asks for a 6-digit code for one role (and counter): valid
                                 5 minutes, one use, 5 wrong tries (app/store/pairing_codes.py)
GET    /api/pairing/codes/{id}   live | used | locked | expired, for the countdown on the director's screen
POST   /api/pairing/claim        the new PC, with no token: {nonce, proof, role, counter?, name?}; the proof is
                                 HMAC(code, nonce || sha256(certificate seen)) (app/core/pairing.py says what
                                 this protects against and what not); answers the device token, the centre's CA
                                 and the service's own proof
GET    /api/devices              the paired devices (never the admin token)
DELETE /api/devices/{id}         unpair: the token stops working at once; the PC's next request is told so

Every pairing and unpairing is a row in the settings audit the dashboard lists.
"""

from __future__ import annotations

import ssl
from typing import Annotated, Any

from fastapi import FastAPI, Path, Request
from fastapi.params import Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.access import COUNTER, COUNTER_BOUND_ROLES, DIRECTOR, DISPLAY, KIOSK, RATING
from app.core.errors import DomainError, NotFound
from app.core.pairing import UNPAIRED, cert_hash, server_proof, short_fingerprint
from app.core.request_rules import MAX_ID
from app.service.director_routes import who_of
from app.service.errors import dumps, error_body
from app.service.limits import RateLimited, RateLimiter
from app.service.tls import tls_files
from app.store.devices import DeviceRegistry
from app.store.pairing_codes import PairingCodes, PairingRefused
from app.store.queue_store import QueueStore

PAIRABLE_ROLES = (KIOSK, COUNTER, DISPLAY, DIRECTOR, RATING)  # never "admin": a code must not mint the master key
ROLE_NAMES = {KIOSK: "Kiosk", COUNTER: "Quầy", DISPLAY: "Màn hình sảnh", DIRECTOR: "Lãnh đạo", RATING: "Đánh giá"}
CLAIMS_PER_MINUTE, CLAIM_BURST = 10, 5  # per address: a person retyping, never a guessing script
ALL_CLAIMS_PER_MINUTE, ALL_CLAIM_BURST = 30, 10  # all addresses together


_HEX32 = r"^[0-9a-f]{32}$"
_HEX64 = r"^[0-9a-f]{64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodeRequest(_Strict):
    role: str = Field(description="kiosk | counter | display | director | rating")
    name: str | None = Field(default=None, max_length=80, description="tên máy, ví dụ “Quầy 2”")
    counter: int | None = Field(default=None, ge=1, le=999, description="quầy (vai trò counter, rating)")


class ClaimRequest(_Strict):
    nonce: str = Field(pattern=_HEX32, description="16 byte ngẫu nhiên của máy mới (hex)")
    proof: str = Field(pattern=_HEX64, description="HMAC-SHA256(mã, nonce || sha256(chứng chỉ máy chủ)) (hex)")
    role: str = Field(description="vai trò máy mới muốn nhận; phải khớp với mã")
    counter: int | None = Field(default=None, ge=1, le=999)
    name: str | None = Field(default=None, max_length=80)


class ClaimRateLimited(RateLimited):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(retry_after_s)
        self.message = f"Thử ghép quá nhiều lần. Đợi {retry_after_s} giây rồi nhập lại mã."
        self.code = "pairing_rate_limited"


class UnpairedTokens:
    """A revoked device token gets 401 with a message that says the PC was unpaired (a bare 401 would send the
    officer looking for a broken network). Pure ASGI, before routing: every route answers it the same."""

    def __init__(self, app: ASGIApp, devices: DeviceRegistry) -> None:
        self.app = app
        self.devices = devices

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = Headers(scope=scope).get("authorization", "")
            token = header[7:].strip() if header[:7].lower() == "bearer " else ""
            if token and self.devices.was_unpaired(token):
                body = dumps(error_body("device_unpaired", UNPAIRED)).encode()
                await send({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"), (b"www-authenticate", b"Bearer"),
                    (b"content-length", str(len(body)).encode())]})  # fmt: skip
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def install_pairing(app: FastAPI, store: QueueStore, devices: DeviceRegistry, manager: Depends) -> PairingCodes:
    """`manager` admits whoever may pair and unpair (Permission.DEVICES: the admin, a director) and sets
    request.state.principal (who is audited)."""
    codes = PairingCodes(store.clock)
    app.add_middleware(UnpairedTokens, devices=devices)
    per_address = RateLimiter(CLAIMS_PER_MINUTE, CLAIM_BURST)
    everyone = RateLimiter(ALL_CLAIMS_PER_MINUTE, ALL_CLAIM_BURST)
    data = store.path.parent

    def tls_on() -> bool:
        return bool((getattr(app.state, "lan", None) or {}).get("tls"))

    def own_certificate() -> bytes | None:
        """The server certificate this service presents (DER), None when it speaks plain HTTP."""
        return ssl.PEM_cert_to_DER_cert(tls_files(data).cert.read_text()) if tls_on() else None

    def ca_pem() -> str | None:
        return tls_files(data).ca_cert.read_text() if tls_on() else None

    @app.post("/api/pairing/codes", status_code=201)
    def new_code(body: CodeRequest, request: Request, _who: Any = manager) -> dict[str, Any]:
        counter = _check_role(store, body.role, body.counter)
        name = (body.name or "").strip() or _default_name(body.role, counter)
        issued = codes.issue(body.role, name, counter, who_of(request.state.principal))
        certificate = own_certificate()
        return {**issued.view(), "server_fingerprint": short_fingerprint(certificate) if certificate else None}

    @app.get("/api/pairing/codes/{code_id}", dependencies=[manager])
    def code_status(code_id: Annotated[str, Path(pattern=r"^[0-9a-f]{8}$")]) -> dict[str, Any]:
        status = codes.status(code_id)
        if status is None:
            raise NotFound("Không có mã ghép này (máy chủ đã khởi động lại?). Hãy lấy mã mới.", code="unknown_code")
        return {"id": code_id, "status": status}

    @app.post("/api/pairing/claim", status_code=201)
    def claim(body: ClaimRequest, request: Request) -> dict[str, Any]:
        address = request.client.host if request.client else "?"
        for limiter, key in ((per_address, address), (everyone, "all")):
            try:
                limiter.take(key)
            except RateLimited as exc:
                raise ClaimRateLimited(exc.retry_after_s) from None
        if tls_on() and request.url.scheme != "https":
            raise DomainError("Hãy ghép máy qua địa chỉ https của máy chủ Trung tâm.", code="pairing_needs_tls")
        nonce, seen = bytes.fromhex(body.nonce), cert_hash(own_certificate())
        used = codes.claim(nonce, bytes.fromhex(body.proof), seen)
        if body.role != used.role or (body.counter is not None and body.counter != used.counter):
            used.used = False  # the right code for another PC: let its own PC claim it
            wanted = f"{used.role}{f', quầy {used.counter}' if used.counter is not None else ''}"
            raise PairingRefused(f"Mã này dành cho máy vai trò {wanted}. Hãy chọn đúng vai trò rồi nhập lại.",
                                 code="pairing_role_mismatch", role=used.role, counter=used.counter)  # fmt: skip
        name = (body.name or "").strip() or used.name
        made = devices.create(name, used.role, store.clock.now(), used.counter,
                              who=f"{used.created_by}, mã ghép từ {address}")  # fmt: skip
        token = str(made["token"])
        return {"token": token, "role": used.role, "counter": used.counter, "device_id": made["id"], "name": name,
                "ca_pem": ca_pem(), "service_name": store.centre.name,
                "server_proof": server_proof(used.code, nonce, seen, token).hex()}  # fmt: skip

    @app.get("/api/devices", dependencies=[manager])
    def list_devices() -> list[dict[str, Any]]:
        return devices.list_devices()

    @app.delete("/api/devices/{device_id}")
    def unpair(device_id: Annotated[int, Path(ge=1, le=MAX_ID)], request: Request, _who: Any = manager
               ) -> dict[str, Any]:  # fmt: skip
        return devices.revoke(device_id, store.clock.now(), who_of(request.state.principal))

    return codes


def _check_role(store: QueueStore, role: str, counter: int | None) -> int | None:
    if role not in PAIRABLE_ROLES:
        raise DomainError(f"Vai trò “{role}” không ghép được. Chọn: {', '.join(PAIRABLE_ROLES)}.", code="bad_role")
    if counter is not None and role not in COUNTER_BOUND_ROLES:
        raise DomainError("Chỉ máy vai trò counter hoặc rating mới gắn với một quầy.", code="bad_counter")
    if role == RATING and counter is None:
        raise DomainError("Màn hình đánh giá (rating) phải gắn với một quầy: chọn số quầy.", code="bad_counter")
    if counter is not None and store.centre.counter(counter) is None:
        raise NotFound(f"Trung tâm không có quầy số {counter}.", code="unknown_counter")
    return counter


def _default_name(role: str, counter: int | None) -> str:
    return f"{ROLE_NAMES[role]} {counter}" if counter is not None else ROLE_NAMES[role]
