"""Component PDFs on real files: G4 and JPEG embedded untouched, 100 % scale, metadata, hash, 0600, atomic writes."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.imaging.types import ProcessedPage
from app.store.component_pdf import CREATOR, PageRefused, PdfMeta, encode_jpeg, read_meta, write_component_pdf
from app.store.page_spool import PageSpool

VN = timezone(timedelta(hours=7))
META = PdfMeta(
    "000.00.12.H48-261110-0007",
    "Tờ khai đăng ký khai sinh",
    "Nguyễn Thị Ánh Tuyết",
    datetime(2026, 11, 10, 8, 5, 9, tzinfo=VN),
)


def text_page() -> np.ndarray:
    """An A4 page at 300 dpi: white, a heading and 55 lines of small text, as a clean scan would give."""
    page = np.full((3508, 2480), 255, np.uint8)
    cv2.putText(page, "CONG HOA XA HOI CHU NGHIA VIET NAM", (420, 260), cv2.FONT_HERSHEY_DUPLEX, 2.0, 0, 4, cv2.LINE_8)
    for line in range(55):
        words = f"Dong {line + 1}: ho ten, ngay sinh, noi cu tru, so dinh danh ca nhan 0341860{line:05d}"
        cv2.putText(page, words, (240, 420 + line * 54), cv2.FONT_HERSHEY_SIMPLEX, 1.15, 0, 2, cv2.LINE_8)
    return np.where(page < 128, 0, 255).astype(np.uint8)  # a binarised scan: 0 or 255 only


def photo(shape: tuple[int, int] = (1754, 1240)) -> np.ndarray:
    """A gray 'photo' (A5 at 300 dpi): smooth shading plus a textured patch."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    image = 90 + 80 * np.sin(ys / 97.0) * np.cos(xs / 61.0)
    h, w = shape[0] // 3, shape[1] // 2
    image[h : 2 * h, w // 2 : w // 2 + w] += np.random.default_rng(3).normal(0, 12, (h, w))
    return np.clip(image, 0, 255).astype(np.uint8)


def images_of(path: Path) -> list[tuple[str, bytes, tuple[int, int], int]]:
    """Each page's single image: (filter, raw stream bytes, page size in points, /Rotate)."""
    found = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            (image,) = page.get_images().values()
            filters = image.Filter if isinstance(image.Filter, pikepdf.Array) else [image.Filter]
            assert len(filters) == 1  # no extra Flate layer around the scan
            size = (round(float(page.mediabox[2])), round(float(page.mediabox[3])))
            found.append((str(filters[0]), image.read_raw_bytes(), size, int(page.obj.get("/Rotate", 0))))
    return found


def test_bw_text_page_is_a_small_g4_page_at_a4_size(tmp_path: Path) -> None:
    image = text_page()
    out = write_component_pdf([ProcessedPage(image, 300.0, "bw")], tmp_path / "a.pdf", META)
    assert out.pages == 1
    assert out.bytes == (tmp_path / "a.pdf").stat().st_size <= 80 * 1024
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        (page,) = pdf.pages
        (pdf_image,) = page.get_images().values()
        assert pdf_image.Filter == pikepdf.Array([pikepdf.Name.CCITTFaxDecode])
        assert (int(pdf_image.Width), int(pdf_image.Height)) == (2480, 3508)
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        assert abs((x1 - x0) - 595) <= 2
        assert abs((y1 - y0) - 842) <= 2
        # the G4 stream decodes to exactly the page: nothing was lost on the way in
        decoded = pikepdf.PdfImage(pdf_image).as_pil_image()
    assert np.array_equal(np.asarray(decoded.convert("L")), image)


def test_gray_photo_is_embedded_as_the_jpeg_bytes_encoded(tmp_path: Path) -> None:
    image = photo()
    expected = encode_jpeg(image, 300.0)
    write_component_pdf([ProcessedPage(image, 300.0, "gray")], tmp_path / "p.pdf", META)
    ((kind, raw, _, _),) = images_of(tmp_path / "p.pdf")
    assert kind == "/DCTDecode"
    assert raw == expected
    assert Image.open(io.BytesIO(raw)).mode == "L"


def test_spooled_pages_pass_through_with_rotation_as_page_rotate(tmp_path: Path) -> None:
    spool = PageSpool(tmp_path / "spool")
    first = spool.add(ProcessedPage(photo((600, 400)), 200.0, "gray"))
    second = spool.add(ProcessedPage(text_page()[:1200, :900], 300.0, "bw"))
    spool.rotate(first.id, 1)
    pages = spool.pages()
    write_component_pdf(pages, tmp_path / "s.pdf", META)
    embedded = images_of(tmp_path / "s.pdf")
    assert [kind for kind, *_ in embedded] == ["/DCTDecode", "/CCITTFaxDecode"]
    assert embedded[0][1] == first.path.read_bytes()
    assert [rotate for *_, rotate in embedded] == [90, 0]
    assert embedded[0][2] == (144, 216)  # 400 px wide, 600 high at 200 dpi, unrotated: /Rotate turns it on screen
    assert second.path.read_bytes().find(embedded[1][1]) > 0  # the TIFF's single G4 strip, byte for byte


def test_a_mixed_component_keeps_its_pages_in_order(tmp_path: Path) -> None:
    colour = np.dstack([photo((600, 450)), np.full((600, 450), 40, np.uint8), np.full((600, 450), 200, np.uint8)])
    pages = [
        ProcessedPage(text_page(), 300.0, "bw"),
        ProcessedPage(colour, 200.0, "color"),
        ProcessedPage(photo((800, 500)), 250.0, "gray"),
    ]
    out = write_component_pdf(pages, tmp_path / "m.pdf", META)
    assert out.pages == 3
    embedded = images_of(tmp_path / "m.pdf")
    assert [kind for kind, *_ in embedded] == ["/CCITTFaxDecode", "/DCTDecode", "/DCTDecode"]
    assert [size for _, _, size, _ in embedded] == [
        (595, 842),
        (162, 216),
        (144, 230),
    ]  # pixels ÷ dpi × 72: 100 % scale
    assert Image.open(io.BytesIO(embedded[1][1])).mode == "RGB"


def test_metadata_reads_back(tmp_path: Path) -> None:
    write_component_pdf([ProcessedPage(photo((300, 200)), 200.0, "gray")], tmp_path / "m.pdf", META)
    assert read_meta(tmp_path / "m.pdf") == META
    with pikepdf.open(tmp_path / "m.pdf") as pdf:
        info = pdf.docinfo
        assert str(info.Title) == "Tờ khai đăng ký khai sinh"
        assert str(info.Subject) == "000.00.12.H48-261110-0007"
        assert str(info.Author) == "Nguyễn Thị Ánh Tuyết"
        assert str(info.Creator) == CREATOR == "Một Cửa"
        assert str(info["/MotCuaDossier"]) == META.dossier_code
        assert str(info["/MotCuaComponent"]) == META.component
        assert str(info["/MotCuaClerk"]) == META.clerk
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == META.component
        assert xmp["dc:creator"] == [META.clerk]
        assert xmp["xmp:CreatorTool"] == "Một Cửa"


def test_hash_matches_the_file_and_the_same_input_gives_the_same_file(tmp_path: Path) -> None:
    pages = [ProcessedPage(text_page()[:800, :600], 300.0, "bw"), ProcessedPage(photo((400, 300)), 200.0, "gray")]
    one = write_component_pdf(pages, tmp_path / "one.pdf", META)
    two = write_component_pdf(pages, tmp_path / "two.pdf", META)
    assert one.sha256 == hashlib.sha256((tmp_path / "one.pdf").read_bytes()).hexdigest()
    assert one.sha256 == two.sha256
    other = write_component_pdf(
        pages, tmp_path / "three.pdf", PdfMeta(META.dossier_code, "Khác", META.clerk, META.created)
    )
    assert other.sha256 != one.sha256
    assert stat.S_IMODE((tmp_path / "one.pdf").stat().st_mode) == 0o600


def test_an_unwritable_target_raises_and_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [ProcessedPage(photo((200, 100)), 200.0, "gray")]
    (tmp_path / "not-a-folder").write_bytes(b"")
    with pytest.raises((NotADirectoryError, FileNotFoundError)):  # both are OSError; which one depends on the OS
        write_component_pdf(pages, tmp_path / "not-a-folder" / "x.pdf", META)

    target = tmp_path / "out" / "x.pdf"
    target.parent.mkdir()
    target.write_bytes(b"the previous version")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        write_component_pdf(pages, target, META)
    monkeypatch.undo()
    assert [p.name for p in target.parent.iterdir()] == ["x.pdf"]
    assert target.read_bytes() == b"the previous version"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes through folder modes")
def test_a_read_only_folder_raises_and_leaves_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with pytest.raises(PermissionError):
        write_component_pdf([ProcessedPage(photo((200, 100)), 200.0, "gray")], folder / "x.pdf", META)
    assert list(folder.iterdir()) == []


def test_bad_input_is_refused(tmp_path: Path) -> None:
    good = ProcessedPage(photo((200, 100)), 200.0, "gray")
    with pytest.raises(ValueError, match="ít nhất một trang"):
        write_component_pdf([], tmp_path / "x.pdf", META)
    with pytest.raises(ValueError, match="múi giờ"):
        write_component_pdf([good], tmp_path / "x.pdf", PdfMeta("a", "b", "c", datetime(2026, 1, 1)))
    with pytest.raises(PageRefused):
        write_component_pdf(
            [good, ProcessedPage(good.image, 150.0, "gray", refused="Dưới 200 dpi")], tmp_path / "x.pdf", META
        )
    assert not (tmp_path / "x.pdf").exists()


def test_read_meta_rejects_a_foreign_pdf(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo[pikepdf.Name.Title] = "Một tệp khác"
    pdf.save(tmp_path / "foreign.pdf")
    with pytest.raises(ValueError, match="không có thông tin"):
        read_meta(tmp_path / "foreign.pdf")
    utc = PdfMeta("X-1", "Y", "Z", datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC))  # any offset round-trips
    write_component_pdf([ProcessedPage(photo((200, 100)), 200.0, "gray")], tmp_path / "u.pdf", utc)
    assert read_meta(tmp_path / "u.pdf") == utc
