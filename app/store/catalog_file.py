"""Reading a catalogue file into the core's Catalog."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.catalog import Catalog, CatalogError, parse_catalog


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
