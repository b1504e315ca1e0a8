"""Digitising a received dossier at the counter, end to end: the demo hall, a real SQLite folder, a fake eSCL
scanner on loopback (a real HTTP peer), SANE's `test` backend in this process, a file camera with generated phone
photos, the page spool on disk and one PDF per component."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from app.core.dossier import Dossier
from app.devices.scanners.base import ScannerError
from app.devices.scanners.escl_fake import FakeEsclServer, make_page
from app.devices.scanners.sane_source import SaneSource
from app.imaging.synthetic import photographed
from app.imaging.types import ProcessedPage
from app.store.component_pdf import read_meta
from app.store.dossier_store import DossierStore
from app.store.page_spool import SpooledPage
from counter.scan.digitise import Digitiser
from counter.scan.screen import KEYS_HINT, SAVED_TO_SIGN, ScanScreen
from counter.scan.worker import ScanWorker
from printing.virtual_printer import VirtualPrinter
from tests.qt.test_counter_reception import WAIT, Counter, receive_sample, wait_listed

A4_RATIO = 297 / 210
WHITE_PAGE = np.full((3508, 2480, 3), 255, np.uint8)  # an empty A4 sheet at 300 dpi


# --- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def no_thread_left(qtbot: QtBot) -> Iterator[None]:
    """Set up first, torn down last: every thread the test started (scan worker, camera, fake scanner, store
    writer, printer) has ended once everything is closed."""
    before = set(threading.enumerate())
    yield
    qtbot.waitUntil(lambda: not set(threading.enumerate()) - before, timeout=WAIT)


class Jobs:
    """Every scan job the screen starts, seen from its start: `done` holds each finished job's page count.

    The worker is made inside the key's handler, so a waitSignal set up afterwards could miss a fast job's
    `finished`; this subclass connects before the thread starts (after the screen's own `_finished`)."""

    def __init__(self) -> None:
        self.workers: list[ScanWorker] = []
        self.done: list[int] = []
        self.failures: list[str] = []
        self.arrived: list[str] = []  # ids of the pages kept, in the order the worker delivered them

    def kept(self, page: SpooledPage | None, _processed: ProcessedPage) -> None:
        if page is not None:
            self.arrived.append(page.id)

    def worker_class(self) -> type[ScanWorker]:
        jobs = self

        class Watched(ScanWorker):
            def start(self) -> None:
                self.failed.connect(jobs.failures.append)
                self.page.connect(jobs.kept)
                self.finished.connect(jobs.done.append)
                jobs.workers.append(self)
                super().start()

        return Watched

    def wait_all(self) -> None:
        for worker in self.workers:
            worker.wait()
            assert not worker.running()


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> Jobs:
    watched = Jobs()
    monkeypatch.setattr("counter.scan.pages.ScanWorker", watched.worker_class())
    return watched


@pytest.fixture
def counter(
    no_thread_left: None, jobs: Jobs, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Counter]:
    """The demo counter signed in with a citizen called; its file camera reads tmp_path/camera.

    Looking for scanners on the LAN is replaced by an empty answer: zeroconf keeps its event-loop thread for the
    life of the process, and the real discovery has its own tests (test_devices_scan_escl)."""
    monkeypatch.setattr("counter.scan.pages.list_sources", lambda timeout: [])
    monkeypatch.setenv("SOFTHSM2_CONF", "")  # --demo points it at its test token: undone after the test
    frames = tmp_path / "camera"
    frames.mkdir()
    with VirtualPrinter(out_dir=tmp_path / "printed") as printer:
        made = Counter(qtbot, tmp_path / "counter", frames, printer.url)
        try:
            made.start()
            yield made
        finally:
            jobs.wait_all()
            made.pages.scan.stop_camera()
            assert made.pages.scan.runner.wait(WAIT)
            made.close()


# --- helpers -----------------------------------------------------------------------------------------


def use_source(counter: Counter, uri: str, name: str) -> None:
    """Put a device first in the scan screen's list and choose it, as scan_screens does."""
    scan = counter.pages.scan
    scan.sources.insert(0, (uri, name))
    scan.screen.set_sources(scan.sources, uri)


def choose_feed(screen: ScanScreen, feed: str) -> None:
    screen.feed.setCurrentIndex(screen.feed.findData(feed))
    assert screen.feed.currentData() == feed


def open_scan(qtbot: QtBot, counter: Counter, dossier: Dossier) -> ScanScreen:
    scan = counter.pages.scan
    scan.open(dossier)
    screen = scan.screen
    assert counter.window.stack.currentWidget() is screen
    qtbot.waitUntil(screen.isVisible, timeout=WAIT)
    assert dossier.code in screen.title.text()
    return screen


def press(qtbot: QtBot, counter: Counter, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
          ) -> None:  # fmt: skip
    """A key as the clerk presses it: to the widget with focus, which must be on the scan screen."""
    screen = counter.pages.scan.screen
    qtbot.waitUntil(lambda: QApplication.activeWindow() is counter.window, timeout=WAIT)
    focus = QApplication.focusWidget()
    assert focus is not None
    assert focus is screen or screen.isAncestorOf(focus)  # the screen's shortcuts need focus in it
    qtbot.keyClick(focus, key, modifier)


def scan_job(qtbot: QtBot, counter: Counter, jobs: Jobs, key: Qt.Key = Qt.Key.Key_F5) -> int:
    """Press the scan (or capture) key and wait until the job has finished; the pages it kept."""
    started = len(jobs.workers)
    press(qtbot, counter, key)
    assert len(jobs.workers) == started + 1, "the key started no scan job"
    qtbot.waitUntil(lambda: len(jobs.done) == started + 1, timeout=WAIT * 2)
    jobs.workers[-1].wait()
    assert not counter.pages.scan.busy
    return jobs.done[-1]


def strip_ids(screen: ScanScreen) -> list[str]:
    return [str(screen.pages.item(r).data(Qt.ItemDataRole.UserRole)) for r in range(screen.pages.count())]


def strip_texts(screen: ScanScreen) -> list[str]:
    return [screen.pages.item(r).text() for r in range(screen.pages.count())]


def select_rows(screen: ScanScreen, *rows: int) -> None:
    screen.pages.clearSelection()
    for row in rows:
        screen.pages.item(row).setSelected(True)
    screen.pages.setCurrentRow(rows[0], QItemSelectionModel.SelectionFlag.NoUpdate)
    screen.pages.setFocus()
    assert sorted(screen.pages.row(i) for i in screen.pages.selectedItems()) == sorted(rows)


def spooled(counter: Counter) -> list[SpooledPage]:
    digitiser = counter.pages.scan.screen.digitiser
    assert digitiser is not None
    return digitiser.pages()


def save_scan(qtbot: QtBot, counter: Counter, code: str) -> Dossier:
    """Ctrl+S on the scan screen, then back on the dossier list with the saved note: without a signing key Ctrl+S
    closes the screen; with one (--demo's SoftHSM2 test token) the screen stays for signing and Esc closes it."""
    pages = counter.pages
    screen = pages.scan.screen
    press(qtbot, counter, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    if counter.desk.signing is not None:
        qtbot.waitUntil(lambda: screen.strip.text().startswith(SAVED_TO_SIGN), timeout=WAIT * 2)
        assert counter.window.stack.currentWidget() is screen
        assert screen.strip.kind == "ok"
        assert screen.pages.count() == 0
        press(qtbot, counter, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: "Đã lưu bản số hóa" in pages.list.strip.text(), timeout=WAIT * 2)
    assert counter.window.stack.currentWidget() is pages.list
    shown = wait_listed(qtbot, counter, code)
    assert pages.scan.runner.wait(WAIT)
    return shown


def stored(counter: Counter, code: str) -> Dossier:
    """The dossier as the counter's SQLite file holds it, read through a second connection."""
    store = DossierStore(counter.data, counter.desk.clock)
    try:
        return store.get(code)
    finally:
        store.close()


def pdf_pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def check_file(path_text: str, sha256: str, pages: int) -> Path:
    path = Path(path_text)
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    assert pdf_pages(path) == pages
    return path


def write_photo(folder: Path, image: np.ndarray) -> Path:
    """A camera frame file, replaced atomically so the looping file camera never reads half of it."""
    path = folder / "frame-0001.jpg"
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 92])
    assert ok
    tmp = folder / "frame.part"
    tmp.write_bytes(data.tobytes())
    os.replace(tmp, path)
    return path


