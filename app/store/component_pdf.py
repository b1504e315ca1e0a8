"""One PDF per dossier component: pages embedded without re-encoding, metadata that says whose and what it is.

Black-and-white pages go in as CCITT G4 (≈ 40–100 KB per A4 page at 300 dpi), gray and colour pages as JPEG q85
(seals and wet signatures stay visible). img2pdf copies both byte for byte into /CCITTFaxDecode and /DCTDecode
streams and sizes each page from its dpi (100 % scale); pikepdf then adds the metadata. A page from the spool is
embedded as the very bytes the spool stored, its rotation becoming the page's /Rotate.

The encoders and the atomic file write live here and the page spool uses them, so a page is encoded once.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import img2pdf
import numpy as np
import pikepdf
from pikepdf.models.metadata import decode_pdf_date, encode_pdf_date
from PIL import Image

from app.atomic_file import write_atomic
from app.imaging.types import Image as Pixels
from app.imaging.types import ProcessedPage

JPEG_QUALITY = 85  # seals and wet signatures stay legible; the PDF carries these same bytes
CREATOR = "Một Cửa"
_KEY_DOSSIER = pikepdf.Name("/MotCuaDossier")
_KEY_COMPONENT = pikepdf.Name("/MotCuaComponent")
_KEY_CLERK = pikepdf.Name("/MotCuaClerk")
_KEYS = (_KEY_DOSSIER, _KEY_COMPONENT, _KEY_CLERK)
FILE_MODE = 0o600  # scanned pages are personal data


class PageRefused(ValueError):
    """The pipeline refused this page (e.g. under 200 dpi): it must not be stored."""


class StoredImage(Protocol):
    """A page already encoded on disk (the spool's SpooledPage): its bytes go into the PDF unchanged."""

    @property
    def path(self) -> Path: ...

    @property
    def rotation(self) -> int: ...  # clockwise degrees


@dataclass(frozen=True)
class PdfMeta:
    dossier_code: str
    component: str  # the component's name as the checklist shows it, e.g. "Tờ khai đăng ký khai sinh"
    clerk: str
    created: datetime  # timezone-aware; the PDF keeps whole seconds


@dataclass(frozen=True)
class ComponentPdf:
    path: Path
    sha256: str  # of the final file's bytes
    pages: int
    bytes: int


# --- page encodings: the spool stores, and the PDF embeds, these bytes -----------------------------------------


def encode_g4(image: Pixels, dpi: float) -> bytes:
    """A 1-bit page as CCITT G4 TIFF in one strip (img2pdf embeds only single-strip G4 without re-encoding)."""
    if image.ndim != 2:
        raise ValueError("trang đen trắng phải là ảnh một kênh")
    bits = Image.fromarray(image).convert("1", dither=Image.Dither.NONE)  # threshold at 128, never dither
    out = io.BytesIO()
    one_strip = (bits.width + 7) // 8 * bits.height
    bits.save(out, format="TIFF", compression="group4", dpi=(dpi, dpi), strip_size=one_strip)
    return out.getvalue()


def encode_jpeg(image: Pixels, dpi: float, quality: int = JPEG_QUALITY) -> bytes:
    """Gray (H×W) or BGR colour (H×W×3) as baseline JPEG with the dpi in its JFIF header."""
    if image.ndim == 2:
        pil = Image.fromarray(image)
    elif image.ndim == 3 and image.shape[2] == 3:
        pil = Image.fromarray(np.ascontiguousarray(image[:, :, ::-1]))  # OpenCV BGR → RGB
    else:
        raise ValueError("ảnh phải là một kênh (xám) hoặc ba kênh (màu)")
    out = io.BytesIO()
    pil.save(out, format="JPEG", quality=quality, optimize=True, dpi=(round(dpi), round(dpi)))
    return out.getvalue()


def encode_page(page: ProcessedPage) -> tuple[bytes, str]:
    """The stored bytes and file extension for a processed page; refused pages raise PageRefused."""
    if page.refused:
        raise PageRefused(page.refused)
    if page.image.dtype != np.uint8 or page.image.size == 0:
        raise ValueError("ảnh trang phải là uint8 và không rỗng")
    if not page.dpi > 0:
        raise ValueError("độ phân giải (dpi) của trang phải lớn hơn 0")
    if page.mode == "bw":
        return encode_g4(page.image, page.dpi), "tif"
    if page.mode == "gray" and page.image.ndim != 2:
        raise ValueError("trang thang xám phải là ảnh một kênh")
    return encode_jpeg(page.image, page.dpi), "jpg"


def decode_image(data_or_path: bytes | Path) -> tuple[Pixels, float]:
    """Pixels (bw as 0/255, colour as BGR) and dpi of a stored page."""
    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    with Image.open(source) as pil:
        dpi = float(pil.info.get("dpi", (0.0, 0.0))[0])
        if pil.mode in ("1", "L"):
            return np.asarray(pil.convert("L"), dtype=np.uint8), dpi
        rgb = np.asarray(pil.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1]), dpi


