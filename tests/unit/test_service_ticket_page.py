"""A ticket's follow page (/t/{key}): words for an unknown ticket, what it says in each state, its JSON, and its
script (run in Node.js with a stub browser: the event socket, the fallback poll, vibration and a beep)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.clock import ManualClock
from app.service.api import create_app, follow_key_secret
from app.service.server import open_store

Env = tuple[TestClient, dict[str, str], Path]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    data = tmp_path / "data"
    store, devices = open_store(data, ManualClock())
    token = (data / "admin.token").read_text().strip()
    with TestClient(create_app(store, devices)) as client:
        yield client, {"Authorization": f"Bearer {token}"}, data
    store.close()


def issue(env: Env, group: str = "HT", **body: Any) -> dict[str, Any]:
    client, admin, _ = env
    r = client.post("/api/tickets", json={"group": group, **body}, headers=admin)
    assert r.status_code == 201, r.text
    ticket: dict[str, Any] = r.json()
    return ticket


def text_of(html: str) -> str:
    """The words a phone shows (scripts and tags left out)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_an_unknown_ticket_gets_a_page_in_words(env: Env) -> None:
    client, _, data = env
    mac = hmac.new(follow_key_secret(data), b"999", hashlib.sha256).hexdigest()[:20]
    for key in (f"999-{mac}", "999-" + "0" * 20, "abc"):  # a valid key of no ticket here, a forged one, junk
        page = client.get(f"/t/{key}")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        words = text_of(page.text)
        assert "Không tìm thấy phiếu" in words
        assert "Quý khách vui lòng quét lại mã QR" in words
        assert '"error"' not in page.text
        assert 'name="viewport"' in page.text
    missing = client.get(f"/t/999-{mac}.json")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"


