"""Qt TextToSpeech as an optional voice, where the PC has a Vietnamese one (most do not: the clip pack
stays the default). It speaks the announcement's sentence instead of playing clips."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QLocale, QObject, QTimer
from PySide6.QtTextToSpeech import QTextToSpeech

READY_WAIT_MS = 3000  # engines load asynchronously; a missing one never becomes Ready


class TtsUnavailable(RuntimeError):
    pass


class TtsSink(QObject):
    """An AudioSink-compatible voice: `speak(text, on_finished)`; `play` (clips) is not used with it."""

    def __init__(self, engine: str = "", locale: str = "vi_VN", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tts = QTextToSpeech(engine, self) if engine else QTextToSpeech(self)
        self._wait_ready()
        if self.tts.state() == QTextToSpeech.State.Error:
            raise TtsUnavailable(f"Không khởi động được bộ đọc văn bản của máy: {self.tts.errorString()}")
        wanted = QLocale(locale)
        match = [loc for loc in self.tts.availableLocales() if loc.language() == wanted.language()]
        if not match:
            raise TtsUnavailable(f"Máy này không có giọng đọc {wanted.nativeLanguageName() or locale}.")
        self.tts.setLocale(match[0])
        self._on_finished: Callable[[], None] | None = None
        self.tts.stateChanged.connect(self._state_changed)

    def _wait_ready(self) -> None:
        if self.tts.state() != QTextToSpeech.State.Ready:
            loop = QEventLoop()
            self.tts.stateChanged.connect(loop.quit)
            QTimer.singleShot(READY_WAIT_MS, loop.quit)
            loop.exec()

    def speak(self, text: str, on_finished: Callable[[], None]) -> None:
        self._on_finished = on_finished
        self.tts.say(text)

    def play(self, pcm: bytes, sample_rate: int, on_finished: Callable[[], None]) -> None:
        raise NotImplementedError("TtsSink speaks sentences; the announcer calls speak()")

    def stop(self) -> None:
        self.tts.stop()

    def _state_changed(self, state: QTextToSpeech.State) -> None:
        if state in (QTextToSpeech.State.Ready, QTextToSpeech.State.Error) and self._on_finished is not None:
            done, self._on_finished = self._on_finished, None
            done()