# --- tests -------------------------------------------------------------------------------------------


def test_five_pages_from_the_feeder_become_one_pdf_per_component(qtbot: QtBot, counter: Counter, jobs: Jobs) -> None:
    pages = counter.pages
    dossier, _outcome = receive_sample(qtbot, counter)
    assert sum(1 for c in dossier.components if c.received) >= 2
    with FakeEsclServer(pages=5) as scanner:
        use_source(counter, f"escl:{scanner.url}", "Máy quét mạng (eSCL) — máy giả lập")
        screen = open_scan(qtbot, counter, dossier)
        choose_feed(screen, "feeder")
        assert screen.target_component() == 0  # new pages go to the first component received

        assert scan_job(qtbot, counter, jobs) == 5
    assert jobs.failures == []
    assert [j.input_source for j in scanner.jobs] == ["Feeder"]
    assert scanner.state.pages_served == 5
    assert screen.pages.count() == 5
    assert strip_texts(screen) == [f"Trang {n} · TP 1" for n in range(1, 6)]
    ids = strip_ids(screen)
    assert ids == jobs.arrived  # in the order the feeder gave them
    assert ids == [p.id for p in spooled(counter)]  # and so on disk
    assert "Xong: thêm 5 trang." in screen.progress.text()

    # pages 4–5 belong to the second component
    select_rows(screen, 3, 4)
    press(qtbot, counter, Qt.Key.Key_2)
    assert [p.component for p in spooled(counter)] == [0, 0, 0, 1, 1]
    assert strip_texts(screen)[3:] == ["Trang 4 · TP 2", "Trang 5 · TP 2"]

    # page 1 turned a quarter clockwise: a number in the spool, the thumbnail turns with it
    select_rows(screen, 0)
    press(qtbot, counter, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    first = spooled(counter)[0]
    assert first.id == ids[0]
    assert first.rotation == 90
    digitiser = screen.digitiser
    assert digitiser is not None
    turned = digitiser.spool.load_image(first)
    assert turned.shape[1] > turned.shape[0]  # an A4 portrait page lying on its side

    # page 3 deleted
    select_rows(screen, 2)
    press(qtbot, counter, Qt.Key.Key_Delete)
    assert screen.pages.count() == 4
    assert [p.id for p in spooled(counter)] == [ids[0], ids[1], ids[3], ids[4]]
    assert strip_ids(screen) == [ids[0], ids[1], ids[3], ids[4]]

    # a drag: the last page (page 5) dropped before page 2
    model = screen.pages.model()
    assert model.moveRow(QModelIndex(), 3, QModelIndex(), 1)
    order = [ids[0], ids[4], ids[1], ids[3]]
    assert [p.id for p in spooled(counter)] == order
    assert strip_ids(screen) == order
    assert strip_texts(screen) == ["Trang 1 · TP 1", "Trang 2 · TP 2", "Trang 3 · TP 1", "Trang 4 · TP 2"]
    spool_folder = digitiser.spool.folder
    assert Digitiser.resume(counter.desk, dossier).pages() == spooled(counter)  # the order is on disk

    # Ctrl+S: one PDF per component
    shown = save_scan(qtbot, counter, dossier.code)
    assert not spool_folder.exists()
    assert pages.list.strip.kind == "ok"
    assert f"Đã lưu bản số hóa hồ sơ {dossier.code}: 2 thành phần có tệp PDF." in pages.list.strip.text()
    assert [c.digitised for c in shown.components[:2]] == [True, True]

    kept = stored(counter, dossier.code)
    assert kept.status == dossier.status
    first_comp, second_comp = kept.components[0], kept.components[1]
    assert [c.digitised for c in kept.components] == [True, True] + [False] * (len(kept.components) - 2)
    assert len(first_comp.files) == 1
    assert len(second_comp.files) == 1
    assert (first_comp.files[0].pages, second_comp.files[0].pages) == (2, 2)
    assert not first_comp.files[0].reused
    clerk = counter.window.ctl.display_name
    assert clerk
    for comp in (first_comp, second_comp):
        file = comp.files[0]
        path = check_file(file.path, file.sha256, file.pages)
        assert path.is_relative_to(counter.data)
        meta = read_meta(path)
        assert meta.dossier_code == dossier.code
        assert meta.component == comp.name
        assert meta.clerk == clerk
    with pikepdf.open(first_comp.files[0].path) as pdf:
        assert [int(p.obj.get("/Rotate", 0)) for p in pdf.pages] == [90, 0]  # the turn became /Rotate
    assert kept.steps[-1].content == "Số hóa thành phần hồ sơ"


def test_the_sane_test_scanner_gives_one_page_per_f5(qtbot: QtBot, counter: Counter, jobs: Jobs) -> None:
    pytest.importorskip("sane", reason="python-sane is not installed")
    try:
        SaneSource("test").close()  # SANE's own `test` device, with the system's default test.conf
    except ScannerError as exc:
        pytest.skip(f"SANE's test device cannot be opened here: {exc.for_people()}")
    dossier, _outcome = receive_sample(qtbot, counter)
    use_source(counter, "sane:test", "Máy quét SANE — test")
    screen = open_scan(qtbot, counter, dossier)
    choose_feed(screen, "flatbed")

    for n in range(1, 6):
        assert scan_job(qtbot, counter, jobs) == 1
        assert screen.pages.count() == n
        assert screen.pages.currentRow() == n - 1  # the new page is the one shown
    assert jobs.failures == []
    assert strip_texts(screen) == [f"Trang {n} · TP 1" for n in range(1, 6)]
    assert all(p.dpi == 300 for p in spooled(counter))

    save_scan(qtbot, counter, dossier.code)
    kept = stored(counter, dossier.code)
    file = kept.components[0].files[0]
    assert file.pages == 5
    check_file(file.path, file.sha256, 5)
    assert read_meta(Path(file.path)).dossier_code == dossier.code
    assert not any(c.digitised for c in kept.components[1:])


def test_without_a_signing_key_ctrl_s_saves_and_closes_the_screen(qtbot: QtBot, counter: Counter, jobs: Jobs) -> None:
    counter.desk.signing = None  # a counter with no token and no .p12 (the demo made a test token)
    dossier, _outcome = receive_sample(qtbot, counter)
    with FakeEsclServer(pages=1) as scanner:
        use_source(counter, f"escl:{scanner.url}", "Máy quét mạng (eSCL) — máy giả lập")
        screen = open_scan(qtbot, counter, dossier)
        choose_feed(screen, "flatbed")
        assert scan_job(qtbot, counter, jobs) == 1
    assert not screen.sign_panel.isVisibleTo(screen)
    assert not screen.save_sign_button.isVisibleTo(screen)
    assert screen.keys_hint.text() == KEYS_HINT  # no signing keys offered
    press(qtbot, counter, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: counter.window.stack.currentWidget() is counter.pages.list, timeout=WAIT * 2)
    assert f"Đã lưu bản số hóa hồ sơ {dossier.code}: 1 thành phần có tệp PDF." == counter.pages.list.strip.text()
    shown = wait_listed(qtbot, counter, dossier.code)
    assert shown.components[0].digitised
    assert not shown.components[0].files[0].signed


def test_a_phone_photo_from_the_file_camera_is_rectified_and_a_1080p_one_is_refused(
    qtbot: QtBot, counter: Counter, jobs: Jobs
) -> None:
    scan = counter.pages.scan
    dossier, _outcome = receive_sample(qtbot, counter)
    shot = photographed("text", 7, frame=(4032, 3024), fill=0.9)  # 12 MP
    assert shot.dpi >= 220
    write_photo(counter.frames, shot.image)
    screen = open_scan(qtbot, counter, dossier)
    uri = f"camera:file:{counter.frames}"
    screen.source.setCurrentIndex(screen.source.findData(uri))
    assert screen.is_camera()
    assert scan.camera is not None
    assert screen.capture_button.isVisibleTo(screen)
    assert not screen.scan_button.isVisibleTo(screen)
    qtbot.waitUntil(lambda: scan.last_frame is not None, timeout=WAIT)
    screen.pages.setFocus()

    assert scan_job(qtbot, counter, jobs, Qt.Key.Key_Space) == 1
    assert jobs.failures == []
    assert screen.pages.count() == 1
    page = spooled(counter)[0]
    assert page.component == 0
    assert page.dpi >= 200
    digitiser = screen.digitiser
    assert digitiser is not None
    image = digitiser.spool.load_image(page)
    height, width = image.shape[:2]
    assert height / width == pytest.approx(A4_RATIO, rel=0.04)  # the page found and straightened, desk gone
    assert page.dpi == pytest.approx(shot.dpi, rel=0.05)  # measured from the page found, not guessed
    assert width == pytest.approx(shot.page_size[0], rel=0.05)
    assert height == pytest.approx(shot.page_size[1], rel=0.05)

    # a 1080p webcam: too coarse for the 200 dpi floor, refused with the reason and nothing kept
    low = photographed("text", 8, frame=(1920, 1080), fill=0.85)
    assert low.dpi < 200
    write_photo(counter.frames, low.image)
    qtbot.waitUntil(lambda: scan.last_frame is not None and scan.last_frame.shape[:2] == (1080, 1920), timeout=WAIT)
    assert scan_job(qtbot, counter, jobs, Qt.Key.Key_Space) == 0
    assert screen.strip.isVisible()
    assert "dưới mức 200 dpi" in screen.strip.text()
    assert screen.strip.kind == "warning"
    assert screen.pages.count() == 1
    assert [p.id for p in spooled(counter)] == [page.id]


def test_a_scanner_that_vanishes_mid_job_keeps_the_pages_already_scanned(
    qtbot: QtBot, counter: Counter, jobs: Jobs
) -> None:
    dossier, _outcome = receive_sample(qtbot, counter)
    with FakeEsclServer(pages=5, vanish_after=2) as scanner:
        use_source(counter, f"escl:{scanner.url}", "Máy quét mạng (eSCL) — máy giả lập")
        screen = open_scan(qtbot, counter, dossier)
        choose_feed(screen, "feeder")
        assert scan_job(qtbot, counter, jobs) == 2
    assert len(jobs.failures) == 1
    assert screen.strip.kind == "error"
    message = screen.strip.text()
    assert "không còn kết nối" in message
    assert "Đã giữ 2 trang đã quét." in message
    assert screen.pages.count() == 2
    ids = strip_ids(screen)
    resumed = Digitiser.resume(counter.desk, dossier).pages()
    assert [p.id for p in resumed] == ids
    assert all(p.path.is_file() for p in resumed)

    # leaving and coming back: the pages are still there, and the clerk is told so
    press(qtbot, counter, Qt.Key.Key_Escape)
    assert counter.window.stack.currentWidget() is counter.pages.list
    screen = open_scan(qtbot, counter, dossier)
    assert strip_ids(screen) == ids
    assert "Đã mở lại 2 trang" in screen.strip.text()


def test_a_retake_replaces_the_selected_page_in_place(qtbot: QtBot, counter: Counter, jobs: Jobs) -> None:
    dossier, _outcome = receive_sample(qtbot, counter)
    with FakeEsclServer(pages=3) as scanner:
        use_source(counter, f"escl:{scanner.url}", "Máy quét mạng (eSCL) — máy giả lập")
        screen = open_scan(qtbot, counter, dossier)
        choose_feed(screen, "feeder")
        assert scan_job(qtbot, counter, jobs) == 3
        before = spooled(counter)
        digitiser = screen.digitiser
        assert digitiser is not None
        old_pixels = digitiser.spool.load_image(before[1])

        select_rows(screen, 1)
        press(qtbot, counter, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
        assert screen.retake_id == before[1].id
        assert "Quét (F5)" in screen.strip.text()
        choose_feed(screen, "flatbed")
        screen.pages.setFocus()
        assert scan_job(qtbot, counter, jobs) == 1
    assert [j.input_source for j in scanner.jobs] == ["Feeder", "Platen"]
    assert screen.retake_id is None
    after = spooled(counter)
    assert len(after) == 3
    assert [p.id for p in after] == [p.id for p in before]  # same pages, same order
    assert after[0] == before[0]
    assert after[2] == before[2]
    assert after[1].file != before[1].file
    assert not before[1].path.exists()  # the superseded image is gone
    assert after[1].component == before[1].component
    new_pixels = digitiser.spool.load_image(after[1])
    assert old_pixels.shape != new_pixels.shape or not np.array_equal(old_pixels, new_pixels)
    assert screen.pages.count() == 3
    assert screen.pages.currentRow() == 1  # the retaken page stays where it was, and is shown


def test_an_earlier_dossiers_scan_is_offered_again_and_reused(qtbot: QtBot, counter: Counter, jobs: Jobs) -> None:
    pages = counter.pages
    first, _outcome = receive_sample(qtbot, counter)
    with FakeEsclServer(pages=1) as scanner:
        use_source(counter, f"escl:{scanner.url}", "Máy quét mạng (eSCL) — máy giả lập")
        screen = open_scan(qtbot, counter, first)
        assert screen.offers == []  # nothing to reuse for a citizen's first dossier
        choose_feed(screen, "flatbed")
        assert scan_job(qtbot, counter, jobs) == 1
        save_scan(qtbot, counter, first.code)
    original = stored(counter, first.code).components[0].files[0]

    counter.window.back_to_panel()  # F8 receives from the queue panel: the citizen is still at the counter
    assert counter.window.on_panel
    second, _outcome = receive_sample(qtbot, counter)
    assert second.code != first.code
    assert second.citizen.id_number == first.citizen.id_number
    screen = open_scan(qtbot, counter, second)
    digitiser = screen.digitiser
    assert digitiser is not None
    offers = digitiser.reuse_offers()
    assert [(o.component, o.from_code, o.file.path) for o in offers] == [(0, first.code, original.path)]
    assert screen.offers == offers
    buttons = [w for w in screen.findChildren(QPushButton) if w.isVisibleTo(screen) and "Dùng lại" in w.text()]
    assert len(buttons) == 1
    assert first.code in buttons[0].text()

    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "tái sử dụng" in screen.strip.text(), timeout=WAIT)
    assert screen.strip.kind == "ok"
    assert screen.offers == []
    assert "đã số hóa (tái sử dụng)" in screen.components.item(0).text()
    kept = stored(counter, second.code)
    reused = kept.components[0].files
    assert len(reused) == 1
    assert reused[0].reused
    assert (reused[0].path, reused[0].sha256, reused[0].pages) == (original.path, original.sha256, original.pages)
    assert kept.steps[-1].content == "Tái sử dụng bản số hóa"
    check_file(reused[0].path, reused[0].sha256, reused[0].pages)

    # back on the list the second dossier shows its component digitised
    press(qtbot, counter, Qt.Key.Key_Escape)
    shown = wait_listed(qtbot, counter, second.code)
    assert shown.components[0].digitised
    assert shown.components[0].files[0].reused
    table = pages.list.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]
    column = headers.index("Số hóa")
    row = [table.item(r, 0).text() for r in range(table.rowCount())].index(second.code)  # type: ignore[union-attr]
    digitised, status = table.item(row, column), table.item(row, headers.index("Trạng thái"))
    assert status is not None, "the status column is empty"
    assert status.text().startswith(shown.status_name)
    assert digitised is not None, "the Số hóa column is empty"
    assert digitised.text() not in ("", status.text())


