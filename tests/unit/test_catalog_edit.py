"""A centre edits its own catalogue: export to a spreadsheet, edit, import; bad rows are all named, nothing
half-imported; the service's /api/catalog and /p pages show the new facts without a restart."""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.catalog_cli import run_catalog
from app.core.catalog import CatalogError, parse_catalog
from app.core.catalog_table import (
    DOCUMENTS_SHEET,
    FIELDS_SHEET,
    PROCEDURES_SHEET,
    catalog_from_tables,
    catalog_to_data,
    catalog_to_tables,
)
from app.paths import default_catalog_path
from app.store.catalog_file import export_catalog_xlsx, load_catalog_file, read_catalog_source

SEED = load_catalog_file(default_catalog_path())


def cli(*argv: str) -> int:
    import argparse

    parser = argparse.ArgumentParser()
    from app.catalog_cli import add_catalog_parser

    add_catalog_parser(parser.add_subparsers(dest="command"))
    return run_catalog(parser.parse_args(["catalog", *argv]))


def test_the_seed_round_trips_through_json_and_the_spreadsheet(tmp_path: Path) -> None:
    assert parse_catalog(catalog_to_data(SEED)) == SEED
    assert catalog_from_tables(catalog_to_tables(SEED)) == SEED
    export_catalog_xlsx(tmp_path / "c.xlsx", SEED)
    assert read_catalog_source(tmp_path / "c.xlsx") == SEED


def test_the_export_keeps_no_curator_notes(tmp_path: Path) -> None:
    text = json.dumps(catalog_to_data(SEED), ensure_ascii=False)
    raw = json.loads(default_catalog_path().read_text(encoding="utf-8"))
    times = [p.get("processing_time") or {} for p in raw["procedures"]]
    notes = [t["note"] for t in times if t.get("note") and t["note"] not in (t.get("public") or "")]
    assert notes
    assert not any(note in text for note in notes)


def test_the_spreadsheet_is_made_for_editing(tmp_path: Path) -> None:
    export_catalog_xlsx(tmp_path / "c.xlsx", SEED)
    wb = load_workbook(tmp_path / "c.xlsx")
    ws = wb[PROCEDURES_SHEET]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "Mã thủ tục"
    assert ws["A1"].font.b
    fees = [row[6] for row in ws.iter_rows(min_row=2, values_only=True) if row[6] is not None]
    assert fees
    assert all(isinstance(v, int) for v in fees)
    assert ws.column_dimensions["B"].width >= 40


def _tables() -> dict[str, list[list[Any]]]:
    return {name: [list(r) for r in rows] for name, rows in catalog_to_tables(SEED).items()}


def test_every_bad_row_is_named_at_once() -> None:
    tables = _tables()
    procedures = tables[PROCEDURES_SHEET]
    procedures[3][0] = procedures[2][0]  # row 4 repeats row 3's code
    procedures[5][1] = ""  # row 6 has no name
    procedures[7][4] = "tuần"  # row 8: a unit we do not know
    procedures[9][6] = "mười nghìn"  # row 10: a fee that is not a number
    procedures[11][2] = "ZZ"  # row 12: a field that does not exist
    tables[DOCUMENTS_SHEET].append(["9.999999", "Giấy tờ lạc"])
    tables[FIELDS_SHEET].append(["HT", "Hộ tịch lần hai"])
    with pytest.raises(CatalogError) as info:
        catalog_from_tables(tables)
    text = "\n".join(info.value.problems)
    assert f"mã thủ tục bị trùng: {procedures[2][0]}" in text
    assert "dòng 6" in text
    assert "thiếu tên thủ tục" in text
    assert "dòng 8" in text
    assert "tuần" in text
    assert "dòng 10" in text
    assert "mười nghìn" in text
    assert "dòng 12" in text
    assert "ZZ" in text
    assert "9.999999" in text
    assert "mã lĩnh vực bị trùng: HT" in text
    assert len(info.value.problems) >= 7


def test_amounts_typed_the_vietnamese_way_are_numbers() -> None:
    tables = _tables()
    tables[PROCEDURES_SHEET][1][6] = "10.000 đ"
    tables[PROCEDURES_SHEET][1][3] = "0,5"
    catalog = catalog_from_tables(tables)
    assert catalog.procedures[0].fee_vnd == 10000
    assert catalog.procedures[0].time_value == 0.5


def test_import_replaces_the_centres_copy_and_a_bad_file_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert cli("export", str(tmp_path / "c.xlsx"), "--data", str(data)) == 0
    wb = load_workbook(tmp_path / "c.xlsx")
    wb[PROCEDURES_SHEET]["H2"] = "Lệ phí 12.000 đồng theo Nghị quyết của HĐND tỉnh."
    wb.save(tmp_path / "edited.xlsx")
    assert cli("import", str(tmp_path / "edited.xlsx"), "--data", str(data)) == 0
    saved = data / "catalog.json"
    assert load_catalog_file(saved).procedures[0].fee_text == "Lệ phí 12.000 đồng theo Nghị quyết của HĐND tỉnh."
    assert os.stat(data).st_mode & 0o077 == 0
    before = saved.read_bytes()
    wb[PROCEDURES_SHEET]["E3"] = "tuần"
    wb.save(tmp_path / "bad.xlsx")
    capsys.readouterr()
    assert cli("import", str(tmp_path / "bad.xlsx"), "--data", str(data)) == 2
    err = capsys.readouterr().err
    assert "dòng 3" in err
    assert "tuần" in err
    assert "không thay đổi" in err
    assert saved.read_bytes() == before
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    assert cli("import", str(tmp_path / "broken.xlsx"), "--data", str(data)) == 2
    assert "không phải bảng tính" in capsys.readouterr().err
    assert cli("import", str(tmp_path / "c.csv"), "--data", str(data)) == 2
    assert saved.read_bytes() == before


def test_the_service_serves_the_centres_copy_without_a_restart(env, tmp_path: Path) -> None:
    client, _auth, _clock = env
    answer = client.get("/api/catalog")
    assert answer.status_code == 200
    assert parse_catalog(answer.json()) == SEED
    local = next(p for p in SEED.procedures if p.portal_url is None and p.documents)
    page = client.get(f"/p/{local.code}")
    assert page.status_code == 200
    assert escape(local.name) in page.text
    assert escape(local.documents[0]) in page.text
    assert "chưa đối chiếu" not in page.text
    missing = client.get("/p/9.999999")
    assert missing.status_code == 404
    assert "Không tìm thấy thủ tục" in missing.text
    listing = client.get("/p")
    assert all(f'/p/{p.code}"' in listing.text for p in SEED.procedures)
    tables = _tables()
    tables[PROCEDURES_SHEET][1][7] = "Miễn phí <b>cho mọi người</b>"
    edited = catalog_from_tables(tables)
    from app.store.catalog_file import save_catalog_file

    save_catalog_file(tmp_path / "data" / "catalog.json", edited)
    assert parse_catalog(client.get("/api/catalog").json()) == edited
    first = client.get(f"/p/{edited.procedures[0].code}").text
    assert "Miễn phí &lt;b&gt;cho mọi người&lt;/b&gt;" in first  # escaped, never markup
