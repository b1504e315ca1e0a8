"""The dashboard's "Thiết bị" tab on the in-process fake: the paired PCs listed, unpairing after a confirmation,
"Ghép máy mới" showing the 6-digit code large with its countdown and noticing when the new PC has paired; a
screenshot of the tab and of the code at the desk size."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.client.fake import FakeQueueClient
from app.client.fake_devices import seed_demo_devices
from app.core.pairing import NO_CERTIFICATE, client_proof
from app.dashboard.controller import DashboardController
from app.dashboard.widgets import cell_texts
from app.dashboard.window import DashboardWindow
from app.qtbridge.fonts import install_fonts


@pytest.fixture
def fake() -> Iterator[FakeQueueClient]:
    client = FakeQueueClient()
    seed_demo_devices(client)
    yield client
    client.close()


@pytest.fixture
def window(qtbot: QtBot, fake: FakeQueueClient) -> Iterator[DashboardWindow]:
    install_fonts(QApplication.instance(), 11)  # type: ignore[arg-type]
    win = DashboardWindow(DashboardController(fake))
    qtbot.addWidget(win)
    win.setFixedSize(1366, 768)
    win.show()
    yield win
    win.devices.runner.wait()
    win.ctl.stop()


def opened(qtbot: QtBot, window: DashboardWindow) -> None:
    window.show_tab("devices")
    qtbot.waitUntil(lambda: window.devices.table.rowCount() > 0 and not window.devices.runner.busy())


def test_the_tab_lists_the_paired_pcs(qtbot: QtBot, window: DashboardWindow) -> None:
    assert window.tabs.tabText(3) == "Thiết bị"
    opened(qtbot, window)
    rows = cell_texts(window.devices.table)
    names = [r[0] for r in rows]
    assert names[:2] == ["Đánh giá quầy 1", "Quầy 2"]  # newest first
    old = rows[names.index("Máy tính quầy cũ")]
    assert old[5] == "Đã gỡ ghép"
    assert window.devices.table.cellWidget(names.index("Máy tính quầy cũ"), 6) is None  # nothing to unpair
    assert window.devices.message.text() == "5 máy đang dùng, 1 máy đã gỡ ghép."


def test_unpairing_asks_first(qtbot: QtBot, window: DashboardWindow, fake: FakeQueueClient) -> None:
    opened(qtbot, window)
    asked: list[str] = []

    def confirm(_parent: object, text: str) -> bool:
        asked.append(text)
        return len(asked) > 1  # no the first time, yes the second

    window.devices.confirm = confirm
    kiosk = next(r for r in window.devices.rows if r["name"] == "Kiosk sảnh")
    window.devices.unpair(kiosk)  # the director says no
    assert "Gỡ ghép “Kiosk sảnh”" in asked[0]
    assert not next(d for d in fake.devices() if d["id"] == kiosk["id"])["revoked"]
    window.devices.unpair(kiosk)  # and then yes
    qtbot.waitUntil(lambda: window.devices.message.text() == "4 máy đang dùng, 2 máy đã gỡ ghép.")
    assert next(d for d in fake.devices() if d["id"] == kiosk["id"])["revoked"]


def test_pairing_shows_the_code_and_notices_the_new_pc(qtbot: QtBot, window: DashboardWindow,
                                                       fake: FakeQueueClient) -> None:  # fmt: skip
    opened(qtbot, window)
    dialog = window.devices.open_pairing()
    dialog.role.setCurrentIndex(dialog.role.findData("counter"))
    dialog.counter.setValue(3)
    dialog.name.setText("Quầy 3")
    assert dialog.counter.isEnabled()
    dialog.request_code()
    qtbot.waitUntil(lambda: dialog.issued is not None)
    assert dialog.issued is not None
    code = str(dialog.issued["code"])
    assert dialog.code.text() == f"{code[:3]} {code[3:]}"
    assert dialog.left.text() in ("Còn 5:00 phút", "Còn 4:59 phút")
    assert f"--code {code} --role counter --counter 3" in dialog.how.text()
    nonce = secrets.token_bytes(16)  # the new PC claims it (the fake's store, as the service would)
    fake._codes.claim(nonce, client_proof(code, nonce, NO_CERTIFICATE), NO_CERTIFICATE)
    dialog.show_status(fake.pairing_code_status(str(dialog.issued["id"])))
    assert dialog.status.text() == "Máy mới đã ghép xong."
    dialog.close()


def test_screenshots_of_the_tab_and_the_code(qtbot: QtBot, window: DashboardWindow, tmp_path: Path) -> None:
    opened(qtbot, window)
    dialog = window.devices.open_pairing()
    dialog.role.setCurrentIndex(dialog.role.findData("display"))
    dialog.name.setText("TV sảnh chờ tầng 2")
    dialog.request_code()
    qtbot.waitUntil(lambda: dialog.issued is not None and not dialog.runner.busy())
    out = Path(os.environ.get("MOTCUA_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    shots = {"dashboard-devices": window.grab(), "dashboard-pair-code": dialog.grab()}
    for name, pixmap in shots.items():
        assert pixmap.save(str(out / f"{name}.png"))
        image = QImage(str(out / f"{name}.png"))
        assert image.width() > 400
        assert image.height() > 300
    assert window.grab().width() == 1366
    dialog.close()
