"""A stand-in for the provincial one-stop system: the gateway API over real HTTP, with seeded faults.

`python -m app.sync.simulator --port 0 --data DIR [--fail-rate 0.3] [--latency-ms 50]` prints one line,
`simulator on http://HOST:PORT`, when it is ready, and serves until SIGTERM/SIGINT.

A stdlib ThreadingHTTPServer rather than uvicorn: faults need the raw socket (close it without an answer,
or after the request was applied), which an ASGI app cannot do. Fault kinds, picked with a seeded RNG for a
`fail_rate` share of API calls: "500", "timeout" (the answer comes after `slow_seconds`, longer than the
client waits; the request is applied late), "drop" (closed before applying), "drop_after" (applied, then
closed: the case that tests exactly-once) and "html502" (a proxy's HTML error page).

Control endpoints, no auth, loopback clients only:
- GET  /sim/dossiers → {"dossiers": [{"MaHoSo", "revision", "steps", "files": [sha256…], "TrangThaiHoSo",
                                      "signed": {sha256: signer} when the counter signed files}]}
- POST /sim/control {"down": bool, "fail_rate": float, "slow_seconds": float, "seed": int} (all optional;
  down = every API call answers 503, the demo's "pull the province down" switch) → the settings and
  "faults": {kind: count injected so far}
- POST /sim/status {"MaHoSo", "TrangThaiHoSo"} → the province moves a dossier itself
- GET  /sim/health → {"ok": true}
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import random
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from app.child_process import ChildProcess
from app.sync.simulator_store import DEFAULT_PASSWORD, DEFAULT_USERNAME, ProvinceStore, Reply, error, json_reply

READY_PREFIX = "simulator on "
FAULTS = ("500", "timeout", "drop", "drop_after", "html502")
MAX_BODY = 64 * 1024 * 1024
HTML_502 = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
)


class Simulator(ThreadingHTTPServer):
    daemon_threads = True  # a handler asleep in a "timeout" fault must not hold up the exit
    block_on_close = False

    def __init__(self, address: tuple[str, int], store: ProvinceStore, *, fail_rate: float = 0.0,
                 latency_ms: int = 0, slow_seconds: float = 35.0, seed: int = 1) -> None:  # fmt: skip
        super().__init__(address, _Handler)
        self.store = store
        self.fail_rate = fail_rate
        self.latency = latency_ms / 1000
        self.slow_seconds = slow_seconds  # > the gateway's default read timeout of 30 s
        self.down = False
        self.stopping = threading.Event()  # wakes handlers sleeping in latency or a timeout fault
        self._rng = random.Random(seed)  # noqa: S311 - repeatable faults, not security
        self._rng_lock = threading.Lock()
        self.faults = dict.fromkeys(FAULTS, 0)  # injected so far, by kind: tests check the mix really happened

    def pick_fault(self) -> str | None:
        with self._rng_lock:
            if self.fail_rate <= 0 or self._rng.random() >= self.fail_rate:
                return None
            fault = self._rng.choice(FAULTS)
            self.faults[fault] += 1
            return fault

    def control(self, settings: dict[str, Any]) -> dict[str, Any]:
        with self._rng_lock:
            if "down" in settings:
                self.down = bool(settings["down"])
            if "fail_rate" in settings:
                self.fail_rate = min(max(float(settings["fail_rate"]), 0.0), 1.0)
            if "slow_seconds" in settings:
                self.slow_seconds = float(settings["slow_seconds"])
            if "seed" in settings:
                self._rng.seed(int(settings["seed"]))
            return {"down": self.down, "fail_rate": self.fail_rate, "slow_seconds": self.slow_seconds,
                    "faults": dict(self.faults)}  # fmt: skip

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client gave up (its read timeout) before our late answer: expected here
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: without this each answer waits ~40 ms
    server: Simulator

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the e2e tests read stdout for the ready line only

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            self._send(error(413, 4, "Nội dung gửi lên quá lớn hoặc thiếu Content-Length."), close=True)
            return
        body = self.rfile.read(int(length))
        if url.path.startswith("/sim/"):
            self._send(self._control(method, url.path, body))
            return
        sim = self.server
        if sim.latency and sim.stopping.wait(sim.latency):
            return self._drop()
        if sim.down:
            return self._send(error(503, 503, "Hệ thống đang bảo trì, vui lòng thử lại sau."))
        if method != "POST":
            return self._send(error(405, 405, "Chỉ nhận phương thức POST."))
        fault = sim.pick_fault()
        if fault == "drop":
            return self._drop()
        if fault == "500":
            return self._send(error(500, 500, "Lỗi hệ thống."))
        if fault == "html502":
            return self._send(Reply(502, HTML_502, "text/html; charset=utf-8"))
        if fault == "timeout" and sim.stopping.wait(sim.slow_seconds):
            return self._drop()
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = sim.store.handle(url.path, dict(parse_qsl(url.query)), headers, body)
        if fault == "drop_after":
            return self._drop()  # applied, but the client never hears so
        self._send(reply)

    def _control(self, method: str, path: str, body: bytes) -> Reply:
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            return error(403, 403, "Chỉ điều khiển được từ chính máy này.")
        sim = self.server
        if method == "GET" and path == "/sim/health":
            return json_reply(200, {"ok": True})
        if method == "GET" and path == "/sim/dossiers":
            return json_reply(200, {"dossiers": sim.store.summary()})
        try:
            payload = json.loads(body or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("not an object")
            if method == "POST" and path == "/sim/control":
                return json_reply(200, sim.control(payload))
            if method == "POST" and path == "/sim/status":
                status = int(payload["TrangThaiHoSo"])
                if not 1 <= status <= 10:
                    return error(400, 4, "TrangThaiHoSo phải từ 1 đến 10.")
                if not sim.store.set_status(str(payload["MaHoSo"]), status):
                    return error(404, 5, "Không tìm thấy hồ sơ.")
                return json_reply(200, {"error_code": 0, "message": "Thành công"})
        except (ValueError, KeyError, TypeError):
            return error(400, 4, "Nội dung điều khiển không hợp lệ.")
        return error(404, 404, "Không có chức năng này.")

    def _send(self, reply: Reply, *, close: bool = False) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(reply.body)

    def _drop(self) -> None:
        self.close_connection = True  # the server closes the socket with no answer written


def run_simulator(port: int, data: Path, fail_rate: float, latency_ms: int, host: str = "127.0.0.1", *,
                  seed: int = 1, slow_seconds: float = 35.0, username: str = DEFAULT_USERNAME,
                  password: str = DEFAULT_PASSWORD) -> int:  # fmt: skip
    """Serve until SIGTERM/SIGINT; prints `simulator on http://HOST:PORT` once ready (port 0: a free one)."""
    data.mkdir(parents=True, exist_ok=True)
    store = ProvinceStore(data, username, password)
    try:
        server = Simulator((host, port), store, fail_rate=fail_rate, latency_ms=latency_ms,
                           slow_seconds=slow_seconds, seed=seed)  # fmt: skip
    except OSError as exc:
        store.close()
        print(f"Không mở được cổng {port} trên {host}: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    # serve_forever in a thread: shutdown() must be called from another thread than the loop's.
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="simulator")
    loop.start()
    print(f"{READY_PREFIX}http://{host}:{server.server_address[1]}", flush=True)
    try:
        while not stop.wait(0.5):  # a timed wait so the main thread gets to run signal handlers
            pass
    finally:
        server.stopping.set()
        server.shutdown()
        loop.join()
        server.server_close()
        store.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


class SimulatorStartError(RuntimeError):
    pass


class SimulatorProcess(ChildProcess):
    """The simulator as a child process (tests, the demo, the bench); `url` is its base URL."""

    @classmethod
    def start(cls, data: Path, *, port: int = 0, fail_rate: float = 0.0, latency_ms: int = 0, seed: int = 1,
              slow_seconds: float = 35.0, timeout: float = 30) -> SimulatorProcess:  # fmt: skip
        args = ["--data", str(data), "--port", str(port), "--fail-rate", str(fail_rate),
                "--latency-ms", str(latency_ms), "--seed", str(seed), "--slow-seconds", str(slow_seconds)]  # fmt: skip
        return cls.launch("app.sync.simulator", args, data, name="simulator", ready_prefix=READY_PREFIX,
                          timeout=timeout, error=SimulatorStartError)  # fmt: skip

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        with requests.Session() as session:
            session.trust_env = False  # loopback: never through a system proxy
            response = session.request(method, self.url + path, json=body, timeout=(5, 30))
            response.raise_for_status()
            answer: dict[str, Any] = response.json()
            return answer

    def dossiers(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._control("GET", "/sim/dossiers")["dossiers"]
        return found

    def control(self, **settings: Any) -> dict[str, Any]:
        """down=True/False, fail_rate=…, slow_seconds=…, seed=…"""
        return self._control("POST", "/sim/control", settings)

    def set_status(self, code: str, status: int) -> None:
        self._control("POST", "/sim/status", {"MaHoSo": code, "TrangThaiHoSo": status})

    def __enter__(self) -> SimulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.sync.simulator", description="Giả lập hệ thống một cửa tỉnh")
    parser.add_argument("--data", type=Path, required=True, help="thư mục dữ liệu của giả lập")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8720, help="0 = chọn cổng trống")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="tỉ lệ yêu cầu bị lỗi giả lập (0–1)")
    parser.add_argument("--latency-ms", type=int, default=0, help="độ trễ thêm cho mỗi câu trả lời")
    parser.add_argument("--seed", type=int, default=1, help="hạt giống cho lỗi giả lập (lặp lại được)")
    parser.add_argument("--slow-seconds", type=float, default=35.0, help="lỗi 'quá thời gian': chờ bao lâu")
    parser.add_argument("--username", default=DEFAULT_USERNAME)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    args = parser.parse_args(argv)
    return run_simulator(args.port, args.data, args.fail_rate, args.latency_ms, args.host, seed=args.seed,
                         slow_seconds=args.slow_seconds, username=args.username, password=args.password)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
