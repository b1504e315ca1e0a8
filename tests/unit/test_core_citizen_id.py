"""Citizen identity checks: the CCCD number's structure, names, birth dates, a scanned card."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.catalog import Catalog
from app.core.citizen_id import (
    PROVINCE_CODES,
    PROVINCE_NAMES,
    CitizenIdentity,
    FieldError,
    century_range,
    normalise_name,
    normalise_sex,
    parse_birth_date,
    validate_id_number,
    validate_name,
)
from app.core.scan_payload import CitizenIdScan, classify

TODAY = date(2026, 6, 9)
EMPTY_CATALOG = Catalog((), (), ())
# Female born 1986, birth registered in Thái Bình (034); male born 2003 in Hà Nội (001).
THAI_BINH_1986_F = "034186012345"
HA_NOI_2003_M = "001203098765"
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


def no_full_number(messages: object) -> None:
    assert not _TWELVE_DIGITS.search(str(messages)), messages


def test_province_list_is_the_circulars_63_codes() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_NAMES["001"] == "Hà Nội"
    assert PROVINCE_NAMES["034"] == "Thái Bình"
    assert PROVINCE_NAMES["096"] == "Cà Mau"
    assert all(len(code) == 3 and code.isdigit() for code in PROVINCE_CODES)
    assert "000" not in PROVINCE_CODES
    assert "099" not in PROVINCE_CODES


def test_century_ranges() -> None:
    assert century_range(0) == century_range(1) == (1900, 1999)
    assert century_range(2) == century_range(3) == (2000, 2099)
    assert century_range(9) == (2300, 2399)


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        (THAI_BINH_1986_F, date(1986, 3, 12), "Nữ"),
        (HA_NOI_2003_M, date(2003, 1, 31), "Nam"),
        ("096300000001", date(2000, 1, 1), "nữ"),
        ("001099123456", date(1999, 12, 31), "NAM"),
    ],
)
def test_valid_numbers_pass(number: str, born: date, sex: str) -> None:
    check = validate_id_number(number, birth_date=born, sex=sex, today=TODAY)
    assert check.ok, check.errors
    assert check.number == number
    assert check.birth_year == born.year


def test_decoded_parts() -> None:
    check = validate_id_number(THAI_BINH_1986_F, today=TODAY)
    assert check.ok
    assert (check.province_code, check.province_name, check.birth_year, check.sex) == ("034", "Thái Bình", 1986, "Nữ")
    assert validate_id_number(HA_NOI_2003_M, today=TODAY).sex == "Nam"


def test_spaces_between_groups_are_ignored() -> None:
    check = validate_id_number(" 034 186 012 345 ", birth_date=date(1986, 3, 12), sex="Nữ", today=TODAY)
    assert check.ok
    assert check.number == THAI_BINH_1986_F


@pytest.mark.parametrize(("number", "count"), [("03418601234", 11), ("0341860123456", 13), ("0", 1)])
def test_wrong_length(number: str, count: int) -> None:
    assert validate_id_number(number, today=TODAY).errors == (f"Số CCCD phải có đúng 12 chữ số (đang có {count}).",)


def test_empty() -> None:
    assert validate_id_number("  ", today=TODAY).errors == ("Chưa nhập số CCCD (12 chữ số).",)


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("0341860I2345", "«I»"),
        ("034-186-012345", "«-»"),
        ("０34186012345", "«０»"),  # fullwidth digit: not on any card
        ("034186012\x00345", "ký tự lạ"),
    ],
)
def test_other_characters_are_refused(number: str, shown: str) -> None:
    (message,) = validate_id_number(number, today=TODAY).errors
    assert "chỉ gồm các chữ số 0–9" in message
    assert shown in message


@pytest.mark.parametrize("province", ["099", "000", "003", "097"])
def test_unknown_province(province: str) -> None:
    check = validate_id_number(province + "186012345", today=TODAY)
    assert check.errors == (
        f"3 chữ số đầu ({province}) không phải mã tỉnh nơi đăng ký khai sinh. Kiểm tra lại số trên thẻ.",
    )


def test_year_digits_disagree_with_birth_date() -> None:
    check = validate_id_number(THAI_BINH_1986_F, birth_date=date(1968, 3, 12), today=TODAY)
    assert check.errors == (
        "Số CCCD cho biết năm sinh 1986 nhưng ngày sinh nhập là 12/03/1968. Kiểm tra lại số CCCD hoặc ngày sinh.",
    )


def test_century_digit_disagrees_with_birth_date() -> None:
    # Digit 4 is 3 (female, 2000–2099) but the clerk typed 1986.
    check = validate_id_number("034386012345", birth_date=date(1986, 3, 12), today=TODAY)
    (message,) = check.errors
    assert message.startswith("Chữ số thứ 4 (3) cho biết sinh trong các năm 2000–2099")
    assert "12/03/1986" in message


def test_year_still_to_come_without_birth_date() -> None:
    (message,) = validate_id_number("001499000001", today=TODAY).errors  # 2199
    assert "năm sinh 2199" in message


def test_sex_disagrees() -> None:
    (message,) = validate_id_number(THAI_BINH_1986_F, sex="Nam", today=TODAY).errors
    assert message == (
        "Chữ số thứ 4 (1) cho biết giới tính Nữ nhưng giới tính nhập là Nam. Kiểm tra lại số CCCD hoặc giới tính."
    )
    assert validate_id_number(HA_NOI_2003_M, sex="nữ", today=TODAY).errors


@pytest.mark.parametrize("sex", ["Nữ", "nữ", "NỮ", "Nu", "nu", unicodedata.normalize("NFD", "Nữ"), " Nữ "])
def test_sex_is_case_and_diacritic_tolerant(sex: str) -> None:
    assert normalise_sex(sex) == "Nữ"
    assert validate_id_number(THAI_BINH_1986_F, sex=sex, today=TODAY).ok


def test_unrecognised_sex_is_not_the_numbers_fault() -> None:
    assert normalise_sex("Khác") is None
    assert validate_id_number(THAI_BINH_1986_F, sex="Khác", today=TODAY).ok


def test_future_and_too_old_birth_dates() -> None:
    (future,) = validate_id_number(HA_NOI_2003_M, birth_date=date(2026, 6, 10), today=TODAY).errors
    assert future == "Ngày sinh 10/06/2026 ở sau hôm nay. Kiểm tra lại ngày sinh."
    (old,) = validate_id_number("001099123456", birth_date=date(1899, 12, 31), today=TODAY).errors
    assert "1899" in old
    assert "1900" in old


def test_several_problems_at_once() -> None:
    errors = validate_id_number("099386012345", birth_date=date(1986, 1, 1), sex="Nam", today=TODAY).errors
    assert len(errors) == 3  # province, century, sex
    no_full_number(errors)


def test_messages_never_contain_the_full_number() -> None:
    cases = [
        validate_id_number(n, birth_date=b, sex=s, today=TODAY)
        for n in (THAI_BINH_1986_F, HA_NOI_2003_M, "099186012345", "034186012345X", "0341860123456")
        for b in (None, date(1968, 1, 1), date(2030, 1, 1))
        for s in (None, "Nam", "Nữ")
    ]
    for check in cases:
        no_full_number(check.errors)
        no_full_number(repr(check))


# --- names -----------------------------------------------------------------------------------------


def test_normalise_name_nfc_and_spaces_only() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn")
    assert decomposed != "Nguyễn"
    assert normalise_name(decomposed) == "Nguyễn"
    assert unicodedata.is_normalized("NFC", normalise_name(decomposed))
    assert normalise_name("  Nguyễn  Thị \t Hoà ") == "Nguyễn Thị Hoà"  # "Hoà" keeps its old-style tone mark
    assert normalise_name("nguyễn VĂN an") == "nguyễn VĂN an"  # case untouched


def test_validate_name() -> None:
    assert validate_name("Lê Văn Bình") == []
    assert validate_name("   ") == ["Chưa nhập họ tên."]
    assert validate_name("Lê Văn 2") == ["Họ tên không được có chữ số. Kiểm tra lại họ tên trên thẻ."]
    assert validate_name("A" * 100) == []
    (long,) = validate_name("A" * 101)
    assert "(đang có 101)" in long


# --- birth dates typed by hand ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["12/03/1986", "12-03-1986", "12031986", " 12/3/1986 ", "12-3-1986"])
def test_parse_birth_date_formats(text: str) -> None:
    assert parse_birth_date(text, TODAY) == date(1986, 3, 12)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Chưa nhập ngày sinh."),
        ("31/02/1986", "Không có ngày 31/02/1986"),
        ("12/13/1986", "Không có ngày 12/13/1986"),
        ("10/06/2026", "ở sau hôm nay"),
        ("12/03/86", "4 chữ số"),
        ("12.03.1986", "ngày/tháng/năm"),
        ("12/03-1986", "ngày/tháng/năm"),
        ("1986-03-12", "ngày/tháng/năm"),
        ("mười hai", "ngày/tháng/năm"),
        ("01/01/1899", "trước năm 1900"),
    ],
)
def test_parse_birth_date_errors(text: str, fragment: str) -> None:
    result = parse_birth_date(text, TODAY)
    assert isinstance(result, FieldError)
    assert fragment in result.message


def test_parse_birth_date_today_is_fine() -> None:
    assert parse_birth_date("09/06/2026", TODAY) == TODAY


# --- the identity as a whole -----------------------------------------------------------------------


def _identity(**changes: object) -> CitizenIdentity:
    fields: dict[str, object] = {
        "id_number": THAI_BINH_1986_F,
        "name": "Trần Thị Mai",
        "birth_date": date(1986, 3, 12),
        "sex": "Nữ",
        "address": "Thôn Đông, xã Vũ Thư, tỉnh Hưng Yên",
    }
    fields.update(changes)
    return CitizenIdentity(**fields)  # type: ignore[arg-type]


def test_identity_validate_keys_by_field() -> None:
    assert _identity().validate(TODAY) == {}
    errors = _identity(name="", sex="X", address=" ", id_number="099186012345").validate(TODAY)
    assert set(errors) == {"id_number", "name", "sex", "address"}
    future = _identity(birth_date=date(2027, 1, 1)).validate(TODAY)
    assert set(future) == {"birth_date"}  # reported once, on its own field
    missing = _identity(birth_date=None).validate(TODAY)
    assert missing == {"birth_date": ["Chưa nhập ngày sinh."]}
    mismatch = _identity(birth_date=date(1968, 3, 12), sex="Nam").validate(TODAY)
    assert set(mismatch) == {"id_number"}
    assert len(mismatch["id_number"]) == 2


def test_identity_repr_is_masked() -> None:
    identity = _identity(old_id="151234567")
    text = repr(identity)
    assert THAI_BINH_1986_F not in text
    assert "Trần" not in text
    assert "Vũ Thư" not in text
    assert "151234567" not in text
    assert str(identity) == text
    no_full_number(text)


def test_qr_scan_to_identity() -> None:
    name = unicodedata.normalize("NFD", "Trần  Thị Mai")
    qr = f"{THAI_BINH_1986_F}|151234567|{name}|12031986|Nữ|Thôn Đông, xã Vũ Thư, tỉnh Hưng Yên|20042021\r\n"
    scan = classify(qr, EMPTY_CATALOG)
    assert isinstance(scan, CitizenIdScan)
    identity = CitizenIdentity.from_scan(scan)
    assert identity.name == "Trần Thị Mai"
    assert identity.sex == "Nữ"
    assert identity.issued == date(2021, 4, 20)
    assert identity.validate(TODAY) == {}


def test_qr_scan_with_a_contradiction() -> None:
    qr = f"{THAI_BINH_1986_F}||Trần Thị Mai|12031968|Nam|Thôn Đông|"
    scan = classify(qr, EMPTY_CATALOG)
    assert isinstance(scan, CitizenIdScan)
    errors = CitizenIdentity.from_scan(scan).validate(TODAY)
    assert set(errors) == {"id_number"}
    assert len(errors["id_number"]) == 2
    no_full_number(errors)


# --- properties ------------------------------------------------------------------------------------


@st.composite
def valid_people(draw: st.DrawFn) -> tuple[str, date, str]:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    sex = draw(st.sampled_from(["Nam", "Nữ"]))
    century_digit = 2 * ((born.year - 1900) // 100) + (0 if sex == "Nam" else 1)
    serial = draw(st.text("0123456789", min_size=6, max_size=6))
    return f"{province}{century_digit}{born.year % 100:02d}{serial}", born, sex


@given(valid_people())
def test_any_valid_number_passes(person: tuple[str, date, str]) -> None:
    number, born, sex = person
    check = validate_id_number(number, birth_date=born, sex=sex, today=TODAY)
    assert check.ok, check.errors
    assert check.birth_year == born.year
    assert check.sex == sex


@given(valid_people(), st.integers(0, 5), st.integers(1, 9))
def test_single_digit_change_in_the_structured_part(person: tuple[str, date, str], position: int, shift: int) -> None:
    number, born, sex = person
    changed_digit = str((int(number[position]) + shift) % 10)
    changed = number[:position] + changed_digit + number[position + 1 :]
    check = validate_id_number(changed, birth_date=born, sex=sex, today=TODAY)
    consistent = (
        changed[:3] in PROVINCE_CODES
        and century_range(int(changed[3]))[0] + int(changed[4:6]) == born.year
        and (int(changed[3]) % 2 == 0) == (sex == "Nam")
    )
    assert check.ok == consistent, (check.errors, consistent)
    no_full_number(check.errors)