def test_a_waiting_ticket_shows_its_field_its_time_and_who_is_ahead(env: Env) -> None:
    client, _, _ = env
    issue(env)
    second = issue(env)
    page = client.get(f"/t/{second['follow']}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert second["number"] in words
    assert "Đang chờ đến lượt" in words
    assert "Trước quý khách có 1 người" in words
    assert "Lĩnh vực: Hộ tịch" in words
    assert re.search(r"Lấy số lúc \d\d:\d\d, ngày \d\d/\d\d/\d{4}", words)
    assert "Mời đến" not in words
    assert page.headers["cache-control"] == "no-store"
    # live by events, not by reloading the whole page every few seconds
    assert 'http-equiv="refresh"' not in page.text.replace('<noscript><meta http-equiv="refresh"', "")
    script = page.text
    assert '"/api/events"' in script
    assert 'location.protocol === "https:" ? "wss://" : "ws://"' in script
    assert f"{second['follow']}" in script
    assert ".json" in script
    assert "navigator.vibrate" in script
    assert "AudioContext" in script


def test_called_then_served_then_done(env: Env) -> None:
    client, admin, _ = env
    first = issue(env)
    client.post("/api/counters/1/call-next", headers=admin)
    words = text_of(client.get(f"/t/{first['follow']}").text)
    assert "Đến lượt quý khách" in words
    assert "Mời đến Quầy 1" in words
    client.post("/api/counters/1/recall", headers=admin)
    assert "Quầy đã mời quý khách 2 lần" in text_of(client.get(f"/t/{first['follow']}").text)
    client.post("/api/counters/1/start", headers=admin)
    words = text_of(client.get(f"/t/{first['follow']}").text)
    assert "Đang được phục vụ" in words
    assert "tại Quầy 1" in words
    assert "Mời đến" not in words  # being served is not being called
    client.post("/api/counters/1/finish", headers=admin)
    page = client.get(f"/t/{first['follow']}").text
    assert "Quý khách đã được phục vụ." in text_of(page)
    assert "<script" not in page  # nothing more will change


def test_the_json_holds_only_this_tickets_public_fields(env: Env) -> None:
    client, admin, _ = env
    mine = issue(env, priority="disabled")
    issue(env)
    view = client.get(f"/t/{mine['follow']}.json").json()
    assert set(view) == {"id", "number", "group", "group_name", "day", "issued_at", "state", "outcome", "call_count",
                         "counter", "counter_name", "people_ahead", "estimated_wait_s", "texts"}  # fmt: skip
    assert "priority" not in json.dumps(view)
    assert view["state"] == "waiting"
    assert view["people_ahead"] == 0
    assert view["texts"]["detail"] == "Quý khách là người tiếp theo."
    client.post("/api/counters/2/call-next", headers=admin)
    view = client.get(f"/t/{mine['follow']}.json").json()
    assert (view["state"], view["counter"], view["counter_name"]) == ("called", 2, "Quầy 2")
    assert view["texts"]["counter"] == "Mời đến Quầy 2"
    assert client.get(f"/t/{mine['id']}.json").status_code == 404  # only by the key


def test_citizens_are_addressed_as_quy_khach(env: Env) -> None:
    from app.service import pages

    texts = [*pages._OUTCOME.values(), *pages._STATE.values(), pages.NOT_FOUND_TEXT]
    for text in texts:
        assert not re.search(r"\b(bạn|công dân)\b", text, re.I), text


# --- the page's script, in Node.js with a stub browser ------------------------------------------------------

HARNESS = r"""
const fs = require("fs"), vm = require("vm");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const log = [];
const elements = {};
function element(id) {
  if (!elements[id]) {
    elements[id] = { id: id, textContent: "", hidden: false,
      setAttribute(name) { if (name === "hidden") { this.hidden = true; } },
      removeAttribute(name) { if (name === "hidden") { this.hidden = false; } } };
  }
  return elements[id];
}
const timers = [];
const sockets = [];
const requests = [];
class FakeSocket { constructor(url) { this.url = url; sockets.push(this); } close() { this.closed = true; } }
class FakeXHR {
  open(method, url) { this.url = url; }
  send() { requests.push(this); }
}
class FakeAudio {
  constructor() { this.currentTime = 0; this.destination = {}; log.push("audio"); }
  resume() {}
  createOscillator() { return { frequency: {}, connect() {}, start() { log.push("beep"); }, stop() {} }; }
  createGain() { return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect() {} }; }
}
const window = { location: { protocol: input.protocol, host: "10.0.0.2:8710" }, WebSocket: FakeSocket,
                 AudioContext: FakeAudio };
const sandbox = {
  window: window, WebSocket: FakeSocket, XMLHttpRequest: FakeXHR, JSON: JSON, Math: Math, Date: Date,
  encodeURIComponent: encodeURIComponent,
  navigator: { vibrate(pattern) { log.push("vibrate"); return true; } },
  document: { title: "", body: { className: "" }, getElementById: element, addEventListener() {} },
  setTimeout(fn, ms) { timers.push({ fn: fn, ms: ms, every: false }); return timers.length; },
  clearTimeout(id) { if (id) { timers[id - 1].fn = null; } },
  setInterval(fn, ms) { timers.push({ fn: fn, ms: ms, every: true }); return timers.length; },
  clearInterval(id) { if (id) { timers[id - 1].fn = null; } },
};
vm.createContext(sandbox);
for (const script of input.scripts) { vm.runInContext(script, sandbox); }
function answer(view) {
  const xhr = requests.shift();
  xhr.readyState = 4; xhr.status = 200; xhr.responseText = JSON.stringify(view); xhr.onreadystatechange();
  return xhr.url;
}
function runTimers(every) {
  const due = timers.filter(t => t.fn && t.every === every);
  due.forEach(t => { const fn = t.fn; if (!t.every) { t.fn = null; } fn(); });
}
const out = { url: sockets[0].url };
const ws = sockets[0];
ws.onopen();
ws.onmessage({ data: JSON.stringify({ type: "snapshot", seq: 3, queue: {} }) });
runTimers(false);
out.after_snapshot = requests.length;
answer(input.views.waiting);
ws.onmessage({ data: JSON.stringify(input.events.other) });
out.other_is_debounced = requests.length;
runTimers(false);
out.other_fetched = requests.length;
answer(input.views.waiting);
out.before_call = log.slice();
ws.onmessage({ data: JSON.stringify(input.events.mine) });
out.at_call = log.slice();
out.mine_fetched_at_once = requests.length;
out.fetched_url = answer(input.views.called);
out.after_call = log.slice();
out.counter = elements.counter.textContent;
out.title = sandbox.document.title;
out.body = sandbox.document.body.className;
ws.onclose();
out.polling = timers.filter(t => t.fn && t.every).map(t => t.ms);
runTimers(true);
out.poll_fetched = requests.length;
answer(input.views.done);
out.hint_hidden = elements.hint.hidden;
out.polling_after_done = timers.filter(t => t.fn && t.every).length;
process.stdout.write(JSON.stringify(out));
"""


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        pytest.skip("Node.js is not installed: the page's script cannot be run here")
    return found


@pytest.mark.parametrize(("protocol", "scheme"), [("http:", "ws://"), ("https:", "wss://")])
def test_the_page_script_follows_events_vibrates_beeps_and_falls_back_to_polling(
    env: Env, protocol: str, scheme: str
) -> None:
    client, admin, _ = env
    mine = issue(env)
    page = client.get(f"/t/{mine['follow']}").text
    waiting = client.get(f"/t/{mine['follow']}.json").json()
    client.post("/api/counters/1/call-next", headers=admin)
    called = client.get(f"/t/{mine['follow']}.json").json()
    for _ in range(2):  # a no-show only after the calls the ticket promises
        client.post("/api/counters/1/recall", headers=admin)
    assert client.post("/api/counters/1/no-show", headers=admin).status_code == 200
    done = client.get(f"/t/{mine['follow']}.json").json()
    other = {"type": "event", "seq": 4, "kind": "ticket.issued", "payload": {"ticket": {"id": mine["id"] + 1}}}
    called_ticket = {"id": mine["id"], "number": mine["number"], "state": "called", "call_count": 1}
    call = {"type": "event", "seq": 5, "kind": "ticket.called", "payload": {"ticket": called_ticket}}
    stdin = json.dumps({
        "protocol": protocol,
        "scripts": re.findall(r"<script>(.*?)</script>", page, re.S),
        "views": {"waiting": waiting, "called": called, "done": done},
        "events": {"other": other, "mine": call},
    })  # fmt: skip
    run = subprocess.run([node(), "-e", HARNESS], input=stdin, capture_output=True, text=True, timeout=60,
                         check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["url"] == f"{scheme}10.0.0.2:8710/api/events"
    assert out["after_snapshot"] == 1
    assert out["other_is_debounced"] == 0  # another ticket: read once the burst is over
    assert out["other_fetched"] == 1
    assert out["before_call"] == []
    assert out["at_call"][:2] == ["vibrate", "audio"]  # at once, from the event
    assert "beep" in out["at_call"]
    assert out["mine_fetched_at_once"] == 1
    assert out["fetched_url"] == f"/t/{mine['follow']}.json"
    assert out["after_call"] == out["at_call"]  # the read confirms the call: no second alarm
    assert out["counter"] == "Mời đến Quầy 1"
    assert out["title"].startswith("▶ Số ")
    assert out["body"] == "called"
    assert out["polling"] == [15_000]  # the socket is down: read the JSON every 15 s
    assert out["poll_fetched"] == 1
    assert out["hint_hidden"] is True
    assert out["polling_after_done"] == 0
