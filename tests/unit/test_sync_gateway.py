"""ProvincialSink against the simulator's own rules, in-process through a recording `requests` transport adapter.

The adapter hands each request to ProvinceStore (the same code the simulator serves over HTTP) unless a fault is
queued for that path: a canned reply, an exception (nothing applied), or "applied, then the answer lost".
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from app.core.clock import LOCAL_TZ
from app.core.dossier import Citizen, Component, ComponentFile, Dossier, Fee, Status, Statutory, Step
from app.sync.gateway import ProvincialSink
from app.sync.gateway_config import GatewayConfig, GatewayConfigError, load_gateway_config
from app.sync.simulator_store import DEFAULT_PASSWORD, DEFAULT_USERNAME, ProvinceStore, Reply, json_reply
from app.sync.sink import Delivered, PermanentError, TransientError

BASE = "https://province.test"
CODE = "000.00.12.H48-261110-0001"
NAME = "Nguyễn Thị Ánh Tuyết"
ID = "034186012345"
AT = datetime(2026, 11, 10, 9, 0, tzinfo=LOCAL_TZ)
AFTER = object()  # fault: apply the request, then lose the answer


@dataclass
class Call:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    timeout: Any
    verify: Any


class InfiniteBody:
    """A chunked answer that never ends: proves the sink stops reading at its cap."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, n: int = -1, **_: Any) -> bytes:
        n = 65536 if n is None or n < 0 else n
        self.read_bytes += n
        return b"x" * n

    def close(self) -> None:
        pass


class FakeProvince(BaseAdapter):
    def __init__(self, store: ProvinceStore) -> None:
        super().__init__()
        self.store = store
        self.calls: list[Call] = []
        self.faults: dict[str, list[Any]] = {}

    def fail(self, path: str, *faults: Any) -> None:
        self.faults.setdefault(path, []).extend(faults)

    def paths(self) -> list[str]:
        return [c.path for c in self.calls]

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, verify: Any = True,
             cert: Any = None, proxies: Any = None) -> requests.Response:  # fmt: skip
        url = urlsplit(request.url or "")
        body: Any = request.body  # bytes, or the open file of an upload
        raw_body = body.read() if hasattr(body, "read") else body.encode() if isinstance(body, str) else body or b""
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.calls.append(Call(url.path, dict(parse_qsl(url.query)), headers, raw_body, timeout, verify))
        queued = self.faults.get(url.path)
        fault = queued.pop(0) if queued else None
        if isinstance(fault, BaseException):
            raise fault
        if isinstance(fault, Reply | InfiniteBody):
            reply = fault
        else:
            reply = self.store.handle(url.path, dict(parse_qsl(url.query)), headers, raw_body)
            if fault is AFTER:
                raise requests.ConnectionError("Connection aborted: RemoteDisconnected")
        response = requests.Response()
        response.request = request
        response.url = request.url or ""
        if isinstance(reply, InfiniteBody):
            response.status_code = 200
            response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
            response.raw = reply
        else:
            response.status_code = reply.status
            response.headers = CaseInsensitiveDict({"Content-Type": reply.content_type, **reply.headers})
            response.headers.setdefault("Content-Length", str(len(reply.body)))
            response.raw = io.BytesIO(reply.body)
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ProvinceStore]:
    s = ProvinceStore(tmp_path / "province")
    yield s
    s.close()


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "ca-tinh.pem"
    path.write_text("not read by the fake transport\n")
    return path


@pytest.fixture
def province(store: ProvinceStore) -> FakeProvince:
    return FakeProvince(store)


@pytest.fixture
def sink(province: FakeProvince, ca: Path) -> Iterator[ProvincialSink]:
    session = requests.Session()
    session.mount(BASE, province)
    config = GatewayConfig(base_url=BASE, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD, unit_code="H48",
                           ca_bundle=ca)  # fmt: skip
    s = ProvincialSink(config, session, field_names={"HT": "Hộ tịch"})
    yield s
    s.close()
    session.close()


