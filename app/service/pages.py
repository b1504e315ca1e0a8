"""A ticket's follow-your-turn page for phones: `/t/{key}`, the QR on the ticket, and `/t/{key}.json` for its script.

Public (no token; the plain board port serves it to phones too), so only by the unguessable key printed on the
ticket, and only that ticket's public fields: number, field, time issued, state, counter, people ahead and the
estimate; never a priority category or a clerk. An unknown ticket gets a page in words, not JSON.

The page updates itself without reloading: its script opens the public event socket (`/api/events`, ws: or
wss: like the page), and on an event about its own ticket, or any change in the hall, reads `/t/{key}.json`
again (at once for its own ticket, at most once a second otherwise). While the socket is down it reads that
JSON every 15 s. When the ticket is called the phone vibrates and beeps, where the browser allows it. The texts
come from here only (`ticket_texts`), in the JSON too, so the page and its script always say the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse

from app.core.clock import LOCAL_TZ, from_iso
from app.core.errors import NotFound
from app.service.errors import error_body
from app.store.queue_store import QueueStore

POLL_S = 15  # the script's fallback while the event socket is down
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the address holds the key
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}
_STATE = {
    "waiting": "Đang chờ đến lượt",
    "called": "Đến lượt quý khách",
    "serving": "Đang được phục vụ",
    "done": "Đã kết thúc",
}
_OUTCOME = {
    "served": "Quý khách đã được phục vụ. Cảm ơn quý khách.",
    "no_show": "Số đã bị hủy vì quý khách không có mặt khi được mời. Vui lòng lấy số mới.",
    "left": "Số đã được hủy.",
    "removed_at_close": "Số đã hết hiệu lực khi kết thúc ngày làm việc.",
    "transferred": "Số đã được chuyển sang lĩnh vực khác.",
}
NOT_FOUND_TITLE = "Không tìm thấy phiếu"
NOT_FOUND_TEXT = (
    "Không tìm thấy phiếu này. Quý khách vui lòng quét lại mã QR trên phiếu của mình, "
    "hoặc hỏi cán bộ tại quầy để được hướng dẫn."
)
PUBLIC_FIELDS = ("id", "number", "group", "day", "issued_at", "state", "outcome", "call_count", "counter",
                 "people_ahead", "estimated_wait_s")  # fmt: skip


def ticket_view(ticket: dict[str, Any], group_names: dict[str, str], counter_names: dict[int, str]) -> dict[str, Any]:
    """What the page shows of a ticket (`QueueStore.ticket_progress`): its public fields, names and texts."""
    view = {k: ticket[k] for k in PUBLIC_FIELDS if k in ticket}
    group = str(ticket.get("group", ""))
    view["group_name"] = group_names.get(group, group)
    counter = ticket.get("counter")
    view["counter_name"] = counter_names.get(int(counter), f"Quầy {counter}") if counter is not None else None
    view["texts"] = ticket_texts(view)
    return view


def ticket_texts(view: dict[str, Any]) -> dict[str, str]:
    """The page's lines: state, counter, detail, field, issued."""
    state = str(view.get("state", ""))
    counter = str(view.get("counter_name") or "")
    detail = ""
    if state == "waiting" and "people_ahead" in view:
        ahead = int(view["people_ahead"])
        detail = "Quý khách là người tiếp theo." if ahead == 0 else f"Trước quý khách có {ahead} người"
        if ahead and view.get("estimated_wait_s"):
            detail += f", chờ khoảng {max(1, round(int(view['estimated_wait_s']) / 60))} phút."
        elif ahead:
            detail += "."
    elif state == "called" and int(view.get("call_count") or 0) > 1:
        detail = f"Quầy đã mời quý khách {int(view['call_count'])} lần. Xin quý khách đến ngay."
    elif state == "done":
        detail = _OUTCOME.get(str(view.get("outcome")), "")
    where = {"called": f"Mời đến {counter}", "serving": f"tại {counter}"}.get(state, "") if counter else ""
    issued = ""
    if view.get("issued_at"):
        at = from_iso(str(view["issued_at"])).astimezone(LOCAL_TZ)
        issued = f"Lấy số lúc {at:%H:%M}, ngày {at:%d/%m/%Y}"
    return {
        "state": _STATE.get(state, state),
        "counter": where,
        "detail": detail,
        "field": f"Lĩnh vực: {view['group_name']}" if view.get("group_name") else "",
        "issued": issued,
    }


