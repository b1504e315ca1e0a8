"""Citizens read only the catalogue's public texts: no curator's working note reaches a screen or a poster."""

from __future__ import annotations

import re

from app.core.reception import checklist
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

CURATOR = re.compile(
    r"chưa đối chiếu|chưa tìm được|không tìm thấy|nguồn thứ cấp|theo nguồn|ví dụ [A-ZĐ]|curator|DVCQG:", re.IGNORECASE
)


def test_no_citizen_facing_text_of_any_procedure_carries_curator_wording() -> None:
    catalog = load_catalog_file(default_catalog_path())
    assert len(catalog.procedures) == 44
    for p in catalog.procedures:
        shown = [p.name, p.time_note, p.fee_text, *p.documents, *(c.name for c in checklist(p))]
        for text in shown:
            assert not CURATOR.search(text), f"{p.code}: {text[:80]}"
