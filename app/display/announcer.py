"""The hall display's announcement queue: one voice at a time, in call order, never two at once.

No widgets here. The display window feeds ``Announcer.announce`` from ticket.called / ticket.recalled
events; the announcer renders the sentence from the voice pack and hands the PCM to an ``AudioSink``:
``QtAudioSink`` (QtMultimedia) on the hall PC, ``NullAudioSink`` in tests, benchmarks and on machines
without a sound device (a TV-less CI box, a display PC with its speaker unplugged).
"""

from __future__ import annotations

import functools
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer, Signal
from PySide6.QtMultimedia import QAudioFormat, QAudioSink, QMediaDevices, QtAudio

from app.core.speech import announcement
from app.display.voice import SAMPLE_WIDTH, VoicePack, VoicePackError

log = logging.getLogger(__name__)


class AudioSink(Protocol):
    """Plays 16-bit mono PCM. ``play`` is only called while idle; ``on_finished`` is called exactly once per
    ``play``, later from the event loop (never from inside ``play``), also when ``stop`` cut it short."""

    def play(self, pcm: bytes, sample_rate: int, on_finished: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...


class NullAudioSink:
    """Plays nothing. Finishes on the next event-loop turn (deterministic tests), or after the clip's real
    duration with ``realtime=True`` (a demo without speakers keeps the hall's rhythm)."""

    def __init__(self, *, realtime: bool = False) -> None:
        self.realtime = realtime
        self.plays: list[tuple[float, int]] = []  # (time.monotonic() at play, PCM bytes) for tests/benchmarks
        self._on_finished: Callable[[], None] | None = None
        self._token = 0

    @property
    def busy(self) -> bool:
        return self._on_finished is not None

    def play(self, pcm: bytes, sample_rate: int, on_finished: Callable[[], None]) -> None:
        self.plays.append((time.monotonic(), len(pcm)))
        self._on_finished = on_finished
        self._token += 1
        token = self._token
        delay = round(1000 * len(pcm) / (SAMPLE_WIDTH * sample_rate)) if self.realtime else 0
        QTimer.singleShot(delay, lambda: self._done(token))

    def stop(self) -> None:
        if self._on_finished is not None:
            self._token += 1  # the pending timer becomes stale
            QTimer.singleShot(0, self._take_callback())

    def _done(self, token: int) -> None:
        if token == self._token and self._on_finished is not None:
            self._take_callback()()

    def _take_callback(self) -> Callable[[], None]:
        callback = self._on_finished or (lambda: None)
        self._on_finished = None
        return callback


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # A display without speakers would otherwise log this on every call, all day.
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


class QtAudioSink(QObject):
    """The default sound output through QtMultimedia. Without an output device (or one that refuses 16 kHz
    mono) it behaves like ``NullAudioSink``: the hall still sees the call, and the display does not crash."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fallback = NullAudioSink()
        self._sink: QAudioSink | None = None
        self._buffer: QBuffer | None = None
        self._on_finished: Callable[[], None] | None = None
        self.available = not QMediaDevices.defaultAudioOutput().isNull()
        if not self.available:
            _warn_once("Máy không có loa hoặc thiết bị âm thanh: số gọi vẫn hiện trên màn hình nhưng không đọc.")

    def play(self, pcm: bytes, sample_rate: int, on_finished: Callable[[], None]) -> None:
        # Asked again on every call: a USB speaker plugged in after start-up gets used.
        device = QMediaDevices.defaultAudioOutput()
        self.available = not device.isNull()
        fmt = QAudioFormat()
        fmt.setSampleRate(sample_rate)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not self.available:
            _warn_once("Máy không có loa hoặc thiết bị âm thanh: số gọi vẫn hiện trên màn hình nhưng không đọc.")
            self._fallback.play(pcm, sample_rate, on_finished)
            return
        if not device.isFormatSupported(fmt):
            _warn_once(f"audio output {device.description()!r} refuses {sample_rate} Hz mono 16-bit: not spoken")
            self._fallback.play(pcm, sample_rate, on_finished)
            return
        buffer = QBuffer(self)
        buffer.setData(QByteArray(pcm))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        sink = QAudioSink(device, fmt, self)
        self._sink, self._buffer, self._on_finished = sink, buffer, on_finished
        sink.stateChanged.connect(self._state_changed)
        sink.start(buffer)
        if sink.error() != QtAudio.Error.NoError:
            _warn_once(f"audio output {device.description()!r} failed to start: {sink.error().name}")
            self._finish()

    def stop(self) -> None:
        if self._sink is not None:
            self._finish()
        else:
            self._fallback.stop()

    def _state_changed(self, state: QtAudio.State) -> None:
        # Idle: the buffer ran dry, i.e. the clip has been played. Stopped: an error or stop().
        if self._sink is None or state not in (QtAudio.State.IdleState, QtAudio.State.StoppedState):
            return
        if state == QtAudio.State.StoppedState and self._sink.error() != QtAudio.Error.NoError:
            _warn_once(f"audio output stopped with {self._sink.error().name}")
        self._finish()

    def _finish(self) -> None:
        sink, buffer, callback = self._sink, self._buffer, self._on_finished
        self._sink = self._buffer = self._on_finished = None
        if sink is not None:
            sink.stop()  # re-enters _state_changed with Stopped, which sees _sink None and returns
            sink.deleteLater()
        if buffer is not None:
            buffer.close()
            buffer.deleteLater()
        if callback is not None:
            QTimer.singleShot(0, callback)


@dataclass
class _Request:
    number: str
    counter: str
    recall: bool
    requested_at: float  # time.monotonic() when announce() was called

    @property
    def key(self) -> tuple[str, str]:
        return (self.number, self.counter)


class Announcer(QObject):
    """Queues announcements and plays them strictly one after another, in order.

    - a call for a (number, counter) already waiting, or being spoken right now, is dropped: event replays
      after a reconnect must not make the hall hear a number twice;
    - a recall is spoken again even while the first call is still playing (the clerk pressed recall because
      nobody came) — unless ``repeat_on_recall`` is False: then only the screen signals recalls, and a
      recall is spoken only if this display never said that number for that counter;
    - a sentence that cannot be voiced (a counter named without digits, a clip missing from the pack) emits
      ``skipped`` with the Vietnamese reason and the queue moves on.
    """

    started = Signal(str, str, str)  # number, counter, text: the sink has been asked to play
    finished = Signal(str, str)  # number, counter: played to the end (or cut short by clear())
    skipped = Signal(str, str, str)  # number, counter, reason: nothing could be played
    idle = Signal()  # the queue has drained

    def __init__(
        self,
        sink: AudioSink,
        pack: VoicePack,
        *,
        digit_mode: bool = False,
        repeat_on_recall: bool = True,
        gap_ms: int = 60,
        pause_ms: int = 300,
        max_pending: int = 20,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sink = sink
        self.pack = pack
        self.digit_mode = digit_mode
        self.repeat_on_recall = repeat_on_recall
        self.gap_ms = gap_ms  # silence between two clips of a sentence
        self.pause_ms = pause_ms  # silence between two sentences, so the hall hears where one ends
        self.max_pending = max_pending
        # announce() → sink.play(), in ms, for benchmarks (includes waiting behind earlier announcements).
        self.call_to_audio_start_ms: deque[float] = deque(maxlen=1000)
        self._queue: deque[_Request] = deque()
        self._current: _Request | None = None
        self._token = 0
        self._finished_at = float("-inf")
        self._spoken: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._next)

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._queue) or self._timer.isActive()

    @property
    def pending(self) -> list[tuple[str, str]]:
        return [r.key for r in self._queue]

    def announce(self, number: str, counter: str, *, recall: bool = False) -> bool:
        """Queue a call; False when it was collapsed into one already queued or playing, or ignored."""
        key = (number, counter)
        if recall and not self.repeat_on_recall and key in self._spoken:
            return False
        if any(r.key == key for r in self._queue):
            return False
        if not recall and self._current is not None and self._current.key == key:
            return False
        if len(self._queue) >= self.max_pending:
            dropped = self._queue.popleft()
            log.warning("announcement queue full: dropping %s → %s", dropped.number, dropped.counter)
        self._queue.append(_Request(number, counter, recall, time.monotonic()))
        if self._current is None and not self._timer.isActive():
            wait_ms = self.pause_ms - (time.monotonic() - self._finished_at) * 1000
            if wait_ms <= 0:
                self._next()
            else:
                self._timer.start(round(wait_ms))
        return True

    def clear(self) -> None:
        """Forget what is waiting and cut the current announcement short."""
        self._queue.clear()
        self._timer.stop()
        if self._current is not None:
            self.sink.stop()

    def _next(self) -> None:
        while self._queue and self._current is None:
            request = self._queue.popleft()
            speak = getattr(self.sink, "speak", None)  # a text-to-speech voice reads the sentence itself
            try:
                said = announcement(request.number, request.counter, digit_mode=self.digit_mode)
                pcm = b"" if speak else self.pack.render(said.clips, self.gap_ms)
            except (ValueError, VoicePackError) as exc:
                log.warning("cannot voice %s → %s: %s", request.number, request.counter, exc)
                self.skipped.emit(request.number, request.counter, str(exc))
                continue
            self._current = request
            self._token += 1
            self.call_to_audio_start_ms.append((time.monotonic() - request.requested_at) * 1000)
            try:
                done = functools.partial(self._played, self._token)
                if speak:
                    speak(said.text, done)
                else:
                    self.sink.play(pcm, self.pack.rate, done)
            except Exception as exc:  # an audio backend failing must not stop the display
                log.exception("audio sink failed")
                self._current = None
                self.skipped.emit(request.number, request.counter, f"lỗi phát âm thanh: {exc}")
                continue
            self._remember(request.key)
            self.started.emit(request.number, request.counter, said.text)
            return
        if self._current is None and not self._queue:
            self.idle.emit()

    def _played(self, token: int) -> None:
        if token != self._token or self._current is None:
            return  # a late or repeated callback from a sink
        request, self._current = self._current, None
        self._finished_at = time.monotonic()
        self.finished.emit(request.number, request.counter)
        if self._current is not None or self._timer.isActive():
            return  # a finished-handler already started the next one
        if self._queue:
            self._timer.start(self.pause_ms)
        else:
            self.idle.emit()

    def _remember(self, key: tuple[str, str]) -> None:
        self._spoken[key] = None
        self._spoken.move_to_end(key)
        while len(self._spoken) > 500:
            self._spoken.popitem(last=False)
