"""Checking a citizen's identity as a clerk types it or a CCCD card's QR gives it.

The 12-digit personal identification number (số định danh cá nhân, printed as the chip CCCD number) is not
random: digits 1–3 are the province where the birth was registered, digit 4 the century and sex, digits
5–6 the last two digits of the birth year, digits 7–12 a random sequence. A typo therefore often shows as
a number that contradicts itself or the date of birth, and the clerk can be told which part to re-read.

Every message is Vietnamese, ready to show next to its field, and never echoes the whole number: only the
part at fault (personal data must not land on a screenshot or in a log). Pure: `today` is always passed in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from app.core.scan_payload import CitizenIdScan, mask_digits, mask_name
from app.core.text_search import fold

ID_LENGTH = 12
NAME_MAX_CHARS = 100
ADDRESS_MAX_CHARS = 250
EARLIEST_BIRTH_YEAR = 1900
SEX_MALE = "Nam"
SEX_FEMALE = "Nữ"

# Province/city codes of birth registration, annex to Circular 07/2016/TT-BCA (structure and codes carried
# over unchanged by the circulars that replaced it). 63 codes. The 2025 province mergers do not touch them:
# numbers already issued never change, and the code names the province as it was at registration.
PROVINCE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "001": "Hà Nội",
        "002": "Hà Giang",
        "004": "Cao Bằng",
        "006": "Bắc Kạn",
        "008": "Tuyên Quang",
        "010": "Lào Cai",
        "011": "Điện Biên",
        "012": "Lai Châu",
        "014": "Sơn La",
        "015": "Yên Bái",
        "017": "Hòa Bình",
        "019": "Thái Nguyên",
        "020": "Lạng Sơn",
        "022": "Quảng Ninh",
        "024": "Bắc Giang",
        "025": "Phú Thọ",
        "026": "Vĩnh Phúc",
        "027": "Bắc Ninh",
        "030": "Hải Dương",
        "031": "Hải Phòng",
        "033": "Hưng Yên",
        "034": "Thái Bình",
        "035": "Hà Nam",
        "036": "Nam Định",
        "037": "Ninh Bình",
        "038": "Thanh Hóa",
        "040": "Nghệ An",
        "042": "Hà Tĩnh",
        "044": "Quảng Bình",
        "045": "Quảng Trị",
        "046": "Thừa Thiên Huế",
        "048": "Đà Nẵng",
        "049": "Quảng Nam",
        "051": "Quảng Ngãi",
        "052": "Bình Định",
        "054": "Phú Yên",
        "056": "Khánh Hòa",
        "058": "Ninh Thuận",
        "060": "Bình Thuận",
        "062": "Kon Tum",
        "064": "Gia Lai",
        "066": "Đắk Lắk",
        "067": "Đắk Nông",
        "068": "Lâm Đồng",
        "070": "Bình Phước",
        "072": "Tây Ninh",
        "074": "Bình Dương",
        "075": "Đồng Nai",
        "077": "Bà Rịa - Vũng Tàu",
        "079": "Hồ Chí Minh",
        "080": "Long An",
        "082": "Tiền Giang",
        "083": "Bến Tre",
        "084": "Trà Vinh",
        "086": "Vĩnh Long",
        "087": "Đồng Tháp",
        "089": "An Giang",
        "091": "Kiên Giang",
        "092": "Cần Thơ",
        "093": "Hậu Giang",
        "094": "Sóc Trăng",
        "095": "Bạc Liêu",
        "096": "Cà Mau",
    }
)
PROVINCE_CODES: frozenset[str] = frozenset(PROVINCE_NAMES)

# [0-9], not \d: \d also matches Arabic-Indic and fullwidth digits, which no card carries.
_ASCII_DIGITS = re.compile(r"[0-9]*")
_DATE_SEPARATED = re.compile(r"([0-9]{1,2})([/-])([0-9]{1,2})\2([0-9]+)")
_DATE_COMPACT = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")


@dataclass(frozen=True)
class FieldError:
    """Why a typed value was refused; `message` is Vietnamese, ready to show under the field."""

    message: str


@dataclass(frozen=True, repr=False)
class IdNumberCheck:
    """What `validate_id_number` found. The decoded parts are set whenever the number has 12 digits."""

    number: str  # as typed, without the spaces between groups: what a screen stores once `ok`
    errors: tuple[str, ...]
    province_code: str | None = None
    birth_year: int | None = None
    sex: str | None = None  # SEX_MALE or SEX_FEMALE, from digit 4

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def province_name(self) -> str | None:
        return PROVINCE_NAMES.get(self.province_code or "")

    def __repr__(self) -> str:
        return f"IdNumberCheck(number={mask_digits(self.number)!r}, errors={self.errors!r})"

    __str__ = __repr__


def format_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def clean_id_number(text: str) -> str:
    """The number without the whitespace a clerk types between groups ("034 186 012345")."""
    return "".join(text.split())


def century_range(code_digit: int) -> tuple[int, int]:
    """Digit 4 → the birth years it covers: 0/1 → 1900–1999, 2/3 → 2000–2099 … 8/9 → 2300–2399."""
    start = 1900 + 100 * (code_digit // 2)
    return start, start + 99


def validate_id_number(
    number: str, *, birth_date: date | None = None, sex: str | None = None, today: date
) -> IdNumberCheck:
    """Check the number's shape and structure, and that it agrees with the birth date and sex when given.

    An unrecognised `sex` is not the number's fault: it is skipped here (`validate_sex` reports it).
    """
    digits = clean_id_number(number)
    if not digits:
        return IdNumberCheck(digits, ("Chưa nhập số CCCD (12 chữ số).",))
    if not _ASCII_DIGITS.fullmatch(digits):
        bad = next(ch for ch in digits if not ("0" <= ch <= "9"))
        shown = f"«{bad}»" if bad.isprintable() else "ký tự lạ"
        message = (
            f"Số CCCD chỉ gồm các chữ số 0–9, không có chữ cái hay ký hiệu (đang có {shown}). Nhập lại số trên thẻ."
        )
        return IdNumberCheck(digits, (message,))
    if len(digits) != ID_LENGTH:
        return IdNumberCheck(digits, (f"Số CCCD phải có đúng 12 chữ số (đang có {len(digits)}).",))

    province, code_digit = digits[:3], int(digits[3])
    year = century_range(code_digit)[0] + int(digits[4:6])
    number_sex = SEX_MALE if code_digit % 2 == 0 else SEX_FEMALE
    errors: list[str] = []
    if province not in PROVINCE_CODES:
        errors.append(f"3 chữ số đầu ({province}) không phải mã tỉnh nơi đăng ký khai sinh. Kiểm tra lại số trên thẻ.")
    date_errors = validate_birth_date(birth_date, today=today) if birth_date is not None else []
    errors += date_errors
    if birth_date is not None and not date_errors:
        errors += _birth_year_errors(code_digit, year, birth_date)
    elif year > today.year:
        errors.append(f"Số CCCD cho biết năm sinh {year}, là năm chưa tới. Kiểm tra lại chữ số thứ 4–6 trên thẻ.")
    wanted_sex = normalise_sex(sex) if sex is not None else None
    if wanted_sex is not None and wanted_sex != number_sex:
        errors.append(
            f"Chữ số thứ 4 ({code_digit}) cho biết giới tính {number_sex} nhưng giới tính nhập là {wanted_sex}. "
            "Kiểm tra lại số CCCD hoặc giới tính."
        )
    return IdNumberCheck(digits, tuple(errors), province, year, number_sex)


def _birth_year_errors(code_digit: int, year: int, birth_date: date) -> list[str]:
    first, last = century_range(code_digit)
    born = format_date(birth_date)
    if not first <= birth_date.year <= last:
        # The century is wrong: say so rather than quote a year like 2086 the clerk never typed.
        return [
            f"Chữ số thứ 4 ({code_digit}) cho biết sinh trong các năm {first}–{last} nhưng ngày sinh nhập là "
            f"{born}. Kiểm tra lại số CCCD hoặc ngày sinh."
        ]
    if year != birth_date.year:
        return [
            f"Số CCCD cho biết năm sinh {year} nhưng ngày sinh nhập là {born}. Kiểm tra lại số CCCD hoặc ngày sinh."
        ]
    return []


def validate_birth_date(birth_date: date | None, *, today: date) -> list[str]:
    if birth_date is None:
        return ["Chưa nhập ngày sinh."]
    if birth_date > today:
        return [f"Ngày sinh {format_date(birth_date)} ở sau hôm nay. Kiểm tra lại ngày sinh."]
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        return [f"Năm sinh {birth_date.year} trước năm 1900. Kiểm tra lại năm sinh."]
    return []


def parse_birth_date(text: str, today: date) -> date | FieldError:
    """A date typed by hand: dd/mm/yyyy, dd-mm-yyyy (a single-digit day or month is fine) or ddmmyyyy."""
    cleaned = text.strip()
    if not cleaned:
        return FieldError("Chưa nhập ngày sinh.")
    if separated := _DATE_SEPARATED.fullmatch(cleaned):
        day_text, _, month_text, year_text = separated.groups()
    elif compact := _DATE_COMPACT.fullmatch(cleaned):
        day_text, month_text, year_text = compact.groups()
    else:
        return FieldError("Ngày sinh phải theo dạng ngày/tháng/năm, ví dụ 05/03/1986.")
    if len(year_text) != 4:
        return FieldError("Năm sinh phải đủ 4 chữ số, ví dụ 05/03/1986.")
    day, month, year = int(day_text), int(month_text), int(year_text)
    try:
        born = date(year, month, day)
    except ValueError:
        return FieldError(f"Không có ngày {day:02d}/{month:02d}/{year}. Kiểm tra lại ngày sinh.")
    errors = validate_birth_date(born, today=today)
    return FieldError(errors[0]) if errors else born


def normalise_name(text: str) -> str:
    """NFC, outer whitespace trimmed, inner runs collapsed to one space; nothing else.

    Names are kept exactly as written: no case change, no moving of tone marks ("Hoà" stays "Hoà").
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def validate_name(text: str) -> list[str]:
    name = normalise_name(text)
    if not name:
        return ["Chưa nhập họ tên."]
    errors: list[str] = []
    if any(ch.isdigit() for ch in name):
        errors.append("Họ tên không được có chữ số. Kiểm tra lại họ tên trên thẻ.")
    if len(name) > NAME_MAX_CHARS:
        errors.append(f"Họ tên dài quá {NAME_MAX_CHARS} ký tự (đang có {len(name)}). Kiểm tra lại họ tên.")
    return errors


