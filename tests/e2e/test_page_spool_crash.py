"""A scanning process killed with SIGKILL mid-feeder loses no page whose `add` had returned.

The first case kills from outside after 8 acknowledged pages, as a clerk's power cut would. A kill from outside
almost always lands while the next page is being encoded, so the other cases make the process kill itself at a
chosen point of the 9th page's write: half-way through the image file, after its rename, half-way through its
manifest line.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import numpy as np
import pytest

from app.imaging.types import ColourMode, ProcessedPage
from app.store.page_spool import RECOVERED_WARNING, PageSpool

ROOT = Path(__file__).resolve().parents[2]
WANTED = 8  # acknowledged pages before the kill
WAIT = 60  # seconds any single wait may take before the test fails
SHAPE = (700, 500)

# The scanning process: page i is spooled, and said so only once `add` has returned. argv[2] names the point in
# page WANTED's write where it kills itself ("" = never: the test kills it).
CHILD = """
import os, signal, sys
from pathlib import Path

import app.atomic_file as atomic_module
import app.store.page_spool as spool_module
from app.imaging.types import ProcessedPage
from tests.e2e.test_page_spool_crash import WANTED, mode_of, page_image

point = sys.argv[2]
current = [0]

def die_half_way(real):
    def write(fd, data):
        if current[0] == WANTED:
            os.write(fd, data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        real(fd, data)
    return write

def die_after(real):
    def hook(*args):
        real(*args)
        if current[0] == WANTED:
            os.kill(os.getpid(), signal.SIGKILL)
    return hook

if point == "image":
    atomic_module.write_all = die_half_way(atomic_module.write_all)
elif point == "renamed":
    atomic_module.fsync_dir = die_after(atomic_module.fsync_dir)
elif point == "manifest":
    spool_module.write_all = die_half_way(spool_module.write_all)

spool = spool_module.PageSpool(Path(sys.argv[1]))
while True:
    i = current[0]
    spool.add(ProcessedPage(page_image(i), 300.0, mode_of(i), warnings=(f"trang {i}",)))
    print("page", i, flush=True)
    current[0] += 1
"""


def mode_of(i: int) -> ColourMode:
    return "bw" if i % 3 else "gray"


def page_image(i: int) -> np.ndarray:
    """Page i of the feeder: its bars depend on i, so a mixed-up page would show."""
    rng = np.random.default_rng(i)
    image = np.full(SHAPE, 255, np.uint8)
    for row in range(16):
        x = int(rng.integers(20, 150))
        image[30 + row * 40 : 50 + row * 40, x : x + int(rng.integers(60, 300))] = 0
    if mode_of(i) == "gray":
        image = (image * 0.6 + 60).astype(np.uint8)
    return image


def _read_lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line.strip())
    into.put(None)


def run_until_killed(folder: Path, point: str) -> list[int]:
    """Run the scanning process until it is SIGKILLed; the pages it acknowledged."""
    printed: list[int] = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", CHILD, str(folder), point]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True)
        reader.start()
        try:
            while (line := lines.get(timeout=WAIT)) is not None:
                printed.append(int(line.split()[1]))
                if len(printed) == WANTED and not point:
                    child.send_signal(signal.SIGKILL)  # mid-feeder: it is on the next page right now
        finally:
            if child.poll() is None:
                child.kill()
            child.wait(timeout=WAIT)
            reader.join(timeout=WAIT)
        assert child.returncode == -signal.SIGKILL, child.stderr.read()
    assert printed == list(range(len(printed)))
    return printed


def check_survivors(folder: Path, printed: list[int]) -> list[str]:
    """Every acknowledged page is back, in order, with its image; returns the warnings of any page beyond them."""
    spool = PageSpool.open(folder)
    pages = spool.pages()
    assert len(printed) <= len(pages) <= len(printed) + 1  # at most the page in flight on top
    for i, page in enumerate(pages):
        image = spool.load_image(page)
        assert page.mode == mode_of(i)
        assert page.dpi == 300.0
        if page.mode == "bw":
            assert np.array_equal(image, page_image(i))
        else:
            assert np.abs(image.astype(int) - page_image(i).astype(int)).mean() < 2.0
        if i < len(printed):
            assert page.warnings == (f"trang {i}",)
    assert not list(folder.glob("*.tmp"))
    spool.add(ProcessedPage(page_image(99), 300.0, "bw"))  # the reopened spool keeps working
    assert len(PageSpool.open(folder).pages()) == len(pages) + 1
    return [w for page in pages[len(printed) :] for w in page.warnings]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_from_outside_loses_no_acknowledged_page(tmp_path: Path) -> None:
    folder = tmp_path / "pages" / "session-1"
    printed = run_until_killed(folder, "")
    assert len(printed) >= WANTED
    assert check_survivors(folder, printed) in ([], [f"trang {len(printed)}"], [RECOVERED_WARNING])


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize(
    ("point", "in_flight"),
    [
        ("image", []),  # half an image in a temp file: removed, the page was never acknowledged
        ("renamed", [RECOVERED_WARNING]),  # a whole image without its line: adopted and flagged
        ("manifest", [RECOVERED_WARNING]),  # half a line: cut off, its image adopted and flagged
    ],
)
def test_sigkill_inside_a_write_loses_nothing_and_breaks_nothing(
    tmp_path: Path, point: str, in_flight: list[str]
) -> None:
    folder = tmp_path / "pages" / "session-1"
    printed = run_until_killed(folder, point)
    assert printed == list(range(WANTED))
    if point == "image":
        assert any(p.name.endswith(".tmp") for p in folder.iterdir())  # the kill really was mid-write
    if point == "manifest":
        assert not (folder / "manifest.jsonl").read_bytes().endswith(b"\n")
    assert check_survivors(folder, printed) == in_flight
