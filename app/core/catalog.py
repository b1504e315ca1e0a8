"""Fields (lĩnh vực) and procedures (thủ tục) parsed from the catalogue JSON."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    code: str
    name: str


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field: str
    documents: tuple[str, ...]
    time_unit: str | None  # same_day | working_days | days; None when the source gave none
    time_value: float | None
    time_note: str
    fee_vnd: int | None  # None means "not found", never zero
    fee_text: str
    legal_basis: tuple[str, ...]
    portal_id: str | None = None  # numeric id on dichvucong.gov.vn, when the source gave one
    portal_url: str | None = None  # the procedure's page on a public-service portal, for phones


@dataclass(frozen=True)
class PriorityCategory:
    code: str
    name: str


@dataclass(frozen=True)
class Catalog:
    fields: tuple[Field, ...]
    procedures: tuple[Procedure, ...]
    priority_categories: tuple[PriorityCategory, ...]

    def field(self, code: str) -> Field | None:
        return next((f for f in self.fields if f.code == code), None)

    def procedures_of(self, field_code: str) -> list[Procedure]:
        return [p for p in self.procedures if p.field == field_code]


PORTAL_PAGE = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html"
ASK_AT_COUNTER = "Hỏi cán bộ tại quầy để được hướng dẫn"


# Short codes for the seed catalogue's priority groups; an admin can rename them later.
_PRIORITY_CODES = (
    ("cao tuổi", "elderly"),
    ("mang thai", "pregnant"),
    ("khuyết tật", "disabled"),
    ("có công", "merit"),
)


def _priority_code(name: str, index: int) -> str:
    lowered = name.lower()
    for needle, code in _PRIORITY_CODES:
        if needle in lowered:
            return code
    return f"priority{index + 1}"


def _short_priority_name(name: str) -> str:
    # "Người cao tuổi (công dân Việt Nam từ đủ 60 tuổi)" → "Người cao tuổi"
    return name.split("(")[0].strip()


CatalogEntry = tuple[str, Any]  # (where the entry sits, e.g. "thủ tục thứ 3" or "trang Thủ tục, dòng 5"; its raw value)

TIME_UNITS = ("same_day", "working_days", "days")
_CODE_TEXT = re.compile(r"^\S{1,40}$")


class CatalogError(ValueError):
    """A catalogue that cannot be used; `problems` lists every bad entry, each naming where it is."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    """Build a catalogue from the parsed JSON; raise CatalogError naming every bad entry."""
    raw_fields = data.get("fields")
    raw_procedures = data.get("procedures", [])
    raw_priorities = data.get("priority_groups", [])
    problems = []
    if not isinstance(raw_fields, list) or not raw_fields:
        problems.append("danh mục lĩnh vực phải là một mảng không rỗng")
        raw_fields = []
    if not isinstance(raw_procedures, list):
        problems.append("danh sách thủ tục phải là một mảng")
        raw_procedures = []
    if not isinstance(raw_priorities, list):
        problems.append("danh mục đối tượng ưu tiên phải là một mảng")
        raw_priorities = []
    if problems:
        raise CatalogError(problems)
    return build_catalog(
        [(f"lĩnh vực thứ {i + 1}", raw) for i, raw in enumerate(raw_fields)],
        [(f"thủ tục thứ {i + 1}", raw) for i, raw in enumerate(raw_procedures)],
        [(f"đối tượng ưu tiên thứ {i + 1}", raw) for i, raw in enumerate(raw_priorities)],
    )


def build_catalog(
    fields: list[CatalogEntry], procedures: list[CatalogEntry], priorities: list[CatalogEntry]
) -> Catalog:
    """One validation for every source (JSON, a spreadsheet): all problems at once, each with its place."""
    problems: list[str] = []
    parsed_fields: list[Field] = []
    for where, raw in fields:
        try:
            parsed_fields.append(Field(code=_text(raw, "code", "mã"), name=_text(raw, "name", "tên")))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{where} (lĩnh vực) không hợp lệ: {_why(exc)}")
    seen_fields = _duplicates([f.code for f in parsed_fields])
    problems += [f"mã lĩnh vực bị trùng: {code}" for code in seen_fields]
    codes = {f.code for f in parsed_fields}
    parsed: list[Procedure] = []
    for where, raw in procedures:
        try:
            procedure = _parse_procedure(raw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{where} không hợp lệ: {_why(exc)}")
            continue
        if procedure.field not in codes:
            problems.append(f"{where}: thủ tục {procedure.code} thuộc lĩnh vực {procedure.field} không có")
        parsed.append(procedure)
    problems += [f"mã thủ tục bị trùng: {code}" for code in _duplicates([p.code for p in parsed])]
    categories: list[PriorityCategory] = []
    for index, (where, raw) in enumerate(priorities):
        try:
            name = _text(raw, "group", "tên")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(f"{where} (đối tượng ưu tiên) không hợp lệ: {_why(exc)}")
            continue
        categories.append(PriorityCategory(code=_priority_code(name, index), name=_short_priority_name(name)))
    if problems:
        raise CatalogError(problems)
    return Catalog(fields=tuple(parsed_fields), procedures=tuple(parsed), priority_categories=tuple(categories))


def _duplicates(codes: list[str]) -> list[str]:
    return sorted(code for code, count in Counter(codes).items() if count > 1)


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"thiếu {exc.args[0]}"
    if isinstance(exc, (TypeError, AttributeError)):
        return "sai kiểu dữ liệu"
    return str(exc)


def _text(raw: Mapping[str, Any], key: str, label: str) -> str:
    value = raw[key]
    if not isinstance(value, (str, int, float)) or not str(value).strip():
        raise ValueError(f"thiếu {label}")
    return str(value).strip()


def _parse_procedure(raw: Mapping[str, Any]) -> Procedure:
    time = raw.get("processing_time") or {}
    fee = raw.get("fee") or {}
    code = _text(raw, "code", "mã thủ tục")
    if not _CODE_TEXT.match(code):
        raise ValueError(f"mã thủ tục «{code}» không được có khoảng trắng")
    unit = time.get("unit")
    if unit is not None and unit not in TIME_UNITS:
        raise ValueError(f"đơn vị thời hạn «{unit}» không hợp lệ (dùng: {', '.join(TIME_UNITS)})")
    value = _number(time.get("value"), "thời hạn")
    amount = _number(fee.get("amount_vnd"), "lệ phí")
    portal_url = _link(raw.get("portal_url"))
    portal_id = _portal_id(str(raw.get("source_url") or "")) or _portal_id(portal_url or "")
    # citizens see only the `public` texts; `note` and the rest are the curators' working notes
    return Procedure(
        code=code,
        name=_text(raw, "name", "tên thủ tục"),
        field=_text(raw, "field", "mã lĩnh vực"),
        documents=tuple(str(d) for d in _sequence(raw.get("documents"))),
        time_unit=unit,
        time_value=value,
        time_note=str(time.get("public") or ASK_AT_COUNTER),
        fee_vnd=int(amount) if amount is not None else None,
        fee_text=str(fee.get("public") or fee.get("text") or ASK_AT_COUNTER),
        legal_basis=tuple(str(x) for x in _sequence(raw.get("legal_basis"))),
        portal_id=portal_id,
        portal_url=portal_url or (f"{PORTAL_PAGE}?ma_thu_tuc={portal_id}" if portal_id else None),
    )


def _number(value: Any, label: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{label} phải là một số không âm (để trống nếu chưa biết)")
    return float(value)


def _sequence(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError("expected a list")
    return tuple(value)


def _link(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    if not text.startswith(("https://", "http://")) or any(c.isspace() for c in text):
        raise ValueError(f"liên kết «{text[:60]}» phải bắt đầu bằng https://")
    return text


_PORTAL_ID = re.compile(r"^https?://dichvucong\.gov\.vn/.*[?&]ma_thu_tuc=(\d+)")


def _portal_id(url: str) -> str | None:
    match = _PORTAL_ID.match(url)
    return match.group(1) if match else None