def pdf(tmp_path: Path, name: str, content: bytes) -> tuple[ComponentFile, Path]:
    path = tmp_path / name
    path.write_bytes(content)
    return ComponentFile(str(path), hashlib.sha256(content).hexdigest(), 1), path


def make(tmp_path: Path, *, steps: int = 1, files: int = 2, **changes: object) -> tuple[Dossier, dict[str, Path]]:
    made = [pdf(tmp_path, f"tp{i}.pdf", f"%PDF-1.7 thành phần {i}".encode()) for i in range(files)]
    d = Dossier(
        code=CODE, procedure_code="1.004873", procedure_name="Xác nhận tình trạng hôn nhân", field_code="HT",
        citizen=Citizen(ID, NAME, date(1986, 3, 5)), components=tuple(Component(f"TP {i}", files=(f,))
        for i, (f, _) in enumerate(made)) or (Component("Tờ khai"),), received_at=AT,
        due_at=AT + timedelta(days=3), statutory=Statutory(3, "working_days"), clerk="lan", counter=1,
        fees=(Fee("Lệ phí", 10_000),),
        steps=tuple(Step(AT + timedelta(minutes=i), Status.RECEIVED, "lan", f"Bước {i}") for i in range(steps)),
        revision=2,
    )  # fmt: skip
    return replace(d, **changes), {f.sha256: p for f, p in made}  # type: ignore[arg-type]


def add_steps(d: Dossier, n: int) -> Dossier:
    extra = tuple(Step(AT + timedelta(hours=1, minutes=i), Status.PROCESSING, "lan", "Xử lý") for i in range(n))
    return replace(d, steps=(*d.steps, *extra), revision=d.revision + n)


def stored(store: ProvinceStore) -> dict[str, Any]:
    (only,) = store.summary()
    return only


def no_personal_data(exc: Exception) -> None:
    text = f"{exc} {getattr(exc, 'detail', '')} {exc.__cause__!r} {exc.__context__!r}"
    assert NAME not in text
    assert ID not in text


def test_create_sends_record_steps_and_files(sink: ProvincialSink, province: FakeProvince, store: ProvinceStore,
                                             tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path)
    got = sink.send(d, files, Delivered())
    assert got == Delivered(2, 1, frozenset(files), None)
    assert province.paths() == ["/api/auth/token", "/api/dossiers/create", "/api/dossiers/progress",
                                "/api/dossiers/files", "/api/dossiers/files"]  # fmt: skip
    login, create, progress, *uploads = province.calls
    assert json.loads(login.body) == {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}
    (record,) = json.loads(create.body)  # an array of one record, like TD
    assert (record["MaHoSo"], record["PhienBan"], record["TenLinhVuc"], record["DonViXuLy"]) == (
        CODE,
        2,
        "Hộ tịch",
        "H48",
    )
    assert create.headers["authorization"].startswith("Bearer ")
    assert [s["MaQuaTrinh"] for s in json.loads(progress.body)] == [f"{CODE}-1"]
    for call in uploads:
        assert call.headers["content-type"] == "application/pdf"
        assert call.query["MaHoSo"] == CODE
        assert call.body == files[call.query["TepDinhKemId"]].read_bytes()
    assert stored(store) == {"MaHoSo": CODE, "revision": 2, "steps": 1, "files": sorted(files), "TrangThaiHoSo": 2}


def test_every_request_has_timeouts_and_the_pinned_ca(sink: ProvincialSink, province: FakeProvince, ca: Path,
                                                      tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path, steps=12)
    sink.send(d, files, Delivered())
    sink.status(CODE)
    assert len(province.calls) == 7
    assert all(c.timeout == (5.0, 30.0) for c in province.calls)
    assert all(c.verify == str(ca) for c in province.calls)


