"""The frozen bundle (build_spec/): PyInstaller builds it from this tree and build_spec/build.py smoke-tests every
executable in it, as CI does on Linux. Also the centre service's own smoke test, from source."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROLES = {"service", "setup", "kiosk", "counter", "display", "dashboard", "rating"}  # build.py's start_s keys
EXECUTABLES = {"motcua-service", "motcua-wizard", "motcua-kiosk", "motcua-counter", "motcua-display",
               "motcua-dashboard", "motcua-rating"}  # fmt: skip
# Above the bundle's size today (≈ 358 MB on Linux, OpenCV alone 112 MB; build_spec/trim.py and blas_shim.py say
# what is left out, which needs the C compiler dev.py installs): a module that drags in QtWebEngine (≈ 270 MB) or
# another large library by accident fails here. The target of DESIGN.md §7 is 250 MB.
MAX_BUNDLE_MB = 400


def test_serve_smoke_test_from_source() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "app", "serve", "--smoke-test"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "service ok: Trung tâm Phục vụ hành chính công xã Thử Nghiệm, https + board port" in done.stdout
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="CI builds and tests the Linux bundle")
@pytest.mark.timeout(900)
def test_the_bundle_builds_and_every_executable_passes_its_smoke_test(tmp_path: Path) -> None:
    dist, work = tmp_path / "dist", tmp_path / "work"
    try:
        done = subprocess.run(
            [sys.executable, str(ROOT / "build_spec" / "build.py"), "--dist", str(dist), "--work", str(work)],
            cwd=ROOT, capture_output=True, text=True, timeout=840,
        )  # fmt: skip
        output = done.stdout[-6000:] + done.stderr[-3000:]
        assert done.returncode == 0, output
        result = json.loads(done.stdout.strip().splitlines()[-1])  # build.py's last line
        assert result["ok"], output
        assert set(result["start_s"]) == ROLES
        assert all(seconds > 0 for seconds in result["start_s"].values())
        signing = {"signing"} if shutil.which("softhsm2-util") else set()  # CI installs SoftHSM2
        assert set(result["checks_s"]) == {"escpos", "voice", "holidays", "scan", "autostart", "shortcuts", *signing}
        assert result["files"] > 100
        assert 100 < result["bundle_mb"] <= MAX_BUNDLE_MB, result
        archive = Path(result["archive"])  # what a commune's Ubuntu PC unpacks into /opt
        assert archive.parent == dist
        assert re.fullmatch(r"motcua-\d+\.\d+\.\d+-linux-\w+\.tar\.gz", archive.name)
        assert 50 < result["archive_mb"] < result["bundle_mb"]
        with tarfile.open(archive) as tar:
            members = {m.name: m for m in tar.getmembers()}
        assert len(members) == result["files"] + sum(1 for p in (dist / "motcua").rglob("*") if p.is_dir()) + 1
        assert members["motcua/motcua-counter"].mode & 0o111  # still executable once unpacked
        assert members["motcua/_internal/resources/icons/motcua.png"].isfile()
        names = {p.name for p in (dist / "motcua").iterdir()}
        exe = ".exe" if os.name == "nt" else ""
        assert names == {"_internal", *(f"{name}{exe}" for name in EXECUTABLES)}
    finally:
        shutil.rmtree(dist, ignore_errors=True)  # ≈ 400 MB each, kept by pytest for three runs otherwise
        shutil.rmtree(work, ignore_errors=True)
