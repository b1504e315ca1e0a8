"""What a scanned QR text is: a procedure poster, a dossier receipt, a citizen's CCCD card, or none of ours.

Pure and total: `classify` never raises, whatever bytes a camera, a barcode gun typing into a field or a
damaged symbol produced. Unknown carries a message to show the citizen as is, and never echoes the
scanned text back (it may be someone's personal data).

Personal data rule: a CitizenIdScan prints masked (repr and str), so an id number or a name never
lands in a log through an f-string or a traceback.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, urlsplit

from app.core.catalog import Catalog, Procedure
from app.core.procedure_qr import parse_procedure_qr

MAX_SCAN_CHARS = 1024  # a CCCD QR is ~200 characters, a portal link ~100; more is never ours

NOT_OURS = "Mã này không phải của Trung tâm."
UNREADABLE = "Không đọc được mã. Vui lòng đưa mã lại gần camera và giữ yên."
UNKNOWN_PROCEDURE = "Thủ tục này chưa có trong danh mục của Trung tâm. Vui lòng hỏi cán bộ hướng dẫn."
BAD_CITIZEN_ID = "Mã trên thẻ căn cước không đầy đủ hoặc bị sai. Vui lòng quét lại hoặc nhập tay."

# Dossier codes: "000.00.12.H48-261123-0007" (unit code ddd.dd.dd.Xdd, yyMMdd, sequence) and the
# provincial gateway's newer "G09.20-20260609-0092637" (unit, yyyyMMdd, sequence). [0-9], not \d: \d also
# matches Arabic-Indic and other Unicode digits.
_DOSSIER_SHORT = re.compile(r"([0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})-([0-9]{6})-([0-9]{4,7})")
_DOSSIER_LONG = re.compile(r"([A-Z][0-9]{2}(?:\.[0-9]{2}){1,3})-([0-9]{8})-([0-9]{4,7})")
_PROCEDURE_CODE = re.compile(r"[0-9]\.[0-9]{6}")
_ID_NUMBER = re.compile(r"[0-9]{12}")
_OLD_ID = re.compile(r"[0-9]{9}|[0-9]{12}")
_DDMMYYYY = re.compile(r"([0-9]{2})([0-9]{2})([0-9]{4})")
_CCCD_FIELDS = 7


@dataclass(frozen=True)
class ProcedureScan:
    procedure: Procedure


@dataclass(frozen=True)
class ReceiptScan:
    dossier_code: str


@dataclass(frozen=True, repr=False)
class CitizenIdScan:
    """The fields of a chip-based CCCD card's QR: `id|old id|name|ddmmyyyy|sex|address|issue ddmmyyyy`."""

    id_number: str
    name: str
    birth_date: date
    sex: str
    address: str
    old_id: str | None = None
    issued: date | None = None

    def __repr__(self) -> str:
        return (
            f"CitizenIdScan(id_number={mask_digits(self.id_number)!r}, name={mask_name(self.name)!r}, "
            f"birth_date=<ẩn>, sex=<ẩn>, address=<ẩn>, old_id={'<ẩn>' if self.old_id else None}, "
            f"issued={self.issued.isoformat() if self.issued else None})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class Unknown:
    reason: str  # Vietnamese, ready to show


ScanResult = ProcedureScan | ReceiptScan | CitizenIdScan | Unknown


def mask_digits(number: str) -> str:
    """Keep the first four and last two characters: enough for a clerk to compare, useless to a thief."""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]


