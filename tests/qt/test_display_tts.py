"""Qt TextToSpeech as an optional voice: used where a voice exists, refused clearly where it does not."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.display.announcer import Announcer
from app.display.tts import TtsSink, TtsUnavailable
from app.display.voice import default_pack_dir, load_pack


def test_no_vietnamese_voice_is_said_plainly(qtbot: QtBot) -> None:
    with pytest.raises(TtsUnavailable) as caught:
        TtsSink(engine="mock", locale="vi_VN")  # Qt's mock engine speaks only a few European languages
    assert "không có giọng đọc" in str(caught.value)


def test_a_text_to_speech_voice_reads_the_sentence_in_turn(qtbot: QtBot) -> None:
    sink = TtsSink(engine="mock", locale="en_US")  # stands in for a Vietnamese voice on a real PC
    spoken: list[str] = []
    original = sink.speak
    sink.speak = lambda text, done: (spoken.append(text), original(text, done))  # type: ignore[method-assign]
    announcer = Announcer(sink, load_pack(default_pack_dir()), pause_ms=0)
    with qtbot.waitSignal(announcer.idle, timeout=10_000):
        announcer.announce("A015", "3")
        announcer.announce("B002", "Tư pháp")  # a counter named without digits: text speech can still say it
    assert spoken == [
        "Mời công dân có số thứ tự A015 đến quầy số 3.",
        "Mời công dân có số thứ tự B002 đến quầy Tư pháp.",
    ]
