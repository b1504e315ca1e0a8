"""Catalogue files: the bundled JSON, a centre's own copy, and the spreadsheet an officer edits."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from app.atomic_file import write_atomic
from app.core.catalog import Catalog, CatalogError, parse_catalog
from app.core.catalog_table import (
    HEADERS,
    PROCEDURES_SHEET,
    SHEETS,
    catalog_from_tables,
    catalog_to_data,
    catalog_to_tables,
)

CENTRE_CATALOG = "catalog.json"  # the centre's own copy in the service's data folder; wins over the bundled one
CATALOG_MODE = 0o644  # public facts, served to kiosks and phones
_WIDTHS = {"Mã thủ tục": 12, "Tên thủ tục": 48, "Mã lĩnh vực": 12, "Tên lĩnh vực": 36, "Giấy tờ": 90}


def load_catalog_file(path: Path) -> Catalog:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"không tìm thấy tệp danh mục {path}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError(f"tệp danh mục {path.name} không phải JSON hợp lệ: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogError(f"tệp danh mục {path.name} phải là một đối tượng JSON")
    return parse_catalog(data)


def read_catalog_source(path: Path) -> Catalog:
    """A catalogue to import: JSON (the bundled form) or XLSX (as `export_catalog_xlsx` writes it)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return load_catalog_file(path)
    if suffix != ".xlsx":
        raise CatalogError(f"chỉ nhận tệp .json hoặc .xlsx, không nhận «{path.suffix or path.name}»")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise CatalogError(f"không tìm thấy tệp {path}") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CatalogError(f"tệp {path.name} không phải bảng tính Excel hợp lệ ({exc})") from exc
    try:
        tables = {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}
    finally:
        workbook.close()
    return catalog_from_tables(tables)


def save_catalog_file(path: Path, catalog: Catalog) -> None:
    """Replace a centre's copy whole: a service reading it sees the old catalogue or the new one."""
    body = json.dumps(catalog_to_data(catalog), ensure_ascii=False, indent=1) + "\n"
    write_atomic(path, body.encode("utf-8"), CATALOG_MODE)


def export_catalog_xlsx(path: Path, catalog: Catalog) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in catalog_to_tables(catalog).items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append([_cell_value(value) for value in row])
        _style(ws, name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomic(path, buffer.getvalue(), CATALOG_MODE)


def _cell_value(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _style(ws: Any, name: str) -> None:
    ws.freeze_panes = "A2"
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    for index, title in enumerate(HEADERS[name], start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = _WIDTHS.get(title, 28 if index > 3 else 14)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"  # "=…" stays text, never a live formula
        if name == PROCEDURES_SHEET:
            row[6].number_format = "#,##0"


__all__ = ["CENTRE_CATALOG", "SHEETS", "export_catalog_xlsx", "load_catalog_file", "read_catalog_source",
           "save_catalog_file"]  # fmt: skip
