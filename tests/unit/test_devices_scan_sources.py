"""File and camera scan sources, and open_source's answers to URIs it cannot use."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from app.devices.scanners import ScannerError, ScanSettings, ScanSource, open_source
from app.devices.scanners.base import decode_image
from app.devices.scanners.camera_source import CameraSource, estimate_dpi
from app.devices.scanners.file_source import FileSource


def _save(
    path: Path, level: int, *, dpi: int | None = None, mode: str = "RGB", size: tuple[int, int] = (40, 30)
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = PILImage.new(mode, size, (level, level // 2, 0) if mode == "RGB" else level)
    if dpi:
        image.save(path, dpi=(dpi, dpi))
    else:
        image.save(path)
    return path


def test_file_pages_come_in_name_order_with_their_dpi(tmp_path: Path) -> None:
    folder = tmp_path / "hồ sơ"  # non-ASCII, as a clerk's Windows user folder often is
    _save(folder / "02.png", 120, dpi=200)
    _save(folder / "01.png", 60, mode="L")
    _save(folder / "03.jpg", 200, dpi=600)
    (folder / "ghi chú.txt").write_text("không phải ảnh")
    with closing(open_source(f"file:{folder}/*")) as source:
        assert isinstance(source, ScanSource)
        pages = list(source.scan(ScanSettings()))
    assert [Path(p.meta["path"]).name for p in pages] == ["01.png", "02.png", "03.jpg"]
    assert [p.index for p in pages] == [0, 1, 2]
    assert [p.dpi for p in pages] == [300.0, 200.0, 600.0]  # no metadata: 300
    assert pages[0].image.shape == (30, 40)
    assert pages[1].image.shape == (30, 40, 3)
    assert tuple(pages[1].image[0, 0]) == (0, 60, 120)  # BGR, as OpenCV
    assert all(p.kind == "flatbed" and p.image.dtype == np.uint8 for p in pages)


def test_a_folder_a_page_limit_and_the_kind_the_caller_gives(tmp_path: Path) -> None:
    for number in range(4):
        _save(tmp_path / f"p{number}.png", 10 * number)
    source = open_source(f"file:{tmp_path}", kind="feeder")
    pages = list(source.scan(ScanSettings(max_pages=2)))
    assert [p.kind for p in pages] == ["feeder", "feeder"]
    assert [int(p.image[0, 0, 2]) for p in pages] == [0, 10]
    assert source.info().kind == "feeder"


def test_a_pattern_matching_nothing_or_a_broken_image_is_a_scanner_error(tmp_path: Path) -> None:
    with pytest.raises(ScannerError) as empty:
        list(FileSource(str(tmp_path / "*.png")).scan(ScanSettings()))
    assert empty.value.code == "no_docs"
    assert "Không có tệp ảnh nào" in empty.value.message
    (tmp_path / "hỏng.png").write_bytes(b"not a png")
    with pytest.raises(ScannerError, match=r"hỏng\.png không phải ảnh"):
        list(FileSource(str(tmp_path / "*.png")).scan(ScanSettings()))


def test_the_camera_gives_one_page_per_capture_until_the_folder_runs_out(tmp_path: Path) -> None:
    _save(tmp_path / "a.png", 100, size=(1280, 720))
    _save(tmp_path / "b.png", 150, size=(640, 480))
    with closing(open_source(f"camera:file:{tmp_path}")) as source:
        first = list(source.scan(ScanSettings(source="camera")))
        second = list(source.scan(ScanSettings(source="camera")))
        assert len(first) == 1
        assert len(second) == 1
        assert first[0].kind == "camera"
        assert first[0].index == 0
        assert second[0].index == 1
        assert first[0].image.shape == (720, 1280, 3)
        assert first[0].dpi == pytest.approx(1280 / (210 / 25.4))
        assert second[0].dpi == pytest.approx(77.4, abs=0.1)
        with pytest.raises(ScannerError) as ended:
            list(source.scan(ScanSettings(source="camera")))
        assert ended.value.code == "no_frame"
        assert source.info().kind == "camera"
    assert estimate_dpi(2480) == pytest.approx(300, abs=0.1)


def test_a_missing_camera_is_a_scanner_error_with_the_camera_hint(tmp_path: Path) -> None:
    with pytest.raises(ScannerError) as caught:
        CameraSource(f"file:{tmp_path / 'không có'}")
    assert caught.value.code == "not_found"
    assert "Không tìm thấy" in caught.value.message
    assert caught.value.hint  # the camera module's advice is kept


@pytest.mark.parametrize("uri", ["scanner:1", "usb:canon", "", "sane", "http://10.0.0.5/eSCL"])
def test_an_unknown_uri_lists_the_accepted_forms(uri: str) -> None:
    with pytest.raises(ScannerError) as caught:
        open_source(uri)
    error = caught.value
    assert error.code == "bad_uri"
    assert "Không hiểu địa chỉ máy quét" in error.message
    for form in ("sane:", "escl:http://", "wia:", "camera:0", "file:"):
        assert form in error.hint
    assert error.for_people() == f"{error.message} {error.hint}"


def test_settings_are_checked() -> None:
    assert ScanSettings() == ScanSettings(300, "color", "flatbed", False, None, (210.0, 297.0))
    with pytest.raises(ValueError, match="mode"):
        ScanSettings(mode="colour")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_pages"):
        ScanSettings(max_pages=0)


def test_decoding_normalises_alpha_and_sixteen_bit() -> None:
    import cv2

    ok, rgba = cv2.imencode(".png", np.full((4, 5, 4), 200, np.uint8))
    assert ok
    decoded = decode_image(rgba.tobytes())
    assert decoded is not None
    assert decoded.shape == (4, 5, 3)
    ok, deep = cv2.imencode(".png", np.full((4, 5), 65535, np.uint16))
    assert ok
    decoded = decode_image(deep.tobytes())
    assert decoded is not None
    assert decoded.dtype == np.uint8
    assert decoded.shape == (4, 5)
    assert decoded.max() == 255
    assert decode_image(b"") is None
    assert decode_image(b"junk") is None
