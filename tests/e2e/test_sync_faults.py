"""The outbox under faults, end to end: exactly one of everything at the province and at the centre.

Real child processes (the provincial simulator, the centre service, `python -m app sync`), a TCP proxy that
cuts connections mid-request and mid-response (tests/support/fault_relay.py), SIGKILL in the middle of a drain,
a dossier changed while it is in flight, and a stub province answering garbage. Loopback only.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from app.core.clock import ManualClock, SystemClock
from app.core.dossier import (
    ComponentFile,
    Dossier,
    attach_files,
    mark_done,
    request_supplement,
    return_result,
    supplement_received,
)
from app.core.dossier_codec import dossier_to_dict
from app.core.national_record import step_key
from app.dossier_cli import load_dossiers
from app.paths import default_catalog_path
from app.service.launcher import ServerProcess, start_server
from app.store.catalog_file import load_catalog_file
from app.store.dossier_store import DossierStore
from app.store.sync_state import SyncState
from app.sync import gateway
from app.sync.centre_sink import CentreSink
from app.sync.gateway import ProvincialSink
from app.sync.gateway_config import GatewayConfig
from app.sync.simulator import SimulatorProcess
from app.sync.simulator_store import DEFAULT_PASSWORD, DEFAULT_USERNAME, ProvinceStore
from app.sync.sink import Delivered, Sink, wanted_files
from app.sync.worker import Drain
from tests.support.fault_relay import FaultRelay

ROOT = Path(__file__).resolve().parents[2]
UNIT = "000.00.12.H48"
WAIT = 10.0


# --- helpers ----------------------------------------------------------------------------------------


@contextmanager
def loopback_session(*, close_each: bool = False) -> Iterator[requests.Session]:
    s = requests.Session()
    s.trust_env = False  # loopback: never through a proxy the machine may have
    if close_each:
        s.headers["Connection"] = "close"  # one request per connection: every request is a fresh fault draw
    try:
        yield s
    finally:
        close_session(s)


def close_session(s: requests.Session) -> None:
    """Close the kept-alive sockets now. urllib3 2.8's PoolManager.clear() only drops its pools and leaves
    the sockets to the garbage collector, which a pool caught in an exception's traceback cycle may wait for."""
    for adapter in s.adapters.values():
        pools = getattr(adapter, "poolmanager", None)
        if pools is not None:
            for key in pools.pools.keys():  # noqa: SIM118 - urllib3's container cannot be iterated
                pool = pools.pools.get(key)
                if pool is not None:
                    pool.close()
    s.close()


def gateway_config(url: str, *, read_timeout: float = 10.0) -> GatewayConfig:
    return GatewayConfig(base_url=url, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD, unit_code=UNIT,
                         connect_timeout=2.0, read_timeout=read_timeout)  # fmt: skip


def make_dossiers(data: Path, count: int, seed: int = 7) -> list[str]:
    made = load_dossiers(data, count, seed=seed, counter=1, unit_code=UNIT,
                         catalog=load_catalog_file(default_catalog_path()))  # fmt: skip
    return [d.code for d in made]


