"""A catalogue as data a centre edits: the JSON form and the spreadsheet's sheets, both ways.

A centre's fees and times differ by province, so an officer exports the catalogue, edits it in Excel or
LibreOffice and imports it again. Only citizen-facing facts travel; the seed's curator notes stay behind.
Every import goes through `build_catalog`, so a spreadsheet gets the same checks as a JSON file, with
each problem named by its sheet and row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.core.catalog import ASK_AT_COUNTER, PORTAL_PAGE, Catalog, CatalogEntry, CatalogError, Procedure, build_catalog

FIELDS_SHEET = "Lĩnh vực"
PROCEDURES_SHEET = "Thủ tục"
DOCUMENTS_SHEET = "Thành phần hồ sơ"
PRIORITIES_SHEET = "Đối tượng ưu tiên"
SHEETS = (PROCEDURES_SHEET, DOCUMENTS_SHEET, FIELDS_SHEET, PRIORITIES_SHEET)

UNIT_NAMES = {"same_day": "trong ngày", "working_days": "ngày làm việc", "days": "ngày"}
_UNIT_BY_NAME = {name: unit for unit, name in UNIT_NAMES.items()} | {unit: unit for unit in UNIT_NAMES}

_THOUSANDS = re.compile(r"\d{1,3}([.,]\d{3})+")
_DECIMAL = re.compile(r"\d+([.,]\d+)?")

HEADERS: dict[str, tuple[str, ...]] = {
    FIELDS_SHEET: ("Mã lĩnh vực", "Tên lĩnh vực"),
    PROCEDURES_SHEET: (
        "Mã thủ tục",
        "Tên thủ tục",
        "Mã lĩnh vực",
        "Thời hạn (số)",
        "Đơn vị thời hạn",
        "Thời hạn — lời ghi cho công dân",
        "Lệ phí (đồng)",
        "Lệ phí — lời ghi cho công dân",
        "Liên kết trang thủ tục",
        "Căn cứ pháp lý (mỗi văn bản một dòng)",
        "Số hiệu trên Cổng DVC quốc gia",
    ),
    DOCUMENTS_SHEET: ("Mã thủ tục", "Giấy tờ"),
    PRIORITIES_SHEET: ("Đối tượng ưu tiên",),
}


def catalog_to_data(catalog: Catalog) -> dict[str, Any]:
    """The JSON a centre's copy holds: what `parse_catalog` reads back into the same catalogue."""
    return {
        "fields": [{"code": f.code, "name": f.name} for f in catalog.fields],
        "procedures": [_procedure_data(p) for p in catalog.procedures],
        "priority_groups": [{"group": c.name} for c in catalog.priority_categories],
    }


def _procedure_data(p: Procedure) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "processing_time": {"value": p.time_value, "unit": p.time_unit, "public": _public(p.time_note)},
        "fee": {"amount_vnd": p.fee_vnd, "public": _public(p.fee_text)},
        "documents": list(p.documents),
        "legal_basis": list(p.legal_basis),
    }
    if p.portal_url:
        data["portal_url"] = p.portal_url
    if p.portal_id:  # posters printed before links existed hold this number; the kiosk still reads them
        data["source_url"] = f"{PORTAL_PAGE}?ma_thu_tuc={p.portal_id}"
    return data


def _public(text: str) -> str | None:
    return None if text == ASK_AT_COUNTER else text  # unknown stays unknown, not a stored sentence


def catalog_to_tables(catalog: Catalog) -> dict[str, list[list[Any]]]:
    """One list of rows per sheet, the header row first; numbers stay numbers."""
    procedures: list[list[Any]] = [list(HEADERS[PROCEDURES_SHEET])]
    documents: list[list[Any]] = [list(HEADERS[DOCUMENTS_SHEET])]
    for p in catalog.procedures:
        value = int(p.time_value) if p.time_value is not None and p.time_value.is_integer() else p.time_value
        procedures.append([
            p.code, p.name, p.field, value, UNIT_NAMES.get(p.time_unit or "", ""), _public(p.time_note) or "",
            p.fee_vnd, _public(p.fee_text) or "", p.portal_url or "", "\n".join(p.legal_basis),
            p.portal_id or "",
        ])  # fmt: skip
        documents += [[p.code, d] for d in p.documents]
    return {
        PROCEDURES_SHEET: procedures,
        DOCUMENTS_SHEET: documents,
        FIELDS_SHEET: [list(HEADERS[FIELDS_SHEET])] + [[f.code, f.name] for f in catalog.fields],
        PRIORITIES_SHEET: [list(HEADERS[PRIORITIES_SHEET])] + [[c.name] for c in catalog.priority_categories],
    }


