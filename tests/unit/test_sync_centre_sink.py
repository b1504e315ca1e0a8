"""The centre sink against the real centre service over HTTP (uvicorn in a thread on a pre-bound socket)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn
from requests.adapters import BaseAdapter

from app.core.clock import ManualClock
from app.core.dossier import ComponentFile, Dossier, mark_done
from app.core.dossier_codec import dossier_to_dict
from app.service.api import create_app
from app.service.server import open_store
from app.store.queue_store import QueueStore
from app.sync.centre_sink import NOT_SIGNED_IN_MESSAGE, CentreSink
from app.sync.sink import Delivered, PermanentError, TransientError
from tests.unit.test_dossier_mirror import NAME, make_dossier, with_files


class CountingSession(requests.Session):
    """A session that remembers every request it sent (method, path)."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.sent: list[tuple[str, str]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append((str(method), str(url).split("/api/", 1)[-1]))
        return super().request(method, url, *args, **kwargs)


@dataclass
class Centre:
    url: str
    admin: str
    store: QueueStore
    server: uvicorn.Server
    thread: threading.Thread
    counter_token: str = ""
    stopped: bool = field(default=False)

    def stop(self) -> None:
        if not self.stopped:
            self.server.should_exit = True
            self.thread.join(30)
            assert not self.thread.is_alive()
            self.stopped = True

    def get(self, path: str) -> requests.Response:
        with requests.Session() as s:
            s.trust_env = False
            return s.get(self.url + path, headers={"Authorization": f"Bearer {self.admin}"}, timeout=10)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    store, devices = open_store(tmp_path / "data", ManualClock())
    app = create_app(store, devices)
    # Bound and listening before the server runs: requests wait in the backlog, so no polling for readiness.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", ws="none", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="centre")
    thread.start()
    admin = (tmp_path / "data" / "admin.token").read_text().strip()
    running = Centre(f"http://127.0.0.1:{port}", admin, store, server, thread)
    with requests.Session() as s:
        s.trust_env = False
        made = s.post(
            running.url + "/api/devices",
            json={"name": "Quầy 2", "role": "counter"},
            headers={"Authorization": f"Bearer {admin}"},
            timeout=10,
        )
    assert made.status_code == 201, made.text
    running.counter_token = made.json()["token"]
    yield running
    running.stop()
    sock.close()
    store.close()


@pytest.fixture
def session() -> Iterator[CountingSession]:
    with CountingSession() as s:
        yield s


def sink_for(centre: Centre, session: requests.Session | None = None, token: str | None = "") -> CentreSink:
    value = centre.counter_token if token == "" else token
    return CentreSink(centre.url, lambda: value, timeout=10, session=session)


