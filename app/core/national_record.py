"""A dossier as the national dossier record (hồ sơ đồng bộ) that provincial one-stop systems take.

Field names and codes follow the record used by provincial gateways and DVCQG adapters (gov_rules.md §1b):
dates are `yyyyMMddHHmmss` in Vietnam time, status codes are the national TrangThaiHoSo (our own statuses
already are those codes, so nothing is translated). A province whose spec spells a key differently passes
`mapping` (our key → theirs); it renames keys at every level, values stay.

Personal data rule: the record carries the citizen's name, ID and phone. Never put it into an exception
message or a log line; callers log the dossier code only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.core.clock import LOCAL_TZ
from app.core.dossier import Dossier, Status

SUMMARY_MAX = 1000  # TrichYeuHoSo: TD truncates at about 1000 characters
ACTOR_MAX = 50  # NguoiXuLy: ≤ 50 characters on the provincial side
CLERK_TITLE = "Cán bộ tiếp nhận"
DEPARTMENT = "Bộ phận Một cửa"
CITIZEN = 1  # LoaiDoiTuong: 1 công dân (TD's code list)
AT_COUNTER = 0  # HinhThuc: 0 trả tại Bộ phận Một cửa, 1 bưu chính
ORDINARY_FEE = 1  # LoaiPhiLePhi: 1 phí/lệ phí thường
ID_CCCD = 1  # LoaiDinhDanh: 12-digit citizen identity number
ID_CMND = 2  # LoaiDinhDanh: 9-digit old identity card

_DIGITS = re.compile(r"\D")
_PHONE_JUNK = re.compile(r"[^\d+]")


def national_date(instant: datetime | None) -> str:
    """`yyyyMMddHHmmss` in Asia/Ho_Chi_Minh ("" for no date). A naive datetime is refused: it has no place."""
    if instant is None:
        return ""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: pass an aware instant")
    return instant.astimezone(LOCAL_TZ).strftime("%Y%m%d%H%M%S")


def step_key(code: str, index: int) -> str:
    """MaQuaTrinh of the step at `index` (0-based) in d.steps: `{code}-{index + 1}`.

    Stable across sends, so a step sent twice (its answer lost) is recognised by the receiver."""
    return f"{code}-{index + 1}"


def _identities(id_number: str) -> list[dict[str, Any]]:
    digits = _DIGITS.sub("", id_number)
    if len(digits) == 12:
        return [{"LoaiDinhDanh": ID_CCCD, "SoDinhDanh": digits}]
    if len(digits) == 9:
        return [{"LoaiDinhDanh": ID_CMND, "SoDinhDanh": digits}]
    return []  # a passport or a typo: the province gets SoGiayToChuHoSo only


def _file_name(path: str) -> str:
    # Paths may come from a Windows counter: split on both separators, keep the last part.
    return re.split(r"[\\/]", path)[-1]


def _refused_at(d: Dossier) -> datetime | None:
    return next((s.at for s in reversed(d.steps) if s.status is Status.REFUSED), None)


def _rename(value: Any, mapping: Mapping[str, str]) -> Any:
    if not mapping:
        return value
    if isinstance(value, dict):
        return {mapping.get(k, k): _rename(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, mapping) for v in value]
    return value


def national_record(
    d: Dossier, *, unit_code: str, field_name: str = "", mapping: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The national dossier record of `d` as sent by the unit `unit_code` (DonViXuLy).

    `field_name` is TenLinhVuc (the catalogue knows it, the dossier keeps only the code)."""
    c = d.citizen
    summary = (d.summary.strip() or d.procedure_name)[:SUMMARY_MAX]
    record: dict[str, Any] = {
        "MaHoSo": d.code,
        "MaTTHC": d.procedure_code,
        "TenTTHC": d.procedure_name,
        "MaLinhVuc": d.field_code,
        "TenLinhVuc": field_name,
        "KenhThucHien": int(d.channel),
        "ChuHoSo": c.name,
        "SoGiayToChuHoSo": c.id_number,
        "LoaiDoiTuong": CITIZEN,
        "DinhDanhCHS": _identities(c.id_number),
        "SoDienThoai": _PHONE_JUNK.sub("", c.phone),
        "TrichYeuHoSo": summary,
        "NgayTiepNhan": national_date(d.received_at),
        "TrangThaiHoSo": int(d.status),
        "HinhThuc": AT_COUNTER,
        "DonViXuLy": unit_code,
        "HoSoCoThanhPhanSoHoa": 1 if any(x.digitised for x in d.components) else 0,
        "TaiLieuNop": [
            {
                "TepDinhKemId": f.sha256,
                "TenTepDinhKem": _file_name(f.path),
                "MaThanhPhanHoSo": str(i),
                # Digitised here vs. taken from an earlier dossier's digitised copy.
                "DuocSoHoa": 0 if f.reused else 1,
                "DuocTaiSuDung": 1 if f.reused else 0,
                "IsDeleted": False,
                # Signed at the counter (PAdES): the signer, and whether it is an electronic certified copy.
                **(
                    {"DaKySo": 1, "NguoiKySo": f.signed_by, "BanSaoChungThuc": 1 if f.certified_copy else 0}
                    if f.signed
                    else {}
                ),
            }
            for i, x in enumerate(d.components)
            for f in x.files
        ],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": fee.name,
                "MaPhiLePhi": "",
                "HinhThucThu": fee.when,
                "Gia": fee.amount_vnd,
                "LoaiPhiLePhi": ORDINARY_FEE,
            }
            for fee in d.fees
        ],
        "PhienBan": d.revision,  # a receiver keeps the highest it has seen
    }
    # Dates that do not exist yet are left out rather than sent empty: gateways reject "" as a date.
    if d.due_at is not None:  # None while paused for a supplement
        record["NgayHenTra"] = national_date(d.due_at)
    if d.returned_at is not None:
        record["NgayTra"] = national_date(d.returned_at)
    refused = _refused_at(d) if d.status is Status.REFUSED else None
    if refused is not None:
        record["NgayTuChoi"] = national_date(refused)
    renamed: dict[str, Any] = _rename(record, mapping or {})
    return renamed


def progress_steps(d: Dossier, start: int = 0, *, mapping: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """QuaTrinhXuLy for d.steps[start:], each keyed by `step_key` so a resent step is recognised."""
    due = national_date(d.due_at)
    steps: list[dict[str, Any]] = []
    for index in range(max(start, 0), len(d.steps)):
        s = d.steps[index]
        content = f"{s.content} — {s.detail}" if s.detail else s.content
        step: dict[str, Any] = {
            "MaHoSo": d.code,
            "MaQuaTrinh": step_key(d.code, index),
            "NguoiXuLy": s.actor[:ACTOR_MAX],
            "ChucDanh": CLERK_TITLE,
            "ThoiDiemXuLy": national_date(s.at),
            "PhongBanXuLy": DEPARTMENT,
            "NoiDungXuLy": content,
            "TrangThai": int(s.status),
            "NgayBatDau": national_date(s.at),
        }
        if due:
            step["NgayKetThucTheoQuyDinh"] = due
        steps.append(step)
    renamed: list[dict[str, Any]] = _rename(steps, mapping or {})
    return renamed