def mask_name(name: str) -> str:
    """ "Nguyễn Văn An" → "N***** V** A*": initials only."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def classify(text: str, catalog: Catalog) -> ScanResult:
    """Decide what a scanned text is; never raises."""
    try:
        return _classify(text, catalog)
    except Exception:  # a bug here must not crash the kiosk's camera loop
        return Unknown(NOT_OURS)


def _classify(text: str, catalog: Catalog) -> ScanResult:
    if not isinstance(text, str):
        return Unknown(UNREADABLE)
    if len(text) > MAX_SCAN_CHARS:  # checked before any other work: bounded cost on hostile input
        return Unknown(NOT_OURS)
    # Barcode guns end with CR/LF; some encoders prepend a BOM.
    cleaned = unicodedata.normalize("NFC", text.strip().lstrip("\ufeff").strip())
    if not cleaned:
        return Unknown(UNREADABLE)
    if "\ufffd" in cleaned:  # the decoder met bytes that are not UTF-8
        return Unknown(UNREADABLE)
    if any(unicodedata.category(ch).startswith("C") for ch in cleaned):
        return Unknown(NOT_OURS)  # control, format, private-use, unassigned or lone surrogate characters
    if "|" in cleaned:
        return _citizen_id(cleaned)
    procedure = _procedure(cleaned, catalog)
    if procedure is not None:
        return procedure
    dossier = _dossier_code(cleaned) or _dossier_in_link(cleaned)
    if dossier is not None:
        return ReceiptScan(dossier)
    return Unknown(NOT_OURS)


def _procedure(text: str, catalog: Catalog) -> ProcedureScan | Unknown | None:
    """The poster's procedure; Unknown when it is shaped like one but not in our catalogue; else None."""
    try:
        procedure = parse_procedure_qr(text, catalog)
    except ValueError:  # urlsplit rejects some malformed links ("http://[", bad ports)
        return None
    if procedure is not None:
        return ProcedureScan(procedure)
    if _PROCEDURE_CODE.fullmatch(text) or _is_portal_link(text):
        return Unknown(UNKNOWN_PROCEDURE)
    return None


def _is_portal_link(text: str) -> bool:
    try:
        parts = urlsplit(text)
        return parts.scheme in ("http", "https") and parts.hostname == "dichvucong.gov.vn" and "ma_thu_tuc=" in text
    except ValueError:
        return False


def _dossier_code(text: str) -> str | None:
    code = text.upper()
    short = _DOSSIER_SHORT.fullmatch(code)
    if short and _valid_date(2000 + int(short[2][:2]), int(short[2][2:4]), int(short[2][4:])):
        return code
    long = _DOSSIER_LONG.fullmatch(code)
    if long and _valid_date(int(long[2][:4]), int(long[2][4:6]), int(long[2][6:])):
        return code
    return None


def _dossier_in_link(text: str) -> str | None:
    """Provincial lookup pages put the dossier code in a query parameter; accept any value that is one."""
    try:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        values = [v for _, v in parse_qsl(parts.query)]
    except ValueError:
        return None
    return next((code for v in values if (code := _dossier_code(v.strip())) is not None), None)


def _citizen_id(text: str) -> CitizenIdScan | Unknown:
    fields = [f.strip() for f in text.split("|")]
    # Newer cards append fields after the seven; fewer than seven cannot be a card.
    if len(fields) < _CCCD_FIELDS:
        return Unknown(BAD_CITIZEN_ID if _ID_NUMBER.fullmatch(fields[0]) else NOT_OURS)
    id_number, old_id, name, born, sex, address, issued = fields[:_CCCD_FIELDS]
    if not _ID_NUMBER.fullmatch(id_number):
        return Unknown(NOT_OURS)
    birth_date = _parse_ddmmyyyy(born)
    issued_date = _parse_ddmmyyyy(issued) if issued else None
    if (
        birth_date is None
        or (issued and issued_date is None)
        or (issued_date is not None and issued_date < birth_date)
        or not name
        or any(ch.isdigit() for ch in name)
        or (old_id and not _OLD_ID.fullmatch(old_id))
    ):
        return Unknown(BAD_CITIZEN_ID)
    return CitizenIdScan(
        id_number=id_number,
        name=" ".join(name.split()),
        birth_date=birth_date,
        sex=sex,
        address=address,
        old_id=old_id or None,
        issued=issued_date,
    )


def _parse_ddmmyyyy(text: str) -> date | None:
    match = _DDMMYYYY.fullmatch(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year < 1900:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
