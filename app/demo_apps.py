"""The Qt apps the demo opens next to the simulated hall, when the machine has a screen."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import requests

from app.child_process import program
from app.service.launcher import ServerProcess


def has_screen() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def device_token(server: ServerProcess, name: str, role: str, folder: Path, counter: int | None = None) -> Path:
    """A device token for an app (a rating screen's bound to its `counter`), made through the admin API and kept in
    a private file, `DIR/ROLE[N].token` (pairing UI comes later)."""
    body: dict[str, object] = {"name": name, "role": role}
    if counter is not None:
        body["counter"] = counter
    r = requests.post(
        f"{server.local_url}/api/devices",
        json=body,
        headers={"Authorization": f"Bearer {server.admin_token}"},
        timeout=10,
        verify=server.verify,
    )
    r.raise_for_status()
    path = folder / f"{role}{counter if counter is not None else ''}.token"
    path.write_text(r.json()["token"], encoding="utf-8")
    path.chmod(0o600)
    return path


def demo_camera(folder: Path) -> Path:
    """Frames for the kiosk's simulated camera: a procedure poster's QR held in front of it."""
    import cv2
    import numpy as np
    import segno
    from PIL import Image

    out = folder / "demo-camera"
    out.mkdir(exist_ok=True)
    buffer = io.BytesIO()
    segno.make("1.001193", error="m", micro=False).save(buffer, kind="png", scale=9, border=4)
    code = cv2.cvtColor(np.array(Image.open(buffer).convert("RGB")), cv2.COLOR_RGB2BGR)
    frame = np.full((720, 1280, 3), 110, np.uint8)
    h, w = code.shape[:2]
    frame[360 - h // 2 : 360 - h // 2 + h, 640 - w // 2 : 640 - w // 2 + w] = code
    cv2.imwrite(str(out / "poster.png"), frame)
    return out


def service_url_for_apps(server: ServerProcess) -> str:
    """Where the demo's apps reach the service: as it printed its address (loopback by default), or, when it
    listens on every interface (--host 0.0.0.0), at this PC's LAN address (the server certificate names it).
    The kiosk and the counter learn the board address for phones from it (the ticket's QR, Mẫu 01's QR): on
    loopback they leave the link out, as no phone can open it; on the LAN address phones can."""
    from app.client.hosted_service import phone_reachable
    from app.service.launcher import local_address

    if local_address(server.url) == server.url:  # bound to one address
        return server.url
    lan = phone_reachable(server.url)
    return lan if lan and local_address(lan) == lan else server.local_url


def service_arguments(server: ServerProcess) -> list[str]:
    """--service (service_url_for_apps) and, under TLS, --ca-file: the centre's CA the apps pin."""
    return ["--service", service_url_for_apps(server), *(["--ca-file", str(server.ca_file)] if server.ca_file else [])]


def start_kiosk(server: ServerProcess, folder: Path, printer_url: str) -> subprocess.Popen[bytes]:
    token = device_token(server, "Kiosk (demo)", "kiosk", folder)
    cmd = [
        *program("kiosk"), *service_arguments(server), "--token-file", str(token),
        "--printer", printer_url, "--camera", f"file:{demo_camera(folder)}", "--windowed", "--size", "720x1280",
    ]  # fmt: skip
    return _spawn(cmd)


def _spawn(cmd: list[str]) -> subprocess.Popen[bytes]:
    """Start one of our apps; `cmd` from app.child_process.program: `python -m …` from source, the bundle's own
    executable when frozen (where sys.executable is the demo itself, which has no `-m`)."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.Popen(cmd, cwd=root, env=env)  # noqa: S603 - our own interpreter and module


def start_display(server: ServerProcess) -> subprocess.Popen[bytes]:
    return _spawn([*program("app", "display"), *service_arguments(server), "--windowed", "--size",
                   "1280x720"])  # fmt: skip


def start_dashboard(server: ServerProcess) -> subprocess.Popen[bytes]:
    """The director's dashboard, where the demo's director signs in with a PIN (DEMO_DIRECTOR, printed on the
    console) as on a real director's PC: settings are changed by a person, never by a PC's token."""
    demo_user(server, DEMO_DIRECTOR)
    return _spawn([*program("app", "dashboard"), *service_arguments(server), "--user", DEMO_DIRECTOR[0],
                   "--windowed", "--size", "1366x768"])  # fmt: skip


def start_rating(server: ServerProcess, folder: Path, counter: int) -> subprocess.Popen[bytes]:
    """The rating screen facing the citizen at `counter`, with a rating token bound to it (DIR/ratingN.token): it
    asks about the visits that counter finishes, and no other."""
    token = device_token(server, f"Đánh giá quầy {counter} (demo)", "rating", folder, counter)
    return _spawn([*program("app", "rating"), "--counter", str(counter), *service_arguments(server),
                   "--token-file", str(token), "--windowed", "--size", "1280x800"])  # fmt: skip


# Demo only: printed on the console for the tester (username, full name, PIN, job).
DEMO_CLERK = ("canbo1", "Nguyễn Thị Lan", "246813", "clerk")
DEMO_DIRECTOR = ("giamdoc", "Trần Văn Giám", "135790", "director")


def demo_user(server: ServerProcess, account: tuple[str, str, str, str] = DEMO_CLERK) -> None:
    username, name, pin, job = account
    r = requests.post(
        f"{server.local_url}/api/users",
        json={"username": username, "display_name": name, "role": job, "secret": pin},
        headers={"Authorization": f"Bearer {server.admin_token}"},
        timeout=10,
        verify=server.verify,
    )
    if r.status_code not in (200, 201, 409):  # 409: a reused demo folder already has the account
        r.raise_for_status()


def demo_cards(folder: Path) -> Path:
    """A simulated document camera holding a (fictional) citizen's CCCD card up to the counter's F10 reader."""
    import cv2
    import numpy as np
    import segno

    cards = folder / "camera-cccd"
    cards.mkdir(parents=True, exist_ok=True)
    text = ("034186012345|151234567|Nguyễn Thị Ánh Tuyết|05031986|Nữ|"
            "Thôn Phú Xuân, xã Đông Hưng, tỉnh Hưng Yên|20042021")  # fmt: skip
    qr = segno.make(text, error="m")
    matrix = np.array([[0 if bit else 255 for bit in row] for row in qr.matrix], dtype=np.uint8)
    scale = 480 // (len(matrix) + 8)
    symbol = cv2.resize(np.pad(matrix, 4, constant_values=255), None, fx=scale, fy=scale,
                        interpolation=cv2.INTER_NEAREST)  # fmt: skip
    frame = np.full((720, 1280), 235, dtype=np.uint8)
    y, x = (720 - symbol.shape[0]) // 2, (1280 - symbol.shape[1]) // 2
    frame[y : y + symbol.shape[0], x : x + symbol.shape[1]] = symbol
    cv2.imwrite(str(cards / "cccd.png"), frame)
    return cards


def demo_desk(folder: Path) -> Path:
    """A simulated document camera: a 12-megapixel phone-style photo of a form lying on a desk."""
    import cv2

    from app.imaging.synthetic import photographed

    desk = folder / "camera-desk"
    desk.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(desk / "page.jpg"), photographed("form", 7).image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return desk


def counter_arguments(service_url: str, counter: int, folder: Path, printer_url: str, scanner_url: str,
                      province_url: str = "", ca_file: Path | None = None) -> list[str]:  # fmt: skip
    """The demo counter's options: its own dossier folder, Mẫu 01 to the virtual printer (80 mm) or to PDFs
    (A4), a simulated CCCD camera, the fake network scanner, the SANE test scanner and a document camera. The
    forms' header (UBND xã …, the centre's name, the place) comes from the service's /api/health."""
    data = folder / f"counter{counter}"
    return [
        "--service", service_url, "--counter", str(counter), "--user", DEMO_CLERK[0],
        "--windowed", "--size", "1366x768", "--data", str(data), "--printer", printer_url,
        "--a4-printer", f"pdf:{data / 'a4'}", "--camera", f"file:{demo_cards(folder)}",
        "--hotline", "0221 3851 234", "--test-token", str(data / "test-token"),
        "--scanner", f"escl:{scanner_url}", "--scanner", "sane:test", "--doc-camera", f"file:{demo_desk(folder)}",
        *(["--provincial", province_url] if province_url else []),
        *(["--ca-file", str(ca_file)] if ca_file else []),
    ]  # fmt: skip


def start_counter(server: ServerProcess, counter: int, folder: Path, printer_url: str,
                  scanner_url: str, province_url: str) -> subprocess.Popen[bytes]:  # fmt: skip
    demo_user(server)
    argv = counter_arguments(service_url_for_apps(server), counter, folder, printer_url, scanner_url, province_url,
                             server.ca_file)  # fmt: skip
    return _spawn([*program("counter"), *argv])
