"""Voice packs: the shipped one is complete, clips join with exact gaps, bad packs say what is wrong."""

from __future__ import annotations

import itertools
import math
import shutil
import struct
import sys
import wave
from pathlib import Path

import pytest

from app.core.speech import CLIP_TEXTS, announcement
from app.display.voice import RATE, VoicePackError, default_pack_dir, load_pack, read_wav, write_wav
from app.display.voicepack import render_pack, trim_silence


@pytest.fixture(scope="module")
def pack():
    return load_pack(default_pack_dir())


def tone(path: Path, *, rate: int, channels: int, width: int, seconds: float, hz: float = 440.0) -> None:
    """A sine wave WAV in any PCM format, made with the stdlib only."""
    frames = bytearray()
    full = 2 ** (8 * width - 1) - 1
    for i in range(int(rate * seconds)):
        value = round(0.5 * full * math.sin(2 * math.pi * hz * i / rate))
        sample = bytes([value + 128]) if width == 1 else value.to_bytes(width, "little", signed=True)
        frames += sample * channels
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(bytes(frames))


def test_the_shipped_pack_is_complete_small_and_16k_mono(pack) -> None:
    assert set(CLIP_TEXTS) <= set(pack.clips)
    files = list(default_pack_dir().glob("*.wav"))
    assert sum(f.stat().st_size for f in files) < 2 * 1024 * 1024
    for f in files:
        with wave.open(str(f), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE), f.name
    for name in CLIP_TEXTS:
        assert 0.05 < pack.duration(name) < 3.0, name
    # trimmed: the first and last few milliseconds are quiet but the clip is not all silence
    speech = pack.clips["moi_cong_dan_co_so_thu_tu"]
    assert max(abs(s) for (s,) in struct.iter_unpack("<h", speech)) > 3000


def test_render_an_announcement_to_wav(pack, tmp_path: Path) -> None:
    clips = announcement("B1203", "Quầy 12").clips
    pcm = pack.render(clips, gap_ms=60)
    out = tmp_path / "say.wav"
    write_wav(out, pcm)
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        seconds = wav.getnframes() / wav.getframerate()
    expected = sum(pack.duration(c) for c in clips) + 0.060 * (len(clips) - 1)
    assert seconds == pytest.approx(expected, abs=1 / RATE)
    assert pack.render([]) == b""
    assert pack.render(["a"], gap_ms=500) == pack.clips["a"]


def test_render_unknown_clip_and_bad_gap(pack) -> None:
    with pytest.raises(VoicePackError, match=r"không có đoạn ghi âm khong_co\.wav"):
        pack.render(["a", "khong_co"])
    with pytest.raises(ValueError, match="gap_ms"):
        pack.render(["a"], gap_ms=-1)


def copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target, ignore=shutil.ignore_patterns("*.md"))
    return target


def test_missing_clips_are_listed_in_vietnamese(tmp_path: Path) -> None:
    target = copy_pack(tmp_path)
    (target / "lam.wav").unlink()
    (target / "mot_sac.wav").unlink()
    with pytest.raises(VoicePackError, match=r"thiếu 2 đoạn ghi âm: mot_sac\.wav, lam\.wav") as err:
        load_pack(target)
    assert "WAV PCM" in str(err.value)
    with pytest.raises(VoicePackError, match="Không tìm thấy thư mục giọng đọc"):
        load_pack(tmp_path / "nowhere")


@pytest.mark.parametrize("content", [b"", b"RIFF\x00\x00\x00\x00WAVEjunk", b"not a wav at all" * 10])
def test_a_corrupt_wav_is_named(tmp_path: Path, content: bytes) -> None:
    target = copy_pack(tmp_path)
    (target / "ba.wav").write_bytes(content)
    with pytest.raises(VoicePackError, match=r"Tệp giọng đọc ba\.wav hỏng hoặc không phải WAV PCM"):
        load_pack(target)


def test_a_44k_stereo_recording_is_resampled(tmp_path: Path) -> None:
    target = copy_pack(tmp_path)
    tone(target / "ba.wav", rate=44_100, channels=2, width=2, seconds=0.5)
    pack = load_pack(target)
    assert pack.duration("ba") == pytest.approx(0.5, abs=1 / RATE)
    samples = [s for (s,) in struct.iter_unpack("<h", pack.clips["ba"])]
    # Still a 440 Hz sine at half scale: count zero crossings, check the peak.
    crossings = sum(1 for a, b in itertools.pairwise(samples) if (a < 0) != (b < 0))
    assert crossings == pytest.approx(2 * 440 * 0.5, abs=3)
    assert max(samples) == pytest.approx(16383, rel=0.02)


@pytest.mark.parametrize(("rate", "channels", "width"), [(8000, 1, 1), (22_050, 1, 3), (48_000, 2, 4), (16_000, 1, 2)])
def test_other_pcm_formats(tmp_path: Path, rate: int, channels: int, width: int) -> None:
    path = tmp_path / "t.wav"
    tone(path, rate=rate, channels=channels, width=width, seconds=0.25)
    samples = [s for (s,) in struct.iter_unpack("<h", read_wav(path))]
    assert len(samples) == pytest.approx(RATE * 0.25, abs=1)
    assert max(samples) == pytest.approx(16383, rel=0.02)
    assert read_wav(path.read_bytes()) == read_wav(path)


def test_trim_silence() -> None:
    silence, loud = bytes(2 * RATE), struct.pack("<h", 8000) * 100
    trimmed = trim_silence(silence + loud + silence, margin_ms=10)
    assert len(trimmed) == 2 * (100 + 2 * RATE // 100)
    assert trim_silence(silence) == silence


def test_render_pack_with_a_stand_in_engine(tmp_path: Path) -> None:
    """The generator's plumbing without espeak-ng: the engine here writes a tone whatever the text."""
    script = tmp_path / "engine.py"
    script.write_text(
        "import sys, wave\n"
        "with wave.open(sys.argv[1], 'wb') as w:\n"
        "    w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050)\n"
        "    w.writeframes(bytes(2000) + (b'\\x00\\x40\\x00\\xc0' * 2000) + bytes(2000))\n"
        "assert sys.argv[2] in ('ba', 'di'), sys.argv[2]\n"
    )
    out = tmp_path / "out"
    paths = render_pack(out, engine_cmd=(sys.executable, str(script), "{wav}", "{text}"), texts={"ba": "ba", "j": "gi"})
    assert [p.name for p in paths] == ["ba.wav", "j.wav"]
    pack = load_pack(out, required=["ba", "j"])
    assert pack.duration("ba") == pytest.approx(4000 / 22050 + 0.040, abs=0.002)


def test_the_pack_readme_lists_every_clip() -> None:
    readme = (default_pack_dir() / "README.md").read_text(encoding="utf-8")
    for name, text in CLIP_TEXTS.items():
        assert f"| `{name}.wav` | {text} |" in readme, name
