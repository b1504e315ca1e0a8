"""Scanned pages kept on disk as they arrive, so a crash or SIGKILL mid-feeder loses nothing already scanned.

One folder per digitisation session holds one image file per page and `manifest.jsonl`, an append-only log: each
line is the full state of one page (last line wins per page id) or a reorder. A line is written only after its image
file is durable, and `add` returns only after the line is fsynced.

Each page is stored in the bytes the PDF will carry, so the PDF step passes them through untouched: black-and-white
as single-strip CCITT G4 TIFF (lossless, ≈ 35–100 KB per A4 page), gray and colour as JPEG q85 (one lossy
generation in total; a lossless PNG here would be ≈ 2 MB per page and a second encode later). Rotation is a number
in the manifest (the PDF's /Rotate), never a re-encode.

Reopening after a crash: a torn last line (no newline) is cut off, leftover temp files are deleted, a file a retake
superseded is deleted, and an image file with no line (written, then killed before logging) is adopted as a new last
page carrying RECOVERED_WARNING: the scan is kept, and the clerk is told to check it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import re
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from app.atomic_file import fsync_dir, write_all, write_atomic
from app.imaging.types import ColourMode, ProcessedPage
from app.imaging.types import Image as Pixels
from app.store.component_pdf import FILE_MODE, decode_image, encode_page

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
RECOVERED_WARNING = "Trang được khôi phục sau khi chương trình dừng đột ngột: hãy kiểm tra lại."
_IMAGE_NAME = re.compile(r"^[0-9a-f]{32}\.(tif|jpg)$")
_MODES: tuple[ColourMode, ...] = ("bw", "gray", "color")


@dataclass(frozen=True)
class SpooledPage:
    id: str
    file: str  # name inside the session folder
    path: Path
    dpi: float
    mode: ColourMode
    blank: bool = False
    blurry: bool = False
    warnings: tuple[str, ...] = ()
    rotation: int = 0  # clockwise degrees: 0, 90, 180, 270
    component: int | None = None  # index of the dossier component, None until the clerk assigns it
    deleted: bool = False
    order: int = 0


_RECORD_KEYS = tuple(f.name for f in dataclasses.fields(SpooledPage) if f.name != "path")

# --- the spool ---------------------------------------------------------------------------------------------------


class PageSpool:
    """The pages of one digitisation session, e.g. DATA/pages/<session id>/.

    Creating a spool over a folder that already has a manifest replays it: a spool never starts by forgetting pages.
    Methods are thread-safe (a scanner thread may add while the clerk edits); one process per folder.
    """

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.chmod(0o700)  # scanned pages are personal data
        self.folder = folder
        self._manifest = folder / MANIFEST
        self._lock = threading.Lock()
        self._pages: dict[str, SpooledPage] = {}
        self._discarded = False
        self.recovered: tuple[str, ...] = ()  # ids of pages found as image files without a manifest line
        self._replay()

    @classmethod
    def open(cls, folder: Path) -> PageSpool:
        """Reopen a session after a crash: replay the manifest, drop a torn last line, adopt unlogged images."""
        if not folder.is_dir():
            raise FileNotFoundError(f"không tìm thấy thư mục trang quét {folder}")
        return cls(folder)

    # --- reading ---

    def pages(self) -> list[SpooledPage]:
        """Current pages in order, without deleted ones."""
        with self._lock:
            return sorted((p for p in self._pages.values() if not p.deleted), key=lambda p: p.order)

    def page(self, page_id: str) -> SpooledPage:
        with self._lock:
            return self._live(page_id)

    def load_image(self, page: SpooledPage | str) -> Pixels:
        """The page's pixels with its current rotation applied (bw as 0/255, colour as BGR)."""
        page_id = page if isinstance(page, str) else page.id
        with self._lock:
            current = self._pages.get(page_id)
        if current is None:
            raise KeyError(page_id)
        pixels, _ = decode_image(current.path)
        # rotation is clockwise; np.rot90 turns counter-clockwise for positive k
        return np.ascontiguousarray(np.rot90(pixels, k=-(current.rotation // 90)))

    def processed(self, page: SpooledPage | str) -> ProcessedPage:
        """The page as pixels again, rotation applied. To make a PDF pass the SpooledPage itself instead: its stored
        bytes go in unchanged, while these pixels would be JPEG-encoded a second time."""
        current = self.page(page if isinstance(page, str) else page.id)
        image = self.load_image(current)
        return ProcessedPage(image, current.dpi, current.mode, current.blank, current.blurry, warnings=current.warnings)

    # --- editing: each op is one fsynced manifest line ---

    def add(self, page: ProcessedPage) -> SpooledPage:
        data, ext = encode_page(page)  # outside the lock: encoding is the slow part
        with self._lock:
            self._check_open()
            name = f"{uuid.uuid4().hex}.{ext}"
            path = self.folder / name
            write_atomic(path, data)
            order = max((p.order for p in self._pages.values()), default=-1) + 1
            spooled = SpooledPage(
                id=uuid.uuid4().hex,
                file=name,
                path=path,
                dpi=float(page.dpi),
                mode=page.mode,
                blank=page.blank,
                blurry=page.blurry,
                warnings=tuple(page.warnings),
                order=order,
            )
            try:
                self._log("add", spooled)
            except BaseException:
                # not acknowledged: the caller will rescan, so the file must not come back as a recovered page
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
            return spooled

    def rotate(self, page_id: str, quarter_turns: int) -> SpooledPage:
        """Turn clockwise by `quarter_turns` × 90° (negative: counter-clockwise)."""
        with self._lock:
            old = self._live(page_id)
            return self._log("rotate", dataclasses.replace(old, rotation=(old.rotation + 90 * quarter_turns) % 360))

    def delete(self, page_id: str) -> SpooledPage:
        """Soft delete: the page leaves pages(); its file stays until discard()."""
        with self._lock:
            return self._log("delete", dataclasses.replace(self._live(page_id), deleted=True))

    def assign(self, page_id: str, component: int | None) -> SpooledPage:
        if component is not None and component < 0:
            raise ValueError("số thứ tự thành phần hồ sơ không được âm")
        with self._lock:
            return self._log("assign", dataclasses.replace(self._live(page_id), component=component))

    def reorder(self, page_ids: list[str]) -> list[SpooledPage]:
        """Put the current pages in this order; the list must name each of them exactly once."""
        with self._lock:
            live = {p.id for p in self._pages.values() if not p.deleted}
            if len(page_ids) != len(live) or set(page_ids) != live:
                raise ValueError("thứ tự mới phải liệt kê đúng mỗi trang hiện có một lần")
            self._append({"op": "reorder", "ids": list(page_ids)})  # one line: a reorder is never half done
            for order, page_id in enumerate(page_ids):
                self._pages[page_id] = dataclasses.replace(self._pages[page_id], order=order)
            return [self._pages[i] for i in page_ids]

    def replace(self, page_id: str, page: ProcessedPage) -> SpooledPage:
        """A retake: new image, same id, position and component; rotation starts again from 0."""
        data, ext = encode_page(page)
        with self._lock:
            old = self._live(page_id)
            name = f"{uuid.uuid4().hex}.{ext}"
            path = self.folder / name
            write_atomic(path, data)
            new = dataclasses.replace(
                old,
                file=name,
                path=path,
                dpi=float(page.dpi),
                mode=page.mode,
                blank=page.blank,
                blurry=page.blurry,
                warnings=tuple(page.warnings),
                rotation=0,
            )
            try:
                self._log("replace", new)
            except BaseException:
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
            with contextlib.suppress(OSError):
                old.path.unlink()  # logged as superseded: if this unlink is lost, open() removes it
            return new

    def discard(self) -> None:
        """Remove the whole session folder (after the PDFs are made); the spool is unusable afterwards."""
        with self._lock:
            self._discarded = True
            self._pages.clear()
            shutil.rmtree(self.folder, ignore_errors=False)

    # --- internals ---

    def _check_open(self) -> None:
        if self._discarded:
            raise RuntimeError("phiên quét đã bị xoá")

    def _live(self, page_id: str) -> SpooledPage:
        self._check_open()
        page = self._pages.get(page_id)
        if page is None or page.deleted:
            raise KeyError(page_id)
        return page

    def _log(self, op: str, page: SpooledPage) -> SpooledPage:
        self._check_open()
        self._append({"op": op, **_record(page)})
        self._pages[page.id] = page
        return page

    def _append(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        created = not self._manifest.exists()
        fd = os.open(self._manifest, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), FILE_MODE)
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
            try:
                write_all(fd, line)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, start)  # never leave half a line for the next append to glue onto
                raise
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.folder)

    def _replay(self) -> None:
        known: set[str] = set()
        for entry in _read_manifest(self._manifest):
            if entry.get("op") == "reorder":
                ids = entry.get("ids")
                for order, page_id in enumerate(ids if isinstance(ids, list) else []):
                    if isinstance(page_id, str) and page_id in self._pages:
                        self._pages[page_id] = dataclasses.replace(self._pages[page_id], order=order)
                continue
            page = _page_from(entry, self.folder)
            if page is None:
                log.warning("page spool %s: skipping a malformed manifest line", self.folder.name)
                continue
            known.add(page.file)
            self._pages[page.id] = page
        current = {p.file for p in self._pages.values()}
        for item in sorted(self.folder.iterdir(), key=_mtime_then_name):
            if item.name.endswith(".tmp"):
                item.unlink()  # a write the crash cut short; never acknowledged
            elif item.name in known and item.name not in current:
                item.unlink()  # superseded by a retake whose unlink the crash skipped
            elif _IMAGE_NAME.match(item.name) and item.name not in known:
                self._adopt(item)

    def _adopt(self, path: Path) -> None:
        """An image written but not yet logged: keep it as a new last page, flagged for the clerk to check."""
        try:
            with Image.open(path) as pil:
                mode: ColourMode = "bw" if pil.mode == "1" else "gray" if pil.mode == "L" else "color"
                dpi = float(pil.info.get("dpi", (0.0, 0.0))[0])
                pil.verify()
        except (OSError, SyntaxError, ValueError):
            log.warning("page spool %s: unreadable unlogged image %s left aside", self.folder.name, path.name)
            return
        order = max((p.order for p in self._pages.values()), default=-1) + 1
        page = SpooledPage(uuid.uuid4().hex, path.name, path, dpi, mode, warnings=(RECOVERED_WARNING,), order=order)
        self._log("recover", page)
        self.recovered = (*self.recovered, page.id)
        log.info("page spool %s: adopted unlogged image as page %s", self.folder.name, page.id)


def _record(page: SpooledPage) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(page).items() if k != "path"}


