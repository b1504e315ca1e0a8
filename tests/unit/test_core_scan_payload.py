"""Classifying scanned texts: posters, receipts, CCCD cards, and everything else without ever raising."""

from __future__ import annotations

import logging
import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.bench.qr import sample_payloads
from app.core.procedure_qr import PORTAL_PAGE, procedure_qr_text
from app.core.scan_payload import (
    BAD_CITIZEN_ID,
    MAX_SCAN_CHARS,
    NOT_OURS,
    UNKNOWN_PROCEDURE,
    UNREADABLE,
    CitizenIdScan,
    ProcedureScan,
    ReceiptScan,
    Unknown,
    classify,
    mask_digits,
    mask_name,
)
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

CATALOG = load_catalog_file(default_catalog_path())
CCCD = "034189001234|151234567|Nguyễn Thị Hồng Nhung|15031989|Nữ|Thôn Đông, Xã Đông Hưng, Tỉnh Hưng Yên|20042021"


def test_every_poster_code_and_portal_link_is_its_procedure() -> None:
    for p in CATALOG.procedures:
        assert classify(procedure_qr_text(p), CATALOG) == ProcedureScan(p)
        assert classify(f"  {p.code}\r\n", CATALOG) == ProcedureScan(p)  # a barcode gun's Enter


def test_procedure_shaped_but_not_in_our_catalogue() -> None:
    assert classify("9.999999", CATALOG) == Unknown(UNKNOWN_PROCEDURE)
    assert classify(f"{PORTAL_PAGE}?ma_thu_tuc=99999999", CATALOG) == Unknown(UNKNOWN_PROCEDURE)
    assert classify("https://example.com/?ma_thu_tuc=187805", CATALOG) == Unknown(NOT_OURS)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("000.00.12.H48-261123-0007", "000.00.12.H48-261123-0007"),
        ("000.00.12.h48-261123-0007", "000.00.12.H48-261123-0007"),
        ("000.00.12.H48-261123-1234567", "000.00.12.H48-261123-1234567"),
        ("G09.20-20260609-0092637", "G09.20-20260609-0092637"),
        (" G09.20-20240229-0001\n", "G09.20-20240229-0001"),
        ("https://dichvucong.hungyen.gov.vn/tra-cuu?ma_ho_so=000.00.12.H48-261123-0007", "000.00.12.H48-261123-0007"),
    ],
)
def test_dossier_codes_are_receipts(text: str, code: str) -> None:
    assert classify(text, CATALOG) == ReceiptScan(code)


@pytest.mark.parametrize(
    "text",
    [
        "000.00.12.H48-261323-0007",  # month 13
        "000.00.12.H48-260230-0007",  # 30 February
        "000.00.12.H48-261123-007",  # sequence too short
        "000.00.12.H48-261123-12345678",  # too long
        "000.00.12.48-261123-0007",  # no letter in the unit code
        "G09.20-20230229-0092637",  # 2023 was not a leap year
        "000.00.12.H48-٢٦١١٢٣-0007",  # Arabic-Indic digits are digits to \\d, not to us
        "https://example.com/?x=not-a-code",
    ],
)
def test_near_miss_dossier_codes_are_not_ours(text: str) -> None:
    assert classify(text, CATALOG) == Unknown(NOT_OURS)


def test_cccd_fields_are_parsed() -> None:
    scan = classify(CCCD, CATALOG)
    assert scan == CitizenIdScan(
        id_number="034189001234",
        name="Nguyễn Thị Hồng Nhung",
        birth_date=date(1989, 3, 15),
        sex="Nữ",
        address="Thôn Đông, Xã Đông Hưng, Tỉnh Hưng Yên",
        old_id="151234567",
        issued=date(2021, 4, 20),
    )


def test_cccd_text_is_normalised_and_optional_fields_may_be_empty() -> None:
    decomposed = unicodedata.normalize("NFD", "034189001234||Nguyễn  Văn An|01011990|Nam|Hà Nội|")
    scan = classify(decomposed, CATALOG)
    assert isinstance(scan, CitizenIdScan)
    assert scan.name == "Nguyễn Văn An"  # NFC, single spaces: compares equal to what a clerk types
    assert scan.address == "Hà Nội"
    assert scan.old_id is None
    assert scan.issued is None


