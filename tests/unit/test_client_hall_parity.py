"""The web board follows the same hall rules as the apps: one event script, two models, the same board.

resources/web/hall.js (inlined into the board page) runs in Node.js; app/client/hall.py runs here. Both get the
same steps (hand-written ones for each rule, and two days recorded from the real store, in the public view a
TV gets and in the full one) and must show the same counters, waiting groups, calls, seq and day after each.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html import unescape
from typing import Any

import pytest

from app.paths import resource_dir
from tests.unit.hall_scripts import HAND_WRITTEN, Step, record_two_days, recorded_script, run_python

HALL_JS = resource_dir() / "web" / "hall.js"

# Reads {"hall": path, "script": [...]} on stdin, prints one view per step: the keys run_python() gives.
RUNNER = r"""
const fs = require("fs");
const vm = require("vm");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
vm.runInThisContext(fs.readFileSync(input.hall, "utf8"), { filename: "hall.js" });
const model = MotcuaHall.create();
const out = input.script.map(function (step) {
  var result;
  if (step.snapshot) {
    result = model.applySnapshot(step.snapshot, !!step.authoritative);
  } else {
    var applied = model.applyEvent(step.event);
    result = { fresh: applied.fresh, resync: applied.resync, call: applied.call };
  }
  return { result: result, seq: model.seq, day: model.day, counters: model.counters(), groups: model.groups(),
           calls: model.recentCalls };
});
process.stdout.write(JSON.stringify(out));
"""


def node() -> str:
    found = shutil.which("node") or shutil.which("nodejs")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js is needed to check the web board against the hall model (apt-get install nodejs)")
        pytest.skip("Node.js is not installed: the web board's rules cannot be run here")
    return found


def run_js(script: list[Step]) -> list[dict[str, Any]]:
    stdin = json.dumps({"hall": str(HALL_JS), "script": script}, ensure_ascii=False)
    done = subprocess.run([node(), "-e", RUNNER], input=stdin, capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def assert_same(script: list[Step]) -> None:
    python, js = run_python(script), run_js(script)
    assert len(js) == len(python)
    for i, (mine, theirs) in enumerate(zip(python, js, strict=True)):
        assert theirs == mine, f"step {i}: {json.dumps(script[i], ensure_ascii=False)[:300]}"


@pytest.mark.parametrize("name", sorted(HAND_WRITTEN))
def test_the_web_board_follows_each_rule(name: str) -> None:
    assert_same(HAND_WRITTEN[name]())


@pytest.mark.parametrize("public", [True, False], ids=["public", "with_token"])
def test_the_web_board_follows_two_recorded_days(public: bool) -> None:
    rec = record_two_days(public)
    script = recorded_script(rec)
    # and the re-fetches a board makes along the way, some older than the events already applied
    mixed: list[Step] = []
    for i, step in enumerate(script):
        mixed.append(step)
        if i % 4 == 3:
            mixed.append({"snapshot": rec.snapshots[max(0, i // 2)], "authoritative": False})
    assert_same(mixed)


def test_the_board_page_is_served_with_the_hall_rules_inlined() -> None:
    from app.service.display_page import HALL_SCRIPT_TAG, board_page

    web = resource_dir() / "web"
    assert HALL_SCRIPT_TAG in (web / "display.html").read_text(encoding="utf-8")
    page = board_page(web)
    assert HALL_SCRIPT_TAG not in page
    assert HALL_JS.read_text(encoding="utf-8") in page
    assert page.index("var MotcuaHall") < page.index("var hall = MotcuaHall.create()")


def test_the_board_pages_scripts_compile() -> None:
    """A syntax error in the board page would leave every TV blank: compile its scripts as a browser would."""
    from app.service.display_page import board_page

    scripts = re.findall(r"<script>(.*?)</script>", board_page(resource_dir() / "web"), re.S)
    check = (
        "const vm = require('vm'); JSON.parse(require('fs').readFileSync(0, 'utf8')).forEach(s => new vm.Script(s));"
    )
    done = subprocess.run([node(), "-e", check], input=json.dumps(scripts), capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr


# The whole board page in Node.js with a stub browser: its first GET /api/queue, then the socket's events.
PAGE_HARNESS = r"""
const fs = require("fs"), vm = require("vm");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const elements = {};
function element(id) {
  if (!elements[id]) {
    elements[id] = { id: id, className: "", innerHTML: "", textContent: "", style: {}, clientWidth: 0, clientHeight: 0,
      offsetWidth: 0, scrollWidth: 0, scrollHeight: 0, getBoundingClientRect() { return {}; },
      getElementsByTagName() { return []; } };
  }
  return elements[id];
}
const requests = [], sockets = [];
class FakeXHR { open(m, url) { this.url = url; } send() { requests.push(this); } getResponseHeader() { return null; } }
class FakeSocket { constructor(url) { this.url = url; this.readyState = 1; sockets.push(this); } close() {} }
const sandbox = {
  window: { location: { protocol: "http:", host: "10.0.0.2:8711" }, innerHeight: 1080 },
  document: { body: element("body"), getElementById: element },
  XMLHttpRequest: FakeXHR, WebSocket: FakeSocket, JSON: JSON, Math: Math, Date: Date, String: String, isNaN: isNaN,
  setTimeout() { return 1; }, clearTimeout() {}, setInterval() { return 1; }, clearInterval() {},
};
sandbox.window.WebSocket = FakeSocket;
vm.createContext(sandbox);
for (const script of input.scripts) { vm.runInContext(script, sandbox); }
const first = requests.find(r => r.url === "/api/queue");
first.readyState = 4; first.status = 200; first.responseText = JSON.stringify(input.snapshot);
first.onreadystatechange();
const ws = sockets[0];
ws.onopen();
for (const e of input.events) { ws.onmessage({ data: JSON.stringify(e) }); }
process.stdout.write(JSON.stringify({ url: ws.url, board: elements.board.innerHTML, waiting: elements.waiting.innerHTML,
  number: elements["call-number"].textContent, counter: elements["call-counter"].textContent,
  label: elements["call-label"].textContent, recent: elements.recent.innerHTML,
  recentClass: elements["recent-wrap"].className }));
