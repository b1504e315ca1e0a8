"""The wizard's first pages: what this PC is, and the centre (service PC) or the pairing with it (every other PC)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QRadioButton,
    QSpinBox,
)

from app.config import DEFAULT_PORT, ROLE_NAMES, ROLES, check_value, default_data_dir
from app.core.centre import centre_name_for, commune_name
from app.setup.style import Page, button, field_label, line_edit, show_status, status_label

ROLE_HINTS = {
    "service-kiosk": "Máy đặt ở sảnh: công dân chạm màn hình lấy số; máy này giữ dữ liệu hàng đợi của cả Trung tâm. "
    "Mỗi Trung tâm có đúng một máy như vậy, cài đầu tiên.",
    "counter": "Máy của cán bộ tại quầy: gọi số, tiếp nhận và số hóa hồ sơ.",
    "display": "TV trong sảnh: hiện số vừa gọi và đọc loa.",
    "director": "Máy của lãnh đạo: xem sảnh trực tiếp, số liệu, báo cáo, cài đặt.",
    "rating": "Màn hình nhỏ đặt trước quầy để công dân đánh giá mức độ hài lòng.",
}


class RolePage(Page):
    def __init__(self, role: str = "") -> None:
        super().__init__("Máy tính này dùng để làm gì?", "Chọn một vai trò. Có thể cài lại sau bằng lệnh setup.")
        self.choices = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for value in ROLES:
            radio = QRadioButton(ROLE_NAMES[value])
            radio.setStyleSheet("font-weight: bold;")
            self.choices.addButton(radio)
            self.buttons[value] = radio
            self.box.addWidget(radio)
            hint = QLabel(ROLE_HINTS[value], wordWrap=True)
            hint.setStyleSheet("margin-left: 40px; color: #444444; font-size: 12pt;")
            self.box.addWidget(hint)
        self.buttons.get(role, self.buttons["service-kiosk"]).setChecked(True)
        self.box.addWidget(field_label("Tên máy này (hiện trong danh sách thiết bị của Trung tâm)"))
        self.name = line_edit("ví dụ: Kiosk sảnh, Quầy 2, TV sảnh")
        self.box.addWidget(self.name)
        self.box.addStretch(1)

    def role(self) -> str:
        return next(value for value, radio in self.buttons.items() if radio.isChecked())

    def validatePage(self) -> bool:
        self.wiz.config.set("pc", "role", self.role())
        self.wiz.config.set("pc", "name", self.name.text().strip() or ROLE_NAMES[self.role()])
        return True


class CentrePage(Page):
    """The service PC: the centre's name, unit code and data folder."""

    def __init__(self) -> None:
        super().__init__("Thông tin Trung tâm", "Tên xã (phường) hiện trên kiosk, màn hình sảnh, phiếu số thứ tự và "
                         "các mẫu phiếu. Mã đơn vị đứng đầu mã hồ sơ.")  # fmt: skip
        self.box.addWidget(field_label("Tên xã (phường) *"))
        self.commune = line_edit("ví dụ: Đông Hưng, hoặc phường Ba Đình")
        self.box.addWidget(self.commune)
        self.preview = QLabel("", wordWrap=True)
        self.preview.setStyleSheet("color: #0b3d91; font-size: 13pt;")
        self.box.addWidget(self.preview)
        self.box.addWidget(field_label("Tên đầy đủ riêng của Trung tâm (không bắt buộc)"))
        self.centre_name = line_edit("để trống: tên chuẩn như dòng trên")
        self.box.addWidget(self.centre_name)
        self.box.addWidget(field_label("Mã định danh đơn vị (không bắt buộc, do tỉnh cấp)"))
        self.unit_code = line_edit("ví dụ: 000.00.12.H48")
        self.box.addWidget(self.unit_code)
        folder = QGridLayout()
        folder.addWidget(field_label("Thư mục dữ liệu của Trung tâm"), 0, 0)
        self.data_dir = line_edit(str(default_data_dir()))
        folder.addWidget(self.data_dir, 1, 0)
        folder.addWidget(field_label("Cổng"), 0, 1)
        self.port = QSpinBox(minimum=1024, maximum=65534, value=DEFAULT_PORT)
        self.port.setFixedWidth(160)
        folder.addWidget(self.port, 1, 1)
        folder.setColumnStretch(0, 1)
        self.box.addLayout(folder)
        self.error = status_label()
        self.box.addWidget(self.error)
        self.box.addStretch(1)
        self.commune.textChanged.connect(self._preview)

    def _preview(self, text: str) -> None:
        try:
            self.preview.setText(centre_name_for(commune_name(text)) if text.strip() else "")
        except ValueError:
            self.preview.setText("")

    def validatePage(self) -> bool:
        commune, unit = self.commune.text().strip(), self.unit_code.text().strip()
        problems = []
        if not commune:
            problems.append('Cần nhập tên xã (phường) của Trung tâm, ví dụ "Đông Hưng".')
        elif reason := check_value("centre", "commune", commune):
            problems.append(f"Tên xã (phường) {reason}.")
        if reason := check_value("centre", "unit_code", unit):
            problems.append(f"Mã đơn vị {reason}.")
        if problems:
            show_status(self.error, " ".join(problems), "error")
            return False
        config = self.wiz.config
        config.set("centre", "commune", commune)
        config.set("centre", "name", self.centre_name.text().strip())
        config.set("centre", "unit_code", unit)
        config.set("centre", "data_dir", self.data_dir.text().strip())
        config.set("centre", "port", self.port.value())
        if unit and not config.get("province", "unit_code"):
            config.set("province", "unit_code", unit)
        self.error.setText("")
        return True


