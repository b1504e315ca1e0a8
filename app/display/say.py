"""`python -m app say`: what the hall display would say for a ticket, as text, clips and audio."""

from __future__ import annotations

import sys
from pathlib import Path

from app.core.speech import announcement
from app.display.voice import VoicePackError, default_pack_dir, load_pack, write_wav


def run_say(
    number: str,
    counter: str,
    *,
    digits: bool = False,
    wav: Path | None = None,
    voice: Path | None = None,
) -> int:
    """Print the sentence, the words the voice says (with tone marks), then the clip names; with ``wav``, the audio."""
    try:
        said = announcement(number, counter, digit_mode=digits)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    print(said.text)
    print(f"Đọc: {said.spoken}")
    try:
        clips = said.clips
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    print(" ".join(clips))
    if wav is None:
        return 0
    try:
        pack = load_pack(voice or default_pack_dir())
        write_wav(wav, pack.render(clips))
    except (VoicePackError, OSError) as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
    print(f"Đã ghi âm thanh vào {wav}", file=sys.stderr)
    return 0
