"""What the hall display says when a ticket is called, as words and as a list of voice clips.

Reading rules for 0–9999 (native Vietnamese numerals; sources: the "Cách đếm của người Việt" notes of
Vietnamese Wikipedia and en.wikipedia.org/wiki/Vietnamese_numerals, cross-checked with the "vi" tests
of Humanizer and several number-to-words libraries that write amounts on invoices):

- units: không một hai ba bốn năm sáu bảy tám chín; 10–19 "mười …" (11 "mười một", 14 "mười bốn");
  20–90 "hai mươi" … "chín mươi".
- after "mươi" (tens ≥ 2): 1 → "mốt" (21 "hai mươi mốt"), 4 → "tư" (24 "hai mươi tư"; "bốn" is also
  correct, option ``four_after_tens``); after "mươi" or "mười": 5 → "lăm" (15 "mười lăm", 25 "hai mươi
  lăm"). "mười" never takes "mốt" or "tư" (11 "mười một", 14 "mười bốn").
- a zero tens digit before a non-zero unit, once a hundreds place is spoken, is "linh" (north) or "lẻ"
  (south, option ``zero_tens``): 105 "một trăm linh năm", 104 "một trăm linh bốn", 101 "một trăm linh
  một" — "linh" does not trigger mốt/tư/lăm.
- thousands "nghìn" (north) or "ngàn" (south, option ``thousand``); a zero hundreds digit after the
  thousands is spoken as "không trăm" when anything follows (1005 "một nghìn không trăm linh năm",
  1050 "một nghìn không trăm năm mươi", 2024 "hai nghìn không trăm hai mươi tư"): this is the formal
  reading used for amounts, and it keeps 1005 and 1050 apart to the ear. Casual speech also says "một
  nghìn lẻ năm"; we do not, because a hall full of people needs the unambiguous form.

Audio is a concatenation of pre-recorded clips. ``CLIP_TEXTS`` is the voice-pack contract: every clip
name (an ASCII file stem) with the Vietnamese it must say, so a centre can replace any clip with a human
recording of the same name. Clip names are the word without diacritics; where two words would collide
the less frequent one names its tone or uses Telex ("mot_sac" = "mốt", "muoi_ngang" = "mươi", "dd" = Đ).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

ZeroTens = Literal["linh", "lẻ"]
Thousand = Literal["nghìn", "ngàn"]
FourAfterTens = Literal["tư", "bốn"]

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

PHRASE_CALL = "moi_cong_dan_co_so_thu_tu"
PHRASE_COUNTER = "den_quay_so"

CLIP_TEXTS: dict[str, str] = {
    PHRASE_CALL: "Mời công dân có số thứ tự",
    PHRASE_COUNTER: "đến quầy số",
    # numerals
    "khong": "không",
    "mot": "một",
    "hai": "hai",
    "ba": "ba",
    "bon": "bốn",
    "nam": "năm",
    "sau": "sáu",
    "bay": "bảy",
    "tam": "tám",
    "chin": "chín",
    "muoi": "mười",
    "muoi_ngang": "mươi",
    "mot_sac": "mốt",
    "tu": "tư",
    "lam": "lăm",
    "linh": "linh",
    "le": "lẻ",
    "tram": "trăm",
    "nghin": "nghìn",
    "ngan": "ngàn",
    # letter names (ticket prefixes): the usual school names; Vietnamese letters by their Telex spelling
    "a": "a",
    "aw": "á",
    "aa": "ớ",
    "b": "bê",
    "c": "xê",
    "d": "dê",
    "dd": "đê",
    "e": "e",
    "ee": "ê",
    "f": "ép",
    "g": "gờ",  # not "giê": it sounds exactly like "dê" (D) in both northern and southern speech
    "h": "hát",
    "i": "i",
    "j": "gi",
    "k": "ca",
    "l": "e-lờ",
    "m": "em-mờ",
    "n": "en-nờ",
    "o": "o",
    "oo": "ô",
    "ow": "ơ",
    "p": "pê",
    "q": "quy",
    "r": "e-rờ",
    "s": "ét-xì",
    "t": "tê",
    "u": "u",
    "uw": "ư",
    "v": "vê",
    "w": "vê kép",
    "x": "ích-xì",
    "y": "i dài",
    "z": "dét",
}

# Ticket prefix letter → clip name.
_LETTER_CLIPS: dict[str, str] = {
    "Ă": "aw",
    "Â": "aa",
    "Đ": "dd",
    "Ê": "ee",
    "Ô": "oo",
    "Ơ": "ow",
    "Ư": "uw",
    **{chr(c): chr(c).lower() for c in range(ord("A"), ord("Z") + 1)},
}

# Every text is unique, so a spoken word maps back to exactly one clip.
_CLIP_OF_WORD: dict[str, str] = {text: name for name, text in CLIP_TEXTS.items()}

_TICKET_RE = re.compile(r"^([^\W\d_]{0,3})[\s.\-]*([0-9]+)$")
_COUNTER_RE = re.compile(r"^(?:quầy\s*(?:số\s*)?)?([0-9]+)\.?$", re.IGNORECASE)
_DIGIT_RUN_RE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class NumberStyle:
    """Regional choices in reading numbers; the defaults are the northern, formal ones."""

    zero_tens: ZeroTens = "linh"
    thousand: Thousand = "nghìn"
    four_after_tens: FourAfterTens = "tư"


DEFAULT_STYLE = NumberStyle()


def read_number(
    n: int,
    *,
    zero_tens: ZeroTens = "linh",
    thousand: Thousand = "nghìn",
    four_after_tens: FourAfterTens = "tư",
) -> list[str]:
    """The words for 0 ≤ n ≤ 9999, e.g. 2024 → hai nghìn không trăm hai mươi tư."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"cần một số nguyên, nhận được {n!r}")
    if not 0 <= n <= 9999:
        raise ValueError(f"chỉ đọc được số từ 0 đến 9999, nhận được {n}")
    if zero_tens not in ("linh", "lẻ"):
        raise ValueError(f"zero_tens phải là 'linh' hoặc 'lẻ', nhận được {zero_tens!r}")
    if thousand not in ("nghìn", "ngàn"):
        raise ValueError(f"thousand phải là 'nghìn' hoặc 'ngàn', nhận được {thousand!r}")
    if four_after_tens not in ("tư", "bốn"):
        raise ValueError(f"four_after_tens phải là 'tư' hoặc 'bốn', nhận được {four_after_tens!r}")
    if n == 0:
        return ["không"]
    thousands, rest = divmod(n, 1000)
    if not thousands:
        return _below_thousand(rest, False, zero_tens, four_after_tens)
    words = [_DIGITS[thousands], thousand]
    if rest:
        words += _below_thousand(rest, True, zero_tens, four_after_tens)
    return words


