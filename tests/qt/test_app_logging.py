"""Every Qt app's start-up (app/qtbridge/apps.py application()) opens its own log file under the configuration
folder, named after the app, redacted like the service's."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.logs import log_file_of
from app.qtbridge.apps import application
from app.version import set_app_name, user_agent


@pytest.fixture
def app_named_kiosk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(tmp_path))
    before_name = user_agent().split("/")[0].removeprefix("motcua-")
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    set_app_name("kiosk")
    yield tmp_path
    set_app_name(before_name)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


def test_the_app_logs_to_its_own_redacted_file(qapp: QApplication, app_named_kiosk: Path) -> None:
    assert application() is qapp
    path = app_named_kiosk / "logs" / "kiosk.log"
    assert log_file_of() == path
    logging.getLogger("kiosk.test").info("in phiếu cho CCCD %s, gọi 0912345678", "034186012345")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text(encoding="utf-8")
    assert "in phiếu cho CCCD [số giấy tờ], gọi [số điện thoại]" in text
    assert "034186012345" not in text
