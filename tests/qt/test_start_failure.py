"""What the display, dashboard and rating screen say when they cannot start (app/qtbridge/apps.py start_failure)."""

from __future__ import annotations

import pytest

from app.client.queue_client import ServiceUnavailable
from app.display.voice import VoicePackError
from app.qtbridge.apps import start_failure


def test_each_kind_of_start_failure_gets_its_line_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert start_failure(ValueError("Kích thước “9x9” quá nhỏ.")) == 2
    assert capsys.readouterr().err == "Lỗi: Kích thước “9x9” quá nhỏ.\n"
    assert start_failure(FileNotFoundError(2, "No such file", "kiosk.token")) == 2
    assert capsys.readouterr().err.startswith("Lỗi: không đọc được tệp mã (--token-file): ")
    assert start_failure(ServiceUnavailable("Không tìm thấy dịch vụ trung tâm.", code="not_found")) == 1
    assert capsys.readouterr().err == "Lỗi: Không tìm thấy dịch vụ trung tâm.\n"
    assert start_failure(VoicePackError("Bộ giọng đọc thiếu tệp."), (VoicePackError,)) == 2  # the display's
    assert start_failure(VoicePackError("Bộ giọng đọc thiếu tệp.")) == 1  # for anyone else it is not an option
