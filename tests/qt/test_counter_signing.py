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
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.dossier import ComponentFile, Dossier, attach_files
from app.demo_apps import counter_arguments
from app.devices.scanners.escl_fake import FakeEsclServer
from app.signing.demo_token import TEST_PIN
from counter.app import parse_args
from counter.dossier.setup import open_counter_desk
from counter.scan.screen import SAVED_TO_SIGN, SIGN_KEYS_HINT, ScanScreen
from counter.scan.sign_panel import CERTIFY_TEXT, PinDialog
from printing.virtual_printer import VirtualPrinter
from tests.qt.test_counter_reception import WAIT, Counter, receive_sample, wait_listed
from tests.qt.test_counter_scan import choose_feed, use_source
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


def scan_two_components(qtbot: QtBot, counter: Counter) -> tuple[Dossier, ScanScreen]:
    """A received dossier on the scan screen with two pages from the fake feeder: page 1 → TP 1, page 2 → TP 2."""
    dossier, _ = receive_sample(qtbot, counter)
    scan = counter.pages.scan
    with FakeEsclServer(pages=2) as scanner:
        use_source(counter, f"escl:{scanner.url}", "Máy quét mạng (eSCL) — máy giả lập")
        scan.open(dossier)
        screen = scan.screen
        qtbot.waitUntil(screen.isVisible, timeout=WAIT)
        choose_feed(screen, "feeder")
        screen.pages.setFocus()
        qtbot.keyClick(screen.pages, Qt.Key.Key_F5)
        assert scan.worker is not None, "F5 started no scan"
        qtbot.waitUntil(lambda: not scan.busy and screen.pages.count() == 2, timeout=WAIT * 2)
        scan.worker.wait()
    screen.pages.clearSelection()
    screen.pages.item(1).setSelected(True)
    qtbot.keyClick(screen.pages, Qt.Key.Key_2)
    digitiser = screen.digitiser
    assert digitiser is not None
    assert [p.component for p in digitiser.pages()] == [0, 1]
    return dossier, screen


def test_ctrl_s_with_a_key_saves_and_keeps_the_screen_open_for_ctrl_k(qtbot: QtBot, counter: Counter) -> None:
    assert counter.desk.signing is not None
    scan = counter.pages.scan
    asked: list[str] = []
    scan.ask_pin = lambda _parent, what, _hint: asked.append(what) or TEST_PIN
    dossier, screen = scan_two_components(qtbot, counter)
    old_digitiser = screen.digitiser
    assert old_digitiser is not None
    old_spool = old_digitiser.spool.folder
    screen.components.setCurrentRow(3)  # the clerk was elsewhere in the list

    with qtbot.waitSignal(scan.saved, timeout=WAIT * 2) as saved:
        qtbot.keyClick(screen.pages, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert counter.window.stack.currentWidget() is screen  # not closed: signing follows here
    assert screen.strip.text() == SAVED_TO_SIGN
    assert screen.strip.kind == "ok"
    assert screen.pages.count() == 0
    assert not old_spool.exists()  # the saved session is gone; new pages go to a fresh one
    assert screen.digitiser is not None
    assert screen.digitiser is not old_digitiser
    assert screen.digitiser.spool.folder.is_dir()
    assert screen.components.currentRow() == 0  # the first just-saved component, ready for Ctrl+K
    assert screen.sign_panel.one_button.isEnabled()
    assert screen.sign_panel.all_button.isEnabled()
    assert screen.save_sign_button.isEnabled()
    d = saved.args[0]
    assert [bool(c.files) and not c.files[0].signed for c in d.components[:2]] == [True, True]

    # the keys line says the signing keys and wraps, never cut off at 1366 px
    hint = screen.keys_hint
    assert SIGN_KEYS_HINT in hint.text()
    assert hint.wordWrap()
    assert counter.window.width() == 1366
    needed = QFontMetrics(hint.font()).boundingRect(hint.contentsRect(), int(Qt.TextFlag.TextWordWrap), hint.text())
    assert needed.width() <= hint.contentsRect().width()
    assert needed.height() <= hint.contentsRect().height()
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        counter.window.grab().save(str(SHOTS / "counter-scan-saved-sign.png"))

    focus = QApplication.focusWidget()
    assert focus is not None
    assert screen.isAncestorOf(focus)  # the keys still reach the screen
    qtbot.keyClick(focus, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "đã ký số" in screen.components.item(0).text(), timeout=WAIT)
    assert "đã ký số" not in screen.components.item(1).text()
    assert asked == [counter.desk.signing.describe()]
    assert counter.window.stack.currentWidget() is screen
    first = counter.desk.store.get(dossier.code).components[0].files[0]
    assert_pdfsig_valid(Path(first.path))

    qtbot.keyClick(screen.components, Qt.Key.Key_Escape)  # Esc closes as before, and the list says what was done
    qtbot.waitUntil(lambda: counter.window.stack.currentWidget() is counter.pages.list, timeout=WAIT)
    assert counter.pages.list.strip.text() == (
        f"Đã lưu bản số hóa hồ sơ {dossier.code}: 2 thành phần có tệp PDF. Đã ký số 1 thành phần."
    )
    assert wait_listed(qtbot, counter, dossier.code).components[0].files[0].signed


def test_save_and_sign_all_signs_each_new_component_once_without_reopening(qtbot: QtBot, counter: Counter) -> None:
    scan = counter.pages.scan
    asked: list[str] = []
    scan.ask_pin = lambda _parent, what, _hint: asked.append(what) or TEST_PIN
    dossier, screen = scan_two_components(qtbot, counter)
    assert screen.save_sign_button.isVisible()
    assert screen.save_sign_button.text() == "Lưu và ký số tất cả  (Ctrl+Shift+S)"
    screen.components.setCurrentRow(1)
    screen.sign_panel.certify.setChecked(True)  # ticked before saving: the copy of component 2 is certified
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(screen.pages, Qt.Key.Key_S, modifiers)
    qtbot.waitUntil(lambda: "Đã ký số 2 thành phần" in screen.strip.text(), timeout=WAIT * 2)
    assert counter.window.stack.currentWidget() is screen
    assert len(asked) == 1  # one PIN for the save-and-sign batch
    assert all("đã ký số" in screen.components.item(i).text() for i in (0, 1))
    d = counter.desk.store.get(dossier.code)
    files = [c.files[0] for c in d.components[:2]]
    assert [f.certified_copy for f in files] == [False, True]
    for f in files:
        path = Path(f.path)
        assert path.is_relative_to(counter.data)
        assert path.stem.endswith("-ky-so")
        assert hashlib.sha256(path.read_bytes()).hexdigest() == f.sha256
        assert_pdfsig_valid(path)  # signed once: one signature, valid
    folder = Path(files[0].path).parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(Path(f.path).name for f in files)  # no half-file

    # pressed again: nothing is signed a second time, and the clerk is told so
    before = counter.desk.store.get(dossier.code)
    qtbot.keyClick(screen.components, Qt.Key.Key_S, modifiers)
    assert screen.strip.text() == "Không có thành phần nào đã số hóa mà chưa ký số."
    assert len(asked) == 1
    assert not screen.save_sign_button.isEnabled()
    assert counter.desk.store.get(dossier.code) == before
    for f in files:
        assert_pdfsig_valid(Path(f.path))
