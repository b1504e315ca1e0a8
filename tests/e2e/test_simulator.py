"""The provincial-system simulator as a real child process, driven by ProvincialSink over loopback HTTP."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from app.core.clock import LOCAL_TZ
from app.core.dossier import Citizen, Component, ComponentFile, Dossier, Status, Statutory, Step
from app.sync.gateway import ProvincialSink
from app.sync.gateway_config import GatewayConfig
from app.sync.simulator import SimulatorProcess
from app.sync.simulator_store import DEFAULT_PASSWORD, DEFAULT_USERNAME
from app.sync.sink import Delivered, SyncError, TransientError

CODE = "000.00.12.H48-261110-0042"
AT = datetime(2026, 11, 10, 9, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[SimulatorProcess]:
    proc = SimulatorProcess.start(tmp_path / "sim")
    yield proc
    assert proc.stop() == 0  # SIGTERM: a clean stop


@pytest.fixture
def session() -> Iterator[requests.Session]:
    s = requests.Session()
    s.trust_env = False  # loopback only: never through a proxy the test machine may have
    yield s
    s.close()


def sink_for(url: str, session: requests.Session, read_timeout: float = 30.0) -> ProvincialSink:
    config = GatewayConfig(base_url=url, username=DEFAULT_USERNAME, password=DEFAULT_PASSWORD, unit_code="H48",
                           connect_timeout=2.0, read_timeout=read_timeout)  # fmt: skip
    return ProvincialSink(config, session)


def make(tmp_path: Path, steps: int = 12) -> tuple[Dossier, dict[str, Path]]:
    files: dict[str, Path] = {}
    parts = []
    for i in range(2):
        path = tmp_path / f"tp{i}.pdf"
        path.write_bytes(f"%PDF-1.7 thành phần {i} ".encode() * 5000)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        files[sha] = path
        parts.append(Component(f"Thành phần {i}", files=(ComponentFile(str(path), sha, 3),)))
    d = Dossier(
        code=CODE, procedure_code="1.004873", procedure_name="Xác nhận tình trạng hôn nhân", field_code="HT",
        citizen=Citizen("034186012345", "Nguyễn Thị Ánh Tuyết", date(1986, 3, 5)), components=tuple(parts),
        received_at=AT, due_at=AT + timedelta(days=3), statutory=Statutory(3, "working_days"), clerk="lan",
        counter=1, revision=steps,
        steps=tuple(Step(AT + timedelta(minutes=i), Status.RECEIVED, "lan", f"Bước {i}") for i in range(steps)),
    )  # fmt: skip
    return d, files


def test_push_twice_stores_one_of_everything(sim: SimulatorProcess, session: requests.Session, tmp_path: Path) -> None:
    d, files = make(tmp_path)
    sink = sink_for(sim.url, session)
    first = sink.send(d, files, Delivered())
    assert first.complete(d)
    assert sink.send(d, files, Delivered()) == first  # the worker forgot it sent: everything again, no harm
    newer = replace(d, steps=(*d.steps, Step(AT + timedelta(hours=2), Status.DONE, "lan", "Xong")), status=Status.DONE,
                    revision=d.revision + 1)  # fmt: skip
    sink.send(newer, files, first)
    sink.send(d, files, Delivered())  # a stale copy arriving late changes nothing
    (stored,) = sim.dossiers()
    assert stored == {"MaHoSo": CODE, "revision": newer.revision, "steps": 13, "files": sorted(files),
                      "TrangThaiHoSo": 9}  # fmt: skip
    for sha, path in files.items():
        kept = (sim.data / "files" / sha).read_bytes()
        assert hashlib.sha256(kept).hexdigest() == sha
        assert kept == path.read_bytes()


def test_faults_with_retries_still_give_exactly_one(tmp_path: Path, session: requests.Session) -> None:
    with SimulatorProcess.start(tmp_path / "sim", fail_rate=0.5, seed=2, slow_seconds=1.5) as sim:
        d, files = make(tmp_path, steps=23)
        sink = sink_for(sim.url, session, read_timeout=0.5)
        versions = [replace(d, steps=d.steps[:12], revision=12), d]
        already, failures, kinds = Delivered(), 0, set()
        for version in versions:
            for _attempt in range(300):  # the worker's loop, minus the backoff
                try:
                    already = sink.send(version, files, already)
                    break
                except SyncError as exc:
                    failures += 1
                    kinds.add(exc.message.split(".")[0])
                    already = exc.delivered or already
            assert already.complete(version)
        injected = sim.control(fail_rate=0.0)["faults"]
        assert failures >= 5
        assert len(kinds) >= 2
        assert injected["drop_after"] >= 1
        assert injected["timeout"] >= 1
        (stored,) = sim.dossiers()
        assert stored == {"MaHoSo": CODE, "revision": 23, "steps": 23, "files": sorted(files), "TrangThaiHoSo": 2}
        assert sink.status(CODE) == 2
        assert sim.stop() == 0


def test_province_down_is_transient_then_recovers(sim: SimulatorProcess, session: requests.Session,
                                                  tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path)
    sink = sink_for(sim.url, session)
    assert sim.control(down=True)["down"] is True
    with pytest.raises(TransientError, match="đang bận") as failed:
        sink.send(d, files, Delivered())
    assert failed.value.delivered == Delivered()
    with pytest.raises(TransientError):
        sink.status(CODE)
    sim.control(down=False)
    assert sink.send(d, files, Delivered()).complete(d)
    assert len(sim.dossiers()) == 1


def test_status_moved_by_the_province_is_read_back(sim: SimulatorProcess, session: requests.Session,
                                                   tmp_path: Path) -> None:  # fmt: skip
    d, files = make(tmp_path)
    sink = sink_for(sim.url, session)
    assert sink.status(CODE) is None
    sink.send(d, files, Delivered())
    assert sink.status(CODE) == 2
    sim.set_status(CODE, 9)
    assert sink.status(CODE) == 9
    assert sim.dossiers()[0]["TrangThaiHoSo"] == 9


def test_api_needs_a_token_and_validates(sim: SimulatorProcess, session: requests.Session) -> None:
    create = sim.url + "/api/dossiers/create"
    record: dict[str, Any] = {"MaHoSo": CODE, "MaTTHC": "1.004873", "ChuHoSo": "A", "NgayTiepNhan": "20261110090000",
              "TrangThaiHoSo": 2, "PhienBan": 1}  # fmt: skip
    assert session.post(create, json=[record], timeout=10).status_code == 401
    login = session.post(
        sim.url + "/api/auth/token", json={"username": DEFAULT_USERNAME, "password": "sai"}, timeout=10
    )
    assert login.status_code == 401
    login = session.post(sim.url + "/api/auth/token", json={"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD},
                         timeout=10)  # fmt: skip
    auth = {"Authorization": f"Bearer {login.json()['session']}"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"MaTTHC": ""}, "MaTTHC"),
        ({"NgayTiepNhan": "2026-11-10"}, "NgayTiepNhan"),
        ({"TrangThaiHoSo": 11}, "TrangThaiHoSo"),
    ]
    for broken, field in cases:
        answer = session.post(create, json=[{**record, **broken}], headers=auth, timeout=10)
        assert answer.status_code == 400
        assert answer.json()["error_code"] == 4
        assert field in answer.json()["message"]
    assert session.post(create, json=[record], headers=auth, timeout=10).json()["error_code"] == 0
    again = session.post(create, data=json.dumps([record]), headers=auth, timeout=10).json()
    assert again == {"error_code": 3, "message": "Hồ sơ đã tồn tại."}
    upload = session.post(sim.url + "/api/dossiers/files", params={"MaHoSo": CODE, "TepDinhKemId": "0" * 64},
                          data=b"%PDF", headers=auth, timeout=10)  # fmt: skip
    assert upload.status_code == 400
    assert "TepDinhKemId" in upload.json()["message"]