def catalog_from_tables(tables: Mapping[str, Sequence[Sequence[Any]]]) -> Catalog:
    """Read the sheets back (header row first, blank rows skipped); every problem names its sheet and row."""
    missing = [name for name in (PROCEDURES_SHEET, FIELDS_SHEET) if name not in tables]
    if missing:
        raise CatalogError([f"thiếu trang «{name}» trong tệp" for name in missing])
    problems: list[str] = []
    documents: dict[str, list[str]] = {}
    for where, row in _rows(tables, DOCUMENTS_SHEET):
        code, document = _cell(row, 0), _cell(row, 1)
        if not code or not document:
            problems.append(f"{where}: cần cả mã thủ tục và tên giấy tờ")
            continue
        documents.setdefault(code, []).append(document)
    procedures: list[CatalogEntry] = []
    for where, row in _rows(tables, PROCEDURES_SHEET):
        try:
            procedures.append((where, _procedure_row(row, documents)))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    known = {code for _, raw in procedures for code in [raw.get("code")]}
    problems += [f"trang «{DOCUMENTS_SHEET}»: giấy tờ của thủ tục {code} không có trong trang «{PROCEDURES_SHEET}»"
                 for code in documents if code not in known]  # fmt: skip
    fields = [(where, {"code": _cell(row, 0), "name": _cell(row, 1)}) for where, row in _rows(tables, FIELDS_SHEET)]
    priorities = [(where, {"group": _cell(row, 0)}) for where, row in _rows(tables, PRIORITIES_SHEET)]
    try:
        catalog = build_catalog(fields, procedures, priorities)
    except CatalogError as exc:
        problems += exc.problems
    if problems:
        raise CatalogError(problems)
    return catalog


def _rows(tables: Mapping[str, Sequence[Sequence[Any]]], sheet: str) -> list[tuple[str, Sequence[Any]]]:
    rows = tables.get(sheet) or []
    # row numbers as the spreadsheet shows them: the header is row 1
    return [(f"trang «{sheet}», dòng {n}", row) for n, row in enumerate(rows[1:], start=2) if any(_cell(row, i)
            for i in range(len(row)))]  # fmt: skip


def _cell(row: Sequence[Any], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def _procedure_row(row: Sequence[Any], documents: Mapping[str, list[str]]) -> dict[str, Any]:
    code = _cell(row, 0)
    unit_name = _cell(row, 4).lower()
    if unit_name and unit_name not in _UNIT_BY_NAME:
        raise ValueError(f"đơn vị thời hạn «{_cell(row, 4)}» không hợp lệ (dùng: {', '.join(UNIT_NAMES.values())})")
    return {
        "code": code,
        "name": _cell(row, 1),
        "field": _cell(row, 2),
        "processing_time": {
            "value": _number(row, 3, "thời hạn"),
            "unit": _UNIT_BY_NAME.get(unit_name) if unit_name else None,
            "public": _cell(row, 5) or None,
        },
        "fee": {"amount_vnd": _number(row, 6, "lệ phí"), "public": _cell(row, 7) or None},
        "portal_url": _cell(row, 8) or None,
        "legal_basis": [line.strip() for line in _cell(row, 9).splitlines() if line.strip()],
        "documents": documents.get(code, []),
        **({"source_url": f"{PORTAL_PAGE}?ma_thu_tuc={_cell(row, 10)}"} if _cell(row, 10) else {}),
    }


def _number(row: Sequence[Any], index: int, label: str) -> float | None:
    value = row[index] if index < len(row) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label} phải là một số")
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().removesuffix("đ").strip()
    if _THOUSANDS.fullmatch(text):  # "10.000 đ", as a Vietnamese officer types an amount
        return float(re.sub(r"[.,]", "", text))
    if _DECIMAL.fullmatch(text):  # "0,5" or "0.5" ngày
        return float(text.replace(",", "."))
    raise ValueError(f"{label} «{value}» phải là một số (để trống nếu chưa biết)")