def test_already_exists_becomes_an_update(sink: ProvincialSink, province: FakeProvince, store: ProvinceStore,
                                          tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path)
    sink.send(d, files, Delivered())
    newer = add_steps(d, 1)
    province.calls.clear()
    # The counter lost its record of the first delivery: it creates again, hears "đã tồn tại", updates.
    got = sink.send(newer, files, Delivered())
    assert province.paths()[:2] == ["/api/dossiers/create", "/api/dossiers/update"]
    assert got.revision == newer.revision
    assert stored(store)["revision"] == newer.revision
    assert stored(store)["steps"] == 2
    province.calls.clear()
    sink.send(add_steps(newer, 1), files, got)  # known to be there: straight to update
    assert province.paths() == ["/api/dossiers/update", "/api/dossiers/progress"]


def test_an_older_revision_arriving_late_is_ignored(sink: ProvincialSink, store: ProvinceStore, tmp_path: Path) -> None:
    d, files = make(tmp_path)
    newer = add_steps(d, 1)
    sink.send(newer, files, Delivered())
    sink.send(d, files, Delivered(revision=1))  # a stale worker: accepted, ignored
    assert stored(store)["revision"] == newer.revision


def test_steps_go_in_chunks_of_ten_with_stable_keys(sink: ProvincialSink, province: FakeProvince,
                                                    store: ProvinceStore, tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path, steps=25, files=0)
    got = sink.send(d, files, Delivered())
    chunks = [json.loads(c.body) for c in province.calls if c.path == "/api/dossiers/progress"]
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert [s["MaQuaTrinh"] for c in chunks for s in c] == [f"{CODE}-{i}" for i in range(1, 26)]
    assert got.steps == 25
    more = add_steps(d, 3)
    province.calls.clear()
    got = sink.send(more, files, got)
    (chunk,) = [json.loads(c.body) for c in province.calls if c.path == "/api/dossiers/progress"]
    assert [s["MaQuaTrinh"] for s in chunk] == [f"{CODE}-26", f"{CODE}-27", f"{CODE}-28"]
    sink.send(more, files, replace(got, steps=20))  # an answer was lost: steps 21–28 go again
    assert stored(store)["steps"] == 28
    assert [s["MaQuaTrinh"] for s in store.steps(CODE)] == [f"{CODE}-{i}" for i in range(1, 29)]


def test_files_are_uploaded_once(sink: ProvincialSink, province: FakeProvince, tmp_path: Path) -> None:
    d, files = make(tmp_path)
    got = sink.send(d, files, Delivered())
    province.calls.clear()
    assert sink.send(d, files, got) == got
    assert province.calls == []  # nothing left to send: not even a login
    extra, path = pdf(tmp_path, "new.pdf", b"%PDF new")
    more = replace(d, components=(*d.components, Component("Mới", files=(extra,))), revision=d.revision + 1)
    got = sink.send(more, {**files, extra.sha256: path}, got)
    uploads = [c.query["TepDinhKemId"] for c in province.calls if c.path == "/api/dossiers/files"]
    assert uploads == [extra.sha256]
    assert got.files == frozenset({*files, extra.sha256})


def test_partial_progress_is_reported_on_failure(sink: ProvincialSink, province: FakeProvince,
                                                 store: ProvinceStore, tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path, steps=25)
    province.fail("/api/dossiers/progress", None, json_reply(500, {"error_code": 500, "message": "Lỗi"}))
    with pytest.raises(TransientError) as failed:
        sink.send(d, files, Delivered())
    partial = failed.value.delivered
    assert partial == Delivered(d.revision, 10, frozenset(), None)
    first = sorted(files)[0]
    province.fail("/api/dossiers/files", None, requests.ConnectionError("reset"))
    with pytest.raises(TransientError) as failed_again:
        sink.send(d, files, partial)
    partial = failed_again.value.delivered
    assert partial == Delivered(d.revision, 25, frozenset({first}), None)
    got = sink.send(d, files, partial)
    assert got.complete(d)
    assert stored(store) == {"MaHoSo": CODE, "revision": 2, "steps": 25, "files": sorted(files), "TrangThaiHoSo": 2}