def normalise_sex(text: str) -> str | None:
    """ "Nam"/"Nữ" whatever the case, tone marks or Unicode form ("NU", "nữ"); None when it is neither."""
    return {"nam": SEX_MALE, "nu": SEX_FEMALE}.get(fold(text))


def validate_sex(text: str) -> list[str]:
    if not text.strip():
        return ["Chưa nhập giới tính (Nam hoặc Nữ)."]
    if normalise_sex(text) is None:
        return ["Giới tính phải là Nam hoặc Nữ như trên thẻ."]
    return []


def validate_address(text: str) -> list[str]:
    address = " ".join(text.split())
    if not address:
        return ["Chưa nhập nơi thường trú."]
    if len(address) > ADDRESS_MAX_CHARS:
        return [f"Địa chỉ dài quá {ADDRESS_MAX_CHARS} ký tự (đang có {len(address)}). Kiểm tra lại địa chỉ."]
    return []


@dataclass(frozen=True, repr=False)
class CitizenIdentity:
    """The citizen a dossier is for, as the clerk confirmed it. Prints masked, like CitizenIdScan."""

    id_number: str
    name: str
    birth_date: date | None
    sex: str
    address: str
    old_id: str | None = None
    issued: date | None = None

    @classmethod
    def from_scan(cls, scan: CitizenIdScan) -> CitizenIdentity:
        return cls(
            id_number=scan.id_number,
            name=normalise_name(scan.name),
            birth_date=scan.birth_date,
            sex=normalise_sex(scan.sex) or scan.sex.strip(),
            address=" ".join(scan.address.split()),
            old_id=scan.old_id,
            issued=scan.issued,
        )

    def validate(self, today: date) -> dict[str, list[str]]:
        """Messages per field ("id_number", "name", "birth_date", "sex", "address"); only fields at fault.

        A contradiction between the number and the birth date or sex is reported on "id_number": the
        number is the longer thing to mistype.
        """
        date_errors = validate_birth_date(self.birth_date, today=today)
        number = validate_id_number(
            self.id_number,
            birth_date=None if date_errors else self.birth_date,  # a bad date is reported once, on its field
            sex=self.sex,
            today=today,
        )
        found = {
            "id_number": list(number.errors),
            "name": validate_name(self.name),
            "birth_date": date_errors,
            "sex": validate_sex(self.sex),
            "address": validate_address(self.address),
        }
        return {name: errors for name, errors in found.items() if errors}

    def __repr__(self) -> str:
        return (
            f"CitizenIdentity(id_number={mask_digits(self.id_number)!r}, name={mask_name(self.name)!r}, "
            f"birth_date=<ẩn>, sex=<ẩn>, address=<ẩn>, old_id={'<ẩn>' if self.old_id else None}, "
            f"issued={self.issued.isoformat() if self.issued else None})"
        )

    __str__ = __repr__
