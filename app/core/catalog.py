"""Fields (lĩnh vực) and procedures (thủ tục) parsed from the catalogue JSON."""

from __future__ import annotations

import re
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


ASK_AT_COUNTER = "Hỏi cán bộ tại quầy để được hướng dẫn"


class CatalogError(ValueError):
    pass


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


def parse_catalog(data: Mapping[str, Any]) -> Catalog:
    """Build a catalogue from the parsed JSON; raise CatalogError naming the bad entry."""
    try:
        fields = tuple(Field(code=str(f["code"]), name=str(f["name"])) for f in data["fields"])
    except (KeyError, TypeError) as exc:
        raise CatalogError(f"danh mục lĩnh vực không hợp lệ: {exc}") from exc
    codes = {f.code for f in fields}
    if len(codes) != len(fields):
        raise CatalogError("mã lĩnh vực bị trùng trong danh mục")
    raw_procedures = data.get("procedures", [])
    if not isinstance(raw_procedures, list):
        raise CatalogError("danh sách thủ tục phải là một mảng")
    procedures = []
    for index, raw in enumerate(raw_procedures):
        try:
            procedures.append(_parse_procedure(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"thủ tục thứ {index + 1} không hợp lệ: {exc}") from exc
        if procedures[-1].field not in codes:
            raise CatalogError(f"thủ tục {procedures[-1].code} thuộc lĩnh vực {procedures[-1].field} không có")
    try:
        priorities = tuple(
            PriorityCategory(code=_priority_code(str(g["group"]), i), name=_short_priority_name(str(g["group"])))
            for i, g in enumerate(data.get("priority_groups", []))
        )
    except (KeyError, TypeError) as exc:
        raise CatalogError(f"danh mục đối tượng ưu tiên không hợp lệ: {exc}") from exc
    return Catalog(fields=fields, procedures=tuple(procedures), priority_categories=priorities)


def _parse_procedure(raw: Mapping[str, Any]) -> Procedure:
    time = raw.get("processing_time") or {}
    fee = raw.get("fee") or {}
    value = time.get("value")
    amount = fee.get("amount_vnd")
    # citizens see only the `public` texts; `note` and the rest are the curators' working notes
    return Procedure(
        code=str(raw["code"]),
        name=str(raw["name"]),
        field=str(raw["field"]),
        documents=tuple(str(d) for d in raw.get("documents") or ()),
        time_unit=time.get("unit"),
        time_value=float(value) if value is not None else None,
        time_note=str(time.get("public") or ASK_AT_COUNTER),
        fee_vnd=int(amount) if amount is not None else None,
        fee_text=str(fee.get("public") or fee.get("text") or ASK_AT_COUNTER),
        legal_basis=tuple(str(x) for x in raw.get("legal_basis") or ()),
        portal_id=_portal_id(str(raw.get("source_url") or "")),
    )


_PORTAL_ID = re.compile(r"^https?://dichvucong\.gov\.vn/.*[?&]ma_thu_tuc=(\d+)")


def _portal_id(url: str) -> str | None:
    match = _PORTAL_ID.match(url)
    return match.group(1) if match else None
