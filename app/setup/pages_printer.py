"""The ticket printer: USB ones found at once, network ones on TCP 9100 only when asked, and a test ticket."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QListWidget, QListWidgetItem, QRadioButton

from app.config import check_value
from app.setup.checks import CheckFailed, print_test_ticket
from app.setup.printers import FoundPrinter, hosts_of, local_network, scan_network, usb_printers
from app.setup.style import Page, button, field_label, line_edit, show_status, status_label


class NetworkScan(QObject):
    """The /24 sweep on a plain thread; each printer and the end come back to the GUI thread as signals."""

    found = Signal(object)  # FoundPrinter
    finished = Signal(list, bool)  # every printer found, whether it was cancelled

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self.worker: threading.Thread | None = None

    def running(self) -> bool:
        return self.worker is not None and self.worker.is_alive()

    def start(self, hosts: Sequence[str], port: int) -> None:
        self.cancel = threading.Event()
        cancel = self.cancel

        def run() -> None:
            printers = scan_network(hosts, port, cancel=cancel, on_found=self.found.emit)
            self.finished.emit(printers, cancel.is_set())

        self.worker = threading.Thread(target=run, name="printer-scan", daemon=True)
        self.worker.start()

    def stop(self) -> None:
        self.cancel.set()


class PrinterPage(Page):
    def __init__(self, scan_network_cidr: str | None = None, scan_port: int = 9100) -> None:
        super().__init__("Máy in phiếu", "Chọn máy in phiếu số thứ tự. Máy in USB được tìm tự động; máy in qua mạng "
                         "LAN chỉ được tìm khi bấm nút. Không có máy in: để trống và bấm Tiếp theo.")  # fmt: skip
        self.scan_cidr, self.scan_port = scan_network_cidr, scan_port
        self.printers = QListWidget()
        self.printers.setMaximumHeight(150)
        self.box.addWidget(self.printers)
        row = QHBoxLayout()
        self.scan_button = button("Tìm máy in mạng")
        self.stop_button = button("Dừng tìm")
        self.stop_button.setEnabled(False)
        row.addWidget(self.scan_button)
        row.addWidget(self.stop_button)
        row.addStretch(1)
        self.box.addLayout(row)
        self.box.addWidget(field_label("Địa chỉ máy in"))
        self.spec = line_edit("ví dụ: usb:0416:5011 hoặc tcp:192.168.1.50:9100")
        self.box.addWidget(self.spec)
        self.box.addWidget(field_label("Khổ giấy"))
        widths = QHBoxLayout()
        self.width_group = QButtonGroup(self)
        self.wide = QRadioButton("80 mm (phổ biến)")
        self.narrow = QRadioButton("58 mm")
        self.wide.setChecked(True)
        for radio in (self.wide, self.narrow):
            self.width_group.addButton(radio)
            widths.addWidget(radio)
        widths.addStretch(1)
        self.box.addLayout(widths)
        self.test_button = button("In phiếu thử")
        self.box.addWidget(self.test_button)
        self.status = status_label()
        self.box.addWidget(self.status)
        self.box.addStretch(1)
        self.scan = NetworkScan(self)
        self.scan.found.connect(self._add)
        self.scan.finished.connect(self._scanned)
        self.scan_button.clicked.connect(self.start_scan)
        self.stop_button.clicked.connect(self.scan.stop)
        self.printers.currentItemChanged.connect(self._picked)
        self.test_button.clicked.connect(self.print_test)
        self._usb_listed = False

    def paper_width(self) -> int:
        return 576 if self.wide.isChecked() else 384

    def initializePage(self) -> None:
        if not self._usb_listed:
            self._usb_listed = True
            self.wiz.runner.run(usb_printers, self._usb_found)

    def _usb_found(self, printers: list[FoundPrinter]) -> None:
        for printer in printers:
            self._add(printer)
        if printers and not self.spec.text():
            self.printers.setCurrentRow(0)
        if not printers:  # an empty box would look like the search never ran
            show_status(self.status, "Không thấy máy in USB nào. Máy in qua mạng LAN: bấm “Tìm máy in mạng”, hoặc "
                        "gõ địa chỉ vào ô “Địa chỉ máy in”.", "info")  # fmt: skip

    def _add(self, printer: FoundPrinter) -> None:
        item = QListWidgetItem(printer.label)
        item.setData(Qt.ItemDataRole.UserRole, printer.spec)
        self.printers.addItem(item)

    def _picked(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.spec.setText(str(item.data(Qt.ItemDataRole.UserRole)))

    def start_scan(self) -> None:
        network = self.scan_cidr or local_network()
        if network is None:
            show_status(self.status, "Máy này chưa nối mạng LAN nên không tìm được máy in mạng.", "error")
            return
        self.scan_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        show_status(self.status, f"Đang tìm máy in trong mạng {network} (cổng {self.scan_port})…", "busy")
        self.scan.start(hosts_of(network), self.scan_port)

    def _scanned(self, printers: list[FoundPrinter], cancelled: bool) -> None:
        self.scan_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        if cancelled:
            show_status(self.status, f"Đã dừng tìm; thấy {len(printers)} máy in mạng.", "ok")
        elif printers:
            show_status(self.status, f"Tìm thấy {len(printers)} máy in mạng. Chọn một máy rồi bấm In phiếu thử.", "ok")
        else:
            show_status(self.status, "Không thấy máy in mạng nào trả lời ở cổng 9100. Kiểm tra máy in đã bật, đã cắm "
                        "dây mạng, hoặc nhập địa chỉ in trên phiếu cấu hình của máy in.", "error")  # fmt: skip

    def print_test(self) -> None:
        spec = self.spec.text().strip()
        if not spec:
            show_status(self.status, "Chọn hoặc nhập địa chỉ máy in trước.", "error")
            return
        self.test_button.setEnabled(False)
        show_status(self.status, "Đang in phiếu thử…", "busy")
        width = self.paper_width()
        self.wiz.runner.run(lambda: print_test_ticket(spec, width), self._printed, self._print_failed)

    def _printed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        show_status(self.status, message, "ok")

    def _print_failed(self, exc: Exception) -> None:
        self.test_button.setEnabled(True)
        show_status(self.status, exc.message if isinstance(exc, CheckFailed) else f"Lỗi khi in: {exc}", "error")

    def validatePage(self) -> bool:
        spec = self.spec.text().strip()
        if reason := check_value("printer", "spec", spec):
            show_status(self.status, f"Địa chỉ máy in {reason}.", "error")
            return False
        self.scan.stop()
        self.wiz.config.set("printer", "spec", spec)
        self.wiz.config.set("printer", "width", self.paper_width())
        return True

    def cleanupPage(self) -> None:
        self.scan.stop()
