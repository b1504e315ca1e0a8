"""Receiving a dossier at the counter, end to end: the demo hall, a real SQLite folder, a virtual ESC/POS
printer on loopback, CCCD frames from files and a keyboard-wedge scanner."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.core.clock import SystemClock
from app.core.dossier import Dossier, Status
from app.qtbridge.wedge import WedgeFilter
from app.store.dossier_store import DossierStore
from counter.app import Backend, build, make_backend, parse_args
from counter.dossier.desk import DossierDesk, PrintOutcome
from counter.dossier.lookup import TextDialog
from counter.dossier.pages import DossierPages
from counter.window import CounterWindow
from printing.virtual_printer import VirtualPrinter

WAIT = 30_000  # ms a wait may take before the test fails; nothing sleeps to synchronise
COUNTER = 4  # closed and idle in the demo hall, with people waiting
NAME = "Nguyễn Thị Ánh Tuyết"
ADDRESS = "Thôn Phú Xuân, xã Đông Hưng, tỉnh Hưng Yên"
CCCD = f"034186012345|151234567|{NAME}|05031986|Nữ|{ADDRESS}|20042021"  # fictional
CCCD_NUMBER = "034186012345"
BIRTH_REGISTRATION = "1.001193"  # Đăng ký khai sinh
CODE = re.compile(r"000\.00\.00\.X00-(\d{6})-(\d{4})")
ROLL_DOTS = 576  # 80 mm


# --- the counter ---------------------------------------------------------------------------------


class Counter:
    """One counter app as `python -m counter --demo` builds it, signed in and with a citizen called."""

    def __init__(self, qtbot: QtBot, data: Path, frames: Path, printer_url: str) -> None:
        self.qtbot = qtbot
        self.data = data
        self.frames = frames
        argv = ["--demo", "--data", str(data), "--printer", printer_url, "--camera", f"file:{frames}"]
        self.args = parse_args(argv)
        self.backend: Backend = make_backend(self.args)
        self.window: CounterWindow = build(self.args, self.backend)
        assert self.window.dossier_pages is not None
        self.pages: DossierPages = self.window.dossier_pages
        self.closed = False

    @property
    def desk(self) -> DossierDesk:
        return self.pages.ctl.desk

    def start(self) -> None:
        qtbot, window, ctl = self.qtbot, self.window, self.window.ctl
        window.resize(1366, 768)
        window.show()
        qtbot.waitExposed(window)
        ctl.start()
        qtbot.waitUntil(lambda: bool(ctl.model.loaded and ctl.online and ctl.priorities), timeout=WAIT)
        with qtbot.waitSignal(ctl.signed_in, timeout=WAIT):
            assert ctl.sign_in("lan", "1234", COUNTER)  # the demo stub signs anyone in
        assert window.on_panel
        with qtbot.waitSignal(ctl.action_finished, timeout=WAIT) as called:
            assert ctl.act("call_next")
        assert called.args == ["call_next", True]
        qtbot.waitUntil(lambda: ctl.model.current(COUNTER) is not None, timeout=WAIT)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT)

    @property
    def ticket(self) -> str:
        current = self.window.ctl.model.current(COUNTER)
        assert current is not None
        return str(current["number"])

    def open_reception(self) -> None:
        self.window.open_dossiers("new")
        assert self.window.stack.currentWidget() is self.pages.reception
        self.qtbot.waitUntil(lambda: self.pages.reception.isVisible(), timeout=WAIT)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.pages.stop_camera()
        self.window.close()  # stops the queue controller (signs out, waits for its tasks)
        self.pages.ctl.runner.wait(WAIT)
        self.desk.store.close()  # joins the store's writer thread
        self.backend.client.close()


@pytest.fixture
def no_thread_left(qtbot: QtBot) -> Iterator[None]:
    """Set up first, torn down last: every Python thread the test started (camera, store writer, printer,
    event stream) has ended once the counter is closed and the printer stopped."""
    before = set(threading.enumerate())
    yield
    qtbot.waitUntil(lambda: not set(threading.enumerate()) - before, timeout=WAIT)


@pytest.fixture
def printer(no_thread_left: None, tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(out_dir=tmp_path / "printed") as virtual:
        yield virtual


@pytest.fixture
def open_counter(no_thread_left: None, qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[[str], Counter]]:
    opened: list[Counter] = []

    def open_(printer_url: str) -> Counter:
        frames = tmp_path / "camera"
        frames.mkdir(exist_ok=True)
        counter = Counter(qtbot, tmp_path / "counter", frames, printer_url)
        opened.append(counter)
        counter.start()
        return counter

    yield open_
    for counter in opened:
        counter.close()


# --- helpers -----------------------------------------------------------------------------------------


def cccd_frame(folder: Path, payload: str) -> Path:
    """A 1280×720 camera frame: a white page with the card's QR on it."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=6, border=4)
    code = Image.open(buffer).convert("RGB")
    page = Image.new("RGB", (1280, 720), "white")
    page.paste(code, ((1280 - code.width) // 2, (720 - code.height) // 2))
    path = folder / "frame-0001.png"
    page.save(path)
    return path


def read_qr(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image.convert("L"))]


def line(widget: QWidget) -> QLineEdit:
    assert isinstance(widget, QLineEdit)
    return widget


def combo(widget: QWidget) -> QComboBox:
    assert isinstance(widget, QComboBox)
    return widget


def type_into(qtbot: QtBot, counter: Counter, widget: QLineEdit, text: str) -> None:
    """Type into a field: the keys come all at once, so wait for the wedge to hand them to the field.

    Key events carry the text themselves: QTest's keyClicks knows only Latin-1 and aborts on "ễ"."""
    widget.setFocus()
    widget.clear()
    for ch in text:
        code = ord(ch.upper()) if ch.isascii() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch))
    qtbot.waitUntil(lambda: counter.pages.wedge.holding == 0 and widget.text() == text, timeout=WAIT)


