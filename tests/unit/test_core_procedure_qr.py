"""A procedure QR is the portal link when its id is known, else the national code; both read back."""

from __future__ import annotations

from app.core.procedure_qr import PORTAL_PAGE, parse_procedure_qr, procedure_qr_text
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

CATALOG = load_catalog_file(default_catalog_path())


def test_every_procedure_round_trips() -> None:
    for p in CATALOG.procedures:
        assert parse_procedure_qr(procedure_qr_text(p), CATALOG) == p


def test_portal_link_when_the_portal_id_is_known() -> None:
    birth = next(p for p in CATALOG.procedures if p.code == "1.001193")
    assert birth.portal_id == "187805"
    assert procedure_qr_text(birth) == f"{PORTAL_PAGE}?ma_thu_tuc=187805"
    without = next(p for p in CATALOG.procedures if p.portal_id is None)
    assert procedure_qr_text(without) == without.code


def test_foreign_or_broken_codes_are_not_ours() -> None:
    for text in (
        "",
        "hello",
        "9.999999",
        "https://example.com/?ma_thu_tuc=187805",
        f"{PORTAL_PAGE}?ma_thu_tuc=",
        f"{PORTAL_PAGE}?ma_thu_tuc=1",
        "034186000123|123456789|Nguyễn Văn A|01011990|Nam|Hà Nội|01012021",
        "\x00\xff",
        "http://[::1",
    ):
        assert parse_procedure_qr(text, CATALOG) is None, text
    assert parse_procedure_qr(" 1.001193 ", CATALOG) is not None
