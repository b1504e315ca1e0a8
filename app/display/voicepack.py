"""Render a voice pack (one WAV per clip of CLIP_TEXTS) with an offline speech engine.

Run once by a developer; the result under resources/voice/default is committed, so the engine is
neither a runtime nor a test dependency:

    apt-get install -y --no-install-recommends espeak-ng
    python -m app.display.voicepack resources/voice/default
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from app.core.speech import CLIP_TEXTS
from app.display.voice import RATE, read_wav, write_wav

# "{wav}" and "{text}" are filled in per clip. Northern voice, a little slower than the default 175 wpm
# so that elderly citizens in a noisy hall catch every word.
ESPEAK_VI = ("espeak-ng", "-v", "vi", "-s", "140", "-w", "{wav}", "{text}")

# What the engine is given where espeak-ng misreads the clip's own text: alone, "gi" comes out as a bare
# consonant, while "di" is pronounced the same (/zi/) in full.
ENGINE_SPELLING = {"j": "di"}

SILENCE_LEVEL = 300  # of 32767: espeak pads with digital silence; recordings have a noise floor
MARGIN_MS = 20  # kept on each side so word onsets and tails are not clipped


def render_pack(
    out_dir: Path | str,
    engine_cmd: Sequence[str] = ESPEAK_VI,
    texts: Mapping[str, str] = CLIP_TEXTS,
    spelling: Mapping[str, str] = ENGINE_SPELLING,
) -> list[Path]:
    """Speak every text with ``engine_cmd`` and write ``out_dir/<clip>.wav`` (16 kHz mono 16-bit, trimmed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "clip.wav"
        for name, text in texts.items():
            spoken = spelling.get(name, text)
            cmd = [part.replace("{wav}", str(raw)).replace("{text}", spoken) for part in engine_cmd]
            subprocess.run(cmd, check=True, capture_output=True)  # noqa: S603 - a developer's own command
            path = out / f"{name}.wav"
            write_wav(path, trim_silence(read_wav(raw)))
            written.append(path)
    return written


def trim_silence(pcm: bytes, level: int = SILENCE_LEVEL, margin_ms: int = MARGIN_MS) -> bytes:
    """Cut leading and trailing silence so the gaps between clips are ours, not the engine's."""
    samples = np.frombuffer(pcm, dtype="<i2")
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > level)
    if loud.size == 0:
        return pcm
    margin = RATE * margin_ms // 1000
    start, end = max(0, int(loud[0]) - margin), min(samples.size, int(loud[-1]) + 1 + margin)
    return bytes(samples[start:end].tobytes())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("cách dùng: python -m app.display.voicepack THƯ_MỤC_ĐẦU_RA", file=sys.stderr)
        return 2
    paths = render_pack(args[0])
    total = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} đoạn ghi âm, {total / 1024:.0f} KB → {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
