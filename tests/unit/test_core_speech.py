"""Vietnamese number reading for the hall voice, checked against an oracle built a different way.

The oracle reads each digit position naively and then applies the sound changes as text rewrites
(the way many invoice "đọc số thành chữ" routines do); a parser turns the words back into the number;
and regexes state each rule on its own. All three must agree with read_number for every 0–9999.
"""

from __future__ import annotations

import re

import pytest

from app.core.speech import (
    CLIP_TEXTS,
    NumberStyle,
    announcement,
    clips_for,
    read_digits,
    read_number,
    ticket_words,
)

D = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
ALL = range(10_000)


def naive_then_rewrite(n: int) -> str:
    d3, d2, d1, d0 = (int(c) for c in f"{n:04d}")
    if n < 10:
        return D[n]
    parts = []
    if d3:
        parts.append(f"{D[d3]} nghìn")
    if d2 or (d3 and (d1 or d0)):
        parts.append(f"{D[d2]} trăm")
    if d1 == 0 and d0 and n >= 100:
        parts.append("linh")
    elif d1 == 1:
        parts.append("mười")
    elif d1 >= 2:
        parts.append(f"{D[d1]} mươi")
    if d0:
        parts.append(D[d0])
    text = " ".join(parts)
    text = re.sub(r"mươi một$", "mươi mốt", text)
    text = re.sub(r"mươi bốn$", "mươi tư", text)
    return re.sub(r"(mươi|mười) năm$", r"\1 lăm", text)


VALUES = {w: i for i, w in enumerate(D)} | {"mốt": 1, "tư": 4, "lăm": 5}


def parse(words: list[str]) -> int:
    """Words → number, accepting only well-formed readings."""
    total, i = 0, 0
    if "nghìn" in words:
        k = words.index("nghìn")
        assert k == 1, words
        total += VALUES[words[0]] * 1000
        i = 2
    if "trăm" in words[i:]:
        k = words.index("trăm", i)
        assert k == i + 1, words
        total += VALUES[words[i]] * 100
        i += 2
    rest = words[i:]
    if rest[:1] == ["linh"]:
        assert len(rest) == 2, words
        return total + VALUES[rest[1]]
    if rest[:1] == ["mười"]:
        return total + 10 + (VALUES[rest[1]] if len(rest) > 1 else 0)
    if len(rest) >= 2 and rest[1] == "mươi":
        return total + VALUES[rest[0]] * 10 + (VALUES[rest[2]] if len(rest) > 2 else 0)
    assert len(rest) <= 1, words
    return total + (VALUES[rest[0]] if rest else 0)


def expected_word_count(n: int) -> int:
    d3, d2, d1, d0 = (int(c) for c in f"{n:04d}")
    if n == 0:
        return 1
    count = 2 if d3 else 0
    if d2 or (d3 and (d1 or d0)):
        count += 2
    if d1 == 1:
        count += 1
    elif d1:
        count += 2
    elif d0 and n >= 100:
        count += 1  # linh
    return count + (1 if d0 else 0)


@pytest.fixture(scope="module")
def readings() -> dict[int, str]:
    return {n: " ".join(read_number(n)) for n in ALL}


def test_every_number_matches_the_rewrite_oracle(readings: dict[int, str]) -> None:
    wrong = {n: (readings[n], naive_then_rewrite(n)) for n in ALL if readings[n] != naive_then_rewrite(n)}
    assert not wrong


def test_every_number_parses_back_and_has_the_expected_length(readings: dict[int, str]) -> None:
    for n in ALL:
        words = readings[n].split()
        assert parse(words) == n, readings[n]
        assert len(words) == expected_word_count(n), readings[n]
    assert len(set(readings.values())) == len(readings)


