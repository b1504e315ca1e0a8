"""What the hall boards print: every word of the Qt display, and the two small rules that make its texts.

The web board (resources/web/display.html) prints the same words in the same case, and applies the same two rules
in its own script: tests/unit/test_display_words.py reads the page and compares both ways, and
tests/unit/test_client_hall_parity.py runs the page on a recorded day and compares what it shows with these rules.
No Qt here, so the unit tests can import it. (The texts of the hall model itself, a free counter's dash and
"Tạm nghỉ", live with the model in app/client/hall_views.py.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.client.hall_views import Call, as_int

DEFAULT_CENTRE = "Trung tâm Phục vụ hành chính công"
COUNTER_HEAD = "Quầy"  # over the counters' names
CALLED_KEY = "Đang mời"  # the legend: a called number is dark on yellow …
SERVING_KEY = "Đang phục vụ"  # … a number being served is white
RECENT_TITLE = "Vừa gọi"
WAITING_TITLE = "Số người đang chờ"
IDLE_TITLE = "Kính chào quý khách"
IDLE_TEXT = "Vui lòng lấy số thứ tự và chờ đến lượt."
CALL_LABEL = "Mời số"
RECALL_LABEL = "Mời lại số"
OFFLINE_TITLE = "Mất kết nối"
OFFLINE_HINT = "đang kết nối lại…"
WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")  # datetime.weekday()

WORDS = (DEFAULT_CENTRE, COUNTER_HEAD, CALLED_KEY, SERVING_KEY, RECENT_TITLE, WAITING_TITLE, IDLE_TITLE, IDLE_TEXT,
         CALL_LABEL, RECALL_LABEL, OFFLINE_TITLE, OFFLINE_HINT, *WEEKDAYS)  # fmt: skip

RECENT_SHOWN = 5  # earlier calls under the counters, besides the one in large type


def home_prefixes(levels: Mapping[str, Any] | None, groups: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """What a counter serves, as the ticket letters a citizen holds: the prefixes of its home groups (the level it
    serves first), in the centre's order of groups. `levels` is the counter's {group code: level}."""
    if not levels:
        return ()
    top = min(as_int(level, 1) for level in levels.values())
    home = {code for code, level in levels.items() if as_int(level, 1) == top}
    known = [g for g in groups if g.get("code") in home]
    shown = [str(g.get("prefix") or g.get("code")) for g in known]
    shown += sorted(code for code in home if code not in {g.get("code") for g in known})
    return tuple(shown)


def earlier_calls(calls: Sequence[Call], limit: int = RECENT_SHOWN) -> list[Call]:
    """The calls before the one on show (newest first), one per ticket: a recall does not push another out."""
    seen: set[object] = set()
    kept: list[Call] = []
    for i, call in enumerate(calls):
        key = call.ticket_id if call.ticket_id is not None else call.number
        if key in seen:
            continue
        seen.add(key)
        if i > 0:
            kept.append(call)
    return kept[:limit]
