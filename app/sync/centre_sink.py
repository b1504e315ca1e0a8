"""Outbox sink 1: the centre service's dossier mirror on the LAN (app/service/dossier_routes.py).

`send` PUTs the whole record (it carries every step, so steps need no requests of their own), then each
digitised file the centre says it still lacks. The answer to the record names those files, so a worker that
lost its cursor resends one small record, not every PDF. Failures come back as `TransientError` (try again
later: network, timeouts, 5xx, an expired sign-in) or `PermanentError` (the centre refuses the record, or a
local file is no longer what was digitised), each carrying what did get through.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

from app.core.dossier import Dossier
from app.core.dossier_codec import dossier_to_dict
from app.pinned_ca import UNTRUSTED_MESSAGE, is_untrusted, requests_verify
from app.sync.sink import Delivered, PermanentError, TransientError, wanted_files

log = logging.getLogger(__name__)

NOT_SIGNED_IN_MESSAGE = "Chưa đăng nhập: hồ sơ sẽ được gửi về máy chủ Trung tâm khi có cán bộ đăng nhập."
UNREACHABLE_MESSAGE = "Không kết nối được máy chủ Trung tâm: hồ sơ sẽ được gửi lại khi có kết nối."
TIMEOUT_MESSAGE = "Máy chủ Trung tâm không trả lời kịp: hồ sơ sẽ được gửi lại sau."
SERVER_FAULT_MESSAGE = "Máy chủ Trung tâm đang gặp sự cố (mã {status}): hồ sơ sẽ được gửi lại sau."
BAD_ANSWER_MESSAGE = "Máy chủ Trung tâm trả lời không đúng định dạng: hồ sơ sẽ được gửi lại sau."
SIGNED_OUT_MESSAGE = (
    "Phiên đăng nhập trên máy chủ Trung tâm đã hết hoặc không đủ quyền: hồ sơ sẽ được gửi khi cán bộ đăng nhập lại."
)
NO_MIRROR_MESSAGE = "Máy chủ Trung tâm chưa nhận được hồ sơ (có thể cần cập nhật phần mềm máy chủ). Sẽ thử lại sau."
REFUSED_MESSAGE = "Máy chủ Trung tâm từ chối hồ sơ: {remote}"
UNTRUSTED_SYNC_MESSAGE = UNTRUSTED_MESSAGE + " Hồ sơ vẫn được giữ ở quầy và sẽ được gửi khi kết nối hợp lệ."
OTHER_MESSAGE = "Máy chủ Trung tâm không nhận yêu cầu (mã {status}): hồ sơ sẽ được gửi lại sau."
BROKEN_FILE_MESSAGE = (
    "Tệp bản số hóa của thành phần “{component}” không còn nguyên vẹn trên máy quầy "
    "(đã bị xóa hoặc sửa sau khi số hóa). Hãy số hóa lại thành phần này."
)

_PERMANENT = frozenset({409, 413, 422})  # the centre refuses what was sent: resending the same changes nothing


class CentreSink:
    """`Sink` for the centre service. `token` is asked before every send: the signed-in clerk's session, or
    the counter's device token, or None when neither exists. An https centre needs `ca_file`, its pinned CA
    (`app.pinned_ca.CaFileError` without it)."""

    name = "centre"

    def __init__(
        self,
        base_url: str,
        token: Callable[[], str | None],
        *,
        timeout: float = 10.0,
        session: requests.Session | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        verify = requests_verify(self.base_url, ca_file)  # before anything is opened: a missing CA fails here
        self._token = token
        self.timeout = timeout
        self._own_session = session is None
        self._session = session or requests.Session()
        if self._own_session:
            # The centre is on the LAN: a proxy set for the provincial network must not sit in between.
            self._session.trust_env = False
            self._session.verify = verify  # the centre's own CA only under https

    def close(self) -> None:
        if self._own_session:
            self._session.close()

    def status(self, code: str) -> int | None:
        return None  # the centre keeps a copy; it does not process dossiers

    def send(self, dossier: Dossier, files: Mapping[str, Path], already: Delivered) -> Delivered:
        token = self._token()
        if not token:
            raise TransientError(NOT_SIGNED_IN_MESSAGE, delivered=already, detail="no token")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        base = f"{self.base_url}/api/dossiers/{quote(dossier.code, safe='')}"
        wanted = wanted_files(dossier)
        have = set(already.files & wanted)
        state = already
        if already.revision < dossier.revision or already.steps < len(dossier.steps):
            answer = self._call("PUT", base, already, headers=headers, json=dossier_to_dict(dossier))
            missing = answer.get("files_missing")
            if not isinstance(answer.get("revision"), int) or not isinstance(missing, list):
                raise TransientError(BAD_ANSWER_MESSAGE, delivered=already, detail="record answer without fields")
            # The centre knows which files it holds (some from an earlier, lost answer; some lost since): trust it
            # over our cursor. A file of ours its (possibly newer) record does not name is nothing it waits for.
            have = set(wanted - {str(sha) for sha in missing})
            revision = max(dossier.revision, int(answer["revision"]))
            state = Delivered(revision, len(dossier.steps), frozenset(have), already.remote_status)
        for sha in sorted(wanted - have):
            path = files.get(sha)
            if path is None:
                continue  # the worker did not hand this one over: it stays undelivered, the cursor says so
            body = self._read_checked(dossier, sha, path, state)
            self._call(
                "PUT",
                f"{base}/files/{sha}",
                state,
                headers={**headers, "Content-Type": "application/pdf"},
                data=body,
            )
            have.add(sha)
            state = Delivered(state.revision, state.steps, frozenset(have), state.remote_status)
        return state

    # --- plumbing ------------------------------------------------------------------------------

    @staticmethod
    def _read_checked(dossier: Dossier, sha: str, path: Path, state: Delivered) -> bytes:
        try:
            body = path.read_bytes()
        except OSError:
            body = None
        if body is None or hashlib.sha256(body).hexdigest() != sha:
            # The component's name, never the citizen's: this message ends up in logs and on screens.
            component = next((c.name for c in dossier.components if any(f.sha256 == sha for f in c.files)), "?")
            raise PermanentError(BROKEN_FILE_MESSAGE.format(component=component[:80]), delivered=state)
        return body

    def _call(self, method: str, url: str, state: Delivered, **kw: Any) -> dict[str, Any]:
        """The JSON answer of a success, or the failure as a SyncError carrying `state`."""
        try:
            response = self._session.request(method, url, timeout=self.timeout, **kw)
        except requests.Timeout as exc:
            raise TransientError(TIMEOUT_MESSAGE, delivered=state, detail=type(exc).__name__) from exc
        except requests.exceptions.SSLError as exc:
            message = UNTRUSTED_SYNC_MESSAGE if is_untrusted(exc) else UNREACHABLE_MESSAGE
            raise TransientError(message, delivered=state, detail=type(exc).__name__) from exc
        except requests.RequestException as exc:
            raise TransientError(UNREACHABLE_MESSAGE, delivered=state, detail=type(exc).__name__) from exc
        with response:
            status = response.status_code
            try:
                data: Any = response.json()
            except ValueError:
                data = None
        if status < 400:
            if not isinstance(data, dict):
                raise TransientError(BAD_ANSWER_MESSAGE, delivered=state, detail=f"{status} without JSON")
            return data
        body: dict[str, Any] = data if isinstance(data, dict) else {}
        remote = body["message"] if isinstance(body.get("message"), str) else ""
        code = body["error"] if isinstance(body.get("error"), str) else None
        detail = f"{method} {status} {code or ''}".strip()
        log.info("centre sink: %s", detail)
        if status >= 500:
            raise TransientError(SERVER_FAULT_MESSAGE.format(status=status), delivered=state, detail=detail)
        if status in (401, 403):
            raise TransientError(SIGNED_OUT_MESSAGE, delivered=state, detail=detail)
        if status in _PERMANENT:
            raise PermanentError(
                REFUSED_MESSAGE.format(remote=remote or f"mã {status}"), remote_message=remote, delivered=state
            )
        if status == 404 and code == "unknown_dossier":
            # The centre lost the record (a restored data folder): start over with it next time.
            raise TransientError(NO_MIRROR_MESSAGE, delivered=Delivered(), detail=detail)
        if status in (404, 405):  # a centre service from before the mirror
            raise TransientError(NO_MIRROR_MESSAGE, delivered=state, detail=detail)
        raise TransientError(OTHER_MESSAGE.format(status=status), delivered=state, detail=detail)