# --- durable files ----------------------------------------------------------------------------------------------


# --- the PDF ---------------------------------------------------------------------------------------------------


def write_component_pdf(pages: Sequence[ProcessedPage | StoredImage], path: Path, meta: PdfMeta) -> ComponentPdf:
    """Write the component's pages, in this order, as one PDF at `path` (atomically, 0600)."""
    if not pages:
        raise ValueError("thành phần hồ sơ phải có ít nhất một trang")
    if meta.created.tzinfo is None:
        raise ValueError("thời điểm tạo tệp PDF phải có múi giờ")
    blobs: list[bytes] = []
    turns: list[int] = []
    for page in pages:
        if isinstance(page, ProcessedPage):
            blobs.append(encode_page(page)[0])
            turns.append(0)
        else:
            if page.rotation % 90:
                raise ValueError("góc xoay trang phải là bội số của 90 độ")
            blobs.append(page.path.read_bytes())
            turns.append(page.rotation % 360)
    # Rotation.none: the pixels are already upright apart from the clerk's turns, which become /Rotate below
    raw: bytes = img2pdf.convert(blobs, rotation=img2pdf.Rotation.none, nodate=True)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        for pdf_page, turn in zip(pdf.pages, turns, strict=True):
            if turn:
                pdf_page.Rotate = turn
        _set_meta(pdf, meta)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)  # same pages and meta → same bytes → same hash
    data = out.getvalue()
    write_atomic(path, data)
    return ComponentPdf(path=path, sha256=hashlib.sha256(data).hexdigest(), pages=len(blobs), bytes=len(data))


def read_meta(path: Path) -> PdfMeta:
    """The Một Cửa metadata of a component PDF (ValueError if it has none)."""
    with pikepdf.open(path) as pdf:
        info = pdf.docinfo
        found = {key: str(info[key]) for key in (*_KEYS, pikepdf.Name.CreationDate) if key in info}
    if len(found) != len(_KEYS) + 1:
        raise ValueError(f"tệp {path.name} không có thông tin hồ sơ của Một Cửa")
    return PdfMeta(
        dossier_code=found[_KEY_DOSSIER],
        component=found[_KEY_COMPONENT],
        clerk=found[_KEY_CLERK],
        created=decode_pdf_date(found[pikepdf.Name.CreationDate]),
    )


def _set_meta(pdf: pikepdf.Pdf, meta: PdfMeta) -> None:
    stamp = encode_pdf_date(meta.created)
    producer = f"{CREATOR} (img2pdf {img2pdf.__version__}, pikepdf {pikepdf.__version__})"
    values = {
        pikepdf.Name.Title: meta.component,
        pikepdf.Name.Subject: meta.dossier_code,
        pikepdf.Name.Author: meta.clerk,
        pikepdf.Name.Creator: CREATOR,
        pikepdf.Name.Producer: producer,
        pikepdf.Name.CreationDate: stamp,
        pikepdf.Name.ModDate: stamp,
        _KEY_DOSSIER: meta.dossier_code,
        _KEY_COMPONENT: meta.component,
        _KEY_CLERK: meta.clerk,
    }
    for key, value in values.items():
        pdf.docinfo[key] = pikepdf.String(value)
    # XMP mirrors the docinfo: PDF/A and most archives read only XMP
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:title"] = meta.component
        xmp["dc:creator"] = [meta.clerk]
        xmp["dc:description"] = meta.dossier_code
        xmp["xmp:CreatorTool"] = CREATOR
        xmp["xmp:CreateDate"] = meta.created.isoformat()
        xmp["xmp:ModifyDate"] = meta.created.isoformat()
        xmp["pdf:Producer"] = producer