"""


def test_the_board_page_shows_what_the_model_shows() -> None:
    """Not only hall.js: the page's own script renders the model's views (rows with what each counter serves, chips,
    the hero, the earlier calls) by the Qt display's rules (app/display/texts.py)."""
    from app.client.hall import HallModel
    from app.display.texts import earlier_calls, home_prefixes
    from app.service.display_page import board_page

    rec = record_two_days(public=True)
    scripts = re.findall(r"<script>(.*?)</script>", board_page(resource_dir() / "web"), re.S)
    half = rec.events[: len(rec.events) * 2 // 3]  # stop on the first day, with calls on show
    stdin = json.dumps({"scripts": scripts, "snapshot": rec.snapshots[0], "events": half}, ensure_ascii=False)
    done = subprocess.run([node(), "-e", PAGE_HARNESS], input=stdin, capture_output=True, text=True, timeout=60,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)
    model = HallModel()
    model.apply_snapshot(rec.snapshots[0], authoritative=True)
    for message in half:
        model.apply_event(message)
    assert page["url"] == "ws://10.0.0.2:8711/api/events?since=0"
    row = (
        r'<div class="row (\w+)"><span class="name">(.*?)</span><span class="serves">(.*?)</span>'
        r'<span class="break"></span><span class="val">(.*?)</span></div>'
    )
    rows = [(s, unescape(n), tuple(re.findall(r"<b>(.*?)</b>", b)), unescape(v))
            for s, n, b, v in re.findall(row, page["board"])]  # fmt: skip
    assert rows == [
        (c.status, c.name, home_prefixes((model.counter_row(c.id) or {}).get("groups"), model.groups), c.value)
        for c in model.counter_views()
    ]
    assert any(status in ("called", "serving") for status, _, _, _ in rows)
    assert all(letters for _, _, letters, _ in rows)
    cells = re.findall(r'<div class="rc"><span class="num">(.*?)</span><span class="ctr">(.*?)</span></div>',
                       page["recent"])  # fmt: skip
    earlier = earlier_calls(model.recent_calls)
    assert earlier, "the recorded day has calls before the last one"
    assert [(n, unescape(c)) for n, c in cells] == [(c.number, c.counter_name) for c in earlier]
    assert "empty" not in page["recentClass"]
    chips = re.findall(r'<div class="chip( shut)?"><span class="pfx">(.*?)</span><span class="gname">(.*?)</span>'
                       r'<span class="cnt">(\d+)</span></div>', page["waiting"])  # fmt: skip
    assert [(not shut, p, unescape(n), int(c)) for shut, p, n, c in chips] == [
        (g.open, g.prefix, g.name, g.waiting) for g in model.group_views()
    ]
    call = model.last_call
    assert call is not None
    assert (page["label"], page["number"], page["counter"]) == (
        "Mời lại số" if call.recall else "Mời số",
        call.number,
        call.counter_phrase,
    )
