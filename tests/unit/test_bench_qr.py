"""The QR bench's held-up figure: a code counts as read when any frame of its window reads."""

from __future__ import annotations

import pytest

from app.bench.qr import DegradedFrame, clutter_frame, frame_of_kind, held_up_read_rate
from app.devices.qr import QrDecoder

CODE = "1.001193"


def test_a_window_reads_when_a_later_frame_of_the_same_code_does() -> None:
    readable = frame_of_kind("rotated", CODE, 1)
    # The set's own frame shows no code; the window's next frame is drawn from the same degradation.
    missed = DegradedFrame(image=clutter_frame(1), payload=CODE, degradation=readable.degradation)
    decoder = QrDecoder(time_limit_ms=None)
    assert held_up_read_rate([readable], decoder, window=1) == 1.0
    assert held_up_read_rate([missed], decoder, window=1) == 0.0
    assert held_up_read_rate([missed, readable], decoder, window=2) == 1.0


def test_a_window_needs_a_frame() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        held_up_read_rate([], QrDecoder(), window=0)
    assert held_up_read_rate([], QrDecoder()) == 0.0