def _below_thousand(n: int, after_thousand: bool, zero_tens: str, four_after_tens: str) -> list[str]:
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    # After "nghìn" an empty hundreds place is still spoken, else 1005 and 1050 sound alike.
    has_hundreds = bool(hundreds) or after_thousand
    if has_hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens:
        words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
        if units:
            words.append(_unit_after_tens(tens, units, four_after_tens))
    elif units:
        if has_hundreds:
            words.append(zero_tens)
        words.append(_DIGITS[units])
    return words


def _unit_after_tens(tens: int, units: int, four_after_tens: str) -> str:
    if units == 5:
        return "lăm"
    if tens >= 2 and units == 1:
        return "mốt"
    if tens >= 2 and units == 4:
        return four_after_tens
    return _DIGITS[units]


def read_digits(text: str) -> list[str]:
    """Digit by digit: "015" → không một năm."""
    if not text or not text.isascii() or not text.isdigit():
        raise ValueError(f"chỉ đọc được chữ số 0–9, nhận được {text!r}")
    return [_DIGITS[int(d)] for d in text]


def _read_amount(digits: str, digit_mode: bool, style: NumberStyle) -> list[str]:
    # Past 9999 there is no reading rule here; a caller must still hear something, so spell it.
    if digit_mode or int(digits) > 9999:
        return read_digits(digits)
    return read_number(
        int(digits),
        zero_tens=style.zero_tens,
        thousand=style.thousand,
        four_after_tens=style.four_after_tens,
    )


