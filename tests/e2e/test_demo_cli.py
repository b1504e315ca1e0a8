"""`python -m app demo` without a screen: the simulated hall runs, then a summary says what happened and where."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_headless_demo_ends_with_its_summary(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    data = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "app", "demo", "--minutes", "0.3", "--speed", "240", "--port", "0", "--data", str(data)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "Traceback" not in out + done.stderr
    assert "Trung tâm Phục vụ hành chính công xã Đông Hưng" in out
    summary = out[out.index("=== Tóm tắt") :]
    issued, served = (int(m[1]) if (m := re.search(rf"{label}: (\d+)", summary)) else -1
                      for label in ("Số đã cấp", "Đã phục vụ xong"))  # fmt: skip
    assert issued >= 10, summary
    assert served >= 1, summary
    assert re.search(r"Còn chờ: \d+", summary)
    assert "Thời gian chờ trung bình: " in summary
    assert f"{data / 'printed'} ({issued} tệp)" in summary  # every ticket decoded back to a PNG
    assert len(list((data / "printed").glob("*.png"))) == issued
    assert f"Thư mục dữ liệu: {data}" in summary
    assert "/display" in summary
    # the clerks recall before a no-show: the service never had to refuse one (too_few_calls)
    for line in out.splitlines():
        if "vắng mặt sau" in line:
            number = line.split("số ")[1].split()[0]
            assert sum(f"gọi lại số {number} (lần" in x for x in out.splitlines()) == 2