def _page_from(entry: dict[str, Any], folder: Path) -> SpooledPage | None:
    """A page from a manifest line, or None when the line is not a well-formed page record."""
    try:
        page = SpooledPage(path=folder / str(entry["file"]), **{k: entry[k] for k in _RECORD_KEYS})
    except (KeyError, TypeError):
        return None
    well_formed = (
        isinstance(page.file, str)
        and _IMAGE_NAME.match(page.file) is not None
        and isinstance(page.dpi, int | float)
        and page.mode in _MODES
        and page.rotation in (0, 90, 180, 270)
        and (page.component is None or isinstance(page.component, int))
        and isinstance(page.order, int)
        and isinstance(page.warnings, list)
    )
    if not well_formed:
        return None
    return dataclasses.replace(page, dpi=float(page.dpi), warnings=tuple(map(str, page.warnings)))


def _read_manifest(path: Path) -> list[dict[str, Any]]:
    """Every complete line; a torn tail (no newline: the kill came mid-write) is cut off so appends stay clean."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    end = raw.rfind(b"\n") + 1
    if end < len(raw):
        log.warning("page spool manifest %s: cutting a torn last line (%d bytes)", path.parent.name, len(raw) - end)
        with open(path, "r+b") as handle:
            handle.truncate(end)
            handle.flush()
            os.fsync(handle.fileno())
    entries: list[dict[str, Any]] = []
    for line in raw[:end].splitlines():
        try:
            entry = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("page spool manifest %s: skipping a corrupt line", path.parent.name)
            continue
        if isinstance(entry, dict):
            entries.append(entry)
    return entries


def _mtime_then_name(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, path.name
