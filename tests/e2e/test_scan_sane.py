"""SaneSource against SANE's `test` backend: A4 flatbed, a feeder batch that runs dry, a jam mid-batch.

SANE reads SANE_CONFIG_DIR once, at sane_init(), and python-sane can init only once per process, so each
scenario runs in a child process (this module run with -m) with a private config dir: dll.conf lists
only `test` (no slow network backends) and test.conf raises geometry_max to 300 mm so A4 fits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SANE is the Linux scanner stack")

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")


def _config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "sane.d"
    folder.mkdir()
    (folder / "dll.conf").write_text("test\n")
    base = SYSTEM_TEST_CONF.read_text() if SYSTEM_TEST_CONF.exists() else "number_of_devices 2\n"
    lines = [line for line in base.splitlines() if not line.startswith(("geometry_max", "number_of_devices"))]
    (folder / "test.conf").write_text("\n".join([*lines, "number_of_devices 2", "geometry_max 300.0", ""]))
    return folder


def _run(tmp_path: Path, scenario: str) -> dict[str, Any]:
    pytest.importorskip("sane")
    env = {**os.environ, "SANE_CONFIG_DIR": str(_config_dir(tmp_path))}
    done = subprocess.run(
        [sys.executable, "-m", "tests.e2e.test_scan_sane", scenario],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_flatbed_a4_at_300_dpi_gray_is_a4_sized(tmp_path: Path) -> None:
    out = _run(tmp_path, "flatbed")
    gray = out["gray"]
    assert len(gray) == 1
    width, height = gray[0]["shape"][1], gray[0]["shape"][0]
    assert abs(width - 2480) <= 2, gray[0]["shape"]
    assert abs(height - 3508) <= 2, gray[0]["shape"]
    assert len(gray[0]["shape"]) == 2
    assert gray[0]["dtype"] == "uint8"
    assert gray[0]["dpi"] == 300
    assert gray[0]["kind"] == "flatbed"
    assert gray[0]["index"] == 0
    colour = out["color"][0]
    assert colour["shape"][2] == 3
    assert abs(colour["shape"][1] - 827) <= 1
    assert out["info"]["sources"] == ["flatbed", "feeder"]
    assert 300 in out["info"]["resolutions"]
    assert out["info"]["duplex"] is False


def test_feeder_gives_pages_until_it_runs_dry(tmp_path: Path) -> None:
    out = _run(tmp_path, "feeder")
    assert out["limited"] == [0, 1, 2]  # max_pages stops early
    # The test backend's feeder is empty after 10 sheets in all; 3 went in the first batch.
    assert out["rest"] == list(range(7))
    assert all(kind == "feeder" for kind in out["kinds"])
    assert out["refilled"] == 10
    # A feeder empty at the first sheet is an error the clerk can act on, not an empty batch.
    assert out["empty"]["code"] == "no_docs"
    assert "Khay nạp giấy" in out["empty"]["message"]


def test_a_jam_mid_batch_keeps_the_pages_already_delivered(tmp_path: Path) -> None:
    out = _run(tmp_path, "jam")
    assert out["pages"] == [0, 1]
    assert out["error"]["code"] == "jammed"
    assert out["error"]["message"] == "Giấy bị kẹt trong máy quét."
    assert "tờ giấy bị kẹt" in out["error"]["people"]


def test_devices_are_listed_and_an_unknown_one_is_a_clear_error(tmp_path: Path) -> None:
    out = _run(tmp_path, "devices")
    assert out["listed"] == ["sane:test:0", "sane:test:1"]
    assert out["unknown"]["code"] == "not_found"
    assert "Không mở được máy quét" in out["unknown"]["message"]


def test_sanes_own_escl_backend_accepts_the_fake_escl_scanner(tmp_path: Path) -> None:
    """An independent client (SANE's escl backend through scanimage) scans from the fake: it is a fair peer."""
    from PIL import Image as PILImage

    from app.devices.scanners.escl_fake import FakeEsclServer

    if shutil.which("scanimage") is None or not list(Path("/usr/lib").glob("*/sane/libsane-escl.so*")):
        pytest.skip("scanimage or SANE's escl backend is not installed")
    config = tmp_path / "sane.d"
    config.mkdir()
    (config / "dll.conf").write_text("escl\n")
    (config / "escl.conf").write_text("")  # no avahi here: the device is named on the command line
    env = {**os.environ, "SANE_CONFIG_DIR": str(config)}
    # Debian's escl backend is built without PNG support: the fake offers JPEG only.
    with FakeEsclServer(pages=3, formats=("image/jpeg",)) as fake:
        device = f"escl:http://127.0.0.1:{fake.port}"
        flatbed = subprocess.run(
            ["scanimage", "-d", device, "--resolution", "200", "--format=png", "-o", str(tmp_path / "flat.png")],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        batch = subprocess.run(
            ["scanimage", "-d", device, "--source", "ADF", "--resolution", "150", "--format=png",
             f"--batch={tmp_path}/adf%d.png"],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        jobs = fake.jobs
    assert flatbed.returncode == 0, flatbed.stderr
    with PILImage.open(tmp_path / "flat.png") as image:
        assert abs(image.size[0] - 1700) <= 2  # the fake's 8.5 in maximum width at 200 dpi
        assert abs(image.size[1] - 2338) <= 2
    assert "Document feeder out of documents" in batch.stderr
    assert sorted(p.name for p in tmp_path.glob("adf*.png")) == ["adf1.png", "adf2.png", "adf3.png"]
    assert [(j.input_source, j.served) for j in jobs] == [("Platen", 1), ("Feeder", 3)]


# -- the child process ---------------------------------------------------------------------------
def _page(page: Any) -> dict[str, Any]:
    return {"shape": list(page.image.shape), "dtype": str(page.image.dtype), "dpi": page.dpi, "kind": page.kind,
            "index": page.index}  # fmt: skip


def _error(exc: Any) -> dict[str, str]:
    return {"code": exc.code, "message": exc.message, "people": exc.for_people()}


def _child(scenario: str) -> dict[str, Any]:
    from contextlib import closing
    from dataclasses import asdict

    from app.devices.scanners import ScannerError, ScanSettings, open_source
    from app.devices.scanners.sane_source import SaneSource, list_sane

    if scenario == "flatbed":
        with closing(open_source("sane:test")) as source:
            gray = [_page(p) for p in source.scan(ScanSettings(resolution=300, mode="gray"))]
            color = [_page(p) for p in source.scan(ScanSettings(resolution=100, mode="color"))]
            return {"gray": gray, "color": color, "info": asdict(source.info())}
    if scenario == "feeder":
        with closing(open_source("sane:test")) as source:
            feeder = ScanSettings(resolution=50, mode="gray", source="feeder")
            limited = [
                p.index for p in source.scan(ScanSettings(resolution=50, mode="gray", source="feeder", max_pages=3))
            ]
            rest = list(source.scan(feeder))
            refilled = len(list(source.scan(feeder)))  # the test backend refills its feeder once it reported empty
            assert isinstance(source, SaneSource)
            source.set_option("read-return-value", "SANE_STATUS_NO_DOCS")  # an empty tray at the first sheet
            try:
                list(source.scan(feeder))
                empty: dict[str, str] = {}
            except ScannerError as exc:
                empty = _error(exc)
            kinds = [p.kind for p in rest]
            return {
                "limited": limited,
                "rest": [p.index for p in rest],
                "kinds": kinds,
                "refilled": refilled,
                "empty": empty,
            }
    if scenario == "jam":
        with closing(open_source("sane:test")) as source:
            assert isinstance(source, SaneSource)
            pages: list[int] = []
            error: dict[str, str] = {}
            try:
                for page in source.scan(ScanSettings(resolution=50, mode="gray", source="feeder")):
                    pages.append(page.index)  # the caller saves each page before asking for the next
                    if len(pages) == 2:
                        source.set_option("read-return-value", "SANE_STATUS_JAMMED")
            except ScannerError as exc:
                error = _error(exc)
            return {"pages": pages, "error": error}
    if scenario == "devices":
        listed = sorted(info.uri for info in list_sane())
        try:
            open_source("sane:no-such-scanner").close()
            unknown: dict[str, str] = {}
        except ScannerError as exc:
            unknown = _error(exc)
        return {"listed": listed, "unknown": unknown}
    raise SystemExit(f"unknown scenario {scenario}")


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1])))
