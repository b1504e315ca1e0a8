"""A procedure QR is a link a phone opens (the portal's page, else the centre's own page), or the bare code
when the centre has no page phones reach; the kiosk reads every form back."""

from __future__ import annotations

from dataclasses import replace

from app.core.procedure_qr import PORTAL_PAGE, parse_procedure_qr, procedure_link, procedure_qr_text
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

CATALOG = load_catalog_file(default_catalog_path())
BASE = "http://192.168.1.20:8711"


def test_every_procedure_round_trips_in_every_form() -> None:
    for p in CATALOG.procedures:
        for text in (procedure_qr_text(p), procedure_qr_text(p, BASE), p.code, f"http://10.0.0.9:8711/p/{p.code}"):
            assert parse_procedure_qr(text, CATALOG) == p, text


def test_every_qr_is_a_link_when_the_centre_has_a_page() -> None:
    for p in CATALOG.procedures:
        assert procedure_qr_text(p, BASE).startswith(("https://", "http://")), p.code


def test_the_portal_page_wins_else_the_centres_page_else_the_code() -> None:
    birth = next(p for p in CATALOG.procedures if p.code == "1.001193")
    assert birth.portal_url is not None
    assert birth.portal_url.startswith("https://dichvucong.gov.vn/")
    assert procedure_qr_text(birth, BASE) == birth.portal_url
    without = next(p for p in CATALOG.procedures if p.portal_url is None)
    assert procedure_qr_text(without, BASE) == f"{BASE}/p/{without.code}"
    assert procedure_link(without) is None
    assert procedure_qr_text(without) == without.code


def test_a_legacy_portal_link_still_reads_back() -> None:
    birth = next(p for p in CATALOG.procedures if p.code == "1.001193")
    assert birth.portal_id == "187805"
    assert parse_procedure_qr(f"{PORTAL_PAGE}?ma_thu_tuc=187805", CATALOG) == birth
    legacy_only = replace(birth, portal_url=None)
    assert procedure_link(legacy_only) is None


def test_foreign_or_broken_codes_are_not_ours() -> None:
    for text in (
        "",
        "hello",
        "9.999999",
        "https://example.com/?ma_thu_tuc=187805",
        f"{PORTAL_PAGE}?ma_thu_tuc=",
        f"{PORTAL_PAGE}?ma_thu_tuc=1",
        f"{BASE}/p/9.999999",
        f"{BASE}/t/1.001193",
        "ftp://x/p/1.001193",
        "034186000123|123456789|Nguyễn Văn A|01011990|Nam|Hà Nội|01012021",
        "\x00\xff",
        "http://[::1",
    ):
        assert parse_procedure_qr(text, CATALOG) is None, text
    assert parse_procedure_qr(" 1.001193 ", CATALOG) is not None
