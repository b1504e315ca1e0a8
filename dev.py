#!/usr/bin/env python3
"""The project's two commands, working on a fresh machine:

    python3 dev.py demo    # the whole suite on this machine with simulated devices
    python3 dev.py test    # every check CI runs: lint, format, types, layering, tests

Both first install what is missing: on Debian/Ubuntu the few system libraries Qt and audio need
(apt-get --no-install-recommends), then the Python packages pinned in requirements.lock into .venv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".lock-installed"

# Qt's xcb/offscreen plugins and audio, as DESIGN.md lists them; fonts come bundled. SANE: the library and its
# `test` scanner (tests), headers and a compiler to build python-sane.
APT_PACKAGES = [
    "libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libxkbcommon-x11-0", "libegl1", "libgl1",
    "libpulse0", "libfontconfig1", "libdbus-1-3", "libglib2.0-0",
    "libsane1", "sane-utils", "libsane-dev", "gcc", "libc6-dev", "python3-dev",
    "softhsm2", "poppler-utils",  # a real PKCS#11 token and pdfsig, the independent signature verifier (tests)
    "nodejs",  # runs the web board's and the follow page's scripts in tests (test_client_hall_parity.py)
    "desktop-file-utils",  # desktop-file-validate checks the Linux menu entries (test_shortcuts.py)
    "dbus-daemon",  # a private session bus for the keep-the-screen-on tests (test_keep_awake.py)
]  # fmt: skip


def say(text: str) -> None:
    print(f"[dev] {text}", flush=True)


def run(cmd: list[str], **kw: object) -> int:
    say(" ".join(str(c) for c in cmd))
    return subprocess.call(cmd, cwd=ROOT, **kw)  # type: ignore[arg-type]


def _apt_install(packages: list[str]) -> None:
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.check_call([*prefix, "apt-get", "update", "-qq"], env=env)
    subprocess.check_call([*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages], env=env)


def ensure_system_packages() -> None:
    if not sys.platform.startswith("linux") or shutil.which("dpkg-query") is None:
        return
    missing = []
    for pkg in APT_PACKAGES:
        probe = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", pkg],
            capture_output=True,
            text=True,
            check=False,
        )
        if "install ok installed" not in probe.stdout:
            missing.append(pkg)
    if missing:
        say(f"installing system libraries: {' '.join(missing)}")
        _apt_install(missing)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    python = venv_python()
    if not python.exists():
        say("creating .venv")
        if subprocess.call([sys.executable, "-m", "venv", str(VENV)]) != 0:
            if shutil.which("apt-get"):
                _apt_install(["python3-venv"])
            shutil.rmtree(VENV, ignore_errors=True)
            subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        say("installing Python packages from requirements.lock")
        subprocess.check_call([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"])
        subprocess.check_call([str(python), "-m", "pip", "install", "-q", "-r", str(LOCK)])
        STAMP.write_text(digest)
    return python


def cmd_test(extra: list[str]) -> int:
    ensure_system_packages()
    python = str(ensure_venv())
    # The project runs from its folder (no install step): PYTHONPATH lets the tools find it.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    steps = [
        [python, "-m", "ruff", "check", "."],
        [python, "-m", "ruff", "format", "--check", "."],
        [python, "-m", "mypy", "app", "kiosk", "counter", "printing"],
        [str(Path(python).with_name("lint-imports")), "--config", "pyproject.toml"],
        [python, "-m", "pytest", *extra],
    ]
    failed = [" ".join(s[1:4]) for s in steps if run(s, env=env) != 0]
    if failed:
        say(f"FAILED: {', '.join(failed)}")
        return 1
    say("all checks passed")
    return 0


def cmd_demo(extra: list[str]) -> int:
    ensure_system_packages()
    python = str(ensure_venv())
    return run([python, "-m", "app", "demo", *extra])


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("test", "demo"):
        print(__doc__)
        return 2
    command, extra = sys.argv[1], sys.argv[2:]
    return cmd_test(extra) if command == "test" else cmd_demo(extra)


if __name__ == "__main__":
    sys.exit(main())
