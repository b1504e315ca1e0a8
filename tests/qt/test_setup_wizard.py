"""The first-run wizard driven offscreen end to end, against real peers: the virtual network printer (found by the
sweep of 127.0.0.x), the provincial simulator (up, down, wrong password), a real `serve` that then starts from the
config alone, and the kiosk's and counter's command lines that take it up."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWizard
from pytestqt.qtbot import QtBot

from app.child_process import ChildProcess, program
from app.client.catalog_source import starting_catalog
from app.config import load
from app.service.launcher import ServerProcess
from app.setup import boot
from app.setup.wizard import (
    ACCOUNTS,
    CENTRE,
    DEVICES,
    GROUPS,
    PAIR,
    PRINTER,
    PROVINCE,
    SUMMARY,
    Options,
    SetupWizard,
)
from app.sync.simulator import SimulatorProcess
from app.sync.simulator_store import DEFAULT_PASSWORD, DEFAULT_USERNAME
from printing.virtual_printer import VirtualPrinter

WAIT_MS = 20_000
DIRECTOR_PIN, CLERK_PIN = "582914", "736215"  # digits found in no other file of a fresh centre or its config


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cfg"
    monkeypatch.setenv("MOTCUA_CONFIG_DIR", str(folder))  # the subprocesses below inherit it
    monkeypatch.setenv("MOTCUA_TOKEN_STORE", "file")  # the pairing's token in a 0600 file, not this PC's keyring
    import keyring
    from keyring.errors import NoKeyringError

    def no_keyring(*_args: object) -> None:
        raise NoKeyringError  # the province's password too: never into the developer's own keyring

    monkeypatch.setattr(keyring, "set_password", no_keyring)
    monkeypatch.setattr(keyring, "get_password", no_keyring)
    return folder


@pytest.fixture
def printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter() as vp:
        yield vp


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[SimulatorProcess]:
    with SimulatorProcess.start(tmp_path / "sim") as sim:
        yield sim


def make_wizard(qtbot: QtBot, **options: object) -> SetupWizard:
    wizard = SetupWizard(starting_catalog(), Options(discover=False, **options))  # type: ignore[arg-type]
    qtbot.addWidget(wizard)
    wizard.resize(1366, 768)
    wizard.show()
    return wizard


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def camera_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "camera"
    folder.mkdir()
    frame = np.full((240, 320, 3), 200, np.uint8)
    cv2.putText(frame, "Mot Cua", (40, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (0, 0, 0), 3)
    cv2.imwrite(str(folder / "frame.png"), frame)
    return folder


def test_service_pc_end_to_end(qtbot: QtBot, tmp_path: Path, config_dir: Path, printer: VirtualPrinter,
                               simulator: SimulatorProcess) -> None:  # fmt: skip
    wizard = make_wizard(qtbot, scan_network="127.0.0.0/29", scan_port=printer.port)
    wizard.role_page.buttons["service-kiosk"].setChecked(True)
    wizard.role_page.name.setText("Kiosk sảnh")
    wizard.next()
    assert wizard.currentId() == CENTRE

    page = wizard.centre_page
    page.commune.setText("Thử Nghiệm")
    assert page.preview.text() == "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"
    page.unit_code.setText("12.H48")
    wizard.next()
    assert wizard.currentId() == CENTRE  # refused, and says why
    assert "Mã đơn vị phải có dạng 000.00.00.H00" in page.error.text()
    page.unit_code.setText("000.00.12.H48")
    data = tmp_path / "centre-data"
    page.data_dir.setText(str(data))
    port = free_port()
    page.port.setValue(port)
    wizard.next()
    assert wizard.currentId() == GROUPS

    groups = wizard.groups_page
    groups.counters.setValue(3)
    dd = next(groups.groups.item(i) for i in range(groups.groups.count())
              if groups.groups.item(i).data(Qt.ItemDataRole.UserRole) == "DD")  # fmt: skip
    dd.setCheckState(Qt.CheckState.Unchecked)
    wizard.next()
    assert wizard.currentId() == ACCOUNTS

    # The director's account, and a clerk's: refused with the store's own words until right; nothing written yet.
    accounts = wizard.accounts_page
    wizard.next()
    assert wizard.currentId() == ACCOUNTS  # a first run needs the director's account
    assert "Cần nhập tên đăng nhập của lãnh đạo" in accounts.director_error.text()
    accounts.username.setText("lãnh đạo")
    accounts.full_name.setText("Nguyễn Văn An")
    accounts.pin.setText("4821")
    accounts.pin_again.setText("4821")
    wizard.next()
    assert wizard.currentId() == ACCOUNTS
    assert accounts.director_error.text().startswith("✖ Tên đăng nhập gồm 2–32 ký tự: chữ cái không dấu")
    bad = {accounts.username, accounts.pin}  # each wrong field is marked; the first mistake is said
    assert all(("border" in e.styleSheet()) == (e in bad) for e in (accounts.username, accounts.full_name,
                                                                     accounts.pin, accounts.pin_again))  # fmt: skip
    accounts.username.setText("lanh.dao")  # fixed: the next mistake is said at once
    assert accounts.director_error.text().startswith("✖ Mã PIN phải có ít nhất 6 chữ số")
    assert accounts.username.styleSheet() == ""
    accounts.pin.setText(DIRECTOR_PIN)
    accounts.pin_again.setText("582941")
    wizard.next()
    assert wizard.currentId() == ACCOUNTS
    assert accounts.director_error.text() == "✖ Hai lần nhập mã PIN không giống nhau. Nhập lại cho khớp."
    assert accounts.pin.echoMode() == accounts.pin_again.echoMode() == QLineEdit.EchoMode.Password
    accounts.pin_again.setText(DIRECTOR_PIN)
    assert accounts.director_error.text() == ""
    clerk = accounts.add_clerk("lan.nguyen", "Nguyễn Thị Lan", "123456")
    accounts.add_clerk()  # a row left empty is not an account
    wizard.next()
    assert wizard.currentId() == ACCOUNTS
    assert "Cán bộ thứ 1: mã PIN này quá dễ đoán" in accounts.clerk_error.text()
    clerk.pin.setText(CLERK_PIN)
    clerk.username.setText("LANH.DAO")
    wizard.next()
    assert "Cán bộ thứ 1: tên đăng nhập “LANH.DAO” đã dùng ở trên" in accounts.clerk_error.text()
    clerk.username.setText("lan.nguyen")
    wizard.next()
    assert wizard.currentId() == PRINTER
    assert [(a.username, a.role) for a in wizard.accounts] == [("lanh.dao", "director"), ("lan.nguyen", "clerk")]
    assert DIRECTOR_PIN not in repr(wizard.accounts)
    assert not data.exists()  # nothing written before Hoàn tất

    # The network sweep: only when asked, off the GUI thread, finds the virtual printer among 127.0.0.1–6.
    prn = wizard.printer_page
    with qtbot.waitSignal(prn.scan.finished, timeout=WAIT_MS) as scanned:
        prn.scan_button.click()
        assert not prn.scan_button.isEnabled()  # the GUI is free while the sweep runs
    wanted = f"tcp:127.0.0.1:{printer.port}"
    assert [p.spec for p in scanned.args[0]] == [wanted]
    item = next(prn.printers.item(i) for i in range(prn.printers.count())
                if prn.printers.item(i).data(Qt.ItemDataRole.UserRole) == wanted)  # fmt: skip
    prn.printers.setCurrentItem(item)
    assert prn.spec.text() == wanted
    prn.narrow.setChecked(True)
    prn.test_button.click()
    qtbot.waitUntil(lambda: "Đã gửi phiếu thử" in prn.status.text(), timeout=WAIT_MS)
    [page_printed] = printer.wait_for_pages(1)
    assert page_printed.image.width == 384
    wizard.next()
    assert wizard.currentId() == DEVICES

    devices = wizard.devices_page
    assert not devices.scanner.isVisible()  # the kiosk reads QR codes by camera only
    devices.camera.setText(f"file:{camera_folder(tmp_path)}")
    devices.camera_button.click()
    qtbot.waitUntil(lambda: "Camera dùng được" in devices.camera_status.text(), timeout=WAIT_MS)
    assert devices.camera_preview.pixmap() is not None
    assert not devices.camera_preview.pixmap().isNull()
    wizard.next()
    assert wizard.currentId() == PROVINCE

    # "Kiểm tra kết nối": a real login at the simulator; then with the province down; then a wrong password.
    province = wizard.province_page
    assert province.unit_code.text() == "000.00.12.H48"
    province.url.setText(simulator.url)
    province.username.setText(DEFAULT_USERNAME)
    province.password.setText(DEFAULT_PASSWORD)

    def check_connection() -> str:
        province.test_button.click()
        qtbot.waitUntil(lambda: province.test_button.isEnabled(), timeout=WAIT_MS)
        return province.status.text()

    assert "đăng nhập thành công" in check_connection()
    simulator.control(down=True)
    assert "đang bận hoặc gặp sự cố" in check_connection()
    simulator.control(down=False)
    province.url.setText(f"http://127.0.0.1:{free_port()}")  # nothing listens there: the province unreachable
    assert "Không kết nối được hệ thống một cửa của tỉnh" in check_connection()
    province.url.setText(simulator.url)
    province.password.setText("sai-mật-khẩu")
    assert "từ chối tài khoản" in check_connection()
    province.password.setText(DEFAULT_PASSWORD)
    wizard.next()
    assert wizard.currentId() == SUMMARY
    assert "Thử Nghiệm" in wizard.summary_page.summary.text()
    assert "lãnh đạo lanh.dao; 1 cán bộ quầy (lan.nguyen)" in wizard.summary_page.summary.text()

    summary = wizard.summary_page
    assert summary.autostart.isVisible()
    assert summary.autostart.isChecked()  # ticked unless the person says otherwise
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    finish.click()
    assert wizard.saved_to == config_dir / "config.toml"
    # Then the boot-time service and the kiosk's autostart, for real through install-service, as a dry run
    # (MOTCUA_AUTOSTART=dry-run, tests/conftest.py); the page stays to say how it went.
    qtbot.waitUntil(lambda: summary.outcomes is not None, timeout=60_000)
    assert wizard.isVisible()
    root = ["--user"] if not boot.is_admin() else []
    assert [step.command for step in summary.steps] == [
        program("app", "install-service", "--data", str(data.resolve()), "--commune", "Thử Nghiệm", *root,
                "--dry-run", "--", "--port", str(port)),
        program("app", "install-service", "--role", "kiosk", "--dry-run"),
    ]  # fmt: skip
    assert summary.outcomes is not None
    assert [o.code for o in summary.outcomes] == [0, 0]
    assert f'serve --data {data.resolve()} --host 0.0.0.0 --commune "Thử Nghiệm" --port {port}' in \
        summary.outcomes[0].output  # fmt: skip
    assert "supervise --role kiosk" in summary.outcomes[1].output
    assert summary.status.text().startswith("✔")
    # the accounts, made before the autostart (whose service must find them and the seed): one line each
    assert [(o.account.username, o.code) for o in summary.account_outcomes] == [("lanh.dao", 0), ("lan.nguyen", 0)]
    lines = summary.status.text().splitlines()
    assert lines[1] == "Đã tạo tài khoản lãnh đạo lanh.dao (Nguyễn Văn An) và cán bộ quầy lan.nguyen (Nguyễn Thị Lan)."
    assert "Dịch vụ trung tâm sẽ tự chạy khi bật máy" in lines[2]
    assert wizard.accounts == []  # the PINs are not kept once written
    assert "Dịch vụ trung tâm sẽ tự chạy khi bật máy" in summary.status.text()
    assert "Kiosk sẽ tự mở toàn màn hình khi đăng nhập" in summary.status.text()
    if sys.platform.startswith("linux"):  # the menu entry and desktop icon (a dry run here, as the autostart)
        assert lines[-1] == "Biểu tượng “Kiosk lấy số” và “Cài đặt ban đầu (Một Cửa)”: chạy thử, chưa tạo."
    assert finish.text() == "Đóng"
    finish.click()
    assert not wizard.isVisible()
    assert wizard.result() == QWizard.DialogCode.Accepted
    config = load()
    assert config is not None
    assert (config.role, config.get("centre", "counters"), config.get("printer", "spec")) == (
        "service-kiosk", 3, wanted)  # fmt: skip
    assert "DD" not in config.get("centre", "groups")
    assert DEFAULT_PASSWORD not in (config_dir / "config.toml").read_text(encoding="utf-8")

    # The counter's sync reaches the province from the file, with the password from where the wizard kept it.
    from counter.dossier.setup import provincial_from_config_file

    gateway = provincial_from_config_file("000.00.00.X00")
    assert (gateway.base_url, gateway.username, gateway.unit_code) == (simulator.url, DEFAULT_USERNAME,
                                                                       "000.00.12.H48")  # fmt: skip
    assert gateway.password == DEFAULT_PASSWORD

    # Run again on this PC: every page shows what the file says.
    again = make_wizard(qtbot)
    assert again.role_page.buttons["service-kiosk"].isChecked()
    assert (again.centre_page.commune.text(), again.centre_page.port.value()) == ("Thử Nghiệm", port)
    assert "DD" not in again.groups_page.chosen()
    assert (again.printer_page.spec.text(), again.printer_page.paper_width()) == (wanted, 384)
    assert again.province_page.url.text() == simulator.url

    # The kiosk takes its printer, paper and hosted service from the file; the command line still wins.
    from kiosk.app import parse_args as kiosk_args

    args = kiosk_args([])
    assert (args.printer, args.width, args.host_service, args.port) == (wanted, 384, data, port)
    assert kiosk_args(["--width", "576"]).width == 576
    assert kiosk_args(["--service", "https://10.0.0.2:8710"]).host_service is None

    # `serve` with nothing but the config: its data folder, commune, port and the seeded counters and groups.
    service = ChildProcess.launch("app", ["serve", "--no-mdns"], data, name="serve", ready_prefix="serving on ",
                                  timeout=60, error=RuntimeError)  # fmt: skip
    try:
        # the service PC serves the LAN: HTTPS with the centre's own CA, not plain HTTP on loopback only
        base, ca = f"https://127.0.0.1:{port}", str(data / "tls" / "ca.pem")
        health = requests.get(f"{base}/api/health", timeout=10, verify=ca).json()
        assert health["tls"]
        assert health["centre"] == "Trung tâm Phục vụ hành chính công xã Thử Nghiệm"
        assert health["unit_code"] == "000.00.12.H48"
        assert len(requests.get(f"{base}/api/counters", timeout=10, verify=ca).json()) == 3
        codes = {g["code"] for g in requests.get(f"{base}/api/groups", timeout=10, verify=ca).json()}
        assert "DD" not in codes
        assert {"HT", "CT"} <= codes
        assert (data / "queue.db").exists()
        # the accounts the wizard made sign in (the counters and groups above: the seed made with them was kept)
        for username, pin, role in (("lanh.dao", DIRECTOR_PIN, "director"), ("lan.nguyen", CLERK_PIN, "clerk")):
            signed = requests.post(f"{base}/api/sessions", json={"username": username, "secret": pin}, timeout=10,
                                   verify=ca)  # fmt: skip
            assert signed.status_code == 201, signed.text
            assert signed.json()["user"]["role"] == role
    finally:
        service.stop()
    # the PINs went to `user add` on its stdin only: in no file of the config folder or the data folder (logs,
    # config.toml, the database keeps scrypt hashes), nor in what the service printed
    files = [p for folder in (config_dir, data) for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files)
    for path in files:
        content = path.read_bytes()
        assert DIRECTOR_PIN.encode() not in content, path
        assert CLERK_PIN.encode() not in content, path
    assert not any(DIRECTOR_PIN in line or CLERK_PIN in line for line in service.output)


def pairing_code(server: ServerProcess, role: str, counter: int | None = None) -> str:
    body: dict[str, object] = {"role": role, **({"counter": counter} if counter else {})}
    r = requests.post(f"{server.url}/api/pairing/codes", json=body,
                      headers={"Authorization": f"Bearer {server.admin_token}"}, timeout=10)  # fmt: skip
    r.raise_for_status()
    return str(r.json()["code"])


def test_counter_pc_pairs_then_the_counter_app_uses_its_number(qtbot: QtBot, server: ServerProcess,
                                                               config_dir: Path) -> None:  # fmt: skip
    wizard = make_wizard(qtbot, service_url=server.url)
    wizard.role_page.buttons["counter"].setChecked(True)
    wizard.role_page.name.setText("Quầy 2")
    wizard.next()
    assert wizard.currentId() == PAIR
    pair = wizard.pair_page
    assert pair.counter.isVisible()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # not before pairing
    pair.counter.setValue(2)
    pair.code.setText("000000")
    pair.pair_button.click()
    qtbot.waitUntil(lambda: pair.pair_button.isEnabled(), timeout=WAIT_MS)
    assert pair.paired is None
    assert pair.status.text().startswith("✖")
    pair.code.setText(pairing_code(server, "counter", 2))
    with qtbot.waitSignal(pair.completeChanged, timeout=WAIT_MS):
        pair.pair_button.click()
    assert pair.paired is not None
    assert pair.paired.role == "counter"
    wizard.next()
    assert wizard.currentId() == PRINTER
    wizard.next()
    assert wizard.devices_page.scanner.isVisible()
    devices = wizard.devices_page
    devices.scanner.setText("sane:nothing-by-this-name")
    devices.scan_button.click()
    qtbot.waitUntil(lambda: devices.scan_button.isEnabled(), timeout=WAIT_MS)
    assert devices.scan_status.text().startswith("✖")
    assert devices.scan_preview.pixmap().isNull()
    devices.scanner.setText("sane:test")  # SANE's test backend: a real driver that delivers a page
    devices.scan_button.click()
    qtbot.waitUntil(lambda: "Máy quét dùng được" in devices.scan_status.text(), timeout=60_000)
    assert not devices.scan_preview.pixmap().isNull()
    wizard.next()
    wizard.next()
    assert wizard.currentId() == SUMMARY
    assert not wizard.summary_page.autostart.isVisible()  # nothing starts at boot on a counter PC: it says so
    assert "không cần tự chạy" in wizard.summary_page.autostart_note.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.summary_page.steps == []
    assert not wizard.isVisible()  # closed at once: nothing to wait for
    config = load()
    assert config is not None
    assert (config.role, config.get("counter", "number")) == ("counter", 2)

    from counter.app import parse_args as counter_args

    args = counter_args([])
    assert (args.counter, args.scanner) == (2, ["sane:test"])
    assert counter_args(["--counter", "5"]).counter == 5


def display_summary(qtbot: QtBot) -> SetupWizard:
    wizard = make_wizard(qtbot)
    wizard.role_page.buttons["display"].setChecked(True)
    wizard.next()
    wizard.pair_page.paired = object()  # the pairing itself is the test above's: here only what Hoàn tất does
    wizard.next()
    assert wizard.currentId() == SUMMARY
    return wizard


def test_a_hall_display_starts_at_logon(qtbot: QtBot) -> None:
    wizard = display_summary(qtbot)
    summary = wizard.summary_page
    assert summary.autostart.isVisible()
    assert "khi đăng nhập" in summary.autostart_note.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: summary.outcomes is not None, timeout=60_000)
    assert [step.command for step in summary.steps] == [
        program("app", "install-service", "--role", "display", "--dry-run")
    ]
    assert summary.outcomes is not None
    assert "ExecStart=" in summary.outcomes[0].output or "<Exec>" in summary.outcomes[0].output
    assert "supervise --role display" in summary.outcomes[0].output
    assert "Màn hình sảnh sẽ tự mở toàn màn hình khi đăng nhập" in summary.status.text()
    assert "Chạy thử" in summary.status.text()


def test_unticked_nothing_is_installed(qtbot: QtBot, config_dir: Path) -> None:
    wizard = display_summary(qtbot)
    wizard.summary_page.autostart.setChecked(False)
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.summary_page.steps == []
    assert wizard.saved_to == config_dir / "config.toml"
    assert not wizard.isVisible()


def test_a_failed_autostart_says_what_went_wrong_and_what_to_do(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch,
                                                               config_dir: Path) -> None:  # fmt: skip
    # a command install-service refuses: its real error comes back (nothing is installed either way)
    refused = boot.Step("màn hình sảnh", ["install-service", "--role", "display", "--no-such-option"], "—")
    monkeypatch.setattr(boot, "plan", lambda *_a, **_k: [refused])
    wizard = display_summary(qtbot)
    summary = wizard.summary_page
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    finish.click()
    qtbot.waitUntil(lambda: summary.outcomes is not None, timeout=60_000)
    text = summary.status.text()
    assert text.startswith("✖")
    assert f"Đã lưu {config_dir / 'config.toml'}." in text  # the configuration itself is kept
    assert "Chưa cài được tự chạy cho màn hình sảnh" in text
    assert "--no-such-option" in text
    assert "python -m app install-service --role display --no-such-option" in text  # what to run again
    assert finish.text() == "Đóng"
    assert wizard.isVisible()


def test_after_the_windows_installer_only_the_kiosk_is_left_to_register(qtbot: QtBot, tmp_path: Path) -> None:
    # what the installer passes: its shared data folder, the commune it asked, the boot-time service it registered
    data = tmp_path / "ProgramData" / "MotCua" / "data"
    wizard = make_wizard(qtbot, data_dir=str(data), commune="Đông Hưng", service_registered=True)
    assert (wizard.centre_page.data_dir.text(), wizard.centre_page.commune.text()) == (str(data), "Đông Hưng")
    wizard.role_page.buttons["service-kiosk"].setChecked(True)
    walk_to_summary(wizard)
    summary = wizard.summary_page
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: summary.outcomes is not None, timeout=60_000)
    assert [step.args for step in summary.steps] == [["install-service", "--role", "kiosk", "--dry-run"]]
    assert "Dịch vụ trung tâm sẽ tự chạy khi bật máy và tự chạy lại khi bị dừng (trình cài đặt đã đăng ký)." in \
        summary.status.text()  # fmt: skip
    config = load()
    assert config is not None
    assert config.data_dir() == data
    wizard.runner.wait(WAIT_MS)  # the printer page's USB look-up, before the window goes


def fill_director(wizard: SetupWizard, username: str = "lanh.dao", pin: str = DIRECTOR_PIN) -> None:
    page = wizard.accounts_page
    page.username.setText(username)
    page.full_name.setText("Nguyễn Văn An")
    page.pin.setText(pin)
    page.pin_again.setText(pin)


def walk_to_summary(wizard: SetupWizard) -> None:
    """Next through the service PC's pages with what they hold, the director's account filled in."""
    while wizard.nextId() != -1:
        if wizard.currentId() == ACCOUNTS and not wizard.accounts_page.username.text():
            fill_director(wizard)
        wizard.next()
    assert wizard.currentId() == SUMMARY


def test_run_again_an_existing_account_is_reported_and_the_rest_goes_on(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from app.__main__ import main as app_main
    from app.service.server import open_store
    from app.store.users import UserStore

    data = tmp_path / "centre-data"
    monkeypatch.setattr("sys.stdin", io.StringIO(DIRECTOR_PIN + "\n"))
    assert app_main(["user", "add", "--data", str(data), "--username", "lanh.dao", "--name", "Nguyễn Văn An",
                     "--role", "director", "--secret-stdin"]) == 0  # fmt: skip
    wizard = make_wizard(qtbot, data_dir=str(data), commune="Đông Hưng")
    wizard.role_page.buttons["service-kiosk"].setChecked(True)
    wizard.next()
    wizard.next()
    wizard.next()
    assert wizard.currentId() == ACCOUNTS
    fill_director(wizard, "LANH.DAO", "905127")  # the same name typed again, with another PIN
    wizard.accounts_page.add_clerk("binh.tran", "Trần Văn Bình", CLERK_PIN)
    walk_to_summary(wizard)
    summary = wizard.summary_page
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: summary.outcomes is not None, timeout=60_000)
    assert [o.code for o in summary.account_outcomes] == [3, 0]
    text = summary.status.text()
    assert text.startswith("✔")  # already there is not a failure
    assert "Tài khoản lãnh đạo LANH.DAO (Nguyễn Văn An) đã có từ trước: giữ nguyên, mã PIN cũ vẫn dùng được." in text
    assert "Đã tạo tài khoản cán bộ quầy binh.tran (Trần Văn Bình)." in text.splitlines()
    assert summary.outcomes is not None
    assert [o.code for o in summary.outcomes] == [0, 0]  # the autostart steps still ran after it
    store, _devices = open_store(data)
    try:
        users = UserStore(store.writer, store.clock)
        assert [u["username"] for u in users.list_users()] == ["binh.tran", "lanh.dao"]
        assert users.authenticate("lanh.dao", DIRECTOR_PIN)["role"] == "director"  # the old PIN kept
    finally:
        store.close()
    wizard.runner.wait(WAIT_MS)

    # Once more, to change something else: the director's part may stay empty now (made the first time).
    again = make_wizard(qtbot)
    assert again.reconfiguring
    again.next()
    again.next()
    again.next()
    assert again.currentId() == ACCOUNTS
    again.next()
    assert again.currentId() == PRINTER
    assert again.accounts == []
    again.runner.wait(WAIT_MS)


def test_a_failed_account_says_what_to_type_and_the_rest_goes_on(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "not-a-folder"
    data.write_text("a file where the data folder should be")
    wizard = make_wizard(qtbot, data_dir=str(data), commune="Đông Hưng")
    wizard.role_page.buttons["service-kiosk"].setChecked(True)
    walk_to_summary(wizard)
    summary = wizard.summary_page
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: summary.outcomes is not None, timeout=60_000)
    assert [o.code for o in summary.account_outcomes] == [2]
    text = summary.status.text()
    assert text.startswith("✖")
    assert "Chưa tạo được tài khoản lãnh đạo lanh.dao (Nguyễn Văn An): không ghi được vào thư mục dữ liệu" in text
    assert f"python -m app user add --data {data.resolve()} --username lanh.dao --name 'Nguyễn Văn An' --role " \
           "director" in text  # fmt: skip
    assert DIRECTOR_PIN not in text
    assert summary.outcomes is not None
    assert len(summary.outcomes) == 2  # the autostart steps were still tried
    wizard.runner.wait(WAIT_MS)


def test_the_summary_says_which_camera_in_words() -> None:
    from app.setup.pages_finish import camera_words

    assert camera_words("0") == "máy ảnh gắn vào máy này"
    assert camera_words("1") == "máy ảnh gắn vào máy này (số 2)"
    assert camera_words("rtsp://10.0.0.9/stream") == "rtsp://10.0.0.9/stream"
    assert camera_words("") == "không có"
