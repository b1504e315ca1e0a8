"""The provincial one-stop system as a sink: the national dossier record over HTTPS/JSON (gov_rules.md §1b).

Wire format (paths from GatewayConfig; every call but login carries `Authorization: Bearer <token>`):
- login    POST auth_path     {"username", "password"}            → {"error_code": 0, "session"|"token": "…"}
- create   POST create_path   [record]  (a JSON array, like TD)   → {"error_code", "message"}
- update   POST update_path   [record]                            → {"error_code", "message"}
- progress POST progress_path [step, …] ≤ progress_chunk steps    → {"error_code", "message"}
- upload   POST upload_path?MaHoSo=<code>&TepDinhKemId=<sha256>, body = the PDF's raw bytes
           (Content-Type: application/pdf; raw rather than multipart so a big file streams from disk
           and the receiver can hash the body as it is)          → {"error_code", "message"}
- status   POST status_path   {"MaHoSo": code}                    → {"error_code": 0, "data": {"TrangThaiHoSo"}}
error_code 0 or "00" is success; 3 / -3 or "đã tồn tại" on create means the record is there: update it.

Every part is idempotent on the far side (record by MaHoSo + PhienBan, steps by MaQuaTrinh, files by SHA-256),
so a request that landed but whose answer was lost is simply sent again next time.
Personal data: the record never goes into an exception or a log line; only codes, paths and HTTP statuses do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from app.core.dossier import Dossier
from app.core.national_record import national_record, progress_steps
from app.sync.gateway_config import GatewayConfig
from app.sync.sink import Delivered, PermanentError, SyncError, TransientError, wanted_files

log = logging.getLogger(__name__)

REMOTE_MESSAGE_MAX = 500
NO_CONNECTION = "Không kết nối được hệ thống một cửa của tỉnh. Hồ sơ vẫn được lưu ở quầy và sẽ tự gửi lại sau."
BAD_ANSWER = "Hệ thống của tỉnh trả lời không hợp lệ. Hồ sơ vẫn được lưu ở quầy và sẽ tự gửi lại sau."
BUSY = "Hệ thống một cửa của tỉnh đang bận hoặc gặp sự cố. Hồ sơ sẽ tự gửi lại sau."
REFUSED = "Hệ thống một cửa của tỉnh không nhận hồ sơ này. Xem lý do tỉnh trả về, sửa hồ sơ rồi gửi lại."
LOGIN_REFUSED = (
    "Hệ thống một cửa của tỉnh từ chối tài khoản kết nối. Báo quản trị kiểm tra tên đăng nhập và mật khẩu "
    "trong tệp cấu hình; hồ sơ sẽ tự gửi lại sau."
)
FILE_MISSING = "Không tìm thấy (hoặc đã bị thay đổi) tệp số hóa của hồ sơ trên máy này; hãy số hóa lại thành phần đó."

_EXISTS_CODES = {"3", "-3"}
_EXISTS_TEXT = "đã tồn tại"
_EXPIRED = re.compile(r"(phiên|session|token).{0,40}(hết hạn|expired|không hợp lệ|invalid)", re.IGNORECASE)
_CHUNK = 64 * 1024


class _AlreadyExists(Exception):
    """Create found the record there already: the caller updates instead."""


class _SessionExpired(Exception):
    """401 or an expired-session answer: log in again, once."""


def _ok(code: object) -> bool:
    return not isinstance(code, bool) and str(code).strip() in ("0", "00")


def _short(message: str) -> str:
    return message.strip()[:REMOTE_MESSAGE_MAX]


class ProvincialSink:
    """Sink "province": one instance per counter worker, used from one thread at a time."""

    name = "province"

    def __init__(
        self,
        config: GatewayConfig,
        session: requests.Session | None = None,
        *,
        field_names: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self._own_session = session is None
        # trust_env stays True (requests' default): the commune's WAN link to the province often goes through
        # the system proxy (HTTPS_PROXY / Windows settings); LAN-only clients turn it off, this one must not.
        self.session = session if session is not None else requests.Session()
        self._verify: str | bool = str(config.ca_bundle) if config.ca_bundle else True
        self._token: str | None = None
        self._field_names = dict(field_names or {})

    # --- Sink ---------------------------------------------------------------------------------------------------

    def send(self, dossier: Dossier, files: Mapping[str, Path], already: Delivered) -> Delivered:
        revision, steps, sent = already.revision, min(already.steps, len(dossier.steps)), set(already.files)
        try:
            if already.revision < dossier.revision:
                self._push_record(dossier, known=already.revision > 0)
                revision = dossier.revision
            pending = progress_steps(dossier, steps, mapping=self.config.mapping)
            size = max(self.config.progress_chunk, 1)
            for first in range(0, len(pending), size):
                chunk = pending[first : first + size]
                self._call(self.config.progress_path, json_body=chunk)
                steps += len(chunk)
            missing: list[str] = []
            for sha in sorted(wanted_files(dossier) - sent):
                path = files.get(sha)
                if path is None or not _hash_matches(path, sha):
                    missing.append(sha)
                    continue
                self._upload(dossier.code, sha, path)
                sent.add(sha)
            if missing:  # the others went through; this needs the clerk, not a retry
                raise PermanentError(FILE_MISSING, remote_message="")
        except SyncError as exc:
            exc.delivered = Delivered(revision, steps, frozenset(sent), already.remote_status)
            log.info("province: %s not fully delivered (%s)", dossier.code, type(exc).__name__)
            raise
        log.info("province: %s delivered up to revision %d", dossier.code, revision)
        return Delivered(revision, steps, frozenset(sent), already.remote_status)

    def status(self, code: str) -> int | None:
        """TrangThaiHoSo as the province holds it; None when it does not know the dossier.

        Raises TransientError when the province cannot be reached (the caller keeps the last known value)."""
        key = self.config.mapping.get("MaHoSo", "MaHoSo")
        try:
            answer = self._call(self.config.status_path, json_body={key: code})
        except PermanentError:
            return None  # "không tìm thấy hồ sơ" and the like
        data = answer.get("data", answer)
        value = data.get(self.config.mapping.get("TrangThaiHoSo", "TrangThaiHoSo")) if isinstance(data, dict) else None
        if value is None:
            return None
        try:
            status = int(value)
        except (TypeError, ValueError):
            raise TransientError(BAD_ANSWER, detail="status: TrangThaiHoSo is not a number") from None
        if not 1 <= status <= 10:
            raise TransientError(BAD_ANSWER, detail=f"status: TrangThaiHoSo {status} out of range")
        return status

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    # --- the record ---------------------------------------------------------------------------------------------

    def _push_record(self, d: Dossier, *, known: bool) -> None:
        record = national_record(
            d, unit_code=self.config.unit_code, field_name=self._field_names.get(d.field_code, ""),
            mapping=self.config.mapping,
        )  # fmt: skip
        body = [record]  # TD takes an array of dossiers; we send one at a time so errors are per dossier
        if not known:
            try:
                self._call(self.config.create_path, json_body=body, exists_ok=True)
                return
            except _AlreadyExists:
                pass  # an earlier create landed but its answer was lost, or another counter sent it
        self._call(self.config.update_path, json_body=body)

    def _upload(self, code: str, sha: str, path: Path) -> None:
        params = {self.config.mapping.get("MaHoSo", "MaHoSo"): code, "TepDinhKemId": sha}
        self._call(self.config.upload_path, params=params, upload=path)

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def _login(self) -> str:
        body = {"username": self.config.username, "password": self.config.password}
        status, payload = self._request(self.config.auth_path, json_body=body, auth=False)
        # Only the province's own "no" (an error_code that is not 0) is a refusal of the account: JSON without
        # error_code (a captive portal, a proxy) is a broken answer, judged below.
        refused = isinstance(payload, dict) and "error_code" in payload and not _ok(payload["error_code"])
        if status in (401, 403) or (status < 300 and refused):
            raise TransientError(LOGIN_REFUSED, detail=f"login: HTTP {status}")
        answer = self._judge(self.config.auth_path, status, payload)
        token = answer.get("session") or answer.get("token") or answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise TransientError(BAD_ANSWER, detail="login: no session/token in the answer")
        self._token = token
        return token

    def _call(
        self,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        upload: Path | None = None,
        exists_ok: bool = False,
    ) -> dict[str, Any]:
        for attempt in range(2):
            if self._token is None:
                self._login()
            status, payload = self._request(path, json_body=json_body, params=params, upload=upload, auth=True)
            try:
                return self._judge(path, status, payload, exists_ok=exists_ok)
            except _SessionExpired:
                self._token = None
                if attempt:
                    raise TransientError(LOGIN_REFUSED, detail=f"{path}: session refused after a fresh login") from None
        raise AssertionError("unreachable")

    def _request(
        self,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        upload: Path | None = None,
        auth: bool,
    ) -> tuple[int, Any]:
        """One POST; (HTTP status, parsed JSON or None when the body is not JSON). Network trouble → Transient."""
        headers = {"Accept": "application/json"}
        if auth and self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if upload is None:
            body: Any = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json; charset=utf-8"
        else:
            headers["Content-Type"] = "application/pdf"
            try:
                body = upload.open("rb")  # streamed from disk, Content-Length from the file size
            except OSError:  # vanished between the hash check and now
                raise PermanentError(FILE_MISSING) from None
        try:
            return self._read(path, self._post(path, headers, params=params, data=body))
        except requests.RequestException as exc:
            raise TransientError(NO_CONNECTION, detail=f"{path}: {type(exc).__name__}") from None
        finally:
            if upload is not None:
                body.close()

    def _post(self, path: str, headers: dict[str, str], *, params: Mapping[str, str] | None, data: Any) -> Any:
        return self.session.post(
            self.config.url(path), headers=headers, params=params, data=data, stream=True,
            timeout=self.config.timeout, verify=self._verify, allow_redirects=False,
        )  # fmt: skip

    def _read(self, path: str, response: requests.Response) -> tuple[int, Any]:
        # The body is read in pieces with a cap: a captive portal or a broken proxy may answer with megabytes.
        cap = self.config.max_response_bytes
        try:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise TransientError(BAD_ANSWER, detail=f"{path}: answer of {declared} bytes")
            body = bytearray()
            for piece in response.iter_content(_CHUNK):
                body += piece
                if len(body) > cap:
                    raise TransientError(BAD_ANSWER, detail=f"{path}: answer over {cap} bytes")
        finally:
            response.close()
        try:
            payload = json.loads(body.decode("utf-8-sig")) if body else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            payload = None  # an HTML error page from a proxy or the gateway itself
        return response.status_code, payload

    def _judge(self, path: str, status: int, payload: Any, *, exists_ok: bool = False) -> dict[str, Any]:
        """Turn an answer into its payload or the right error (see the module docstring)."""
        answer = payload if isinstance(payload, dict) else None
        code = answer.get("error_code") if answer is not None else None
        message = answer.get("message") if answer is not None else None
        message = message if isinstance(message, str) else ""
        if status == 401 or str(code) == "401" or (answer is not None and not _ok(code) and _EXPIRED.search(message)):
            raise _SessionExpired
        if status == 429 or status >= 500:
            raise TransientError(BUSY, detail=f"{path}: HTTP {status}")
        if answer is None or "error_code" not in answer:
            raise TransientError(BAD_ANSWER, detail=f"{path}: HTTP {status}, not a JSON object with error_code")
        if _ok(code) and status < 300:
            return answer
        if exists_ok and (str(code).strip() in _EXISTS_CODES or _EXISTS_TEXT in message.lower()):
            raise _AlreadyExists
        if (status < 300 or status in (400, 422)) and message.strip():
            raise PermanentError(REFUSED, remote_message=_short(message))
        raise TransientError(BAD_ANSWER, detail=f"{path}: HTTP {status}, error_code {code!r}")


def _hash_matches(path: Path, sha: str) -> bool:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1024 * 1024), b""):
                digest.update(block)
    except OSError:
        return False
    return digest.hexdigest() == sha
