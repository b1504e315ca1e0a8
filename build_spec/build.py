#!/usr/bin/env python3
"""Build the onedir bundle on this OS and smoke-test every executable in it.

    .venv/bin/python build_spec/build.py                  # build dist/motcua/, then test it
    .venv/bin/python build_spec/build.py --no-build       # test the dist/motcua/ already there
    .venv/bin/python build_spec/build.py --dist D --work W   # other output and work folders (the e2e test)

After PyInstaller (motcua.spec) it runs, from the bundle:
  1. `motcua-service --smoke-test`: a temporary centre with its own CA answers /api/health over HTTPS and its board;
  2. a real centre service (`motcua-service --data TMP … --tls on`), device tokens from its admin, then each Qt app
     with `--smoke-test --service URL --ca-file CA` (offscreen): it connects, loads and exits 0;
  3. a few commands that need the bundled data: a ticket through python-escpos (capabilities.json), a call in the
     voice pack to WAV, an appointment date over Tết (holidays' VN data), a scanned page to PDF (OpenCV, img2pdf,
     pikepdf), the start-at-boot unit naming the bundle's own executable (install-service --dry-run), on Linux the
     menu entry opening the bundle's executable with its icon (install-shortcuts), and where
     SoftHSM2 is installed a PDF signed with a test token and verified (pyhanko, python-pkcs11);
  4. on Linux, that every library in the bundle finds the libraries it links to.
Every run must exit 0 and print nothing on stderr but the lines in EXPECTED_STDERR. On Windows, when Inno Setup's
`iscc` is on PATH (or in its usual folder), it also makes dist/motcua-setup-VERSION.exe from motcua.iss; on Linux,
when every check passed, dist/motcua-VERSION-linux-ARCH.tar.gz (what a commune PC unpacks into /opt).

The last line printed is JSON: {"bundle_mb", "files", "start_s": {role: seconds}, "build_s", "ok", "failures", …}.
`start_s` is the wall time from launching an app's smoke test to its exit: start-up, first window built, connected,
first data shown. The exit code is 0 only when every check passed.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import queue
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from roles import BUNDLE, ROLES  # noqa: E402

EXE = ".exe" if os.name == "nt" else ""
TIMEOUT_S = 120

# stderr lines a healthy run may print; anything else fails the check.
EXPECTED_STDERR = [
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ INFO ",  # the service's log
    r"^This plugin does not support propagateSizeHints\(\)$",  # Qt's offscreen platform
    r"^QStandardPaths: XDG_RUNTIME_DIR not set",
    # QtMultimedia without PipeWire, a sound server or its FFmpeg plugin (left out: QAudioSink needs none of it)
    r"^qt\.multimedia\.symbolsresolver: Couldn't (load|resolve) pipewire",
    r"^No QtMultimedia backends found\. Only QMediaDevices, QAudioDevice, QSoundEffect, QAudioSink",
    r"^PulseAudioService: pa_context_connect\(\) failed",
    r"^Máy không có loa hoặc thiết bị âm thanh",  # the display on a PC without sound: it says so and goes on
    r"^Đã ghi âm thanh vào ",  # `say --wav` confirms on stderr (its stdout is the sentence and the clip names)
]
# Libraries the bundle may link to without carrying them: speech-dispatcher, for `display --tts` on Linux.
OPTIONAL_LIBRARIES = {"libspeechd.so.2"}


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    start_s: dict[str, float] = field(default_factory=dict)
    checks: dict[str, float] = field(default_factory=dict)

    def fail(self, what: str) -> None:
        self.failures.append(what)
        print(f"FAIL {what}", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="build_spec/build.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--no-build", action="store_true", help="test the bundle already in --dist")
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    p.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller", help="PyInstaller's work folder")
    p.add_argument("--no-installer", action="store_true",
                   help="Windows: do not run iscc; Linux: do not write the .tar.gz")  # fmt: skip
    args = p.parse_args(argv)
    bundle = args.dist / BUNDLE
    result: dict[str, object] = {}
    if not args.no_build:
        started = time.monotonic()
        if build(args.dist, args.work) != 0:
            print(json.dumps({"ok": False, "failures": ["pyinstaller"]}))
            return 1
        result["build_s"] = round(time.monotonic() - started, 1)
    report = Report()
    size, files = measure(bundle)
    if sys.platform.startswith("linux"):
        check_links(bundle, report)
    with tempfile.TemporaryDirectory(prefix="motcua-bundle-") as tmp:
        smoke_test(bundle, Path(tmp), report)
        check_tools(bundle, Path(tmp), report)
        check_signing(bundle, Path(tmp), report)
    if sys.platform == "win32" and not args.no_installer:
        result["installer"] = make_installer(bundle, args.dist, report)
    if sys.platform.startswith("linux") and not args.no_installer and not report.failures:
        archive = make_archive(bundle, args.dist)
        result.update(archive=str(archive), archive_mb=round(archive.stat().st_size / 2**20, 1))
    result = {"bundle_mb": round(size / 2**20, 1), "files": files, "start_s": report.start_s, **result,
              "checks_s": report.checks, "ok": not report.failures, "failures": report.failures}  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))
    return 0 if not report.failures else 1


def build(dist: Path, work: Path) -> int:
    command = [sys.executable, "-m", "PyInstaller", str(HERE / "motcua.spec"), "--noconfirm", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work)]  # fmt: skip
    print("$ " + " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT)  # noqa: S603 - our own interpreter and spec


def measure(bundle: Path) -> tuple[int, int]:
    """Bytes and files on disk (symbolic links count as files of no size)."""
    size = files = 0
    for path in bundle.rglob("*"):
        if path.is_symlink() or path.is_file():
            files += 1
            size += 0 if path.is_symlink() else path.stat().st_size
    return size, files


def exe(bundle: Path, name: str) -> str:
    return str(bundle / f"{name}{EXE}")


def run(report: Report, what: str, command: list[str], *, expect: str, timeout: float = TIMEOUT_S,
        env: dict[str, str] | None = None) -> float | None:  # fmt: skip
    """Run one command from the bundle; its wall time, or None (reported) when it failed."""
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,  # noqa: S603
                              encoding="utf-8", errors="replace")  # fmt: skip
    except subprocess.TimeoutExpired:
        report.fail(f"{what}: no exit in {timeout} s")
        return None
    elapsed = round(time.monotonic() - started, 2)
    unexpected = unexpected_stderr(done.stderr)
    if done.returncode != 0 or expect not in done.stdout or unexpected:
        report.fail(f"{what}: exit {done.returncode}; stdout {done.stdout.strip()[-500:]!r}; stderr "
                    f"{chr(10).join(unexpected or done.stderr.splitlines())[-1500:]!r}")  # fmt: skip
        return None
    print(f"ok   {what} ({elapsed} s): {(done.stdout.strip().splitlines() or [''])[-1]}", flush=True)
    return elapsed


def unexpected_stderr(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not any(re.search(p, line) for p in EXPECTED_STDERR)]


_CHECK_CONFIG = tempfile.mkdtemp(prefix="motcua-check-config-")
atexit.register(shutil.rmtree, _CHECK_CONFIG, ignore_errors=True)  # the checks' logs and locks go with the run


def app_env() -> dict[str, str]:
    # a configuration folder of the checks' own: no log, pairing or config.toml of this PC's user is read or written
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MOTCUA_CONFIG_DIR": _CHECK_CONFIG}
    env.pop("PYTHONPATH", None)  # the bundle must not lean on the source tree
    return env


def smoke_test(bundle: Path, tmp: Path, report: Report) -> None:
    env = app_env()
    elapsed = run(report, "service --smoke-test", [exe(bundle, "motcua-service"), "--smoke-test"], expect="service ok",
                  env=env)  # fmt: skip
    if elapsed is not None:
        report.start_s["service"] = elapsed
    # the wizard walks its pages offscreen on a configuration folder of the checks' own
    expect = "" if os.name == "nt" else "setup ok"
    elapsed = run(report, "setup --smoke-test", [exe(bundle, "motcua-wizard"), "--smoke-test"], expect=expect, env=env)
    if elapsed is not None:
        report.start_s["setup"] = elapsed
    service = start_service(bundle, tmp / "centre", env, report)
    if service is None:
        return
    proc, url, ca = service
    try:
        tokens = make_tokens(url, ca, tmp / "centre" / "admin.token", tmp)
        common = ["--smoke-test", "--service", url, "--ca-file", str(ca)]
        commands = {
            "kiosk": ["--token-file", str(tokens["kiosk"])],
            "counter": ["--data", str(tmp / "counter")],
            "display": ["--token-file", str(tokens["display"])],
            "dashboard": ["--token-file", str(tokens["director"])],
            "rating": ["--counter", "1", "--token-file", str(tokens["rating"])],
        }
        for role in ROLES:
            if role.key in commands:
                # a windowed Windows executable has no stdout: its exit code says it all there
                expect = "" if os.name == "nt" and role.gui else f"{role.key} ok"
                elapsed = run(report, f"{role.key} --smoke-test", [exe(bundle, role.exe), *common, *commands[role.key]],
                              expect=expect, env=env)  # fmt: skip
                if elapsed is not None:
                    report.start_s[role.key] = elapsed
    except Exception as exc:  # the tokens: the service is up but does not answer as it should
        report.fail(f"service for the apps: {exc}")
    finally:
        stop_service(proc, report)


def start_service(bundle: Path, data: Path, env: dict[str, str],
                  report: Report) -> tuple[subprocess.Popen[str], str, Path] | None:  # fmt: skip
    """The bundle's service on a fresh folder, HTTPS on a free loopback port; (process, URL, CA) once ready."""
    command = [exe(bundle, "motcua-service"), "--data", str(data), "--commune", "Thử Nghiệm", "--port", "0",
               "--plain-port", "0", "--tls", "on", "--no-mdns"]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,  # noqa: S603
                            encoding="utf-8", errors="replace")  # fmt: skip
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 60
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        if line.startswith("serving on "):  # printed when it accepts connections
            return proc, line.split()[-1], data / "tls" / "ca.pem"
    proc.kill()
    _out, err = proc.communicate()
    report.fail(f"service: did not start (exit {proc.returncode}): {err[-1500:]!r}")
    return None


