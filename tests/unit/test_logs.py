"""app/logs.py: personal data and secrets never reach a log file; files rotate at their size limit."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.logs import HIDDEN, log_file_of, personal, redact, setup_logging

TOKEN = "HUkxs025I8JwwU7psDiJER36UQr93CIwu4hEh-sz8QU"  # secrets.token_urlsafe(32), as devices get


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("quét CCCD 034186012345 ở quầy 2", "034186012345"),
        ("CMND cũ 151234567", "151234567"),
        ("mã QR 034186012345|151234567|Nguyễn Thị Ánh Tuyết|05031986", "034186012345"),
        ("gọi 0912 345 678 khi xong", "345 678"),
        ("gọi 0912345678", "0912345678"),
        ("số +84 912 345 678", "912 345 678"),
        ("đường dây 0221 3851 234", "3851 234"),
        (f"Authorization: Bearer {TOKEN}", TOKEN),
        ("headers={'Authorization': 'Basic dXNlcjpwYXNz'}", "dXNlcjpwYXNz"),
        ('body {"username": "canbo1", "secret": "246813"}', "246813"),
        ("pin=246813 sai", "246813"),
        ("Mã PIN 246813 không đúng", "246813"),
        ("admin_token=abc.def-ghi", "abc.def-ghi"),
        (f"thiết bị {TOKEN} đã kết nối", TOKEN),
        ('GET /h/000.00.00.X00-260213-0001-k3yK3yk3y HTTP/1.1" 200', "k3yK3yk3y"),
        ('GET /t/Zq81ab.json HTTP/1.1" 200', "Zq81ab"),
        ('GET /t/Zq81ab HTTP/1.1" 200', "Zq81ab"),
        ("WebSocket /api/events?token=abc123&since=4", "abc123"),
        ("GET /api/dossiers/000.00.00.X00-260213-0001/files/ab12", "260213-0001"),
    ],
)
def test_redact_removes_the_secret(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_redact_keeps_the_route_template_and_ordinary_text() -> None:
    assert redact('"GET /h/ABC-260213-0001-key HTTP/1.1" 200') == '"GET /h/{code}-{key} HTTP/1.1" 200'
    assert redact("GET /t/Zq81ab.json") == "GET /t/{follow}.json"
    assert redact("GET /api/events?since=4") == "GET /api/events?…"
    ordinary = "Trung tâm: Trung tâm Phục vụ hành chính công xã Đông Hưng, 2000 vé, cổng 8710, quầy 3"
    assert redact(ordinary) == ordinary


def test_a_file_holds_no_id_number_phone_or_token(tmp_path: Path, restore_root: None) -> None:
    path = setup_logging(tmp_path / "logs", "service", console_level=logging.CRITICAL)
    log = logging.getLogger("app.test")
    log.info("tiếp nhận hồ sơ của %s, CCCD %s, điện thoại %s", personal("Nguyễn Thị Lan"), "034186012345",
             "0912345678")  # fmt: skip
    log.warning("yêu cầu với Authorization: Bearer %s", TOKEN)
    log.info("công dân %s ở %s", "Trần Văn Bình", "Thôn Phú Xuân", extra={"personal": True})
    try:
        raise ValueError("CCCD 034186012345 không hợp lệ")
    except ValueError:
        log.exception("lỗi khi đọc thẻ")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert path == tmp_path / "logs" / "service.log" == log_file_of()
    for secret in ("Nguyễn Thị Lan", "034186012345", "0912345678", TOKEN, "Trần Văn Bình", "Phú Xuân"):
        assert secret not in text
    assert text.count(HIDDEN) >= 4
    assert "tiếp nhận hồ sơ của [ẩn]" in text
    assert "ValueError: CCCD [số giấy tờ] không hợp lệ" in text  # the traceback is kept, redacted


def test_files_rotate_at_the_size_limit(tmp_path: Path, restore_root: None) -> None:
    path = setup_logging(tmp_path, "kiosk", max_bytes=2000, backups=3, console_level=logging.CRITICAL)
    log = logging.getLogger("app.test.rotation")
    for n in range(200):
        log.info("dòng số %d của nhật ký, đủ dài để lấp đầy tệp nhanh hơn", n)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]  # older ones are dropped
    assert all((tmp_path / name).stat().st_size <= 2000 for name in names)
    assert "dòng số 199 " in path.read_text(encoding="utf-8")


def test_a_second_call_replaces_the_first(tmp_path: Path, restore_root: None) -> None:
    setup_logging(tmp_path / "a", "one", console_level=logging.CRITICAL)
    second = setup_logging(tmp_path / "b", "two", console_level=logging.CRITICAL)
    logging.getLogger("app.test").warning("chỉ một lần")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert log_file_of() == second
    assert (tmp_path / "a" / "one.log").read_text(encoding="utf-8") == ""
    assert "chỉ một lần" in second.read_text(encoding="utf-8")
