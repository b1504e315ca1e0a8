"""The two-tone chime the hall hears before every call, and a voice pack that plays it first.

`resources/sounds/chime.wav` was generated once with ``python -m app.display.chime`` (two soft sine tones,
a falling major third like an airport "ding-dong", 16 kHz mono 16-bit, 0.85 s). A centre may replace the
file with any WAV; it is converted on load like the voice clips. Without the file the display still calls,
only without the chime.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.display.voice import RATE, SAMPLE_WIDTH, VoicePack, VoicePackError, read_wav, write_wav
from app.paths import resource_dir

log = logging.getLogger(__name__)

TONES_HZ = (659.25, 523.25)  # E5 then C5
TONE_S = 0.45
OVERLAP_S = 0.05  # the second tone starts just before the first has died away
LEVEL = 0.35  # of full scale: soft, the voice after it is louder
GAP_MS = 200  # silence between the chime and the sentence


def chime_path() -> Path:
    return resource_dir() / "sounds" / "chime.wav"


def make_chime(rate: int = RATE) -> bytes:
    """Two decaying sine tones as 16-bit mono PCM, with a few ms of fade-in so nothing clicks."""
    n = int(TONE_S * rate)
    t = np.arange(n) / rate
    attack = np.minimum(1.0, t / 0.012)
    envelope = attack * np.exp(-t * 5.0)
    step = int((TONE_S - OVERLAP_S) * rate)
    out = np.zeros(step * (len(TONES_HZ) - 1) + n)
    for i, freq in enumerate(TONES_HZ):
        # A touch of the octave makes a sine sound like a soft bell rather than a test tone.
        tone = np.sin(2 * math.pi * freq * t) + 0.18 * np.sin(4 * math.pi * freq * t)
        out[i * step : i * step + n] += tone * envelope
    out[-int(0.02 * rate) :] *= np.linspace(1.0, 0.0, int(0.02 * rate))  # no click at the end either
    out *= LEVEL / float(np.max(np.abs(out)))
    return bytes(np.round(out * 32767).astype("<i2").tobytes())


def load_chime(path: Path | None = None) -> bytes:
    """The chime's PCM (16 kHz mono 16-bit), or nothing when the file is missing or broken."""
    path = path or chime_path()
    if not path.is_file():
        log.warning("no chime at %s: calls are announced without it", path)
        return b""
    try:
        return read_wav(path)
    except VoicePackError as exc:
        log.warning("%s", exc)
        return b""


@dataclass(frozen=True)
class ChimedPack(VoicePack):
    """A voice pack whose every announcement starts with the chime (the Announcer plays one clip)."""

    chime: bytes = b""
    chime_gap_ms: int = GAP_MS

    def render(self, clips: Sequence[str], gap_ms: int = 60) -> bytes:
        speech = super().render(clips, gap_ms)
        if not self.chime:
            return speech
        return self.chime + bytes(SAMPLE_WIDTH * (self.rate * self.chime_gap_ms // 1000)) + speech


def with_chime(pack: VoicePack, chime: bytes | None = None) -> ChimedPack:
    """``pack`` with the bundled chime (or ``chime``) before each sentence."""
    return ChimedPack(pack.directory, pack.clips, pack.rate, chime=load_chime() if chime is None else chime)


def main(argv: list[str] | None = None) -> int:
    """Write the chime: ``python -m app.display.chime [OUT.wav]`` (default: resources/sounds/chime.wav)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else chime_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    pcm = make_chime()
    write_wav(out, pcm)
    print(f"{out}: {len(pcm) / (SAMPLE_WIDTH * RATE):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
