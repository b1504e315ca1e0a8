"""Small HTML pages for phones: the QR on a ticket opens its turn here."""

from __future__ import annotations

from html import escape
from typing import Any

REFRESH_S = 15

_STATE = {
    "waiting": "Đang chờ",
    "called": "Đang được mời",
    "serving": "Đang được phục vụ",
    "done": "Đã kết thúc",
}
_OUTCOME = {
    "served": "Đã được phục vụ.",
    "no_show": "Số đã bị hủy vì không có mặt khi được gọi. Vui lòng lấy số mới.",
    "left": "Số đã được hủy.",
    "removed_at_close": "Số đã hết hiệu lực khi kết thúc ngày làm việc.",
}


def ticket_page(ticket: dict[str, Any], centre: str, counter_names: dict[int, str]) -> str:
    state = str(ticket["state"])
    lines = [f"<p class=state>{escape(_STATE.get(state, state))}</p>"]
    if state == "waiting" and "people_ahead" in ticket:
        ahead = int(ticket["people_ahead"])
        text = "Bạn là người tiếp theo." if ahead == 0 else f"Trước bạn có {ahead} người"
        if ahead and ticket.get("estimated_wait_s"):
            text += f", chờ khoảng {max(1, round(int(ticket['estimated_wait_s']) / 60))} phút."
        lines.append(f"<p>{escape(text)}</p>")
    if state in ("called", "serving") and ticket.get("counter") is not None:
        name = counter_names.get(int(ticket["counter"]), f"Quầy {ticket['counter']}")
        lines.append(f"<p class=counter>Mời đến {escape(name)}</p>")
    if state == "done":
        lines.append(f"<p>{escape(_OUTCOME.get(str(ticket.get('outcome')), ''))}</p>")
    refresh = f'<meta http-equiv="refresh" content="{REFRESH_S}">' if state != "done" else ""
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
{refresh}<title>Số {escape(str(ticket["number"]))} – {escape(centre)}</title>
<style>body{{font-family:sans-serif;text-align:center;margin:2em 1em;color:#111}}
.number{{font-size:4.5em;font-weight:bold;margin:.2em 0}}.state{{font-size:1.6em;font-weight:bold}}
.counter{{font-size:2em;font-weight:bold;color:#b00}}p{{font-size:1.3em}}small{{color:#555}}</style></head>
<body><p>{escape(centre)}</p><p class=number>{escape(str(ticket["number"]))}</p>{"".join(lines)}
<small>Trang tự cập nhật mỗi {REFRESH_S} giây.</small></body></html>"""
