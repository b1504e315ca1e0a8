"""The notice an app shows once the centre service says this PC was unpaired (EventBridge.unpaired).

It covers the whole window and stays: the event stream has stopped for good, and an unattended kiosk or hall TV
must not look as if it were only reconnecting. One notice for every app: each hands over its window and the signal.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, SignalInstance
from PySide6.QtWidgets import QLabel, QWidget

STYLE = "background: #8b1a1a; color: white; font-size: 26px; font-weight: 600; padding: 48px;"


class UnpairedNotice(QLabel):
    """A label over all of `window`, hidden until `show_message`; follows the window's size."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("unpaired")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(STYLE)
        self.hide()
        window.installEventFilter(self)

    def show_message(self, message: str) -> None:
        self.setText(message)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if watched is parent and parent is not None and event.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        elif watched is parent and event.type() == QEvent.Type.ChildAdded and self.isVisible():
            self.raise_()  # a screen added later must not end up over the notice
        return False


def show_when_unpaired(unpaired: SignalInstance, window: QWidget) -> UnpairedNotice:
    """Cover `window` with the "this PC was unpaired" message once `unpaired` (EventBridge.unpaired, or a
    controller's relay of it) carries it."""
    notice = UnpairedNotice(window)
    unpaired.connect(notice.show_message)
    return notice
