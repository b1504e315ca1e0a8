"""`python -m app backup` beside a real `serve` under a burst of ticket issues, then `restore`: the database that
comes back is sound (integrity_check), holds every ticket acknowledged before the backup started, and no ticket
half (its waiting interval, its issue event and the day's counter agree); a damaged archive and a folder in use are
refused in Vietnamese with exit 2, changing nothing."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import requests

from app.service.launcher import ServerProcess, start_server

ROOT = Path(__file__).resolve().parents[2]
ISSUERS = 4
PER_ISSUER_MAX = 400  # the burst goes on until the backup is done, but never past the groups' daily caps
HEAD_START = 40  # tickets acknowledged before the backup starts


def motcua(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


class Burst:
    """Threads issuing tickets over HTTP as fast as the service answers, each 201 recorded in order."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.auth = {"Authorization": f"Bearer {server.admin_token}"}
        self.groups = [g["code"] for g in requests.get(f"{server.url}/api/groups", timeout=30).json()]
        self.acked: list[int] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.started = threading.Event()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.issue, args=(n,)) for n in range(ISSUERS)]

    def issue(self, n: int) -> None:
        with requests.Session() as s:
            for i in range(PER_ISSUER_MAX):
                if self.stop.is_set():
                    return
                group = self.groups[(n + i) % len(self.groups)]
                r = s.post(f"{self.server.url}/api/tickets", json={"group": group}, headers=self.auth, timeout=30)
                if r.status_code != 201:
                    self.failures.append(f"{r.status_code} {r.text}")
                    return
                with self.lock:
                    self.acked.append(int(r.json()["id"]))
                    if len(self.acked) >= HEAD_START:
                        self.started.set()

    def acknowledged(self) -> set[int]:
        with self.lock:
            return set(self.acked)

    def __enter__(self) -> Burst:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def read_back(db: Path) -> dict[str, object]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
            "ids": [row[0] for row in conn.execute("SELECT id FROM tickets ORDER BY id")],
            "without_interval": conn.execute(
                "SELECT COUNT(*) FROM tickets t WHERE NOT EXISTS "
                "(SELECT 1 FROM intervals i WHERE i.ticket_id = t.id AND i.idx = 0)"
            ).fetchone()[0],
            "issued_events": {
                row[0]
                for row in conn.execute(
                    "SELECT json_extract(payload, '$.ticket.id') FROM events WHERE kind = 'ticket.issued'"
                )
            },
            "day_counters_disagree": conn.execute(
                "SELECT COUNT(*) FROM day_counters d WHERE d.issued != (SELECT COUNT(*) FROM tickets t "
                "WHERE t.day = d.day AND t.issue_group = d.grp)"
            ).fetchone()[0],
        }


def test_a_backup_taken_during_a_write_burst_restores_to_a_consistent_database(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data")
    try:
        with Burst(server) as burst:
            assert burst.started.wait(60), burst.failures
            before = burst.acknowledged()
            made = motcua("backup", "--data", str(server.data), "--out", str(tmp_path / "during.zip"))
            during = burst.acknowledged() - before
        assert burst.failures == []
        everything = burst.acknowledged()
        assert made.returncode == 0, made.stderr
        assert "Đã sao lưu" in made.stdout
        assert during, "tickets were still being issued while the backup ran"

        # the same archive, restored into a fresh folder
        restored = motcua("restore", "--data", str(tmp_path / "restored"), "--from", str(tmp_path / "during.zip"))
        assert restored.returncode == 0, restored.stderr
        assert "Đã khôi phục" in restored.stdout
        back = read_back(tmp_path / "restored" / "queue.db")
        assert back["integrity"] == [("ok",)]
        ids = back["ids"]
        assert isinstance(ids, list)
        assert before <= set(ids), "every ticket acknowledged before the backup started is in it"
        assert set(ids) <= everything, "nothing that was never acknowledged"
        assert ids == list(range(1, len(ids) + 1)), "one moment of the database: a prefix of the commits, no holes"
        assert back["without_interval"] == 0
        assert back["issued_events"] == set(ids)
        assert back["day_counters_disagree"] == 0

        # a folder the service has open is never replaced
        refused = motcua("restore", "--data", str(server.data), "--from", str(tmp_path / "during.zip"))
        assert refused.returncode == 2
        assert "đang được dùng" in refused.stderr
        assert "Chưa thay đổi gì" in refused.stderr
        assert requests.get(f"{server.url}/api/health", timeout=30).json()["status"] == "ok"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "during.zip", "restored"]
    finally:
        assert server.stop() == 0

    # the restored folder is a working centre: the service starts on it and numbering goes on
    again = start_server(tmp_path / "restored", commune=None)
    try:
        auth = {"Authorization": f"Bearer {(tmp_path / 'restored' / 'admin.token').read_text().strip()}"}
        issued = requests.post(f"{again.url}/api/tickets", json={"group": "HT"}, headers=auth, timeout=30)
        assert issued.status_code == 201
        assert issued.json()["id"] == len(ids) + 1
    finally:
        again.stop()


def test_a_damaged_archive_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data")
    try:
        auth = {"Authorization": f"Bearer {server.admin_token}"}
        for _ in range(50):
            requests.post(f"{server.url}/api/tickets", json={"group": "HT"}, headers=auth, timeout=30)
        assert motcua("backup", "--data", str(server.data), "--out", str(tmp_path / "good.zip")).returncode == 0
    finally:
        server.stop()
    with zipfile.ZipFile(tmp_path / "good.zip") as zf:
        info = zf.getinfo("queue.db")
    blob = bytearray((tmp_path / "good.zip").read_bytes())
    middle = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    blob[middle] ^= 0xFF  # one bit flip inside the database's compressed bytes, as a failing USB disk does
    (tmp_path / "bad.zip").write_bytes(bytes(blob))
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "keep.txt").write_text("the folder as it was")

    checked = motcua("restore", "--from", str(tmp_path / "bad.zip"), "--check")
    assert checked.returncode == 2
    assert checked.stderr.startswith("Lỗi: ")
    assert "queue.db" in checked.stderr
    refused = motcua("restore", "--data", str(tmp_path / "target"), "--from", str(tmp_path / "bad.zip"))
    assert refused.returncode == 2
    assert "queue.db" in refused.stderr
    assert "bị hỏng" in refused.stderr or "không khớp" in refused.stderr
    assert [p.name for p in (tmp_path / "target").iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip", "data", "good.zip", "target"]
    good = motcua("restore", "--from", str(tmp_path / "good.zip"), "--check")
    assert good.returncode == 0
    assert "tốt" in good.stdout


def test_bad_input_is_refused_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    not_data = motcua("backup", "--data", str(tmp_path / "empty"), "--out", str(tmp_path / "b.zip"))
    assert not_data.returncode == 2
    assert "không phải thư mục dữ liệu Một Cửa" in not_data.stderr
    no_target = motcua("restore", "--from", str(tmp_path / "b.zip"))
    assert no_target.returncode == 2
    assert "--data" in no_target.stderr
    missing = motcua("restore", "--from", str(tmp_path / "nothing.zip"), "--data", str(tmp_path / "x"))
    assert missing.returncode == 2
    assert "Không có tệp sao lưu" in missing.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]
    version = motcua("--version")
    assert version.returncode == 0
    assert "Một Cửa phiên bản" in version.stdout
