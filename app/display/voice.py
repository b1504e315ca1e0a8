"""Voice packs: one WAV file per clip, joined into an announcement as plain PCM.

No Qt here: the hall display hands the bytes to QtMultimedia, the CLI and tests write them to a file.
Every clip is held as 16 kHz mono 16-bit little-endian PCM; a centre's own recordings may use any
rate, channel count and PCM sample width, and are converted on load (linear resampling is plenty for
speech going to a hall loudspeaker).
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.speech import CLIP_TEXTS
from app.paths import resource_dir

RATE = 16_000
SAMPLE_WIDTH = 2


class VoicePackError(Exception):
    """A voice pack that cannot be used; the message says in Vietnamese what to fix."""


def default_pack_dir() -> Path:
    return resource_dir() / "voice" / "default"


@dataclass(frozen=True)
class VoicePack:
    directory: Path
    clips: Mapping[str, bytes]  # clip name → 16 kHz mono s16le PCM

    rate: int = RATE

    def duration(self, clip: str) -> float:
        return len(self._pcm(clip)) / (SAMPLE_WIDTH * self.rate)

    def render(self, clips: Sequence[str], gap_ms: int = 60) -> bytes:
        """The clips one after another with ``gap_ms`` of silence between two clips (none at the ends)."""
        if gap_ms < 0:
            raise ValueError("gap_ms phải ≥ 0")
        gap = bytes(SAMPLE_WIDTH * (self.rate * gap_ms // 1000))
        return gap.join(self._pcm(name) for name in clips)

    def _pcm(self, clip: str) -> bytes:
        try:
            return self.clips[clip]
        except KeyError:
            raise VoicePackError(f"Bộ giọng đọc {self.directory} không có đoạn ghi âm {clip}.wav") from None


def load_pack(directory: Path | str, required: Iterable[str] = CLIP_TEXTS) -> VoicePack:
    """Every ``*.wav`` in ``directory``; all ``required`` clips (the whole CLIP_TEXTS) must be there."""
    directory = Path(directory)
    if not directory.is_dir():
        raise VoicePackError(f"Không tìm thấy thư mục giọng đọc: {directory}")
    files = {p.stem: p for p in sorted(directory.glob("*.wav"))}
    missing = [name for name in required if name not in files]
    if missing:
        listed = ", ".join(f"{name}.wav" for name in missing)
        raise VoicePackError(
            f"Bộ giọng đọc {directory} thiếu {len(missing)} đoạn ghi âm: {listed}. "
            "Hãy ghi âm bổ sung các tệp này (WAV PCM, cùng tên tệp) hoặc chép lại từ bộ giọng mặc định."
        )
    return VoicePack(directory, {name: read_wav(path) for name, path in files.items()})


def read_wav(source: Path | str | bytes) -> bytes:
    """A WAV file (or its bytes) as 16 kHz mono 16-bit PCM."""
    name = "dữ liệu WAV" if isinstance(source, bytes) else Path(source).name
    try:
        with wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
        if (channels, width, rate) == (1, SAMPLE_WIDTH, RATE):
            return frames[: len(frames) - len(frames) % SAMPLE_WIDTH]
        if channels < 1 or rate < 1 or width not in (1, 2, 3, 4):
            raise wave.Error(f"{channels} kênh, {width * 8} bit, {rate} Hz")
        usable = len(frames) - len(frames) % (channels * width)
        samples = _to_float_mono(frames[:usable], channels, width)
    except (wave.Error, EOFError, ValueError) as exc:
        raise VoicePackError(
            f"Tệp giọng đọc {name} hỏng hoặc không phải WAV PCM ({exc}). "
            "Hãy xuất lại tệp dạng WAV PCM 16-bit, một kênh (mono)."
        ) from exc
    return _to_s16(_resample(samples, rate, RATE))


def _to_float_mono(frames: bytes, channels: int, width: int) -> np.ndarray:
    raw = np.frombuffer(frames, dtype=np.uint8)
    if width == 1:  # 8-bit WAV is unsigned
        values = raw.astype(np.float64) - 128.0
    elif width == 3:  # no numpy int24: widen little-endian triples into int32 by hand
        triples = raw.reshape(-1, 3).astype(np.int32)
        values = ((triples[:, 0] << 8 | triples[:, 1] << 16 | triples[:, 2] << 24) >> 8).astype(np.float64)
    else:
        values = np.frombuffer(frames, dtype=f"<i{width}").astype(np.float64)
    full_scale = float(2 ** (8 * width - 1))
    result: np.ndarray = values.reshape(-1, channels).mean(axis=1) / full_scale
    return result


def _resample(samples: np.ndarray, rate: int, target: int) -> np.ndarray:
    if rate == target or samples.size < 2:
        return samples
    count = max(1, round(samples.size * target / rate))
    positions = np.arange(count) * (rate / target)
    resampled: np.ndarray = np.interp(positions, np.arange(samples.size), samples)
    return resampled


def _to_s16(samples: np.ndarray) -> bytes:
    return bytes(np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2").tobytes())


def write_wav(path: Path | str, pcm: bytes, rate: int = RATE) -> None:
    """Mono 16-bit PCM bytes (as from VoicePack.render) to a WAV file."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(rate)
        wav.writeframes(pcm)