def test_send_record_and_two_files_then_nothing_twice(centre: Centre, session: CountingSession, tmp_path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    sink = sink_for(centre, session)
    delivered = sink.send(dossier, files, Delivered())
    assert delivered == Delivered(dossier.revision, len(dossier.steps), frozenset(files))
    assert delivered.complete(dossier)
    code = dossier.code
    assert session.sent == [
        ("PUT", f"dossiers/{code}"),
        *sorted(("PUT", f"dossiers/{code}/files/{sha}") for sha in files),
    ]
    assert centre.get(f"/api/dossiers/{code}").json() == dossier_to_dict(dossier)
    for sha, path in files.items():
        assert centre.get(f"/api/dossiers/{code}/files/{sha}").content == path.read_bytes()
    # The worker sends again with the cursor it got: nothing to do, no request at all.
    session.sent.clear()
    assert sink.send(dossier, files, delivered) == delivered
    assert session.sent == []
    # A worker that lost its cursor resends the small record only; the centre says it has the files.
    assert sink.send(dossier, files, Delivered()) == delivered
    assert session.sent == [("PUT", f"dossiers/{code}")]


def test_a_newer_revision_replaces_the_mirrored_one(centre: Centre, session: CountingSession, tmp_path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    sink = sink_for(centre, session)
    delivered = sink.send(dossier, files, Delivered())
    done = mark_done(dossier, at=dossier.received_at, clerk="canbo1")
    session.sent.clear()
    after = sink.send(done, files, delivered)
    assert after == Delivered(done.revision, len(done.steps), frozenset(files))
    assert session.sent == [("PUT", f"dossiers/{done.code}")]  # files are already there
    assert centre.get(f"/api/dossiers/{done.code}").json()["status"] == 9
    # An older revision sent late does not undo it, and the answer says the centre is ahead.
    late = sink.send(dossier, files, Delivered())
    assert late.revision == done.revision
    assert centre.get(f"/api/dossiers/{done.code}").json()["revision"] == done.revision


def test_a_missing_local_file_is_permanent_and_names_the_component(centre: Centre, tmp_path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    first = sorted(files)[0]
    files[first].unlink()
    component = next(c.name for c in dossier.components if c.files and c.files[0].sha256 == first)
    with pytest.raises(PermanentError) as caught:
        sink_for(centre).send(dossier, files, Delivered())
    message = caught.value.message
    assert "không còn nguyên vẹn trên máy quầy" in message
    assert component[:80] in message
    assert NAME not in message
    # The record went through before the file failed: the cursor says so.
    assert caught.value.delivered == Delivered(dossier.revision, len(dossier.steps), frozenset())
    assert centre.get(f"/api/dossiers/{dossier.code}").status_code == 200


def test_a_changed_local_file_is_permanent(centre: Centre, tmp_path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    first, second = sorted(files)
    files[second].write_bytes(b"%PDF-1.4 edited later")
    with pytest.raises(PermanentError, match="không còn nguyên vẹn") as caught:
        sink_for(centre).send(dossier, files, Delivered())
    # The first file (sorted) did get through before the second failed.
    assert caught.value.delivered is not None
    assert caught.value.delivered.files == frozenset({first})


def test_a_refused_record_is_permanent_with_the_centres_words(centre: Centre, tmp_path) -> None:
    dossier = make_dossier()
    first = replace(dossier.components[0], files=(ComponentFile("x.pdf", "không-phải-mã-băm", 1),))
    bad = replace(dossier, components=(first, *dossier.components[1:]), revision=2)
    with pytest.raises(PermanentError) as caught:
        sink_for(centre).send(bad, {}, Delivered())
    assert "mã băm SHA-256 không hợp lệ" in caught.value.remote_message
    assert caught.value.remote_message in caught.value.message
    assert caught.value.delivered == Delivered()


def test_no_token_waits_for_a_sign_in(centre: Centre, session: CountingSession, tmp_path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    already = Delivered(1, 1, frozenset())
    with pytest.raises(TransientError) as caught:
        sink_for(centre, session, token=None).send(dossier, files, already)
    assert caught.value.message == NOT_SIGNED_IN_MESSAGE
    assert caught.value.delivered == already
    assert session.sent == []


@pytest.mark.parametrize("token", ["wrong-token", "display"])
def test_an_ended_session_or_wrong_role_is_transient(centre: Centre, tmp_path, token: str) -> None:
    if token == "display":
        with requests.Session() as s:
            s.trust_env = False
            made = s.post(centre.url + "/api/devices", json={"name": "TV", "role": "display"},
                          headers={"Authorization": f"Bearer {centre.admin}"}, timeout=10)  # fmt: skip
        token = made.json()["token"]
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    with pytest.raises(TransientError, match="đăng nhập"):
        sink_for(centre, token=token).send(dossier, files, Delivered())


def test_a_stopped_service_is_transient(centre: Centre, tmp_path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    sink = sink_for(centre)
    centre.stop()
    already = Delivered(0, 0, frozenset())
    with pytest.raises(TransientError, match="Không kết nối được máy chủ Trung tâm") as caught:
        sink.send(dossier, files, already)
    assert caught.value.delivered == already
    sink.close()


def test_a_service_that_never_answers_times_out(tmp_path) -> None:
    # Listening but never accepting: the connection sits in the backlog and the read times out.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        dossier, files = with_files(make_dossier(), tmp_path / "counter")
        sink = CentreSink(url, lambda: "t", timeout=0.2)
        with pytest.raises(TransientError, match="không trả lời kịp"):
            sink.send(dossier, files, Delivered())
        sink.close()


class Canned(BaseAdapter):
    """Answers every request with one fixed status and body."""

    def __init__(self, status: int, body: str, content_type: str = "application/json; charset=utf-8") -> None:
        super().__init__()
        self.status, self.body, self.content_type = status, body.encode(), content_type

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.headers["Content-Type"] = self.content_type
        response.request = request
        response.url = request.url or ""
        return response

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("status", "body", "error", "fragment"),
    [
        (500, '{"error": "internal", "message": "x"}', TransientError, "sự cố (mã 500)"),
        (503, "<html>proxy</html>", TransientError, "sự cố (mã 503)"),
        (200, "<html>a captive portal</html>", TransientError, "không đúng định dạng"),
        (200, '{"code": "x"}', TransientError, "không đúng định dạng"),
        (404, '{"error": "http_404", "message": "Không có địa chỉ này"}', TransientError, "cập nhật"),
        (
            409,
            '{"error": "file_not_in_dossier", "message": "Tệp không thuộc hồ sơ này."}',
            PermanentError,
            "Tệp không thuộc hồ sơ này.",
        ),
        (400, "{}", TransientError, "mã 400"),
    ],
)
def test_answers_are_classified(status: int, body: str, error: type[Exception], fragment: str) -> None:
    session = requests.Session()
    session.mount("http://", Canned(status, body))
    dossier: Dossier = make_dossier()
    sink = CentreSink("http://centre.invalid", lambda: "t", session=session)
    with pytest.raises(error) as caught:
        sink.send(dossier, {}, Delivered())
    assert type(caught.value) is error
    assert fragment in caught.value.message  # type: ignore[attr-defined]
    session.close()


def test_own_session_ignores_proxy_settings_and_status_is_unknown() -> None:
    sink = CentreSink("http://centre.local:8710/", lambda: None)
    assert sink._session.trust_env is False
    assert sink.base_url == "http://centre.local:8710"
    assert sink.name == "centre"
    assert sink.status("X") is None
    sink.close()


def test_a_file_the_centre_lost_is_sent_again(centre: Centre, session: CountingSession, tmp_path) -> None:
    dossier, files = with_files(make_dossier(), tmp_path / "counter")
    sink = sink_for(centre, session)
    sink.send(dossier, files, Delivered())
    lost = sorted(files)[1]
    (centre.store.path.parent / "dossier-files" / f"{lost}.pdf").unlink()
    session.sent.clear()
    # The cursor claims everything, but the record's answer says what the centre really lacks.
    claimed = Delivered(dossier.revision - 1, len(dossier.steps), frozenset(files))
    assert sink.send(dossier, files, claimed) == Delivered(dossier.revision, len(dossier.steps), frozenset(files))
    assert session.sent == [("PUT", f"dossiers/{dossier.code}"), ("PUT", f"dossiers/{dossier.code}/files/{lost}")]
    assert centre.get(f"/api/dossiers/{dossier.code}/files/{lost}").content == files[lost].read_bytes()


def test_a_pushed_dossier_shows_on_its_status_page_over_http(centre: Centre, tmp_path) -> None:
    key = "Xq7mR2pLk9Tz"
    d = replace(make_dossier(), lookup_key=key)
    sink_for(centre).send(d, {}, Delivered())
    with requests.Session() as s:
        s.trust_env = False
        page = s.get(f"{centre.url}/h/{d.code}-{key}", timeout=10)  # a phone: no token
        wrong = s.get(f"{centre.url}/h/{d.code}-{key[:-1]}x", timeout=10)
        unknown = s.get(f"{centre.url}/h/{d.code[:-1]}9-{key}", timeout=10)
    assert page.status_code == 200
    assert "Đã tiếp nhận, đang giải quyết" in page.text
    assert d.code in page.text
    assert NAME not in page.text
    assert d.citizen.id_number not in page.text
    assert (wrong.status_code, unknown.status_code) == (404, 404)
    assert wrong.text == unknown.text