def pdf_file(folder: Path, name: str, size: int = 3000) -> ComponentFile:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.pdf"
    body = b"%PDF-1.4\n" + (f"% thành phần {name}\n".encode() * (size // 20 + 1))[:size]
    path.write_bytes(body)
    return ComponentFile(str(path), hashlib.sha256(body).hexdigest(), 1)


def attach(store: DossierStore, code: str, *files: ComponentFile) -> Dossier:
    return store.change(code, "files", lambda d, at: attach_files(d, at=at, clerk="lan", component=0, files=files))


def supplement(store: DossierStore, code: str) -> None:
    def ask(d: Dossier, at: datetime) -> Dossier:
        return request_supplement(d, at=at, clerk="lan", items=("Bản sao CCCD",), reason="thiếu")

    store.change(code, "supplement", ask)
    store.change(code, "supplement_received",
                 lambda d, at: supplement_received(d, at=at, clerk="lan", due_at=at + timedelta(days=3)))  # fmt: skip


def give_back(store: DossierStore, code: str) -> None:
    store.change(code, "done", lambda d, at: mark_done(d, at=at, clerk="lan"))
    store.change(code, "return", lambda d, at: return_result(d, at=at, clerk="lan", collected_by="Nguyễn Văn An"))


def sha_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def at_province(sim: SimulatorProcess) -> dict[str, dict[str, Any]]:
    found = sim.dossiers()
    by_code = {d["MaHoSo"]: d for d in found}
    assert len(by_code) == len(found), "a dossier is held twice at the province"
    return by_code


def assert_province_has_exactly(sim: SimulatorProcess, local: list[Dossier]) -> None:
    held = at_province(sim)
    assert sorted(held) == sorted(d.code for d in local)
    for d in local:
        remote = held[d.code]
        assert remote["revision"] == d.revision, d.code
        assert remote["steps"] == len(d.steps), f"{d.code}: {remote['steps']} steps there, {len(d.steps)} here"
        assert remote["files"] == sorted(wanted_files(d)), d.code
        for sha in remote["files"]:
            assert sha_of((sim.data / "files" / sha).read_bytes()) == sha


def province_step_keys(sim_data: Path) -> dict[str, set[str]]:
    """MaQuaTrinh per dossier as stored, read from the simulator's database once it has stopped."""
    with closing(sqlite3.connect(f"file:{sim_data / 'province.db'}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT code, key FROM steps").fetchall()
    keys: dict[str, set[str]] = {}
    for code, key in rows:
        keys.setdefault(code, set()).add(key)
    return keys


def pending_codes(store: DossierStore, dest: str) -> set[str]:
    return {p.code for p in SyncState(store).pending(dest)}


def sync_cli(data: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "sync", "--data", str(data), *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=cli_env(),
    )  # fmt: skip


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}  # loopback: no proxy in between
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[tuple[ServerProcess, str]]:
    proc = start_server(tmp_path / "centre")
    try:
        with loopback_session() as s:
            made = s.post(proc.url + "/api/devices", json={"name": "Quầy 1", "role": "counter"},
                          headers={"Authorization": f"Bearer {proc.admin_token}"}, timeout=WAIT)  # fmt: skip
        assert made.status_code == 201, made.text
        yield proc, str(made.json()["token"])
    finally:
        proc.stop()


# --- 1. cut connections, a failing province, a retrying worker --------------------------------------


def test_faults_on_both_links_still_give_exactly_one_of_everything(
    tmp_path: Path, centre: tuple[ServerProcess, str]
) -> None:
    server, token = centre
    data = tmp_path / "counter"
    codes = make_dossiers(data, 40)
    store = DossierStore(data, SystemClock())
    try:
        for i, code in enumerate(codes):  # files on a third, two on some; supplements and returns on others
            if i % 3 == 0:
                files = [pdf_file(tmp_path / "pdf", f"{i}a", 2000 + 97 * i)]
                if i % 2 == 0:
                    files.append(pdf_file(tmp_path / "pdf", f"{i}b", 5000 + 31 * i))
                attach(store, code, *files)
            if i % 4 == 1:
                supplement(store, code)
            if i % 5 == 2:
                give_back(store, code)
        local = [store.get(c) for c in codes]
        assert sum(1 for d in local if d.revision > 1) >= 20
        assert sum(1 for d in local if len(wanted_files(d)) == 2) >= 5

        clock = ManualClock(datetime.now(UTC))
        with (
            SimulatorProcess.start(tmp_path / "sim", fail_rate=0.3, seed=5, slow_seconds=0.6) as sim,
            FaultRelay(sim.url, rate=0.25, seed=11) as to_province,
            FaultRelay(server.url, rate=0.3, seed=12) as to_centre,
            loopback_session(close_each=True) as province_http,
            loopback_session(close_each=True) as centre_http,
        ):
            province = ProvincialSink(gateway_config(to_province.url, read_timeout=0.3), province_http)
            drains = [
                Drain(store, province, clock),
                Drain(store, CentreSink(to_centre.url, lambda: token, timeout=5.0, session=centre_http), clock),
            ]
            failures: list[int] = []

            def drain_until_empty(passes: int, seconds: float) -> int:
                deadline = time.monotonic() + seconds
                for done in range(passes):
                    if not any(pending_codes(store, d.dest) for d in drains) or time.monotonic() > deadline:
                        return done
                    failures.extend(drain.run_once().failed for drain in drains)
                    clock.advance(1000)  # past the longest backoff (600 s + 50 %): every failure is due again
                return passes

            passes = drain_until_empty(200, 150)
            # faults really happened on every path, and the worker saw them
            for proxy in (to_province, to_centre):
                assert min(proxy.faults["request"], proxy.faults["response"]) >= 3, proxy.faults
            injected = sim.control(fail_rate=0.0)["faults"]
            assert min(injected["drop_after"], injected["timeout"]) >= 1, injected
            assert sum(failures) >= 20
            assert passes >= 3
            to_province.rate = to_centre.rate = 0.0
            drain_until_empty(20, 60)
            assert pending_codes(store, "province") == set()
            assert pending_codes(store, "centre") == set()

            assert_province_has_exactly(sim, local)
            with loopback_session() as s:
                auth = {"Authorization": f"Bearer {token}"}
                for d in local:
                    got = s.get(f"{server.url}/api/dossiers/{d.code}", headers=auth, timeout=WAIT)
                    assert got.status_code == 200, got.text
                    assert got.json()["revision"] == d.revision
                    assert got.json() == dossier_to_dict(d)
                    for sha in wanted_files(d):
                        pdf = s.get(f"{server.url}/api/dossiers/{d.code}/files/{sha}", headers=auth, timeout=WAIT)
                        assert pdf.status_code == 200
                        assert sha_of(pdf.content) == sha
                        assert pdf.content == Path(next(f.path for c in d.components for f in c.files
                                                        if f.sha256 == sha)).read_bytes()  # fmt: skip
            for drain in drains:
                drain.sink.close()
            assert sim.stop() == 0
        keys = province_step_keys(tmp_path / "sim")
        for d in local:  # every step exactly once, under its own key
            assert keys.get(d.code, set()) == {step_key(d.code, i) for i in range(len(d.steps))}
        centre_files = list((tmp_path / "centre" / "dossier-files").glob("*.pdf"))
        assert len(centre_files) == len({sha for d in local for sha in wanted_files(d)})
    finally:
        store.close()


# --- 2. SIGKILL in the middle of `python -m app sync --once` ----------------------------------------


def test_sync_killed_mid_drain_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    data = tmp_path / "counter"
    codes = make_dossiers(data, 300, seed=3)
    with closing(DossierStore(data, SystemClock())) as store:
        for i, code in enumerate(codes):
            if i % 2 == 0:  # the upload after the steps keeps "steps there, not recorded here" open a while
                attach(store, code, pdf_file(tmp_path / "pdf", f"k{i}", 1000))
            if i % 3 == 0:
                give_back(store, code)
    with SimulatorProcess.start(tmp_path / "sim", latency_ms=15) as sim:
        first = subprocess.Popen(
            [sys.executable, "-m", "app", "sync", "--data", str(data), "--provincial", sim.url, "--once"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=cli_env(),
        )  # fmt: skip
        try:
            with closing(DossierStore(data, SystemClock())) as watch:
                deadline = time.monotonic() + 60

                # Kill when the province holds the steps of a dossier the counter has not recorded as sent: seen
                # while it runs, then confirmed with the process frozen (SIGSTOP), so the kill surely lands there.
                def unrecorded() -> set[str]:
                    held = {code for code, d in at_province(sim).items() if d["steps"] > 0}
                    return held & pending_codes(watch, "province") if len(held) >= 40 else set()

                while True:
                    assert time.monotonic() < deadline, "the drain never got going"
                    with pytest.raises(subprocess.TimeoutExpired):  # it must still be running at the kill
                        first.wait(0.01)
                    if not unrecorded():
                        continue
                    first.send_signal(signal.SIGSTOP)
                    if unrecorded():
                        break
                    first.send_signal(signal.SIGCONT)
                first.send_signal(signal.SIGKILL)
                assert first.wait(WAIT) == -signal.SIGKILL
                waiting = pending_codes(watch, "province")
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        held_at_kill = set(at_province(sim))
        assert len(held_at_kill) < len(codes)
        assert set(codes) - waiting <= held_at_kill  # nothing is recorded as sent that the province lacks
        assert held_at_kill & waiting  # the kill fell between "applied there" and "recorded here": resent below

        again = sync_cli(data, "--provincial", sim.url, "--once")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "không còn hồ sơ chờ" in again.stdout
        status = sync_cli(data, "--provincial", sim.url, "--status")
        assert status.returncode == 0, status.stdout
        with closing(DossierStore(data, SystemClock())) as store:
            local = [store.get(c) for c in codes]
        assert_province_has_exactly(sim, local)
        assert sim.stop() == 0
    keys = province_step_keys(tmp_path / "sim")
    assert sum(len(k) for k in keys.values()) == sum(len(d.steps) for d in local)


# --- 3. a dossier changed while an older revision is on its way --------------------------------------


@dataclass
class ChangeWhileSending:
    """A sink that, while sending `code` the first time, makes a change at the counter (a clerk at work)."""

    inner: Sink
    store: DossierStore
    code: str
    sent: list[int]
    name: str = "province"
    changed: bool = False

    def send(self, dossier: Dossier, files: Mapping[str, Path], already: Delivered) -> Delivered:
        self.sent.append(dossier.revision)
        done = self.inner.send(dossier, files, already)
        if dossier.code == self.code and not self.changed:
            self.changed = True
            supplement(self.store, self.code)  # two new revisions while the worker has not recorded this one
        return done

    def status(self, code: str) -> int | None:
        return self.inner.status(code)

    def close(self) -> None:
        self.inner.close()


class ChangingSession(requests.Session):
    """Makes a counter change the moment the progress request of `code` is on the wire (mid-send)."""

    def __init__(self, change: Callable[[], None], code: str) -> None:
        super().__init__()
        self.trust_env = False
        self.change = change
        self.code = code
        self.fired = False

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kw: Any) -> requests.Response:
        if not self.fired and str(url).endswith("/progress") and self.code.encode() in (data or b""):
            self.fired = True
            self.change()
        return super().post(url, data=data, json=json, **kw)


def test_a_change_during_the_send_ends_at_the_latest_revision(tmp_path: Path) -> None:
    data = tmp_path / "counter"
    first_code, second_code = make_dossiers(data, 2)
    with closing(DossierStore(data, SystemClock())) as store, SimulatorProcess.start(tmp_path / "sim") as sim:
        attach(store, second_code, pdf_file(tmp_path / "pdf", "x"))
        rev_second = store.get(second_code).revision

        def mid_send_change() -> None:
            give_back(store, second_code)

        session = ChangingSession(mid_send_change, second_code)
        sent: list[int] = []
        sink = ChangeWhileSending(ProvincialSink(gateway_config(sim.url), session), store, first_code, sent)
        drain = Drain(store, sink)
        first = drain.run_once()
        assert (first.sent, first.failed) == (2, 0)
        assert sent == [1, rev_second]
        # what reached the province is the revision that was read, not the newer one
        held = at_province(sim)
        assert held[first_code]["revision"] == 1
        assert held[second_code]["revision"] == rev_second
        waiting = {p.code: p for p in SyncState(store).pending("province")}
        assert sorted(waiting) == sorted([first_code, second_code])
        assert (waiting[first_code].delivered, waiting[first_code].revision) == (1, 3)
        assert (waiting[second_code].delivered, waiting[second_code].revision) == (rev_second, rev_second + 2)
        for _ in range(5):
            if not pending_codes(store, "province"):
                break
            drain.run_once()
        assert pending_codes(store, "province") == set()
        assert_province_has_exactly(sim, [store.get(first_code), store.get(second_code)])
        sink.close()
        close_session(session)


# --- 4. a province that answers garbage --------------------------------------------------------------


class HostileProvince(ThreadingHTTPServer):
    """The gateway API on loopback answering as `mode` says; "ok" is the simulator's own rules in-process."""

    daemon_threads = False
    block_on_close = True  # server_close() joins every handler: nothing outlives the test

    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        self.province = ProvinceStore(folder)
        self.mode = "ok"
        self.release = threading.Event()  # a hanging handler waits for this (bounded), never for a clock
        self.calls: list[tuple[str, str]] = []  # (mode, path) of every API call

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = WAIT  # a kept-alive connection nobody closes cannot hold the server's shutdown for longer
    server: HostileProvince

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = urlsplit(self.path)
        mode = self.server.mode
        self.server.calls.append((mode, url.path))
        if mode == "ok" or (url.path == "/api/auth/token" and mode.endswith("_data")):
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = self.server.province.handle(url.path, dict(parse_qsl(url.query)), headers, body)
            return self._answer(reply.status, reply.body, reply.content_type)
        kind = mode.removesuffix("_data")
        if kind == "html502":
            page = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
            return self._answer(502, page, "text/html")
        if kind == "huge":  # a captive portal's page, 5 MB, announced
            return self._answer(200, b"<p>" + b"x" * (5 * 1024 * 1024), "text/html")
        if kind == "huge_unannounced":  # the same without Content-Length: only the read cap stops it
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for _ in range(80):
                self.wfile.write(b" " * 65536)
            return None
        if kind == "wrong_shape":
            return self._answer(200, b'[{"error_code": 0, "message": "Thanh cong"}]', "application/json")
        if kind == "portal_json":  # a captive portal or a proxy answering JSON of its own
            return self._answer(200, b'{"status": "ok", "redirect": "/login.html"}', "application/json")
        if kind == "no_session":
            return self._answer(200, b'{"error_code": 0, "session": 12345}', "application/json")
        if kind == "bad_utf8":
            return self._answer(200, b'{"error_code": 0, "message": "Th\xe0nh c\xf4ng \xff\xfe"}', "application/json")
        if kind == "hang":  # no answer until well past the client's read timeout
            self.server.release.wait(WAIT)
            self.close_connection = True
            return None
        if kind == "hang_body":  # headers, then the body stops coming
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b'{"error_code": ')
            self.wfile.flush()
            self.server.release.wait(WAIT)
            self.close_connection = True
            return None
        raise AssertionError(f"unknown mode {mode}")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[HostileProvince]:
    server = HostileProvince(tmp_path / "stub")
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="stub-province")
    loop.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        loop.join(WAIT)
        server.server_close()
        server.province.close()