def _parse_ticket(number: str) -> tuple[str, str]:
    """(upper-case prefix, digits) of a ticket number as displayed, e.g. "A015" → ("A", "015")."""
    # NFC: a prefix typed as "Đ" may arrive decomposed from some keyboards.
    match = _TICKET_RE.match(unicodedata.normalize("NFC", number.strip()))
    if match is None:
        raise ValueError(f"số thứ tự không hợp lệ: {number!r} (cần chữ cái và chữ số, ví dụ A015)")
    prefix, digits = match.group(1).upper(), match.group(2)
    unknown = [c for c in prefix if c not in _LETTER_CLIPS]
    if unknown:
        raise ValueError(f"số thứ tự không hợp lệ: {number!r}")
    return prefix, digits


def ticket_words(number: str, *, digit_mode: bool = False, style: NumberStyle = DEFAULT_STYLE) -> list[str]:
    """A ticket number as spoken: "A015" → a mười lăm (leading zeros dropped); digit mode: a không một năm.

    Numbers above 9999 are always read digit by digit.
    """
    prefix, digits = _parse_ticket(number)
    letters = [CLIP_TEXTS[_LETTER_CLIPS[c]] for c in prefix]
    return letters + _read_amount(digits, digit_mode, style)


def clips_for(words: list[str]) -> list[str]:
    """The clip names that speak these words (each word must be a clip's text)."""
    missing = [w for w in words if w not in _CLIP_OF_WORD]
    if missing:
        raise ValueError(f"không có đoạn ghi âm cho: {', '.join(missing)}")
    return [_CLIP_OF_WORD[w] for w in words]


@dataclass(frozen=True)
class Announcement:
    """The sentence shown/logged and the clips a player concatenates.

    ``clips`` raises ValueError when the counter has a name without any digit: such a counter can be
    shown in ``text`` but no clip reads it (record a custom pack or number the counter).
    """

    text: str
    clip_tuple: tuple[str, ...] | None
    clip_error: str = ""
    spoken: str = ""  # the words as the voice says them, with tone marks: "… số thứ tự a mười lăm đến quầy số ba."

    @property
    def clips(self) -> list[str]:
        if self.clip_tuple is None:
            raise ValueError(self.clip_error)
        return list(self.clip_tuple)


def announcement(
    number: str, counter: str, *, digit_mode: bool = False, style: NumberStyle = DEFAULT_STYLE
) -> Announcement:
    """ "Mời công dân có số thứ tự A015 đến quầy số 3." and its clips.

    ``number`` is the ticket as displayed (A015, B1203, or bare digits); ``counter`` is "3", "Quầy 3",
    "Quầy số 3" or a name ("Tư pháp - Hộ tịch"). A named counter is spoken by the first digits in its
    name if it has any ("Quầy 2 - Đất đai" → quầy số hai), otherwise only ``text`` is available.
    """
    prefix, _ = _parse_ticket(number)
    shown = prefix + unicodedata.normalize("NFC", number.strip())[len(prefix) :]
    head = [PHRASE_CALL, *clips_for(ticket_words(number, digit_mode=digit_mode, style=style)), PHRASE_COUNTER]
    name = unicodedata.normalize("NFC", counter.strip())
    if not name:
        raise ValueError("thiếu tên hoặc số quầy")
    numbered = _COUNTER_RE.match(name)
    if numbered:
        counter_digits: str | None = numbered.group(1)
        tail = f"đến quầy số {counter_digits}"
    else:
        run = _DIGIT_RUN_RE.search(name)
        counter_digits = run.group(0) if run else None
        bare = name.rstrip(".")
        # "Quầy Tư pháp" must not become "đến quầy Quầy Tư pháp".
        tail = "đến " + ("quầy" + bare[4:] if bare[:4].casefold() == "quầy" else f"quầy {bare}")
    text = f"{CLIP_TEXTS[PHRASE_CALL]} {shown} {tail}."
    said = " ".join([CLIP_TEXTS[PHRASE_CALL], *ticket_words(number, digit_mode=digit_mode, style=style)])
    if counter_digits is None:
        return Announcement(text, None, f"tên quầy {name!r} không có chữ số nên không đọc được bằng giọng nói",
                            spoken=f"{said} {tail}.")  # fmt: skip
    counter_words = _read_amount(counter_digits, False, style)
    spoken = f"{said} {CLIP_TEXTS[PHRASE_COUNTER]} {' '.join(counter_words)}."
    return Announcement(text, (*head, *clips_for(counter_words)), spoken=spoken)