def test_a_blank_page_is_dropped_from_the_feeder_and_kept_with_a_warning_on_the_glass(
    qtbot: QtBot, counter: Counter, jobs: Jobs
) -> None:
    dossier, _outcome = receive_sample(qtbot, counter)
    sheets = [make_page(1, 300), WHITE_PAGE, make_page(3, 300)]
    with FakeEsclServer(pages=sheets) as scanner:
        use_source(counter, f"escl:{scanner.url}", "Máy quét mạng (eSCL) — máy giả lập")
        screen = open_scan(qtbot, counter, dossier)
        choose_feed(screen, "feeder")
        assert scan_job(qtbot, counter, jobs) == 2
        assert scanner.state.pages_served == 3
    assert jobs.failures == []
    assert screen.pages.count() == 2
    assert "Trang trắng từ khay nạp giấy đã được bỏ qua." in screen.strip.text()
    assert screen.strip.kind == "info"
    assert not any(p.blank for p in spooled(counter))

    with FakeEsclServer(pages=[WHITE_PAGE]) as glass:
        use_source(counter, f"escl:{glass.url}", "Máy quét mạng (eSCL) — mặt kính")
        choose_feed(screen, "flatbed")
        screen.pages.setFocus()
        assert scan_job(qtbot, counter, jobs) == 1
    assert screen.pages.count() == 3
    last = spooled(counter)[-1]
    assert last.blank
    assert screen.strip.kind == "warning"
    assert "trang trắng" in screen.strip.text()
    assert "⚠" in screen.pages.item(2).text()
    assert "Trang trắng" in screen.pages.item(2).toolTip()


def test_f6_finds_scanners_and_the_clerk_choice_is_remembered(
    qtbot: QtBot, counter: Counter, jobs: Jobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.devices.scanners.base import SourceInfo

    found = SourceInfo("escl:http://127.0.0.1:9/eSCL", "Máy quét mạng Phòng một cửa", "escl")
    monkeypatch.setattr("counter.scan.pages.list_sources", lambda timeout: [found])
    dossier, _outcome = receive_sample(qtbot, counter)
    scan = counter.pages.scan
    screen = open_scan(qtbot, counter, dossier)
    qtbot.keyClick(screen, Qt.Key.Key_F6)
    qtbot.waitUntil(lambda: screen.source.findData(found.uri) >= 0, timeout=WAIT)
    assert screen.source.itemText(screen.source.count() - 1).startswith("Camera")  # the camera stays last
    assert "Tìm thấy thêm 1 máy quét" in screen.progress.text()
    screen.source.setCurrentIndex(screen.source.findData(found.uri))
    assert counter.desk.store.setting("scan.source") == found.uri  # remembered per counter
    choose_feed(screen, "feeder")
    assert counter.desk.store.setting("scan.feed") == "feeder"
    assert scan.runner.wait(WAIT)
