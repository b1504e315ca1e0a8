"""Signing at the counter's digitisation screen: `counter --demo` signs with its SoftHSM2 test token, the PIN
asked each time, the signed component shown with its seal and signer; pdfsig checks the stored file."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.core.dossier import ComponentFile, Dossier, attach_files
from app.demo_apps import counter_arguments
from app.signing.demo_token import TEST_PIN
from counter.app import parse_args
from counter.dossier.setup import open_counter_desk
from counter.scan.screen import ScanScreen
from counter.scan.sign_panel import CERTIFY_TEXT, PinDialog
from printing.virtual_printer import VirtualPrinter
from tests.qt.test_counter_reception import WAIT, Counter, receive_sample, wait_listed
from tests.support.signing_peers import assert_pdfsig_valid, needs_peers, sample_pdf

pytestmark = needs_peers
SHOTS = Path(os.environ.get("MOTCUA_SHOTS", "")) if os.environ.get("MOTCUA_SHOTS") else None


@pytest.fixture
def counter(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    monkeypatch.setattr("counter.scan.pages.list_sources", lambda timeout: [])
    monkeypatch.setenv("SOFTHSM2_CONF", "")  # the demo sets it for its own token: undone after the test
    frames = tmp_path / "camera"
    frames.mkdir()
    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        made = Counter(qtbot, tmp_path / "counter", frames, printer.url)
        try:
            made.start()
            yield made
        finally:
            assert made.pages.scan.runner.wait(WAIT)
            made.close()


def attach(d: Dossier, at: datetime, index: int, file: ComponentFile) -> Dossier:
    return attach_files(d, at=at, clerk="lan", component=index, files=(file,))


def digitise_two(counter: Counter) -> str:
    """A received dossier whose first two components have PDFs, as the scan screen's save leaves them."""
    dossier, _ = receive_sample(counter.qtbot, counter)
    store = counter.desk.store
    for index in (0, 1):
        path = sample_pdf(store.folder / f"tp{index}.pdf")
        file = ComponentFile(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), 2)
        store.change(dossier.code, "files", lambda d, at, i=index, f=file: attach(d, at, i, f))
    return dossier.code


def test_demo_signs_a_certified_copy_then_the_rest_with_the_pin_asked_each_time(
    qtbot: QtBot, counter: Counter, tmp_path: Path
) -> None:
    assert counter.desk.signing is not None  # --demo made its test token
    code = digitise_two(counter)
    scan = counter.pages.scan
    asked: list[str] = []

    def answer(_parent: object, what: str, hint: str) -> str:
        asked.append(what)
        assert "123456" in hint  # the demo token says its test PIN; a real token never has a hint
        return TEST_PIN

    scan.ask_pin = answer
    scan.open(counter.desk.store.get(code))
    screen: ScanScreen = scan.screen
    qtbot.waitUntil(screen.isVisible, timeout=WAIT)
    assert screen.sign_panel.isVisible()
    assert screen.sign_panel.certify.text() == CERTIFY_TEXT

    screen.components.setCurrentRow(1)
    screen.sign_panel.certify.setChecked(True)  # "chứng thực" on the second component
    assert "· chứng thực" in screen.components.item(1).text()
    qtbot.keyClick(screen.pages, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "đã ký số" in screen.components.item(1).text(), timeout=WAIT)
    assert "bản sao chứng thực" in screen.components.item(1).text()
    assert "đã ký số" not in screen.components.item(0).text()
    assert not screen.components.item(1).icon().isNull()  # the seal
    assert screen.components.item(0).icon().isNull()

    screen.sign_panel.all_button.click()
    qtbot.waitUntil(lambda: "đã ký số" in screen.components.item(0).text(), timeout=WAIT)
    assert len(asked) == 2  # the PIN was asked for each batch, never remembered
    assert not screen.sign_panel.all_button.isEnabled()  # nothing left to sign
    d = counter.desk.store.get(code)
    signed = [c.files[0] for c in d.components if c.files]
    assert [f.certified_copy for f in signed] == [False, True]
    for f in signed:
        assert "TEST" in f.signed_by
        assert_pdfsig_valid(Path(f.path))
    assert "123456" not in counter.desk.store.path.read_bytes().decode("latin-1")  # no PIN in the database
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        screen.components.setCurrentRow(0)
        screen.strip.show_message("Đã ký số 2 thành phần; hồ sơ sẽ gửi lên tỉnh kèm tệp đã ký.", "ok")
        counter.window.grab().save(str(SHOTS / "counter-signed-component.png"))
    scan.leave()
    counter.window.open_dossiers("list")
    counter.pages.ctl.list_recent(code)
    wait_listed(qtbot, counter, code)
    table = counter.pages.list.table
    assert table.item(0, 5).text().endswith(" · đã ký số 2")  # the "Số hóa" column
    if SHOTS is not None:
        counter.window.grab().save(str(SHOTS / "counter-dossier-list-signed.png"))


def test_a_wrong_pin_shows_a_vietnamese_message_and_signs_nothing(qtbot: QtBot, counter: Counter) -> None:
    code = digitise_two(counter)
    scan = counter.pages.scan
    scan.ask_pin = lambda *_: "000000"
    scan.open(counter.desk.store.get(code))
    screen = scan.screen
    before = counter.desk.store.get(code)
    screen.sign_panel.all_button.click()
    qtbot.waitUntil(lambda: "Mã PIN của thiết bị ký số không đúng" in screen.strip.text(), timeout=WAIT)
    qtbot.waitUntil(lambda: screen.sign_panel.all_button.isEnabled(), timeout=WAIT)
    assert counter.desk.store.get(code) == before


def test_the_pin_dialog_hides_the_pin_and_forgets_it(qtbot: QtBot) -> None:
    dialog = PinDialog("thiết bị ký số (USB token)")
    qtbot.addWidget(dialog)
    assert dialog.pin.echoMode() == dialog.pin.EchoMode.Password
    qtbot.keyClicks(dialog.pin, "2468")
    assert dialog.take_pin() == "2468"
    assert dialog.pin.text() == ""


def test_the_suite_demo_starts_the_counter_with_a_test_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOFTHSM2_CONF", "")
    argv = counter_arguments("http://127.0.0.1:8710", 1, tmp_path, "tcp:127.0.0.1:9100", "http://127.0.0.1:9/eSCL")
    args = parse_args(argv)
    assert args.test_token == tmp_path / "counter1" / "test-token"
    desk = open_counter_desk(args)
    try:
        assert desk.signing is not None
        assert desk.signing.describe() == "thiết bị ký số (USB token)"
        assert (args.test_token / "softhsm2.conf").is_file()
        assert desk.store.setting("signing.pkcs11") == ""  # a test token is never remembered as the counter's key
    finally:
        desk.store.close()