def test_each_rule_holds_on_its_own(readings: dict[int, str]) -> None:
    for n in ALL:
        text = readings[n]
        d3, d2, d1, d0 = (int(c) for c in f"{n:04d}")
        # mốt only right after mươi, and always there for a unit 1 after tens ≥ 2
        assert not re.search(r"(?<!mươi) mốt|^mốt", text), text
        assert ("mốt" in text) == (d1 >= 2 and d0 == 1), text
        assert "mười mốt" not in text
        # lăm only after mươi/mười, and every unit 5 after a tens word is lăm
        assert not re.search(r"(?<!mươi)(?<!mười) lăm|^lăm", text), text
        assert ("lăm" in text) == (d1 >= 1 and d0 == 5), text
        assert not re.search(r"(mươi|mười) năm$", text), text
        # tư only after mươi (default style); mười bốn stays
        assert ("tư" in text.split()) == (d1 >= 2 and d0 == 4), text
        assert "mười tư" not in text
        # linh exactly when a hundreds place is spoken, tens is 0 and the unit is not
        assert ("linh" in text) == (n >= 100 and d1 == 0 and d0 != 0), text
        assert not re.search(r"linh (mốt|lăm|tư)", text), text
        # "không trăm" exactly for an empty hundreds inside a thousands number with something after it
        assert ("không trăm" in text) == (n >= 1000 and d2 == 0 and (d1, d0) != (0, 0)), text
        # không appears only alone or as "không trăm"
        assert text == "không" or re.fullmatch(r"(?:(?!không(?! trăm)).)*", text), text
        assert ("nghìn" in text) == (d3 > 0)
        assert not text.endswith(("linh", "trăm không", "mươi không"))


HAND_CHECKED = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (41, "bốn mươi mốt"),
    (55, "năm mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (205, "hai trăm linh năm"),
    (999, "chín trăm chín mươi chín"),
    (1000, "một nghìn"),
    (1001, "một nghìn không trăm linh một"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1011, "một nghìn không trăm mười một"),
    (1015, "một nghìn không trăm mười lăm"),
    (1050, "một nghìn không trăm năm mươi"),
    (1100, "một nghìn một trăm"),
    (1105, "một nghìn một trăm linh năm"),
    (1203, "một nghìn hai trăm linh ba"),
    (2024, "hai nghìn không trăm hai mươi tư"),
    (5555, "năm nghìn năm trăm năm mươi lăm"),
    (9999, "chín nghìn chín trăm chín mươi chín"),
]


@pytest.mark.parametrize(("n", "words"), HAND_CHECKED)
def test_hand_checked(n: int, words: str) -> None:
    assert " ".join(read_number(n)) == words


@pytest.mark.parametrize(
    ("n", "options", "words"),
    [
        (105, {"zero_tens": "lẻ"}, "một trăm lẻ năm"),
        (1008, {"zero_tens": "lẻ", "thousand": "ngàn"}, "một ngàn không trăm lẻ tám"),
        (3000, {"thousand": "ngàn"}, "ba ngàn"),
        (24, {"four_after_tens": "bốn"}, "hai mươi bốn"),
        (14, {"four_after_tens": "tư"}, "mười bốn"),
        (104, {"four_after_tens": "tư"}, "một trăm linh bốn"),
    ],
)
def test_regional_options(n: int, options: dict[str, str], words: str) -> None:
    assert " ".join(read_number(n, **options)) == words  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, 10_000, 123_456])
def test_out_of_range(bad: int) -> None:
    with pytest.raises(ValueError, match="0 đến 9999"):
        read_number(bad)


def test_bad_option_and_type() -> None:
    with pytest.raises(ValueError, match="zero_tens"):
        read_number(5, zero_tens="lẽ")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        read_number(True)


def test_digit_mode() -> None:
    assert read_digits("015") == ["không", "một", "năm"]
    assert read_digits("2024") == ["hai", "không", "hai", "bốn"]
    for bad in ["", "1a", "١٢", "-1"]:
        with pytest.raises(ValueError, match="chữ số"):
            read_digits(bad)