# mode → the Vietnamese reason the clerk should see
HOSTILE = [
    ("html502", gateway.BUSY),  # on the login itself (a fresh sink has no session yet)
    ("portal_json", gateway.BAD_ANSWER),  # not the province refusing the account: nobody should check passwords
    ("no_session", gateway.BAD_ANSWER),
    ("wrong_shape", gateway.BAD_ANSWER),
    ("hang", gateway.NO_CONNECTION),
    ("html502_data", gateway.BUSY),  # from here on the login goes through and the record call gets the garbage
    ("huge_data", gateway.BAD_ANSWER),
    ("huge_unannounced_data", gateway.BAD_ANSWER),
    ("wrong_shape_data", gateway.BAD_ANSWER),
    ("bad_utf8_data", gateway.BAD_ANSWER),
    ("hang_data", gateway.NO_CONNECTION),
    ("hang_body_data", gateway.NO_CONNECTION),
]


def test_garbage_from_the_province_is_a_retry_not_a_crash(tmp_path: Path, hostile: HostileProvince) -> None:
    data = tmp_path / "counter"
    (code,) = make_dossiers(data, 1)
    clock = ManualClock(datetime.now(UTC))
    with closing(DossierStore(data, SystemClock())) as store, loopback_session() as http:
        attach(store, code, pdf_file(tmp_path / "pdf", "h"))
        config = gateway_config(hostile.url, read_timeout=0.3)
        state = SyncState(store)
        for attempts, (mode, message) in enumerate(HOSTILE, start=1):
            hostile.mode = mode
            if not mode.endswith("_data"):
                drain = Drain(store, ProvincialSink(config, http), clock)  # a fresh sink logs in again
            started = time.monotonic()
            result = drain.run_once()
            assert (result.sent, result.failed, result.rejected) == (0, 1, 0), mode
            assert time.monotonic() - started < WAIT / 2, f"{mode}: the worker waited on a hang"
            (item,) = state.pending("province")
            assert item.attempts == attempts, mode
            assert item.last_error == message, mode
            assert not item.rejected
            assert item.next_try_at is not None
            assert item.next_try_at > clock.now()
            assert hostile.calls[-1][0] == mode  # the garbage was really served, to this attempt
            assert drain.run_once().failed == 0  # waits for its backoff: not hammered again in the same breath
            clock.advance(1000)
        assert hostile.province.summary() == []  # nothing was taken for a success

        hostile.mode = "ok"
        assert drain.run_once().sent == 1
        assert state.pending("province") == []
        local = store.get(code)
        (held,) = hostile.province.summary()
        assert (held["MaHoSo"], held["revision"], held["steps"]) == (code, local.revision, len(local.steps))
        assert held["files"] == sorted(wanted_files(local))


