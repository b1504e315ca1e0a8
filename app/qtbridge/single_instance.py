"""One window per app and user: a second start (a double-click twice on the desktop icon, the kiosk's autostart while
someone opened it by hand) brings the running window to the front and exits, instead of a second hall display
calling every number twice or a second counter app signed in at the same counter.

A QLockFile in config_dir()/run/NAME.lock says an instance runs (a crashed or killed one leaves a stale lock that
Qt recognises by its dead process id, so the supervisor's relaunch gets in); a QLocalServer beside it takes the
second start's "show yourself". Only interactive runs claim it: --screenshot, --smoke-test and tests do not.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QLockFile, QObject, Qt
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from app.config import config_dir

TRY_LOCK_MS = 300  # a start racing another: long enough to see its lock, short enough not to be noticed
PING_MS = 1_000


def _key(name: str) -> str:
    """The local server's name: per app and per user's folder (two users of one PC each get their own)."""
    digest = hashlib.sha256(str(config_dir().resolve()).encode()).hexdigest()[:12]
    return f"motcua-{name}-{digest}"


class InstanceLock(QObject):
    """Held for the app's life: the lock file and the server that raises `window` when another start asks."""

    def __init__(self, name: str, lock: QLockFile) -> None:
        super().__init__()
        self.name = name
        self._lock = lock
        self._window: QWidget | None = None
        self.raised = 0  # how many later starts asked this one to show itself (tests read it)
        self._server = QLocalServer(self)
        QLocalServer.removeServer(_key(name))  # a dead instance's socket file would refuse the name
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # this user's starts only
        self._server.listen(_key(name))
        self._server.newConnection.connect(self._show)

    def attach(self, window: QWidget) -> None:
        self._window = window

    def _show(self) -> None:
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.disconnectFromServer()
            connection.deleteLater()
        self.raised += 1
        window = self._window
        if window is None:  # still starting (connecting, signing in): its window will come up anyway
            return
        if window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()

    def release(self) -> None:
        self._server.close()
        self._lock.unlock()
        if self in _HELD:
            _HELD.remove(self)


_HELD: list[InstanceLock] = []


def attach(window: QWidget) -> None:
    """The window a later start brings to the front, for the lock this process holds (none: nothing to do)."""
    for held in _HELD:
        held.attach(window)


def claim_instance(name: str) -> InstanceLock | None:
    """The lock for app `name` (e.g. "display", "rating-2"), or None when another instance holds it; that one has
    then been asked to bring its window to the front."""
    folder = config_dir() / "run"
    folder.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(folder / f"{name}.lock"))
    lock.setStaleLockTime(0)  # never stale by age (a kiosk runs for months); a dead owner's lock still is
    if lock.tryLock(TRY_LOCK_MS):
        held = InstanceLock(name, lock)
        _HELD.append(held)  # kept for the process's life (released with it, or by release())
        return held
    socket = QLocalSocket()
    socket.connectToServer(_key(name))
    if socket.waitForConnected(PING_MS):
        socket.write(b"show\n")
        socket.waitForBytesWritten(PING_MS)
        socket.disconnectFromServer()
    return None


ALREADY_RUNNING = "{app} đang chạy trên máy này: đã đưa cửa sổ đang mở lên trước, không mở thêm cửa sổ thứ hai."