def test_applied_then_dropped_create_is_not_duplicated(sink: ProvincialSink, province: FakeProvince,
                                                       store: ProvinceStore, tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path)
    province.fail("/api/dossiers/create", AFTER)
    with pytest.raises(TransientError) as failed:
        sink.send(d, files, Delivered())
    assert failed.value.delivered == Delivered()
    assert failed.value.message.startswith("Không kết nối được hệ thống một cửa của tỉnh")
    sink.send(d, files, failed.value.delivered)
    assert len(store.summary()) == 1
    assert stored(store)["revision"] == 2


def test_relogin_once_on_401(sink: ProvincialSink, province: FakeProvince, store: ProvinceStore,
                             tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path)
    got = sink.send(d, files, Delivered())
    store.tokens.clear()  # the province restarted and forgot every session
    province.calls.clear()
    sink.send(add_steps(d, 1), files, got)
    assert province.paths() == ["/api/dossiers/update", "/api/auth/token", "/api/dossiers/update",
                                "/api/dossiers/progress"]  # fmt: skip
    expired = json_reply(200, {"error_code": 1, "message": "Session đã hết hạn"})
    province.fail("/api/dossiers/status", expired)
    assert sink.status(CODE) == 2
    province.fail("/api/dossiers/status", json_reply(401, {}), json_reply(401, {}))
    with pytest.raises(TransientError, match="từ chối tài khoản"):
        sink.status(CODE)


def test_wrong_password_is_transient_with_a_clear_message(province: FakeProvince, tmp_path: Path) -> None:
    session = requests.Session()
    session.mount(BASE, province)
    config = GatewayConfig(base_url=BASE, username=DEFAULT_USERNAME, password="sai", unit_code="H48")
    sink = ProvincialSink(config, session)
    d, files = make(tmp_path)
    with pytest.raises(TransientError, match="tên đăng nhập và mật khẩu"):
        sink.send(d, files, Delivered())
    session.close()
    assert province.calls[0].verify not in (False, None, "")  # no pinned CA: the system's, never off


BROKEN = [
    pytest.param(Reply(502, b"<html><h1>502 Bad Gateway</h1></html>", "text/html"), "đang bận", id="html502"),
    pytest.param(Reply(200, b"<html>Captive portal</html>", "text/html"), "không hợp lệ", id="html200"),
    pytest.param(Reply(200, b"x" * 5_000_000), "không hợp lệ", id="5MB"),
    pytest.param(InfiniteBody(), "không hợp lệ", id="endless"),
    pytest.param(json_reply(200, [1, 2]), "không hợp lệ", id="array"),
    pytest.param(json_reply(200, {"ok": True}), "không hợp lệ", id="no-error-code"),
    pytest.param(json_reply(200, {"error_code": 9}), "không hợp lệ", id="error-without-message"),
    pytest.param(json_reply(429, {"error_code": 429, "message": "Quá nhiều yêu cầu"}), "đang bận", id="429"),
    pytest.param(json_reply(404, {"error_code": 404, "message": "Not found"}), "không hợp lệ", id="404"),
    pytest.param(requests.ConnectionError(ConnectionResetError(104, "reset")), "Không kết nối", id="reset"),
    pytest.param(requests.ReadTimeout("read timed out"), "Không kết nối", id="timeout"),
]  # fmt: skip


@pytest.mark.parametrize(("fault", "words"), BROKEN)
def test_broken_answers_are_transient(sink: ProvincialSink, province: FakeProvince, store: ProvinceStore,
                                      tmp_path: Path, fault: Any, words: str) -> None:  # fmt: skip
    d, files = make(tmp_path)
    province.fail("/api/dossiers/create", fault)
    with pytest.raises(TransientError, match=words) as failed:
        sink.send(d, files, Delivered())
    assert failed.value.delivered == Delivered()
    no_personal_data(failed.value)
    if isinstance(fault, InfiniteBody):
        assert fault.read_bytes <= 1024 * 1024 + 65536
    assert store.summary() == []
    assert sink.send(d, files, Delivered()).complete(d)  # and the sink still works afterwards


