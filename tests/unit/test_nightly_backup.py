"""`serve --backup-dir`: one backup a local day from the set time, the newest N kept, failures loud and in health.

The schedule is driven by hand (`check(now)` with a manual clock): nothing here waits on time."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.backup import add_serve_backup_arguments, nightly_backup
from app.core.clock import ManualClock
from app.service.api import create_app
from app.service.nightly_backup import NightlyBackup, parse_at
from app.service.server import open_store
from app.store.queue_store import QueueStore
from app.store.restore import check_archive

# 2026-11-23 01:30 in Hà Nội is 2026-11-22 18:30 UTC
BEFORE_TWO = datetime(2026, 11, 22, 18, 30, tzinfo=UTC)
TWO_AM = datetime(2026, 11, 22, 19, 0, tzinfo=UTC)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[tuple[Path, QueueStore, ManualClock]]:
    clock = ManualClock(BEFORE_TWO)
    store, devices = open_store(tmp_path / "motcua-data", clock)
    store.issue("HT")
    store.devices = devices  # type: ignore[attr-defined]
    yield tmp_path / "motcua-data", store, clock
    store.close()


def test_one_backup_a_day_from_the_set_time(centre, tmp_path: Path) -> None:
    data, _store, clock = centre
    usb = tmp_path / "usb"
    usb.mkdir()
    nightly = NightlyBackup(data, usb, at=time(2, 0), keep=14, clock=clock)
    assert nightly.check(BEFORE_TWO) is None
    assert nightly.next_at(BEFORE_TWO) == TWO_AM
    done = nightly.check(TWO_AM)
    assert done is not None
    assert done.ok
    assert done.file == "motcua-data-backup-20261123.zip"
    assert check_archive(usb / "motcua-data-backup-20261123.zip").databases == ("queue.db",)
    assert nightly.check(TWO_AM + timedelta(hours=20)) is None  # once a day
    assert nightly.next_at(TWO_AM + timedelta(hours=1)) == TWO_AM + timedelta(days=1)
    assert nightly.check(TWO_AM + timedelta(days=1)).file == "motcua-data-backup-20261124.zip"  # type: ignore[union-attr]


def test_a_pc_switched_off_at_night_backs_up_when_the_service_starts(centre, tmp_path: Path) -> None:
    data, _store, clock = centre
    usb = tmp_path / "usb"
    usb.mkdir()
    morning = TWO_AM + timedelta(hours=5, minutes=30)  # 07:30
    nightly = NightlyBackup(data, usb, clock=clock)
    assert nightly.check(morning) is not None
    restarted = NightlyBackup(data, usb, clock=clock)  # today's file is there: not again
    assert restarted.check(morning + timedelta(hours=1)) is None


def test_only_the_newest_are_kept(centre, tmp_path: Path) -> None:
    data, _store, clock = centre
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "notes.txt").write_text("someone else's file")
    (usb / ".motcua-data-backup-20261101.zip.0a1b.tmp").write_text("left by a stop in the middle")
    nightly = NightlyBackup(data, usb, keep=3, clock=clock)
    for day in range(5):
        assert nightly.check(TWO_AM + timedelta(days=day)) is not None
    assert sorted(p.name for p in usb.iterdir()) == [
        "motcua-data-backup-20261125.zip",
        "motcua-data-backup-20261126.zip",
        "motcua-data-backup-20261127.zip",
        "notes.txt",
    ]


def test_an_unplugged_usb_disk_is_logged_retried_and_shown_in_health(centre, tmp_path: Path, caplog) -> None:
    data, store, clock = centre
    usb = tmp_path / "usb"  # not there: the disk is unplugged
    nightly = NightlyBackup(data, usb, clock=clock)
    with caplog.at_level(logging.ERROR):
        failed = nightly.check(TWO_AM)
    assert failed is not None
    assert not failed.ok
    assert "SAO LƯU HẰNG NGÀY THẤT BẠI" in caplog.text
    assert str(usb) in caplog.text
    clock.current = TWO_AM + timedelta(minutes=1)
    app = create_app(store, store.devices)
    app.state.backup = nightly
    with TestClient(app) as client:
        shown = client.get("/api/health").json()["backup"]
        assert shown["ok"] is False
        assert "ổ USB chưa cắm hoặc đã rút" in shown["last_error"]
        assert str(tmp_path) not in shown["last_error"], "no path in a public answer"
        assert shown["next_at"] == "2026-11-22T19:15:00.000000+00:00"
        assert nightly.check(TWO_AM + timedelta(minutes=10)) is None  # not before the retry time
        usb.mkdir()  # plugged in again
        assert nightly.check(TWO_AM + timedelta(minutes=15)).ok  # type: ignore[union-attr]
        clock.current = TWO_AM + timedelta(minutes=16)
        shown = client.get("/api/health").json()["backup"]
    assert shown["ok"] is True
    assert shown["last_error"] is None
    assert shown["last_file"] == "motcua-data-backup-20261123.zip"
    assert shown["last_ok_at"] == "2026-11-22T19:15:00.000000+00:00"
    assert shown["next_at"] == "2026-11-23T19:00:00.000000+00:00"


def test_health_says_nothing_about_backups_when_there_are_none(centre) -> None:
    _data, store, _clock = centre
    with TestClient(create_app(store, store.devices)) as client:
        assert "backup" not in client.get("/api/health").json()


def test_the_serve_options(tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path)
    add_serve_backup_arguments(parser)
    assert nightly_backup(parser.parse_args(["--data", str(tmp_path)])) is None
    made = nightly_backup(
        parser.parse_args(["--data", "d", "--backup-dir", "u", "--backup-at", "23:45", "--backup-keep", "3"])
    )
    assert made is not None
    assert (made.at, made.keep, made.folder.name) == (time(23, 45), 3, "u")
    for wrong in (["--backup-at", "25:00"], ["--backup-at", "2h"], ["--backup-keep", "0"]):
        with pytest.raises(SystemExit):
            parser.parse_args(["--backup-dir", "u", *wrong])
        assert "không hợp lệ" in capsys.readouterr().err
    assert parse_at("2:05") == time(2, 5)
    with pytest.raises(ValueError, match="ví dụ 02:00"):
        parse_at("02:60")