def test_newer_cards_with_extra_fields_still_read() -> None:
    scan = classify(CCCD + "|extra|fields", CATALOG)
    assert isinstance(scan, CitizenIdScan)
    assert scan.issued == date(2021, 4, 20)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("03418900123|151234567|Nguyễn Văn An|01011990|Nam|Hà Nội|01012021", NOT_OURS),  # 11 digits
        ("a|b|c|d|e|f|g", NOT_OURS),
        ("034189001234|151234567|Nguyễn Văn An", BAD_CITIZEN_ID),  # cut short
        ("034189001234|151234567|Nguyễn Văn An|31021990|Nam|Hà Nội|01012021", BAD_CITIZEN_ID),
        ("034189001234|151234567|Nguyễn Văn An|01011990|Nam|Hà Nội|2021", BAD_CITIZEN_ID),
        ("034189001234|151234567|Nguyễn Văn An|01011990|Nam|Hà Nội|01011980", BAD_CITIZEN_ID),  # issued before birth
        ("034189001234|151234567||01011990|Nam|Hà Nội|01012021", BAD_CITIZEN_ID),  # no name
        ("034189001234|15123|Nguyễn Văn An|01011990|Nam|Hà Nội|01012021", BAD_CITIZEN_ID),  # bad old id
        ("034189001234|151234567|Nguyễn Văn An|01011890|Nam|Hà Nội|01012021", BAD_CITIZEN_ID),  # 1890
    ],
)
def test_broken_cccd_payloads_are_unknown_with_a_reason(text: str, reason: str) -> None:
    assert classify(text, CATALOG) == Unknown(reason)


def test_cccd_repr_and_str_never_show_the_id_or_the_name(caplog: pytest.LogCaptureFixture) -> None:
    scan = classify(CCCD, CATALOG)
    assert isinstance(scan, CitizenIdScan)
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("scanned %s / %r", scan, [scan])
    for shown in (repr(scan), str(scan), f"{scan}", repr((scan,)), caplog.text):
        assert "034189001234" not in shown
        assert "151234567" not in shown
        assert "Nguyễn" not in shown
        assert "Nhung" not in shown
        assert "Hưng Yên" not in shown
        assert "1989" not in shown
    assert "0341******34" in repr(scan)
    assert "N***** T** H*** N****" in repr(scan)


def test_masks() -> None:
    assert mask_digits("034189001234") == "0341******34"
    assert mask_digits("12345") == "*****"
    assert mask_name("Lê  Thị Ánh") == "L* T** Á**"
    assert mask_name("") == ""


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", UNREADABLE),
        ("   \r\n", UNREADABLE),
        ("\ufeff", UNREADABLE),
        ("abc\ufffddef", UNREADABLE),
        ("1.001193\x00", NOT_OURS),
        ("\x1b[31m1.001193", NOT_OURS),
        ("034189001234|\u200b|Nguyễn Văn An|01011990|Nam|Hà Nội|01012021", NOT_OURS),  # zero-width space
        ("\ud800", NOT_OURS),  # a lone surrogate, as surrogateescape leaves undecodable bytes
        ("http://[::1", NOT_OURS),  # urlsplit raises on this
        ("1" * (MAX_SCAN_CHARS + 1), NOT_OURS),
        ("hello", NOT_OURS),
    ],
)
def test_garbage_is_unknown(text: str, reason: str) -> None:
    assert classify(text, CATALOG) == Unknown(reason)


def test_huge_input_is_rejected_before_any_parsing() -> None:
    huge = "034189001234|" * 1_000_000
    assert classify(huge, CATALOG) == Unknown(NOT_OURS)


def test_non_text_input_is_unknown() -> None:
    assert classify(b"1.001193", CATALOG) == Unknown(UNREADABLE)  # type: ignore[arg-type]
    assert classify(None, CATALOG) == Unknown(UNREADABLE)  # type: ignore[arg-type]


def test_every_bench_payload_is_recognised() -> None:
    for payload in sample_payloads():
        assert isinstance(classify(payload, CATALOG), ProcedureScan | ReceiptScan), payload


_RESULTS = (ProcedureScan, ReceiptScan, CitizenIdScan, Unknown)
_surrogates = st.integers(0xD800, 0xDFFF).map(chr)
_any_char = st.one_of(st.characters(), _surrogates, st.sampled_from("|.-:/?=0123456789\ufeff\ufffd\x00"))


@settings(max_examples=300)
@given(st.text(_any_char, max_size=300))
def test_classify_never_raises_on_any_text(text: str) -> None:
    assert isinstance(classify(text, CATALOG), _RESULTS)


_digits = st.text(st.sampled_from("0123456789"), min_size=0, max_size=14)
_field = st.one_of(_digits, st.text(max_size=20), st.just(""))


@settings(max_examples=300)
@given(st.lists(_field, min_size=1, max_size=10))
def test_classify_never_raises_on_cccd_like_text_and_masks_what_it_accepts(fields: list[str]) -> None:
    result = classify("|".join(fields), CATALOG)
    assert isinstance(result, _RESULTS)
    if isinstance(result, CitizenIdScan):
        assert result.id_number not in repr(result)
        assert len(result.id_number) == 12


@settings(max_examples=200)
@given(
    st.sampled_from(["000.00.12.H48", "G09.20", "H48"]),
    st.text(st.sampled_from("0123456789"), min_size=6, max_size=8),
    st.text(st.sampled_from("0123456789"), min_size=1, max_size=9),
)
def test_classify_never_raises_on_dossier_like_text(unit: str, day: str, seq: str) -> None:
    assert isinstance(classify(f"{unit}-{day}-{seq}", CATALOG), ReceiptScan | Unknown)