class PairPage(Page):
    """Every other PC: find the centre service (mDNS or an address) and pair with the 6-digit code it shows."""

    def __init__(self, service_url: str = "") -> None:
        super().__init__("Ghép nối với máy chủ Trung tâm", "Nhờ lãnh đạo hoặc quản trị tạo mã ghép nối cho máy này "
                         "(màn hình lãnh đạo, mục Thiết bị; hoặc lệnh pair-code trên máy chủ), rồi nhập 6 chữ số hiện "
                         "ra. Mã dùng được 5 phút.")  # fmt: skip
        row = QHBoxLayout()
        row.addWidget(field_label("Máy chủ tìm thấy trong mạng"), 1)
        self.search = button("Tìm lại")
        row.addWidget(self.search)
        self.box.addLayout(row)
        self.services = QListWidget()
        self.services.setMaximumHeight(110)
        self.box.addWidget(self.services)
        self.box.addWidget(field_label("Hoặc nhập địa chỉ máy chủ"))
        self.address = line_edit("ví dụ: https://192.168.1.20:8710 (để trống: tự tìm)", service_url)
        self.box.addWidget(self.address)
        codes = QGridLayout()
        codes.addWidget(field_label("Mã ghép nối (6 chữ số)"), 0, 0)
        self.code = line_edit("000000")
        self.code.setObjectName("code")
        self.code.setInputMask("999999")
        self.code.setFixedWidth(260)
        codes.addWidget(self.code, 1, 0)
        self.counter_label = field_label("Quầy số")
        self.counter = QSpinBox(minimum=1, maximum=99, value=1)
        self.counter.setFixedWidth(140)
        codes.addWidget(self.counter_label, 0, 1)
        codes.addWidget(self.counter, 1, 1)
        codes.setColumnStretch(2, 1)
        codes.setHorizontalSpacing(30)
        self.box.addLayout(codes)
        self.pair_button = button("Ghép nối")
        self.box.addWidget(self.pair_button)
        self.status = status_label()
        self.box.addWidget(self.status)
        self.box.addStretch(1)
        self.paired: Any = None
        self.search.clicked.connect(self.look_for_services)
        self.services.currentTextChanged.connect(self._picked)
        self.pair_button.clicked.connect(self.start_pairing)

    def initializePage(self) -> None:
        role = self.wiz.config.role
        for widget in (self.counter_label, self.counter):
            widget.setVisible(role in ("counter", "rating"))
        if self.services.count() == 0 and self.wiz.opts.discover:
            self.look_for_services()

    def look_for_services(self) -> None:
        from app.client.discovery import discover

        self.services.clear()
        self.search.setEnabled(False)
        show_status(self.status, "Đang tìm máy chủ Trung tâm trong mạng…", "busy")
        self.wiz.runner.run(lambda: discover(3.0, want=8), self._found, self._not_found)

    def _found(self, found: list[Any]) -> None:
        self.search.setEnabled(True)
        for service in found:
            self.services.addItem(f"{service.url}  —  {service.name.split('.')[0]}")
        if found:
            show_status(self.status, f"Tìm thấy {len(found)} máy chủ. Chọn một máy rồi nhập mã ghép nối.", "ok")
        else:
            show_status(self.status, "Chưa thấy máy chủ nào. Kiểm tra máy chủ đã bật và cùng mạng, hoặc nhập địa chỉ.",
                        "error")  # fmt: skip

    def _not_found(self, exc: Exception) -> None:
        self.search.setEnabled(True)
        show_status(self.status, f"Không tìm được trong mạng ({exc}). Hãy nhập địa chỉ máy chủ.", "error")

    def _picked(self, text: str) -> None:
        if text:
            self.address.setText(text.split()[0])

    def start_pairing(self) -> None:
        from app.client.pairing import pair

        code = self.code.text().strip()
        if len(code) != 6:
            show_status(self.status, "Mã ghép nối gồm đúng 6 chữ số, như hiện trên máy chủ.", "error")
            return
        config = self.wiz.config
        role, name = config.role, str(config.get("pc", "name"))
        counter = self.counter.value() if role in ("counter", "rating") else None
        url = self.address.text().strip() or None
        self.pair_button.setEnabled(False)
        show_status(self.status, "Đang ghép nối…", "busy")
        self.wiz.runner.run(lambda: pair(code, role, name, counter=counter, service_url=url), self._paired,
                            self._refused)  # fmt: skip

    def _paired(self, pairing: Any) -> None:
        self.paired = pairing
        self.pair_button.setEnabled(True)
        show_status(self.status, f"Đã ghép nối với {pairing.service_name or pairing.url}. Bấm Tiếp theo.", "ok")
        self.completeChanged.emit()

    def _refused(self, exc: Exception) -> None:
        self.pair_button.setEnabled(True)
        show_status(self.status, getattr(exc, "message", None) or str(exc), "error")

    def isComplete(self) -> bool:
        return self.paired is not None

    def validatePage(self) -> bool:
        role = self.wiz.config.role
        if role == "counter":
            self.wiz.config.set("counter", "number", self.counter.value())
        if role == "rating":
            self.wiz.config.set("rating", "counter", self.counter.value())
        return True
