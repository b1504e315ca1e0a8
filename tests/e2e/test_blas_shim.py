"""build_spec/blas_shim.py: OpenCV on numpy's OpenBLAS through the shim gives the answers it gives on its own.

A copy of `cv2` whose library folder has the shim instead of OpenCV's OpenBLAS and no libgfortran (which only that
OpenBLAS needs: were it still used, `import cv2` would fail) solves, decomposes and multiplies matrices in a
subprocess; the results match the installed OpenCV's to rounding."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_spec"))
from blas_shim import shimmed_openblas  # noqa: E402

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not (shutil.which("cc") or shutil.which("gcc")) or not shutil.which("nm"),
    reason="the shim is built on Linux with a C compiler",
)

CHECK = """
import json
import numpy as np, cv2
rng = np.random.default_rng(7)
out = {"cv2": cv2.__file__}
for dt in (np.float32, np.float64):
    a = rng.standard_normal((40, 40)).astype(dt)
    b = rng.standard_normal((40, 3)).astype(dt)
    spd = (a @ a.T + 40 * np.eye(40)).astype(dt)
    for name, flag, m in (("lu", cv2.DECOMP_LU, a), ("svd", cv2.DECOMP_SVD, a), ("qr", cv2.DECOMP_QR, a),
                          ("chol", cv2.DECOMP_CHOLESKY, spd)):
        out[f"solve_{name}_{dt.__name__}"] = cv2.solve(m, b, flags=flag)[1].tolist()
    out[f"svd_{dt.__name__}"] = cv2.SVDecomp(a)[0].ravel().tolist()
    big = rng.standard_normal((200, 200)).astype(dt)
    out[f"gemm_{dt.__name__}"] = cv2.gemm(big, big, 1, None, 0).tolist()
    rect, rb = rng.standard_normal((60, 8)).astype(dt), rng.standard_normal((60, 1)).astype(dt)
    out[f"lstsq_{dt.__name__}"] = cv2.solve(rect, rb, flags=cv2.DECOMP_QR)[1].tolist()
out["eig"] = sorted(cv2.eigenNonSymmetric(rng.standard_normal((10, 10)))[0].ravel().tolist())
src = np.float32([[0, 0], [100, 0], [100, 140], [0, 140]])
dst = np.float32([[3, 5], [98, 2], [104, 150], [-2, 139]])
out["perspective"] = cv2.getPerspectiveTransform(src, dst).tolist()
print(json.dumps(out))
"""


def run_check(path: str | None) -> dict[str, object]:
    env = {**os.environ, **({"PYTHONPATH": path} if path else {})}
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_opencv_on_the_shim_answers_as_on_its_own_openblas(tmp_path: Path) -> None:
    import cv2

    site = Path(cv2.__file__).resolve().parent.parent
    libs = site / "opencv_python_headless.libs"
    theirs = next(libs.glob("libopenblas*.so*"))
    numpy_blas = next((site / "numpy.libs").glob("libscipy_openblas64_*.so*"))
    binaries = [(f"cv2/{p.name}", str(p), "EXTENSION") for p in (site / "cv2").glob("cv2*.so")]
    binaries += [(f"opencv_python_headless.libs/{theirs.name}", str(theirs), "BINARY"),
                 (f"numpy.libs/{numpy_blas.name}", str(numpy_blas), "BINARY")]  # fmt: skip
    shimmed = dict((dest, source) for dest, source, _ in shimmed_openblas(binaries, str(tmp_path / "work")))
    shim = Path(shimmed[f"opencv_python_headless.libs/{theirs.name}"])
    assert shim != theirs
    assert shim.stat().st_size < theirs.stat().st_size / 100  # a few KB instead of 39 MB

    copy = tmp_path / "site"
    shutil.copytree(site / "cv2", copy / "cv2", symlinks=True)
    (copy / "opencv_python_headless.libs").mkdir()
    for lib in libs.iterdir():
        if lib.name != theirs.name and not lib.name.startswith(("libgfortran", "libquadmath")):
            (copy / "opencv_python_headless.libs" / lib.name).symlink_to(lib)
    shutil.copy(shim, copy / "opencv_python_headless.libs" / theirs.name)
    # the shim finds numpy's OpenBLAS at $ORIGIN/../numpy.libs, as in the bundle
    (copy / "numpy.libs").mkdir()
    (copy / "numpy.libs" / numpy_blas.name).symlink_to(numpy_blas)

    own, shimmed_run = run_check(None), run_check(str(copy))
    assert str(shimmed_run.pop("cv2")).startswith(str(copy))
    assert str(own.pop("cv2")).startswith(str(site))
    import numpy as np

    assert own.keys() == shimmed_run.keys()
    for key, value in own.items():
        tolerance = 1e-3 if "float32" in key else 1e-9
        assert np.allclose(np.asarray(shimmed_run[key]), np.asarray(value), rtol=tolerance, atol=tolerance), key
