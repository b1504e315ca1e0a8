"""The screen stays on while a kiosk, hall display or rating screen shows (app/keep_awake.py): an inhibitor asked of
the desktop on a real session D-Bus (dbus-daemon), GNOME's first, the freedesktop one else; a clear line in the log
when nothing holds it; the real hall display asks for it full screen and the desktop drops it when the app dies."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.keep_awake import GNOME_INHIBIT_IDLE, KeepAwake
from tests.support.fake_desktop import COOKIE, fake_desktop

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None or os.name == "nt",
                                reason="dbus-daemon (dev.py installs it)")  # fmt: skip
APP, WHY = "Một Cửa — Màn hình sảnh", "Màn hình phục vụ công dân"


def test_gnome_is_asked_to_keep_the_screen_on_until_released(monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_desktop("gnome") as desktop:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        held = KeepAwake(APP, WHY)
        assert held.how == "org.gnome.SessionManager"
        assert [(m, b) for m, b, _who in desktop.calls] == [("Inhibit", (APP, 0, WHY, GNOME_INHIBIT_IDLE))]
        held.release()
        assert [(m, b) for m, b, _who in desktop.calls][-1] == ("Uninhibit", (COOKIE,))
        assert held.how == ""


def test_other_desktops_get_the_freedesktop_call(monkeypatch: pytest.MonkeyPatch) -> None:
    with fake_desktop("freedesktop") as desktop:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        held = KeepAwake(APP, WHY)
        assert held.how == "org.freedesktop.ScreenSaver"
        assert [(m, b) for m, b, _who in desktop.calls] == [("Inhibit", (APP, WHY))]
        held.release()
        assert [(m, b) for m, b, _who in desktop.calls][-1] == ("UnInhibit", (COOKIE,))


def test_nothing_to_ask_says_what_to_change(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    with fake_desktop("none") as desktop, caplog.at_level(logging.WARNING, logger="app.keep_awake"):
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        held = KeepAwake(APP, WHY)
    assert held.how == ""
    assert "Không giữ được màn hình luôn sáng" in caplog.text
    assert "org.gnome.SessionManager" in caplog.text  # which were tried
    assert "tắt chế độ tắt màn hình" in caplog.text  # and what the IT officer can do instead
    caplog.clear()
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    with caplog.at_level(logging.WARNING, logger="app.keep_awake"):
        assert KeepAwake(APP, WHY).how == ""  # no desktop session at all
    assert "không có phiên D-Bus" in caplog.text


def test_the_hall_display_keeps_the_tv_on_and_a_crash_lets_go(tmp_path: Path) -> None:
    with fake_desktop("gnome") as desktop:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
               "DBUS_SESSION_BUS_ADDRESS": desktop.address, "MOTCUA_CONFIG_DIR": str(tmp_path)}  # fmt: skip
        display = subprocess.Popen([sys.executable, "-m", "app", "display", "--demo"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            assert desktop.inhibited.wait(60), "the display never asked to keep the screen on"
            (member, body, caller) = desktop.calls[0]
            assert (member, body[0].startswith("Một Cửa"), body[3]) == ("Inhibit", True, GNOME_INHIBIT_IDLE)
        finally:
            display.send_signal(signal.SIGKILL)  # a crash: no Uninhibit sent
            display.wait(timeout=30)
        assert desktop.caller_gone.wait(10)  # the desktop sees the connection close and drops the inhibitor
        assert desktop.gone == [caller]