# --- 5. the command line while the province is down ------------------------------------------------


def test_sync_once_reports_what_waits_while_the_province_is_down(tmp_path: Path) -> None:
    data = tmp_path / "counter"
    codes = make_dossiers(data, 5)
    with SimulatorProcess.start(tmp_path / "sim") as sim:
        sim.control(down=True)
        down = sync_cli(data, "--provincial", sim.url, "--once")
        assert down.returncode == 3, down.stdout + down.stderr
        assert "hệ thống một cửa tỉnh: 5 hồ sơ chưa gửi đủ" in down.stdout
        listed = [line for line in down.stdout.splitlines() if line.startswith("  ")]
        assert len(listed) == 5
        for code, line in zip(sorted(codes), sorted(listed), strict=True):
            assert line.strip().startswith(code)
            assert "phiên bản 0/1" in line
            assert gateway.BUSY in line
        assert at_province(sim) == {}

        sim.control(down=False)
        # `--once` only tries what is due: wait (bounded, on that very condition) for every first backoff
        # (2 s ± 50 %) to run out
        with closing(DossierStore(data, SystemClock())) as store:
            deadline = time.monotonic() + 15
            while len(SyncState(store).due("province", datetime.now(UTC))[0]) < len(codes):
                assert time.monotonic() < deadline, "the backoff did not run out"
                threading.Event().wait(0.1)
        up = sync_cli(data, "--provincial", sim.url, "--once")
        assert up.returncode == 0, up.stdout + up.stderr
        assert "gửi xong 5, lỗi 0" in up.stdout
        assert "hệ thống một cửa tỉnh: không còn hồ sơ chờ." in up.stdout
        assert sorted(at_province(sim)) == sorted(codes)
        assert sync_cli(data, "--provincial", sim.url, "--status").returncode == 0
