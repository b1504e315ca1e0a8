"""The provincial one-stop system's side of the gateway API, minus HTTP: what the simulator stores and answers.

Kept apart from the HTTP server so unit tests can drive the very same rules in-process through a `requests`
transport adapter, while the e2e tests and the demo run them behind a real socket (app/sync/simulator.py).
The wire format is the one app/sync/gateway.py documents. Stored in SQLite under `data`: each dossier with
its highest revision (PhienBan), steps deduplicated by MaQuaTrinh, files by SHA-256 (bytes under data/files/).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_USERNAME = "motcua"
DEFAULT_PASSWORD = "motcua-thu-nghiem"  # noqa: S105 - the simulator's, not a secret
PATHS = {
    "auth": "/api/auth/token",
    "create": "/api/dossiers/create",
    "update": "/api/dossiers/update",
    "progress": "/api/dossiers/progress",
    "upload": "/api/dossiers/files",
    "status": "/api/dossiers/status",
}
_DATE = re.compile(r"\d{14}")
_SHA = re.compile(r"[0-9a-f]{64}")
RECORD_DATES = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayTuChoi")
STEP_DATES = ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dossiers (code TEXT PRIMARY KEY, revision INTEGER NOT NULL, status INTEGER NOT NULL,
                                     record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS steps (key TEXT PRIMARY KEY, code TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (code TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
                                  PRIMARY KEY (code, sha256));
"""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, payload: Any) -> Reply:
    return Reply(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def error(status: int, code: int, message: str) -> Reply:
    return json_reply(status, {"error_code": code, "message": message})


OK = {"error_code": 0, "message": "Thành công"}
UNAUTHORISED = (401, 401, "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")


class Invalid(Exception):
    """A validation failure: 400 {error_code: 4, message} naming the field."""


def _require(obj: Mapping[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(f"Thiếu trường {key} ({what}).")
    return str(value)


def _check_dates(obj: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in obj and not (isinstance(obj[key], str) and _DATE.fullmatch(obj[key])):
            raise Invalid(f"Trường {key} phải là ngày giờ dạng yyyyMMddHHmmss (14 chữ số).")


def _check_status(obj: Mapping[str, Any], key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise Invalid(f"Trường {key} (trạng thái hồ sơ) phải là số từ 1 đến 10.")
    if not 1 <= int(value) <= 10:
        raise Invalid(f"Trường {key} (trạng thái hồ sơ) phải là số từ 1 đến 10.")
    return int(value)


def validate_record(record: Any) -> tuple[str, int, int]:
    """(MaHoSo, PhienBan, TrangThaiHoSo) of a valid record, else Invalid."""
    if not isinstance(record, dict):
        raise Invalid("Mỗi hồ sơ phải là một đối tượng JSON.")
    code = _require(record, "MaHoSo", "mã hồ sơ")
    _require(record, "MaTTHC", "mã thủ tục hành chính")
    _require(record, "ChuHoSo", "chủ hồ sơ")
    _require(record, "NgayTiepNhan", "ngày tiếp nhận")
    _check_dates(record, RECORD_DATES)
    status = _check_status(record, "TrangThaiHoSo")
    for doc in record.get("TaiLieuNop") or ():
        # A file the counter signed names its signer (the province shows it beside the file).
        if isinstance(doc, dict) and doc.get("DaKySo") == 1 and not str(doc.get("NguoiKySo") or "").strip():
            raise Invalid("Tệp đã ký số phải có trường NguoiKySo (người ký).")
    version = record.get("PhienBan", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise Invalid("Trường PhienBan (phiên bản hồ sơ) phải là số nguyên không âm.")
    return code, version, status


class ProvinceStore:
    """Thread-safe: one lock around one SQLite connection (the simulator serves requests from many threads)."""

    def __init__(self, data: Path, username: str = DEFAULT_USERNAME, password: str = DEFAULT_PASSWORD) -> None:
        self.data = data
        self.files_dir = data / "files"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.username, self.password = username, password
        self.tokens: set[str] = set()  # in memory: a restarted province forgets sessions, as a real one may
        self._lock = threading.Lock()
        self._db = sqlite3.connect(data / "province.db", check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- the API ----------------------------------------------------------------------------------------------

    def handle(self, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes) -> Reply:
        """One POST to the gateway API. `headers` keys are lower-case."""
        if path == PATHS["auth"]:
            return self._login(body)
        if path not in PATHS.values():
            return error(404, 404, "Không có chức năng này.")
        token = headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token not in self.tokens:
            return error(*UNAUTHORISED)
        try:
            if path == PATHS["upload"]:
                return self._upload(query, body)
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise Invalid("Nội dung gửi lên không phải JSON hợp lệ.") from None
            if path == PATHS["status"]:
                return self._status(payload)
            if not isinstance(payload, list) or not payload:
                raise Invalid("Nội dung gửi lên phải là một mảng JSON khác rỗng.")
            if path == PATHS["progress"]:
                return self._progress(payload)
            return self._records(payload, create=path == PATHS["create"])
        except Invalid as exc:
            return error(400, 4, str(exc))

    def _login(self, body: bytes) -> Reply:
        try:
            creds = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return error(400, 4, "Nội dung đăng nhập không phải JSON hợp lệ.")
        if not isinstance(creds, dict) or not (
            # as bytes: compare_digest refuses str with non-ASCII letters, and Vietnamese passwords have them
            secrets.compare_digest(str(creds.get("username", "")).encode(), self.username.encode())
            and secrets.compare_digest(str(creds.get("password", "")).encode(), self.password.encode())
        ):
            return error(401, 1, "Sai tên đăng nhập hoặc mật khẩu.")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens.add(token)
        return json_reply(200, {"error_code": 0, "message": "Thành công", "session": token})

    def _records(self, records: list[Any], *, create: bool) -> Reply:
        checked = [(validate_record(r), r) for r in records]
        with self._lock:
            for (code, version, status), record in checked:
                row = self._db.execute("SELECT revision FROM dossiers WHERE code = ?", (code,)).fetchone()
                if create and row is not None:
                    return error(200, 3, "Hồ sơ đã tồn tại.")
                if not create and row is None:
                    raise Invalid(f"Không tìm thấy hồ sơ {code} để cập nhật (trường MaHoSo).")
                if row is not None and version < row[0]:
                    continue  # an older revision arriving late: accepted, ignored
                self._db.execute(
                    "INSERT INTO dossiers (code, revision, status, record) VALUES (?, ?, ?, ?) ON CONFLICT(code) "
                    "DO UPDATE SET revision = excluded.revision, status = excluded.status, record = excluded.record",
                    (code, version, status, json.dumps(record, ensure_ascii=False)),
                )
        return json_reply(200, OK)

    def _progress(self, steps: list[Any]) -> Reply:
        rows: list[tuple[str, str, str]] = []
        for step in steps:
            if not isinstance(step, dict):
                raise Invalid("Mỗi bước xử lý phải là một đối tượng JSON.")
            code = _require(step, "MaHoSo", "mã hồ sơ")
            key = _require(step, "MaQuaTrinh", "mã quá trình xử lý")
            _require(step, "NoiDungXuLy", "nội dung xử lý")
            _check_dates(step, STEP_DATES)
            _check_status(step, "TrangThai")
            rows.append((key, code, json.dumps(step, ensure_ascii=False)))
        with self._lock:
            for key, code, body in rows:
                if self._db.execute("SELECT 1 FROM dossiers WHERE code = ?", (code,)).fetchone() is None:
                    raise Invalid(f"Không tìm thấy hồ sơ {code} (trường MaHoSo).")
                self._db.execute("INSERT OR IGNORE INTO steps (key, code, body) VALUES (?, ?, ?)", (key, code, body))
        return json_reply(200, OK)

    def _upload(self, query: Mapping[str, str], body: bytes) -> Reply:
        code = query.get("MaHoSo", "").strip()
        sha = query.get("TepDinhKemId", "").strip().lower()
        if not code:
            raise Invalid("Thiếu trường MaHoSo (mã hồ sơ).")
        if not _SHA.fullmatch(sha):
            raise Invalid("Trường TepDinhKemId phải là mã băm SHA-256 của tệp (64 ký tự hex).")
        if hashlib.sha256(body).hexdigest() != sha:
            raise Invalid("Mã băm của tệp nhận được không khớp với TepDinhKemId.")
        target = self.files_dir / sha
        if not target.exists():  # same bytes → same name: a resent file overwrites nothing
            tmp = target.with_name(f".{sha}.{secrets.token_hex(4)}.tmp")
            tmp.write_bytes(body)
            os.replace(tmp, target)
        with self._lock:
            if self._db.execute("SELECT 1 FROM dossiers WHERE code = ?", (code,)).fetchone() is None:
                raise Invalid(f"Không tìm thấy hồ sơ {code} (trường MaHoSo).")
            self._db.execute(
                "INSERT OR IGNORE INTO files (code, sha256, size) VALUES (?, ?, ?)", (code, sha, len(body))
            )
        return json_reply(200, {**OK, "TepDinhKemId": sha})

    def _status(self, payload: Any) -> Reply:
        if not isinstance(payload, dict):
            raise Invalid("Nội dung tra cứu phải là một đối tượng JSON.")
        code = _require(payload, "MaHoSo", "mã hồ sơ")
        with self._lock:
            row = self._db.execute("SELECT status FROM dossiers WHERE code = ?", (code,)).fetchone()
        if row is None:
            return error(200, 5, "Không tìm thấy hồ sơ.")
        return json_reply(200, {**OK, "data": {"MaHoSo": code, "TrangThaiHoSo": row[0]}})

    # --- control (the simulator's /sim/* endpoints) -----------------------------------------------------------

    def summary(self) -> list[dict[str, Any]]:
        with self._lock:
            dossiers = self._db.execute("SELECT code, revision, status FROM dossiers ORDER BY code").fetchall()
            steps = dict(self._db.execute("SELECT code, COUNT(*) FROM steps GROUP BY code").fetchall())
            files: dict[str, list[str]] = {}
            for code, sha in self._db.execute("SELECT code, sha256 FROM files ORDER BY code, sha256"):
                files.setdefault(code, []).append(sha)
        rows = [
            {"MaHoSo": c, "revision": r, "steps": steps.get(c, 0), "files": files.get(c, []), "TrangThaiHoSo": s}
            for c, r, s in dossiers
        ]
        for row in rows:  # only dossiers with signed files carry the key: older readers see the same rows
            signed = self.signed_files(str(row["MaHoSo"]))
            if signed:
                row["signed"] = signed
        return rows

    def signed_files(self, code: str) -> dict[str, str]:
        """SHA-256 → signer of the files the latest record says the counter signed."""
        record = self.record(code) or {}
        return {
            str(doc.get("TepDinhKemId")): str(doc.get("NguoiKySo"))
            for doc in record.get("TaiLieuNop") or ()
            if isinstance(doc, dict) and doc.get("DaKySo") == 1
        }

    def record(self, code: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT record FROM dossiers WHERE code = ?", (code,)).fetchone()
        return json.loads(row[0]) if row else None

    def steps(self, code: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM steps WHERE code = ? ORDER BY rowid", (code,)).fetchall()
        return [json.loads(r[0]) for r in rows]

    def set_status(self, code: str, status: int) -> bool:
        """The province moves a dossier itself (e.g. to 9 "đã xử lý xong"); False if it does not have it."""
        with self._lock:
            cursor = self._db.execute("UPDATE dossiers SET status = ? WHERE code = ?", (status, code))
        return cursor.rowcount > 0
