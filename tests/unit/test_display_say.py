"""`python -m app say`: sentence on line 1, the spoken words with tone marks on line 2, clips on line 3, WAV."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from app.__main__ import main


def test_say_prints_sentence_and_clips_and_writes_wav(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a015.wav"
    assert main(["say", "--number", "A015", "--counter", "3", "--wav", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Mời công dân có số thứ tự A015 đến quầy số 3.",
        "Đọc: Mời công dân có số thứ tự a mười lăm đến quầy số ba.",
        "moi_cong_dan_co_so_thu_tu a muoi lam den_quay_so ba",
    ]
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (1, 16_000)
        assert wav.getnframes() / wav.getframerate() > 2.5


def test_say_digit_mode_and_bare_number(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "--number", "015", "--counter", "Quầy 12", "--digits"]) == 0
    text, spoken, clips = capsys.readouterr().out.splitlines()
    assert text == "Mời công dân có số thứ tự 015 đến quầy số 12."
    assert spoken == "Đọc: Mời công dân có số thứ tự không một năm đến quầy số mười hai."
    assert clips == "moi_cong_dan_co_so_thu_tu khong mot nam den_quay_so muoi hai"


def test_say_with_another_voice_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["say", "--number", "A1", "--counter", "1", "--wav", str(tmp_path / "x.wav"), "--voice", str(tmp_path)])
    assert code == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3
    assert "thiếu" in captured.err


def test_say_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["say", "--number", "A01B", "--counter", "3"]) == 2
    assert "số thứ tự không hợp lệ" in capsys.readouterr().err
    assert main(["say", "--number", "A1", "--counter", "Tư pháp"]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "Mời công dân có số thứ tự A1 đến quầy Tư pháp.",
        "Đọc: Mời công dân có số thứ tự a một đến quầy Tư pháp.",
    ]
    assert "không có chữ số" in captured.err
