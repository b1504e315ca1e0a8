"""Peers for the signing tests: poppler's `pdfsig` as the independent verifier, and sample PDFs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

PDFSIG = shutil.which("pdfsig")
SOFTHSM_UTIL = shutil.which("softhsm2-util")

needs_peers = pytest.mark.skipif(
    PDFSIG is None or SOFTHSM_UTIL is None, reason="needs softhsm2-util (softhsm2) and pdfsig (poppler-utils)"
)


def pdfsig(path: Path) -> tuple[list[str], str]:
    """Each signature's "Signature Validation:" verdict as pdfsig prints it, and its whole output."""
    assert PDFSIG is not None
    done = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60)
    verdicts = [
        line.split(":", 1)[1].strip()
        for line in done.stdout.splitlines()
        if line.strip().startswith("- Signature Validation:")
    ]
    return verdicts, done.stdout + done.stderr


def assert_pdfsig_valid(path: Path, count: int = 1) -> str:
    verdicts, output = pdfsig(path)
    assert verdicts == ["Signature is Valid."] * count, output
    assert output.count("Signature Type: ETSI.CAdES.detached") == count, output
    return output


def sample_pdf(path: Path, pages: int = 2) -> Path:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)
    return path


def flip_signed_byte(path: Path) -> None:
    """Changes one byte inside the first signed range (the header's binary comment): the file still parses."""
    data = bytearray(path.read_bytes())
    at = data.index(b"\n", 5) + 2  # the second line is "%" + binary bytes
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
