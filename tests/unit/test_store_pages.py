"""The page spool on real files: every edit survives a reopen, torn and unlogged writes are handled, modes are 0600."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.atomic_file import write_atomic
from app.imaging.types import ColourMode, ProcessedPage
from app.store import page_spool
from app.store.component_pdf import PageRefused, encode_page
from app.store.page_spool import MANIFEST, RECOVERED_WARNING, PageSpool


def bw_image(seed: int, shape: tuple[int, int] = (220, 160)) -> np.ndarray:
    """Text-like black bars on white, different for every seed."""
    rng = np.random.default_rng(seed)
    image = np.full(shape, 255, np.uint8)
    for _ in range(12):
        y, x = int(rng.integers(0, shape[0] - 6)), int(rng.integers(0, shape[1] - 30))
        image[y : y + 5, x : x + int(rng.integers(5, 30))] = 0
    return image


def smooth_image(seed: int, shape: tuple[int, int] = (200, 150), colour: bool = False) -> np.ndarray:
    """A gradient with a few flat patches: JPEG keeps it within a few levels."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    gray = (60 + 120 * ys / shape[0] + 40 * xs / shape[1]).astype(np.uint8)
    y, x = int(rng.integers(0, shape[0] // 2)), int(rng.integers(0, shape[1] // 2))
    gray[y : y + 40, x : x + 40] = int(rng.integers(0, 255))
    if not colour:
        return gray
    return np.dstack([gray, np.flipud(gray), np.full_like(gray, int(rng.integers(0, 255)))])


def page(seed: int, mode: ColourMode = "bw", **kw: object) -> ProcessedPage:
    image = bw_image(seed) if mode == "bw" else smooth_image(seed, colour=mode == "color")
    return ProcessedPage(image, 300.0, mode, **kw)  # type: ignore[arg-type]


def state(spool: PageSpool) -> list[tuple[object, ...]]:
    return [
        (p.id, p.file, p.dpi, p.mode, p.blank, p.blurry, p.warnings, p.rotation, p.component) for p in spool.pages()
    ]


def test_every_edit_survives_a_reopen(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    a = spool.add(page(1, "bw", warnings=("Trang có thể bị mờ",), blurry=True))
    b = spool.add(page(2, "gray"))
    c = spool.add(page(3, "color", blank=True))
    d = spool.add(page(4, "bw"))
    spool.rotate(b.id, 1)
    spool.rotate(d.id, -1)
    spool.delete(c.id)
    spool.assign(a.id, 0)
    spool.assign(b.id, 2)
    spool.reorder([d.id, a.id, b.id])
    retake = spool.replace(a.id, page(5, "gray"))
    spool.assign(d.id, 1)

    expected = state(spool)
    assert [p.id for p in spool.pages()] == [d.id, a.id, b.id]
    assert [p.rotation for p in spool.pages()] == [270, 0, 90]
    assert retake.mode == "gray"
    assert retake.component == 0
    assert retake.warnings == ()

    again = PageSpool.open(tmp_path / "s")
    assert state(again) == expected
    assert again.recovered == ()
    for page_now in again.pages():
        assert np.array_equal(again.load_image(page_now), spool.load_image(page_now))
    # the retake's first image is gone, the deleted page's stays until discard
    files = {p.name for p in (tmp_path / "s").iterdir()}
    assert a.file not in files
    assert c.file in files
    lines = (tmp_path / "s" / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12  # one line per operation, reorder included
    assert json.loads(lines[-1])["component"] == 1


def test_images_read_back_bw_exactly_and_jpeg_closely(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    for seed, mode in ((7, "bw"), (8, "gray"), (9, "color")):
        original = page(seed, mode)  # type: ignore[arg-type]
        stored = spool.add(original)
        back = spool.load_image(stored)
        assert back.shape == original.image.shape
        assert back.dtype == np.uint8
        if mode == "bw":
            assert np.array_equal(back, original.image)
        else:
            diff = np.abs(back.astype(int) - original.image.astype(int))
            psnr = 10 * np.log10(255**2 / max(float((diff**2).mean()), 1e-9))
            assert diff.mean() < 2.0
            assert psnr > 32, psnr


def test_rotation_is_applied_clockwise_on_load(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    stored = spool.add(page(11, "bw"))
    original = bw_image(11)
    assert spool.rotate(stored.id, 1).rotation == 90
    assert np.array_equal(spool.load_image(stored.id), np.rot90(original, k=-1))
    assert spool.rotate(stored.id, 1).rotation == 180
    assert np.array_equal(spool.load_image(stored.id), original[::-1, ::-1])
    assert spool.rotate(stored.id, -3).rotation == 270
    assert np.array_equal(spool.load_image(stored.id), np.rot90(original, k=1))
    assert spool.rotate(stored.id, 5).rotation == 0
    assert np.array_equal(spool.load_image(stored.id), original)


def test_processed_gives_the_page_back_as_pixels(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    stored = spool.add(page(12, "bw", blurry=True, warnings=("Trang mờ",)))
    spool.rotate(stored.id, 2)
    back = spool.processed(stored)
    assert np.array_equal(back.image, bw_image(12)[::-1, ::-1])
    assert (back.dpi, back.mode, back.blurry, back.warnings, back.refused) == (300.0, "bw", True, ("Trang mờ",), "")


def test_a_torn_last_line_is_ignored_and_later_appends_stay_readable(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    a = spool.add(page(1))
    b = spool.add(page(2))
    spool.rotate(a.id, 1)
    before = state(spool)
    manifest = tmp_path / "s" / MANIFEST
    with manifest.open("ab") as handle:  # a kill in the middle of the next line
        handle.write(b'{"op":"delete","id":"' + b.id.encode() + b'","file":"')

    again = PageSpool.open(tmp_path / "s")
    assert state(again) == before
    assert manifest.read_bytes().endswith(b"\n")
    c = again.add(page(3))  # must not be glued onto the torn fragment
    assert [p.id for p in PageSpool.open(tmp_path / "s").pages()] == [a.id, b.id, c.id]


def test_a_corrupt_line_in_the_middle_loses_only_that_edit(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    a = spool.add(page(1))
    manifest = tmp_path / "s" / MANIFEST
    with manifest.open("ab") as handle:
        handle.write(b"\x00\x00garbage\n")
        handle.write(json.dumps({"op": "rotate", "id": a.id, "file": "../../etc/passwd"}).encode() + b"\n")
    spool.rotate(a.id, 2)
    again = PageSpool.open(tmp_path / "s")
    assert [(p.id, p.rotation) for p in again.pages()] == [(a.id, 180)]


def test_an_unlogged_image_is_adopted_as_a_flagged_last_page(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    first = spool.add(page(1))
    data, ext = encode_page(ProcessedPage(smooth_image(2), 250.0, "gray"))
    write_atomic(tmp_path / "s" / f"{'ab' * 16}.{ext}", data)  # written, then the kill came before the log line
    (tmp_path / "s" / f".{'cd' * 16}.jpg.0123.tmp").write_bytes(b"half a file")
    (tmp_path / "s" / f"{'ef' * 16}.jpg").write_bytes(b"not an image")

    again = PageSpool.open(tmp_path / "s")
    pages = again.pages()
    assert pages[0].id == first.id
    assert len(pages) == 2
    adopted = pages[1]
    assert again.recovered == (adopted.id,)
    assert (adopted.file, adopted.mode, adopted.dpi) == (f"{'ab' * 16}.jpg", "gray", 250.0)
    assert adopted.warnings == (RECOVERED_WARNING,)
    assert not list((tmp_path / "s").glob("*.tmp"))
    # adopted once: the adoption is logged, so a third open finds nothing new
    third = PageSpool.open(tmp_path / "s")
    assert third.recovered == ()
    assert state(third) == state(again)


def test_a_superseded_file_left_by_a_crash_is_removed(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    a = spool.add(page(1))
    kept = a.path.read_bytes()
    spool.replace(a.id, page(2))
    a.path.write_bytes(kept)  # as if the crash came between the log line and the unlink
    again = PageSpool.open(tmp_path / "s")
    assert not a.path.exists()
    assert again.recovered == ()
    assert len(again.pages()) == 1


def test_folder_is_0700_and_every_file_0600(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "pages" / "s")
    a = spool.add(page(1, "bw"))
    spool.add(page(2, "color"))
    spool.replace(a.id, page(3, "gray"))
    folder = tmp_path / "pages" / "s"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = list(folder.iterdir())
    assert len(files) == 3  # two images and the manifest
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)


def test_refused_and_malformed_pages_are_not_stored(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    with pytest.raises(PageRefused, match="200 dpi"):
        spool.add(ProcessedPage(bw_image(1), 150.0, "bw", refused="Độ phân giải dưới 200 dpi"))
    with pytest.raises(ValueError, match="một kênh"):
        spool.add(ProcessedPage(smooth_image(1, colour=True), 300.0, "bw"))
    with pytest.raises(ValueError, match="dpi"):
        spool.add(ProcessedPage(bw_image(1), 0.0, "bw"))
    assert spool.pages() == []
    assert list((tmp_path / "s").iterdir()) == []


def test_edits_name_live_pages_only(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    a = spool.add(page(1))
    b = spool.add(page(2))
    spool.delete(b.id)
    for edit in (lambda: spool.rotate(b.id, 1), lambda: spool.assign("nope", 1), lambda: spool.delete(b.id)):
        with pytest.raises(KeyError):
            edit()
    with pytest.raises(ValueError, match="mỗi trang"):
        spool.reorder([a.id, b.id])
    with pytest.raises(ValueError, match="mỗi trang"):
        spool.reorder([a.id, a.id])
    with pytest.raises(ValueError, match="âm"):
        spool.assign(a.id, -1)


def test_a_failed_log_write_leaves_no_page_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spool = PageSpool(tmp_path / "s")
    a = spool.add(page(1))
    size = (tmp_path / "s" / MANIFEST).stat().st_size

    def full_disk(fd: int, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(page_spool, "write_all", full_disk)
    with pytest.raises(OSError, match="space"):
        spool.add(page(2))
    monkeypatch.undo()
    assert [p.id for p in spool.pages()] == [a.id]
    assert (tmp_path / "s" / MANIFEST).stat().st_size == size
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted([a.file, MANIFEST])
    assert PageSpool.open(tmp_path / "s").recovered == ()


def test_discard_removes_the_session(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "s")
    spool.add(page(1))
    spool.discard()
    assert not (tmp_path / "s").exists()
    with pytest.raises(RuntimeError):
        spool.add(page(2))
    with pytest.raises(FileNotFoundError):
        PageSpool.open(tmp_path / "s")


OPS = st.lists(
    st.tuples(st.sampled_from(["add", "rotate", "delete", "assign", "reorder", "replace"]), st.integers(0, 1000)),
    max_size=14,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_edit_sequence_replays_to_the_same_state(tmp_path_factory: pytest.TempPathFactory, ops: list) -> None:
    folder = tmp_path_factory.mktemp("spool") / "s"
    spool = PageSpool(folder)
    for op, n in ops:
        live = [p.id for p in spool.pages()]
        if op == "add" or not live:
            spool.add(ProcessedPage(bw_image(n, (24, 40)), 300.0, "bw"))
            continue
        target = live[n % len(live)]
        if op == "rotate":
            spool.rotate(target, n % 7 - 3)
        elif op == "delete":
            spool.delete(target)
        elif op == "assign":
            spool.assign(target, None if n % 4 == 0 else n % 4)
        elif op == "reorder":
            spool.reorder(live[n % len(live) :] + live[: n % len(live)][::-1])
        else:
            spool.replace(target, ProcessedPage(smooth_image(n, (30, 20)), 200.0, "gray"))
    assert state(PageSpool.open(folder)) == state(spool)
