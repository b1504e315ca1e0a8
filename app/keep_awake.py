"""Keep the screen on while a citizen-facing screen shows (the kiosk, the hall display, a rating screen): a desktop's
power saving would blank the hall TV after ten minutes and leave the kiosk dark, which looks broken.

- Windows: SetThreadExecutionState(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED) from the GUI thread,
  for as long as the app runs.
- Linux: an inhibitor asked on the session D-Bus (jeepney, already in the bundle for the keyring): GNOME's
  org.gnome.SessionManager.Inhibit with the "idle" flag first (what GNOME and Ubuntu honour), else
  org.freedesktop.ScreenSaver.Inhibit (KDE, Xfce, Cinnamon, MATE…). The desktop drops the inhibitor when our
  connection closes, so a crashed app never leaves the PC unable to sleep.
Nothing available (no desktop session, another OS): the screen follows the PC's own settings, and the log says so
once with what to change.
"""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)

ES_CONTINUOUS, ES_SYSTEM_REQUIRED, ES_DISPLAY_REQUIRED = 0x80000000, 0x00000001, 0x00000002
GNOME = ("org.gnome.SessionManager", "/org/gnome/SessionManager", "org.gnome.SessionManager")
FREEDESKTOP = ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver")
GNOME_INHIBIT_IDLE = 8  # gnome-session's flags: 4 suspend, 8 idle (the screen blanking and the screensaver)
CALL_TIMEOUT_S = 3.0
NOT_KEPT = ("Không giữ được màn hình luôn sáng ({why}): hãy tắt chế độ tắt màn hình / ngủ của máy này trong phần "
            "cài đặt nguồn điện của hệ điều hành.")  # fmt: skip


class KeepAwake:
    """Held while the screen must stay on; `how` says what holds it ("" when nothing could)."""

    def __init__(self, app: str, reason: str) -> None:
        self.how = ""
        self._connection: Any = None
        self._cookie: int | None = None
        self._service: tuple[str, str, str] | None = None
        try:
            if os.name == "nt":
                self._windows(ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED)
                self.how = "windows"
            else:
                self._dbus(app, reason)
        except Exception as exc:  # never a reason not to show the screen
            log.warning(NOT_KEPT.format(why=exc))
            self.release()

    def _windows(self, flags: int) -> None:
        import ctypes

        if not ctypes.windll.kernel32.SetThreadExecutionState(flags):  # type: ignore[attr-defined]
            raise OSError("SetThreadExecutionState")

    def _dbus(self, app: str, reason: str) -> None:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.environ.get("XDG_RUNTIME_DIR"):
            raise OSError("không có phiên D-Bus của màn hình")
        self._connection = open_dbus_connection(bus="SESSION")
        refusals = []
        for service in (GNOME, FREEDESKTOP):
            address = DBusAddress(service[1], bus_name=service[0], interface=service[2])
            if service is GNOME:
                message = new_method_call(address, "Inhibit", "susu", (app, 0, reason, GNOME_INHIBIT_IDLE))
            else:
                message = new_method_call(address, "Inhibit", "ss", (app, reason))
            try:
                reply = self._connection.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
            except TimeoutError as exc:
                refusals.append(f"{service[0]}: {exc or 'không trả lời'}")
                continue
            if reply.header.message_type is not MessageType.method_return:  # an error: no such service here
                refusals.append(f"{service[0]}: {reply.body}")
                continue
            self._cookie, self._service, self.how = int(reply.body[0]), service, service[0]
            return
        raise OSError("; ".join(refusals) or "không có dịch vụ nào")

    def release(self) -> None:
        """Let the screen follow the PC's settings again (the app is closing)."""
        if self.how == "windows":
            try:
                self._windows(ES_CONTINUOUS)
            except Exception as exc:  # closing anyway
                log.debug("SetThreadExecutionState: %s", exc)
        if self._connection is not None:
            if self._cookie is not None and self._service is not None:
                self._uninhibit()
            self._connection.close()
        self._connection, self._cookie, self.how = None, None, ""

    def _uninhibit(self) -> None:
        from jeepney import DBusAddress, new_method_call

        assert self._service is not None
        name, path, interface = self._service
        method = "Uninhibit" if self._service is GNOME else "UnInhibit"
        call = new_method_call(DBusAddress(path, bus_name=name, interface=interface), method, "u", (self._cookie,))
        try:
            self._connection.send_and_get_reply(call, timeout=CALL_TIMEOUT_S)
        except Exception as exc:  # the connection's close drops it anyway
            log.debug("%s.%s: %s", name, method, exc)