@pytest.mark.parametrize(
    ("number", "digit_mode", "words"),
    [
        ("A015", False, "a mười lăm"),
        ("A015", True, "a không một năm"),
        ("B1203", False, "bê một nghìn hai trăm linh ba"),
        ("C001", False, "xê một"),
        ("D021", False, "dê hai mươi mốt"),
        ("Đ105", False, "đê một trăm linh năm"),
        ("đ105", True, "đê một không năm"),
        ("L024", False, "e-lờ hai mươi tư"),
        ("S-12", False, "ét-xì mười hai"),
        ("X 7", False, "ích-xì bảy"),
        ("Y000", False, "i dài không"),
        ("G10", False, "gờ mười"),
        ("015", False, "mười lăm"),
        ("42", True, "bốn hai"),
        ("AB3", False, "a bê ba"),
        ("K12345", False, "ca một hai ba bốn năm"),
    ],
)
def test_ticket_words(number: str, digit_mode: bool, words: str) -> None:
    assert " ".join(ticket_words(number, digit_mode=digit_mode)) == words


def test_ticket_words_style() -> None:
    style = NumberStyle(zero_tens="lẻ", thousand="ngàn", four_after_tens="bốn")
    assert " ".join(ticket_words("A1004", style=style)) == "a một ngàn không trăm lẻ bốn"
    assert " ".join(ticket_words("A34", style=style)) == "a ba mươi bốn"


@pytest.mark.parametrize("bad", ["", "A", "A01B", "ABCD1", "Ω12", "A1.5", "1-"])
def test_bad_ticket_numbers(bad: str) -> None:
    with pytest.raises(ValueError, match="số thứ tự"):
        ticket_words(bad)


def test_announcement_text_and_clips() -> None:
    a = announcement("A015", "3")
    assert a.text == "Mời công dân có số thứ tự A015 đến quầy số 3."
    assert a.clips == ["moi_cong_dan_co_so_thu_tu", "a", "muoi", "lam", "den_quay_so", "ba"]
    assert announcement("a015", "Quầy 3").text == a.text
    assert announcement("A015", "quầy số 3").clips == a.clips
    d = announcement("A015", "12", digit_mode=True)
    assert d.text == "Mời công dân có số thứ tự A015 đến quầy số 12."
    assert d.clips[1:5] == ["a", "khong", "mot", "nam"]
    assert d.clips[-3:] == ["den_quay_so", "muoi", "hai"]
    assert announcement("B21", "1").clips[2:4] == ["hai", "muoi_ngang"]
    assert "mot_sac" in announcement("B21", "1").clips


def test_named_counters() -> None:
    named = announcement("A7", "Quầy Tư pháp - Hộ tịch")
    assert named.text == "Mời công dân có số thứ tự A7 đến quầy Tư pháp - Hộ tịch."
    with pytest.raises(ValueError, match="không có chữ số"):
        _ = named.clips
    assert announcement("A7", "Đất đai.").text == "Mời công dân có số thứ tự A7 đến quầy Đất đai."
    mixed = announcement("A7", "Quầy 2 - Đất đai")
    assert mixed.text == "Mời công dân có số thứ tự A7 đến quầy 2 - Đất đai."
    assert mixed.clips[-2:] == ["den_quay_so", "hai"]
    with pytest.raises(ValueError, match="quầy"):
        announcement("A7", "  ")


def test_clip_texts_are_a_sound_contract() -> None:
    assert len(set(CLIP_TEXTS.values())) == len(CLIP_TEXTS)
    for name in CLIP_TEXTS:
        assert re.fullmatch(r"[a-z_]+", name), name
    with pytest.raises(ValueError, match="không có đoạn ghi âm"):
        clips_for(["hello"])


def test_every_clip_of_every_announcement_exists() -> None:
    letters = "ABCDĐEGHKLMNPQRSTUVXY"
    used: set[str] = set()
    for n in ALL:
        prefix = letters[n % len(letters)]
        for counter in range(1, 21):
            used.update(announcement(f"{prefix}{n:03d}", str(counter)).clips)
        # Digit mode only changes the ticket part: one counter per number is enough there.
        used.update(announcement(f"{prefix}{n:03d}", f"Quầy {n % 20 + 1}", digit_mode=True).clips)
    assert used <= CLIP_TEXTS.keys()
    # The default style speaks every numeral clip but the southern variants.
    unused = set(CLIP_TEXTS) - used - {"le", "ngan"}
    assert all(len(name) <= 2 for name in unused), unused
