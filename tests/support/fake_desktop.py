"""A private session D-Bus (a real dbus-daemon) with a desktop's idle inhibitor on it: GNOME's
org.gnome.SessionManager or the freedesktop org.freedesktop.ScreenSaver, answering Inhibit with a cookie and
recording every call, and noticing when a caller's connection goes away (the desktop then drops its inhibitor)."""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jeepney import HeaderFields, MatchRule, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

from app.keep_awake import FREEDESKTOP, GNOME

COOKIE = 7


@dataclass
class FakeDesktop:
    address: str
    service: tuple[str, str, str]
    calls: list[tuple[str, tuple[Any, ...], str]] = field(default_factory=list)  # (member, body, caller)
    gone: list[str] = field(default_factory=list)  # callers whose connection closed
    inhibited: threading.Event = field(default_factory=threading.Event)
    caller_gone: threading.Event = field(default_factory=threading.Event)

    def serve(self, stop: threading.Event, ready: threading.Event) -> None:
        with contextlib.closing(open_dbus_connection(bus=self.address)) as conn:
            conn.send_and_get_reply(message_bus.RequestName(self.service[0]), timeout=5)
            rule = MatchRule(type="signal", sender="org.freedesktop.DBus", interface="org.freedesktop.DBus",
                             member="NameOwnerChanged")  # fmt: skip
            conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
            ready.set()
            while not stop.is_set():
                try:
                    msg = conn.receive(timeout=0.2)
                except TimeoutError:
                    continue
                kind, fields = msg.header.message_type, msg.header.fields
                if kind is MessageType.signal and fields.get(HeaderFields.member) == "NameOwnerChanged":
                    name, _old, new = msg.body
                    if not new and any(caller == name for _m, _b, caller in self.calls):
                        self.gone.append(name)
                        self.caller_gone.set()
                    continue
                if kind is not MessageType.method_call:
                    continue
                member = str(fields.get(HeaderFields.member))
                self.calls.append((member, tuple(msg.body), str(fields.get(HeaderFields.sender))))
                if member == "Inhibit":
                    conn.send(new_method_return(msg, "u", (COOKIE,)))
                    self.inhibited.set()
                else:
                    conn.send(new_method_return(msg))


@contextlib.contextmanager
def session_bus() -> Iterator[str]:
    """A dbus-daemon of our own: its address (DBUS_SESSION_BUS_ADDRESS for the code under test)."""
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert daemon.stdout is not None
        yield daemon.stdout.readline().strip()  # printed once it listens
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
        if daemon.stdout is not None:
            daemon.stdout.close()


@contextlib.contextmanager
def fake_desktop(kind: str = "gnome") -> Iterator[FakeDesktop]:
    """kind "gnome", "freedesktop", or "none" (a bus with no inhibitor on it)."""
    with session_bus() as address:
        desktop = FakeDesktop(address, GNOME if kind == "gnome" else FREEDESKTOP)
        if kind == "none":
            yield desktop
            return
        stop, ready = threading.Event(), threading.Event()
        thread = threading.Thread(target=desktop.serve, args=(stop, ready), daemon=True)
        thread.start()
        try:
            assert ready.wait(10), "the fake desktop did not take its name"
            yield desktop
        finally:
            stop.set()
            thread.join(10)