def test_validation_error_is_permanent_with_the_provinces_message(sink: ProvincialSink, province: FakeProvince,
                                                                  tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path, procedure_code="")
    with pytest.raises(PermanentError) as failed:
        sink.send(d, files, Delivered())
    assert "MaTTHC" in failed.value.remote_message
    assert failed.value.message.startswith("Hệ thống một cửa của tỉnh không nhận hồ sơ")
    assert failed.value.delivered == Delivered()
    no_personal_data(failed.value)
    d, files = make(tmp_path)
    province.fail("/api/dossiers/create", json_reply(200, {"error_code": 7, "message": "Sai mã đơn vị. " * 80}))
    with pytest.raises(PermanentError) as failed:
        sink.send(d, files, Delivered())
    assert len(failed.value.remote_message) == 500
    assert failed.value.remote_message.startswith("Sai mã đơn vị.")


def test_a_missing_local_file_is_permanent_after_the_rest(sink: ProvincialSink, tmp_path: Path) -> None:
    d, files = make(tmp_path)
    gone, kept = sorted(files)
    files[gone].unlink()
    with pytest.raises(PermanentError, match="tệp số hóa") as failed:
        sink.send(d, files, Delivered())
    assert failed.value.delivered == Delivered(2, 1, frozenset({kept}), None)


def test_status_is_read_back(sink: ProvincialSink, store: ProvinceStore, tmp_path: Path) -> None:
    d, files = make(tmp_path)
    assert sink.status(CODE) is None  # the province does not know it yet
    sink.send(d, files, Delivered())
    assert sink.status(CODE) == 2
    assert store.set_status(CODE, 9)
    assert sink.status(CODE) == 9


def test_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tinh.json"
    (tmp_path / "ca.pem").write_text("x")
    raw: dict[str, Any] = {
        "base_url": "https://motcua.tinh.gov.vn", "username": "xa", "password_env": "MOTCUA_TINH_PASSWORD",
        "unit_code": "H48", "ca_bundle": "ca.pem", "read_timeout": 60, "mapping": {"PhienBan": "Version"},
    }  # fmt: skip
    path.write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setenv("MOTCUA_TINH_PASSWORD", "bí-mật")
    config = load_gateway_config(path)
    assert (config.password, config.ca_bundle, config.timeout) == ("bí-mật", tmp_path / "ca.pem", (5.0, 60.0))
    assert (config.progress_chunk, config.create_path, config.mapping) == (
        10,
        "/api/dossiers/create",
        {"PhienBan": "Version"},
    )
    assert "bí-mật" not in repr(config)
    monkeypatch.delenv("MOTCUA_TINH_PASSWORD")
    with pytest.raises(GatewayConfigError, match="Chưa đặt biến môi trường MOTCUA_TINH_PASSWORD"):
        load_gateway_config(path)
    monkeypatch.setenv("MOTCUA_TINH_PASSWORD", "bí-mật")
    for bad, words in [
        ("{nope", "không đúng định dạng JSON"),
        ("[]", "phải là một đối tượng JSON"),
        (json.dumps({**raw, "password_env": " "}), "phải là tên một biến môi trường"),
        (json.dumps({"base_url": "https://x", "username": "a", "password": "p"}), "thiếu mục “unit_code”"),
        (json.dumps({**raw, "craete_path": "/x"}), "mục không biết: craete_path"),
        (json.dumps({**raw, "progress_chunk": 0}), "progress_chunk"),
    ]:
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(GatewayConfigError, match=words):
            load_gateway_config(path)
    with pytest.raises(GatewayConfigError, match="Không tìm thấy tệp cấu hình"):
        load_gateway_config(tmp_path / "none.json")


def test_the_province_never_gets_the_status_page_key(sink: ProvincialSink, province: FakeProvince,
                                                     tmp_path: Path) -> None:  # fmt: skip
    key = "Xq7mR2pLk9Tz"  # the secret half of the citizen's status page: for the centre's mirror only
    d, files = make(tmp_path, lookup_key=key)
    sink.send(d, files, Delivered())
    sink.send(add_steps(d, 2), files, Delivered(2, 1, frozenset(files), None))
    assert province.calls
    for call in province.calls:
        assert key.encode() not in call.body
        assert b"lookup_key" not in call.body
        assert key not in str(call.query)