def save(qtbot: QtBot, counter: Counter) -> tuple[Dossier, PrintOutcome]:
    """Ctrl+S on the reception screen; the controller's `saved` answer."""
    reception = counter.pages.reception
    qtbot.waitUntil(lambda: QApplication.activeWindow() is counter.window, timeout=WAIT)
    focus = QApplication.focusWidget()
    assert focus is not None
    assert reception.isAncestorOf(focus)  # the screen's shortcut needs focus in it
    with qtbot.waitSignal(counter.pages.ctl.saved, timeout=WAIT) as saved:
        qtbot.keyClick(reception, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    dossier, outcome = saved.args
    assert isinstance(dossier, Dossier)
    assert isinstance(outcome, PrintOutcome)
    return dossier, outcome


def receive_sample(qtbot: QtBot, counter: Counter) -> tuple[Dossier, PrintOutcome]:
    """A citizen read from a scan, birth registration chosen, saved."""
    counter.open_reception()
    counter.pages.scanned(CCCD)
    assert line(counter.pages.reception.fields["name"]).text() == NAME
    counter.pages.reception.choose(BIRTH_REGISTRATION)
    dossier, outcome = save(qtbot, counter)
    wait_listed(qtbot, counter, dossier.code)
    return dossier, outcome


def wait_listed(qtbot: QtBot, counter: Counter, code: str) -> Dossier:
    """Wait until the dossier list shows `code` selected, and return what it shows."""
    screen = counter.pages.list

    def shown() -> bool:
        d = screen.selected()
        return d is not None and d.code == code and not counter.pages.ctl.busy

    qtbot.waitUntil(shown, timeout=WAIT)
    d = screen.selected()
    assert d is not None
    return d


def wait_page(qtbot: QtBot, printer: VirtualPrinter, n: int) -> Image.Image:
    """The n-th page the virtual printer saved as a PNG, read back from the file."""
    qtbot.waitUntil(lambda: len(printer.pages) >= n, timeout=WAIT)
    path = printer.pages[n - 1].path
    assert path is not None
    assert path.is_file()
    with Image.open(path) as png:
        png.load()
        return png.copy()


# --- tests -------------------------------------------------------------------------------------------


def test_a_whole_reception_from_the_camera_to_the_printed_receipt(
    qtbot: QtBot, printer: VirtualPrinter, open_counter: Callable[[str], Counter]
) -> None:
    counter = open_counter(printer.url)
    pages, reception, window = counter.pages, counter.pages.reception, counter.window
    ticket = counter.ticket
    counter.open_reception()
    assert ticket in reception.title.text()

    # F10: the camera reads the card held in front of it
    cccd_frame(counter.frames, CCCD)
    pages.toggle_camera()
    qtbot.waitUntil(lambda: line(reception.fields["name"]).text() == NAME, timeout=WAIT)
    assert line(reception.fields["id_number"]).text() == "034186012345"
    assert line(reception.fields["birth_date"]).text() == "05/03/1986"
    assert combo(reception.fields["sex"]).currentText() == "Nữ"
    assert line(reception.fields["address"]).text() == ADDRESS
    assert "Đã đọc thẻ CCCD" in reception.scan_state.text()
    assert pages.camera is None  # the camera is released once the card is read

    # the procedure, searched without tone marks, first result with Enter
    assert QApplication.focusWidget() is reception.search  # a card read moves on to the procedure
    qtbot.keyClicks(reception.search, "khai sinh")
    # QTest types all keys at one instant, like a scanner: the wedge holds them for its 35 ms of silence
    # before they reach the field; a person's Enter comes later than that.
    qtbot.waitUntil(lambda: pages.wedge.holding == 0 and reception.search.text() == "khai sinh", timeout=WAIT)
    assert reception.results.isVisible()
    qtbot.keyClick(reception.search, Qt.Key.Key_Return)
    assert reception.procedure is not None
    assert reception.procedure.code == BIRTH_REGISTRATION
    assert reception.table.rowCount() > 0
    assert "Hẹn trả kết quả" in reception.due.text()

    # the 80 mm roll, then Ctrl+S
    reception.printer.setCurrentIndex(reception.printer.findData("roll"))
    assert reception.printer.currentData() == "roll"
    assert counter.desk.print_target == "roll"
    dossier, outcome = save(qtbot, counter)

    m = CODE.fullmatch(dossier.code)
    assert m is not None, dossier.code
    assert m.group(1) == f"{counter.desk.clock.now():%y%m%d}"
    assert dossier.status == Status.RECEIVED
    assert int(dossier.status) == 2
    assert dossier.ticket == ticket
    assert dossier.citizen.name == NAME
    assert dossier.citizen.id_number == "034186012345"
    assert dossier.procedure_code == BIRTH_REGISTRATION
    assert outcome.ok, outcome.message

    # durable in the counter's SQLite file, seen through a second connection
    store = DossierStore(counter.data, SystemClock())
    try:
        kept = store.get(dossier.code)
        assert store.count() == 1
    finally:
        store.close()
    assert kept.status == Status.RECEIVED
    assert kept.ticket == ticket
    assert kept.citizen.name == NAME

    # Mẫu 01 came out of the roll printer; its QR holds the dossier code (no lookup URL configured)
    receipt = wait_page(qtbot, printer, 1)
    assert receipt.width == ROLL_DOTS
    assert receipt.height > 2 * receipt.width  # a receipt, far longer than a queue ticket
    assert read_qr(receipt) == [dossier.code]
    assert printer.errors == []

    # the window moved to the dossier list, which shows it, and says so
    shown = wait_listed(qtbot, counter, dossier.code)
    assert window.stack.currentWidget() is pages.list
    assert shown.citizen.name == NAME
    table = pages.list.table
    codes = [table.item(r, 0).text() for r in range(table.rowCount())]  # type: ignore[union-attr]
    assert codes == [dossier.code]
    assert pages.list.strip.isVisible()
    assert pages.list.strip.kind == "ok"
    assert f"Đã lưu hồ sơ {dossier.code}" in pages.list.strip.text()


def test_wrong_citizen_data_is_refused_and_nothing_is_saved(
    qtbot: QtBot, printer: VirtualPrinter, open_counter: Callable[[str], Counter]
) -> None:
    counter = open_counter(printer.url)
    reception, ctl = counter.pages.reception, counter.pages.ctl
    counter.open_reception()
    reception.choose(BIRTH_REGISTRATION)
    fields = reception.fields
    type_into(qtbot, counter, line(fields["id_number"]), "099186012345")  # 099 is no province
    type_into(qtbot, counter, line(fields["name"]), NAME)
    type_into(qtbot, counter, line(fields["birth_date"]), "05/03/2099")  # not born yet
    combo(fields["sex"]).setCurrentIndex(combo(fields["sex"]).findText("Nữ"))
    type_into(qtbot, counter, line(fields["address"]), ADDRESS)
    fields["id_number"].setFocus()

    # every field's message at once, before anything goes to the controller
    with qtbot.assertNotEmitted(reception.submitted), qtbot.assertNotEmitted(ctl.saved):
        qtbot.keyClick(reception, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert reception.errors["birth_date"].isVisible()
    assert "ở sau hôm nay" in reception.errors["birth_date"].text()
    assert reception.errors["id_number"].isVisible()
    assert "(099) không phải mã tỉnh" in reception.errors["id_number"].text()
    assert "099186012345" not in reception.errors["id_number"].text()  # never the whole number
    assert not reception.errors["name"].isVisible()
    assert reception.strip.isVisible()
    assert "Chưa lưu" in reception.strip.text()
    assert QApplication.focusWidget() is fields["id_number"]  # the clerk lands on the first thing to fix

    # with the date fixed, only the number is still wrong
    type_into(qtbot, counter, line(fields["birth_date"]), "05/03/1986")
    with qtbot.assertNotEmitted(reception.submitted):
        qtbot.keyClick(reception, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert reception.errors["id_number"].isVisible()
    assert not reception.errors["birth_date"].isVisible()

    # a right number, but "missing documents" with nothing unticked: the controller says what to do
    type_into(qtbot, counter, line(fields["id_number"]), CCCD_NUMBER)
    with qtbot.waitSignal(ctl.refused, timeout=WAIT) as refused, qtbot.assertNotEmitted(ctl.saved, wait=200):
        qtbot.keyClick(reception, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    errors: dict[str, list[str]] = refused.args[0]
    assert set(errors) == {"components"}
    assert reception.errors["components"].isVisible()
    assert "Bỏ dấu" in reception.errors["components"].text()
    assert counter.window.stack.currentWidget() is reception  # the clerk stays on the form
    qtbot.waitUntil(lambda: not ctl.busy, timeout=WAIT)
    assert counter.desk.store.count() == 0
    assert printer.received == 0


def test_a_printer_that_is_off_never_loses_the_dossier_and_reprint_prints_it(
    qtbot: QtBot, printer: VirtualPrinter, open_counter: Callable[[str], Counter]
) -> None:
    printer.accept = False  # switched off: nobody listens on its port
    counter = open_counter(printer.url)
    pages = counter.pages

    dossier, outcome = receive_sample(qtbot, counter)

    assert not outcome.ok
    assert "In lại" in outcome.message
    assert counter.desk.store.count() == 1
    assert counter.desk.store.get(dossier.code).status == Status.RECEIVED
    strip = pages.list.strip
    assert strip.isVisible()
    assert strip.kind == "warning"
    assert f"Đã lưu hồ sơ {dossier.code}" in strip.text()
    assert "In lại" in strip.text()
    assert printer.received == 0

    printer.accept = True  # switched on again, same port
    with qtbot.waitSignal(pages.ctl.changed, timeout=WAIT) as changed:
        pages.list.ask("reprint")
    again, reprinted = changed.args
    assert again.code == dossier.code
    assert reprinted.ok, reprinted.message
    receipt = wait_page(qtbot, printer, 1)
    assert read_qr(receipt) == [dossier.code]
    assert strip.kind == "ok"
    assert "Đã in" in strip.text()
    assert counter.desk.store.count() == 1  # reprinting made no new dossier


def test_returning_the_result_to_the_citizen(
    qtbot: QtBot, printer: VirtualPrinter, open_counter: Callable[[str], Counter]
) -> None:
    counter = open_counter(printer.url)
    pages = counter.pages
    dossier, _outcome = receive_sample(qtbot, counter)
    screen = pages.list
    assert screen.buttons["return"].isEnabled()

    screen.ask("return")
    dialog = screen.findChild(TextDialog, "textDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    assert dialog.text.toPlainText() == NAME  # prefilled: usually the citizen collects it
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)  # type: ignore[union-attr]
    with qtbot.waitSignal(pages.ctl.changed, timeout=WAIT) as changed:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    returned, outcome = changed.args
    assert outcome is None  # nothing to print
    assert not dialog.isVisible()
    assert returned.code == dossier.code
    assert returned.status == Status.RETURNED
    assert int(returned.status) == 10
    assert returned.collected_by == NAME
    kept = counter.desk.store.get(dossier.code)
    assert kept.status == Status.RETURNED
    assert kept.collected_by == NAME
    assert f"Đã trả kết quả hồ sơ {dossier.code} cho {NAME}" in screen.strip.text()

    # the list shows it returned, and it cannot be returned twice
    shown = wait_listed(qtbot, counter, dossier.code)
    assert shown.status == Status.RETURNED
    assert not screen.buttons["return"].isEnabled()
    screen.ask("return")
    dialogs = [d for d in screen.findChildren(TextDialog) if d.isVisible()]
    assert dialogs == []


def test_a_usb_scanner_typing_the_card_fills_the_citizen(
    qtbot: QtBot, printer: VirtualPrinter, open_counter: Callable[[str], Counter]
) -> None:
    counter = open_counter(printer.url)
    pages, reception = counter.pages, counter.pages.reception
    window = counter.window

    # the scanner's keys, 5 ms apart by a clock the test holds
    now = [10_000.0]
    pages.wedge.uninstall()
    wedge = WedgeFilter(window, now_ms=lambda: now[0])
    wedge.install()
    wedge.scanned.connect(pages.scanned)
    pages.wedge = wedge
    counter.open_reception()
    assert wedge.enabled  # on for the reception screen
    target = QApplication.focusWidget()
    assert target is reception.fields["id_number"]

    def key(text: str, code: int) -> None:
        now[0] += 5
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, text))

    with qtbot.waitSignal(wedge.scanned, timeout=WAIT) as scanned:
        for ch in CCCD:
            key(ch, ord(ch.upper()) if ch.isascii() else Qt.Key.Key_unknown)
        key("\r", Qt.Key.Key_Return)
    assert scanned.args == [CCCD]

    ids = line(reception.fields["id_number"]).text()
    assert ids == "034186012345"
    assert "|" not in ids
    assert line(reception.fields["name"]).text() == NAME
    assert line(reception.fields["birth_date"]).text() == "05/03/1986"
    assert combo(reception.fields["sex"]).currentText() == "Nữ"
    assert line(reception.fields["address"]).text() == ADDRESS
    assert "Đã đọc thẻ CCCD" in reception.scan_state.text()
    assert wedge.holding == 0

    # back on the queue panel the wedge is off: keys there stay immediate
    window.back_to_panel()
    assert not wedge.enabled


def test_a_clerk_who_signed_in_here_before_can_receive_while_the_service_is_down(
    qtbot: QtBot, printer: VirtualPrinter, open_counter: Callable[[str], Counter]
) -> None:
    counter = open_counter(printer.url)  # signed in once while the service answered: remembered on this PC
    window, ctl = counter.window, counter.window.ctl
    verifier = counter.desk.store.setting("offline.user.lan")
    assert verifier
    assert "1234" not in verifier  # a scrypt verifier, never the PIN
    with qtbot.waitSignal(ctl.signed_out, timeout=WAIT):
        ctl.sign_out()
    fake = counter.backend.client
    fake.set_unavailable(True)
    ctl.stream.pump()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: ctl.online is False, timeout=WAIT)

    # the sign-in screen offers the remembered counter and says what works offline
    signin = window.signin
    signin.refresh()
    assert signin.counter_box.isEnabled()
    assert signin.counter_box.findData(COUNTER) >= 0
    assert "tiếp nhận hồ sơ" in signin.status.text()

    with qtbot.waitSignal(ctl.sign_in_failed, timeout=WAIT) as failed:
        assert ctl.sign_in("lan", "9999", COUNTER)
    assert "Sai" in failed.args[0]
    with qtbot.waitSignal(ctl.sign_in_failed, timeout=WAIT) as unknown:
        assert ctl.sign_in("binh", "1234", COUNTER)  # never signed in on this PC
    assert "chưa đăng nhập trên máy này" in unknown.args[0]
    with qtbot.waitSignal(ctl.signed_in, timeout=WAIT):
        assert ctl.sign_in("lan", "1234", COUNTER)
    assert ctl.offline_session
    assert not any(ctl.actions().values())  # no queue actions without the service

    dossier, outcome = receive_sample(qtbot, counter)
    assert outcome.ok
    assert dossier.status == Status.RECEIVED
    assert int(dossier.code.rsplit("-", 1)[1]) == 8301  # counter 4's own fallback range: no centre needed
    assert counter.desk.store.get(dossier.code).citizen.name == NAME

    # the service is back: the clerk is told how to get the queue back, and nothing is lost
    with qtbot.waitSignal(ctl.notice, timeout=WAIT) as notice:
        fake.set_unavailable(False)
        ctl.stream.pump()  # type: ignore[union-attr]
    assert notice.args[0] == "warning"
    assert "đăng nhập lại" in notice.args[1]
