"""The web board and the Qt hall display say the same things in the same words and case.

The Qt display's words are in app/display/texts.py; the page (resources/web/display.html) writes its own. Every word of
the Qt display must be on the page, and every word the page shows (its markup and its script's texts) must be one of
the Qt display's, written the same: nothing upper-cased by CSS or code on either side. (What the hall model prints, the
dash of a free counter and "Tạm nghỉ", is checked with the model in test_client_hall_parity.py.)
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from app.client.hall_views import Call
from app.display import texts
from app.display.texts import earlier_calls, home_prefixes
from app.paths import resource_dir

PAGE = resource_dir() / "web" / "display.html"
PLACEHOLDERS = {"--:--"}  # the clock before its first tick


class _Text(HTMLParser):
    """The page's visible text nodes, outside <script>, <style> and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.skip += tag in ("script", "style", "title")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style", "title")

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.found.append(" ".join(data.split()))


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def board_script(html: str) -> str:
    """The page's own script (hall.js comes in its own tag), without its comments."""
    script = max(re.findall(r"<script>(.*?)</script>", html, re.S), key=len)
    script = re.sub(r"/\*.*?\*/", "", script, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$|\s//\s.*$", "", script)


def script_texts(script: str) -> set[str]:
    """String literals with a Vietnamese letter or an ellipsis in them: what the script writes on screen."""
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"', script)
    return {lit for lit in literals if re.search(r"[^\x00-\x7f]", lit)}


def test_every_word_of_the_qt_display_is_on_the_web_board() -> None:
    html = page()
    shown = set(_markup_texts(html)) | script_texts(board_script(html))
    missing = [w for w in texts.WORDS if w not in shown]
    assert not missing, missing


def _markup_texts(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.found


def test_every_word_of_the_web_board_is_the_qt_displays() -> None:
    html = page()
    words = set(texts.WORDS) | PLACEHOLDERS
    markup = [t for t in _markup_texts(html) if t not in words]
    assert not markup, f"the page shows words the Qt display does not have: {markup}"
    script = sorted(script_texts(board_script(html)) - words)
    assert not script, f"the page's script writes words the Qt display does not have: {script}"


def test_the_legend_and_the_earlier_calls_are_in_the_markup() -> None:
    html = page()
    assert '<span class="key called">Đang mời</span><span class="key serving">Đang phục vụ</span>' in html
    assert '<span id="recent-title">Vừa gọi</span><div id="recent"></div>' in html
    assert ".row.called .val { background: #ffd23f; color: #061a33;" in html  # as the legend's key: dark on yellow


def test_neither_board_changes_the_case_of_its_words() -> None:
    assert "text-transform" not in page()
    for source in Path(texts.__file__).parent.glob("*.py"):
        assert ".upper()" not in source.read_text(encoding="utf-8"), source.name
    assert all(w[:1] == w[:1].upper() or w == texts.OFFLINE_HINT for w in texts.WORDS)  # sentence case


def test_what_each_counter_serves_and_the_earlier_calls() -> None:
    """A counter's letters are its home groups' prefixes in the centre's order; earlier calls come once per ticket."""
    groups = [{"code": "HT", "prefix": "A"}, {"code": "CT", "prefix": "B"}, {"code": "DD", "prefix": "D"}]
    assert home_prefixes({"DD": 1, "CT": 2, "HT": 1}, groups) == ("A", "D")
    assert home_prefixes({"CT": 2}, groups) == ("B",)
    assert home_prefixes({}, groups) == ()
    assert home_prefixes({"XX": 1}, groups) == ("XX",)

    def call(number: str, seq: int, ticket: int, recall: bool = False) -> Call:
        return Call(number, 1, "Quầy 1", recall, "2026-11-23", seq, ticket)

    calls = [call("A003", 9, 3, True), call("B002", 8, 2), call("A003", 7, 3), call("A001", 5, 1)]
    assert [c.number for c in earlier_calls(calls)] == ["B002", "A001"]  # not the one on show, once per ticket
    assert earlier_calls(calls[:1]) == []