def stop_service(proc: subprocess.Popen[str], report: Report) -> None:
    proc.terminate()  # SIGTERM: a graceful stop, exit 0 (on Windows TerminateProcess: the exit code is not checked)
    try:
        _out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        report.fail("service: did not stop within 30 s of SIGTERM")
        return
    unexpected = unexpected_stderr(err)
    if (os.name != "nt" and proc.returncode != 0) or unexpected:
        report.fail(f"service: exit {proc.returncode}, stderr {unexpected or err[-1500:]!r}")


def make_tokens(url: str, ca: Path, admin_file: Path, folder: Path) -> dict[str, Path]:
    """Device tokens from the service's admin, one file per role, as an IT officer makes them."""
    pinned = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca))
    admin = admin_file.read_text(encoding="utf-8").strip()
    files = {}
    for role, extra in (("kiosk", {}), ("display", {}), ("director", {}), ("rating", {"counter": 1})):
        body = json.dumps({"name": f"Thử {role}", "role": role, **extra}).encode()
        request = urllib.request.Request(f"{url}/api/devices", data=body, method="POST",  # noqa: S310 - our URL
                                         headers={"Authorization": f"Bearer {admin}",
                                                  "Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, context=pinned, timeout=15) as answer:  # noqa: S310
            files[role] = folder / f"{role}.token"
            files[role].write_text(json.load(answer)["token"], encoding="utf-8")
    return files


def check_tools(bundle: Path, tmp: Path, report: Report) -> None:
    """Commands that read what the bundle carries besides code."""
    env = app_env()
    service = exe(bundle, "motcua-service")
    page = write_sample_page(tmp / "page.png")
    checks: dict[str, tuple[list[str], str, Callable[[], bool]]] = {
        "escpos": (["print-test", "--printer", f"file:{tmp / 'ticket.bin'}"], "576",
                   lambda: (tmp / "ticket.bin").stat().st_size > 1000),
        "voice": (["say", "--number", "A015", "--counter", "3", "--wav", str(tmp / "call.wav")], "mười lăm",
                  lambda: (tmp / "call.wav").stat().st_size > 10_000),
        "holidays": (["due-date", "--received", "2026-02-13 10:00", "--days", "3", "--unit", "working_days"],
                     "2026-02-25T10:00:00+07:00", lambda: True),
        "scan": (["scan", "--source", f"file:{page}", "--out", str(tmp / "page.pdf")], "Trang 1",
                 lambda: (tmp / "page.pdf").read_bytes().startswith(b"%PDF")),
        # the unit / task that starts the service at boot runs this executable, not `python -m app`
        "autostart": (["install-service", "--data", str(tmp / "boot"), "--dry-run"],
                      f"<Command>{service}</Command>" if os.name == "nt" else f"ExecStart={service} serve",
                      lambda: not (tmp / "boot").exists()),
    }  # fmt: skip
    if os.name != "nt":  # Linux: the menu entry and desktop icon open the bundle's executable, with its icon
        entry = tmp / "home" / ".local" / "share" / "applications" / "motcua-counter.desktop"
        checks["shortcuts"] = (["install-shortcuts", "--role", "counter"], "Đã tạo", lambda: shortcut_ok(entry, bundle))
        env = {**env, "HOME": str(tmp / "home"), "XDG_DATA_HOME": "", "XDG_CONFIG_HOME": ""}
    for name, (arguments, expect, made) in checks.items():
        elapsed = run(report, name, [service, *arguments], expect=expect, env=env)
        if elapsed is None:
            continue
        if not made():
            report.fail(f"{name}: the command said it worked but its file is missing or wrong")
            continue
        report.checks[name] = elapsed


def shortcut_ok(entry: Path, bundle: Path) -> bool:
    keys = dict(line.split("=", 1) for line in entry.read_text(encoding="utf-8").splitlines() if "=" in line)
    return keys.get("Exec") == str(exe(bundle, "motcua-counter")) and Path(keys.get("Icon", "")).is_file()


def check_signing(bundle: Path, tmp: Path, report: Report) -> None:
    """PAdES signing frozen (pyhanko, python-pkcs11, the stamp's fonts): a SoftHSM2 test token made by the bundle
    signs a PDF and the bundle verifies it. Skipped, and said so, where SoftHSM2 is not installed (CI installs it)."""
    if shutil.which("softhsm2-util") is None:
        print("SoftHSM2 (softhsm2-util) is not installed: signing not checked", flush=True)
        return
    env, service, folder = app_env(), exe(bundle, "motcua-service"), tmp / "token"
    started = time.monotonic()
    made = subprocess.run([service, "test-token", "--dir", str(folder)], capture_output=True, text=True, env=env,  # noqa: S603
                          timeout=TIMEOUT_S, encoding="utf-8", errors="replace")  # fmt: skip
    try:
        token = json.loads(made.stdout.strip().splitlines()[-1])  # its last line
    except (IndexError, ValueError):
        report.fail(f"test-token: exit {made.returncode}; stderr {made.stderr[-1500:]!r}")
        return
    import pikepdf  # the build's own environment makes the unsigned sample

    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        pdf.save(tmp / "unsigned.pdf")
    env["SOFTHSM2_CONF"] = token["softhsm2_conf"]
    sign = [service, "sign", "--in", str(tmp / "unsigned.pdf"), "--out", str(tmp / "signed.pdf"), "--pkcs11",
            token["pkcs11"], "--pin-file", token["pin_file"], "--stamp-page", "1",  # the stamp: fontTools, HarfBuzz
            "--commune", "Thử Nghiệm"]  # fmt: skip
    if run(report, "sign", sign, expect="Đã ký", env=env) is None:
        return
    verify = [service, "verify", str(tmp / "signed.pdf"), "--trust", token["ca"]]
    if run(report, "verify", verify, expect="HỢP LỆ", env=env) is not None:
        report.checks["signing"] = round(time.monotonic() - started, 2)


def write_sample_page(path: Path) -> Path:
    """A white A4 page at 200 dpi with a frame and lines of text, as a scanner would give it."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 1554, 2239), outline=0, width=4)
    for line in range(40):
        draw.text((150, 150 + 50 * line), f"Giay to mau - dong {line + 1}", fill=0)
    image.save(path, dpi=(200, 200))
    return path


def check_links(bundle: Path, report: Report) -> None:
    """Every shared library in the bundle finds what it links to (in the bundle or on the system)."""
    if shutil.which("ldd") is None:
        return
    internal = bundle / "_internal"
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join([str(internal), str(internal / "PySide6/Qt/lib")])}
    missing: dict[str, set[str]] = {}
    for path in internal.rglob("*.so*"):
        if path.is_symlink() or not path.is_file():
            continue
        listing = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env, check=False)  # noqa: S603,S607
        for name in re.findall(r"^\s*(\S+) => not found", listing.stdout, re.MULTILINE):
            if name not in OPTIONAL_LIBRARIES:
                missing.setdefault(name, set()).add(str(path.relative_to(internal)))
    for name, users in sorted(missing.items()):
        report.fail(f"links: {name} not found, needed by {', '.join(sorted(users)[:3])}")


def make_archive(bundle: Path, dist: Path) -> Path:
    """Linux: dist/motcua-VERSION-linux-ARCH.tar.gz, the bundle's folder as it is (modes and symbolic links kept),
    unpacked on a commune PC with `sudo tar -xzf FILE -C /opt` (README). Written under a temporary name first."""
    import platform
    import tarfile

    target = dist / f"motcua-{project_version()}-linux-{platform.machine()}.tar.gz"
    partial = target.with_name(target.name + ".part")
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=bundle.name)
    partial.replace(target)
    print(f"ok   archive: {target}", flush=True)
    return target


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def make_installer(bundle: Path, dist: Path, report: Report) -> str | None:
    """Windows: dist/motcua-setup-VERSION.exe with Inno Setup, when its compiler is here."""
    folders = [os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"), os.environ.get("PROGRAMFILES", "")]
    found = [shutil.which("iscc"), *(str(Path(f) / "Inno Setup 6" / "ISCC.exe") for f in folders if f)]
    iscc = next((path for path in found if path and Path(path).exists()), None)
    if iscc is None:
        print("Inno Setup (iscc) is not installed: no installer made", flush=True)
        return None
    version = project_version()
    command = [iscc, f"/DAppVersion={version}", f"/DSourceDir={bundle}", f"/O{dist}", str(HERE / "motcua.iss")]
    if subprocess.call(command) != 0:  # noqa: S603
        report.fail("installer: iscc failed")
        return None
    return str(dist / f"motcua-setup-{version}.exe")


if __name__ == "__main__":
    sys.exit(main())
