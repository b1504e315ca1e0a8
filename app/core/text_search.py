"""Vietnamese search without diacritics: "chung thuc" finds "Chứng thực", "dat dai" finds "Đất đai".

Citizens at a kiosk type on a plain on-screen keyboard; nobody should need tone marks to find a procedure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def fold(text: str) -> str:
    """Lower case, tone and vowel marks removed, đ → d, runs of spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    plain = plain.replace("đ", "d")
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


def score(query: str, text: str) -> int:
    """0 when some query word is missing; otherwise higher for earlier, whole-word, in-order matches."""
    words = fold(query).split()
    if not words:
        return 0
    haystack = fold(text)
    tokens = haystack.split()
    total = 0
    for word in words:
        if word in tokens:
            total += 3
        elif any(t.startswith(word) for t in tokens):
            total += 2
        elif word in haystack:
            total += 1
        else:
            return 0
    phrase = " ".join(words)
    if phrase in haystack:
        total += 2 * len(words) + (3 if haystack.startswith(phrase) else 0)
    return total


def search(query: str, items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """Items whose key contains every query word, best first; stable for equal scores."""
    scored = [(score(query, key(item)), index, item) for index, item in enumerate(items)]
    return [item for s, _, item in sorted((x for x in scored if x[0] > 0), key=lambda x: (-x[0], x[1]))]