def install_ticket_pages(app: FastAPI, store: QueueStore, ticket_of_key: Callable[[str], int | None]) -> None:
    """GET /t/{key}.json and /t/{key}: a ticket's view, only by the key printed on it (`ticket_of_key`)."""

    def view_of(key: str) -> dict[str, Any] | None:
        ticket_id = ticket_of_key(key)
        if ticket_id is None:
            return None
        try:
            ticket = store.ticket_progress(ticket_id)
        except NotFound:  # a valid key of a ticket this data folder does not hold (restored from a backup)
            return None
        groups = store.centre.group_names()  # a ticket of a group removed since still names it
        return ticket_view(ticket, groups, {c.id: c.name for c in store.centre.counters})

    # Registered first: "/t/{follow}" would take "KEY.json" too.
    @app.get("/t/{follow}.json", include_in_schema=False)
    def follow_json(follow: str) -> JSONResponse:
        view = view_of(follow)
        if view is None:
            return JSONResponse(error_body("not_found", NOT_FOUND_TEXT), status_code=404, headers=_HEADERS)
        return JSONResponse(view, headers=_HEADERS)

    @app.get("/t/{follow}", response_class=HTMLResponse, include_in_schema=False)
    def follow_page(follow: str) -> HTMLResponse:
        view = view_of(follow)
        if view is None:
            return HTMLResponse(not_found_page(store.centre.name), status_code=404, headers=_HEADERS)
        return HTMLResponse(ticket_page(view, store.centre.name, follow), headers=_HEADERS)


_STYLE = """body{font-family:"Noto Sans",Roboto,"Segoe UI",Arial,sans-serif;text-align:center;margin:1.5em 1em;
color:#111;background:#fff}.centre{color:#444;font-size:1.1em}.number{font-size:4.5em;font-weight:bold;margin:.15em 0}
.state{font-size:1.6em;font-weight:bold;margin:.3em 0}.counter{font-size:2em;font-weight:bold;color:#b00;margin:.2em 0}
p{font-size:1.3em;margin:.4em 0}small{color:#555;display:block;margin-top:1.5em}.called .number{color:#b00}
.called{animation:pulse 1s ease-in-out 3}@keyframes pulse{50%{opacity:.35}}.done .number{color:#888}"""


