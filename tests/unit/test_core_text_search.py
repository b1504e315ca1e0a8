"""Diacritic-insensitive search over the real catalogue."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.text_search import fold, score, search
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

CATALOG = load_catalog_file(default_catalog_path())


def names(query: str) -> list[str]:
    return [p.name for p in search(query, CATALOG.procedures, key=lambda p: p.name)]


def test_fold() -> None:
    assert fold("Chứng thực") == "chung thuc"
    assert fold("ĐẤT ĐAI") == "dat dai"
    assert fold("  Hộ   tịch, (khai-sinh) ") == "ho tich khai sinh"
    assert fold("Nuôi con nuôi") == "nuoi con nuoi"


def test_without_tone_marks_finds_the_procedure() -> None:
    found = names("chung thuc")
    assert found
    assert all("hứng thực" in n for n in found)
    assert names("khai sinh")[0] == "Thủ tục đăng ký khai sinh"
    assert names("KET HON")
    assert names("Chứng thực") == found  # with marks: the same answer


def test_prefixes_of_words_match_while_typing() -> None:
    assert "Thủ tục đăng ký khai sinh" in names("khai si")
    assert names("xyzw") == []
    assert names("   ") == []


def test_whole_words_rank_before_prefixes() -> None:
    found = names("khai tu")  # "tu" is also the start of "tục" in every name
    assert "khai tử" in found[0]
    assert all(fold("khai") in fold(n) for n in found)


@given(st.text(max_size=40))
def test_score_never_fails_on_any_input(query: str) -> None:
    assert score(query, "Thủ tục đăng ký khai sinh") >= 0