def _page(title: str, centre: str, body: str, *, head: str = "", css_class: str = "") -> str:
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">{head}<title>{escape(title)}</title><style>{_STYLE}</style></head>
<body class="{css_class}"><p class=centre>{escape(centre)}</p>{body}</body></html>"""


def not_found_page(centre: str) -> str:
    body = f"<p class=state>{escape(NOT_FOUND_TITLE)}</p><p>{escape(NOT_FOUND_TEXT)}</p>"
    return _page(NOT_FOUND_TITLE, centre, body)


def ticket_page(view: dict[str, Any], centre: str, key: str) -> str:
    texts = view["texts"]
    state = str(view["state"])
    lines = "".join(
        f'<p id="{name}" class="{name}"{"" if texts[name] else " hidden"}>{escape(texts[name])}</p>'
        for name in ("state", "counter", "detail", "field", "issued")
    )
    live = state != "done"
    hint = "Giữ trang này mở: trang tự cập nhật, điện thoại sẽ rung và báo khi đến lượt (nếu máy cho phép)."
    body = (f'<p id="number" class="number">{escape(str(view["number"]))}</p>{lines}'
            f'<small id="hint"{"" if live else " hidden"}>{escape(hint)}</small>')  # fmt: skip
    if live:
        body += f"<script>var FOLLOW = {_script_json({'key': key, 'view': view, 'poll_ms': POLL_S * 1000})};</script>"
        body += f"<script>{_SCRIPT}</script>"
    head = f'<noscript><meta http-equiv="refresh" content="{POLL_S * 2}"></noscript>' if live else ""
    return _page(f"Số {view['number']} – {centre}", centre, body, head=head, css_class=state)


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no "</", no line separators old engines reject)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


# Plain ES5, no library: old phones too. Texts come from ticket_texts() through the JSON, never from here.
_SCRIPT = r"""
(function () {
  "use strict";
  var key = FOLLOW.key, view = FOLLOW.view, myId = view.id, socket = null, retryMs = 1000;
  var pollTimer = null, fetchTimer = null, lastFetch = 0, audio = null;
  var NAMES = ["state", "counter", "detail", "field", "issued"];

  function show(next) {
    var before = view;
    view = next;
    for (var i = 0; i < NAMES.length; i++) {
      var el = document.getElementById(NAMES[i]), text = (next.texts && next.texts[NAMES[i]]) || "";
      el.textContent = text;
      if (text) { el.removeAttribute("hidden"); } else { el.setAttribute("hidden", ""); }
    }
    document.body.className = next.state;
    document.title = (next.state === "called" ? "\u25B6 " : "") + "Số " + next.number;
    var calledNow = next.state === "called" &&
      (before.state !== "called" || (next.call_count || 0) > (before.call_count || 0));
    if (calledNow) { alertCalled(); }
    if (next.state === "done") { stop(); }
  }

  function alertCalled() {
    try { if (navigator.vibrate) { navigator.vibrate([400, 200, 400, 200, 800]); } } catch (e) { /* not allowed */ }
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      audio = audio || new Ctx();
      if (audio.resume) { audio.resume(); }
      for (var i = 0; i < 3; i++) {
        var osc = audio.createOscillator(), gain = audio.createGain(), at = audio.currentTime + i * 0.35;
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.4, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.25);
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(at);
        osc.stop(at + 0.3);
      }
    } catch (e) { /* no sound on this phone */ }
  }

  // Browsers start sound only after a touch: make the audio context on the first one.
  function unlock() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx && !audio) { audio = new Ctx(); }
    } catch (e) { /* no sound on this phone */ }
  }
  document.addEventListener("touchstart", unlock, { once: true, passive: true });
  document.addEventListener("click", unlock, { once: true });

  function fetchView() {
    clearTimeout(fetchTimer);
    fetchTimer = null;
    lastFetch = Date.now();
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/t/" + encodeURIComponent(key) + ".json", true);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      if (xhr.status === 200) {
        try { show(JSON.parse(xhr.responseText)); } catch (e) { /* a torn answer: the next one will do */ }
      }
    };
    xhr.send();
  }

  // Another ticket moved: people ahead may have changed. At most one read a second.
  function fetchSoon() {
    if (fetchTimer !== null) { return; }
    fetchTimer = setTimeout(fetchView, Math.max(0, 1000 - (Date.now() - lastFetch)));
  }

  function onMessage(ev) {
    var msg;
    try { msg = JSON.parse(ev.data); } catch (e) { return; }
    if (msg.type === "snapshot") { fetchSoon(); return; }
    var t = msg.payload && msg.payload.ticket;
    if (t && (t.id === myId || (t.number === view.number && t.day === view.day))) {
      if (t.state === "called" && (view.state !== "called" || (t.call_count || 0) > (view.call_count || 0))) {
        alertCalled();  // at once; the read below brings the words
        view.state = "called";
        view.call_count = t.call_count;
      }
      fetchView();
    } else {
      fetchSoon();
    }
  }

  function connect() {
    if (!window.WebSocket) { startPolling(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://", ws;
    try { ws = new WebSocket(scheme + window.location.host + "/api/events"); } catch (e) { retry(); return; }
    socket = ws;
    ws.onopen = function () { retryMs = 1000; stopPolling(); };
    ws.onmessage = function (ev) { if (ws === socket) { onMessage(ev); } };
    ws.onclose = function () { if (ws === socket) { socket = null; retry(); } };
  }

  function retry() {
    startPolling();
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 30000);
  }

  function startPolling() {
    if (pollTimer === null) { pollTimer = setInterval(fetchView, FOLLOW.poll_ms); }
  }

  function stopPolling() {
    if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; }
  }

  function stop() {
    stopPolling();
    document.getElementById("hint").setAttribute("hidden", "");
    var ws = socket;
    socket = null;
    if (ws) { try { ws.close(); } catch (e) { /* already closed */ } }
  }

  connect();
}());
"""
