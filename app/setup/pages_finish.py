"""The provincial one-stop system (with a real login test), and the summary that writes config.toml."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QWizard

from app.config import ROLE_NAMES, ConfigError, check_value, config_path, province_password
from app.setup import accounts as staff
from app.setup import boot
from app.setup.checks import CheckFailed, gateway_login
from app.setup.style import Page, button, field_label, line_edit, show_status, status_label


class ProvincePage(Page):
    def __init__(self) -> None:
        super().__init__("Hệ thống một cửa của tỉnh", "Hồ sơ nhận tại quầy được gửi lên hệ thống của tỉnh. Địa "
                         "chỉ, tên đăng nhập và mật khẩu do Sở/Trung tâm của tỉnh cấp. Chưa có: để trống, cài "
                         "sau.")  # fmt: skip
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.url = line_edit("ví dụ: https://motcua.tinh.gov.vn")
        self.unit_code = line_edit("ví dụ: 000.00.12.H48")
        self.username = line_edit("tên đăng nhập kết nối")
        self.password = line_edit("mật khẩu (không ghi vào tệp cấu hình)")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        rows = (("Địa chỉ hệ thống", self.url), ("Mã đơn vị", self.unit_code), ("Tên đăng nhập", self.username),
                ("Mật khẩu", self.password))  # fmt: skip
        for i, (text, edit) in enumerate(rows):
            grid.addWidget(field_label(text), i, 0)
            grid.addWidget(edit, i, 1)
        self.box.addLayout(grid)
        self.test_button = button("Kiểm tra kết nối")
        self.box.addWidget(self.test_button)
        self.status = status_label()
        self.box.addWidget(self.status)
        self.box.addStretch(1)
        self.test_button.clicked.connect(self.test_connection)

    def initializePage(self) -> None:
        config = self.wiz.config
        if not self.unit_code.text():
            self.unit_code.setText(str(config.get("province", "unit_code") or config.get("centre", "unit_code")))

    def test_connection(self) -> None:
        url, unit = self.url.text().strip(), self.unit_code.text().strip()
        user, password = self.username.text().strip(), self.password.text()
        self.test_button.setEnabled(False)
        show_status(self.status, "Đang kết nối tới hệ thống của tỉnh…", "busy")
        self.wiz.runner.run(lambda: gateway_login(url, unit, user, password), self._passed, self._failed)

    def _passed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        show_status(self.status, message, "ok")

    def _failed(self, exc: Exception) -> None:
        self.test_button.setEnabled(True)
        show_status(self.status, exc.message if isinstance(exc, CheckFailed) else f"Lỗi: {exc}", "error")

    def validatePage(self) -> bool:
        url, unit, user = self.url.text().strip(), self.unit_code.text().strip(), self.username.text().strip()
        for label, section_key, value in (("Địa chỉ hệ thống", "gateway_url", url), ("Mã đơn vị", "unit_code", unit),
                                          ("Tên đăng nhập", "username", user)):  # fmt: skip
            if reason := check_value("province", section_key, value):
                show_status(self.status, f"{label} {reason}.", "error")
                return False
        config = self.wiz.config
        config.set("province", "gateway_url", url)
        config.set("province", "unit_code", unit)
        config.set("province", "username", user)
        self.wiz.province_password = self.password.text()
        return True


class SummaryPage(Page):
    """Hoàn tất writes config.toml, then off the GUI thread creates the staff accounts asked on the service PC and
    (ticked) registers this role's start at boot / logon, in that order (the service autostart starts must find
    the accounts and the wizard's seed in its folder), and stays on the page to say how each went, one line each;
    the button then reads "Đóng"."""

    def __init__(self) -> None:
        super().__init__("Kiểm tra lại và hoàn tất", "Bấm Hoàn tất để lưu cấu hình. Sau đó mở phần mềm của máy này.")
        self.summary = QLabel(wordWrap=True)
        self.summary.setStyleSheet("font-size: 14pt;")
        self.box.addWidget(self.summary)
        self.autostart = QCheckBox("Tự chạy khi bật máy / khi đăng nhập")
        self.autostart.setChecked(True)
        self.box.addWidget(self.autostart)
        self.autostart_note = QLabel(wordWrap=True)
        self.autostart_note.setStyleSheet("margin-left: 40px; color: #444444; font-size: 12pt;")
        self.box.addWidget(self.autostart_note)
        self.status = status_label()
        self.box.addWidget(self.status)
        self.box.addStretch(1)
        self.steps: list[boot.Step] = []  # what Hoàn tất runs (the tests read it)
        self.outcomes: list[boot.Outcome] | None = None  # None until they ran
        self.account_outcomes: list[staff.AccountOutcome] = []
        self.shortcuts_line = ""  # Linux: the menu entries and desktop icon made on Hoàn tất (app/shortcuts.py)
        self.running = False

    def initializePage(self) -> None:
        self.summary.setText(summary_html(self.wiz))
        self.status.setText("")
        self.outcomes = None
        self.account_outcomes = []
        self.wiz.setButtonText(QWizard.WizardButton.FinishButton, "Hoàn tất")
        role = self.wiz.config.role
        self.autostart.setVisible(role in ("service-kiosk", "display"))
        self.autostart.setEnabled(True)
        self.autostart_note.setText(boot.note(role))
        self.autostart_note.setVisible(True)

    def validatePage(self) -> bool:
        if self.outcomes is not None:  # the second press: "Đóng"
            return True
        if self.running:  # QWizard may enable the button again meanwhile: one run at a time
            return False
        try:
            path = self.wiz.finish()
        except ConfigError as exc:
            show_status(self.status, "Chưa lưu được: " + " ".join(exc.lines), "error")
            return False
        except OSError as exc:
            show_status(self.status, f"Không ghi được tệp cấu hình: {exc}", "error")
            return False
        opts = self.wiz.opts
        self.shortcuts_line = boot.make_shortcuts(self.wiz.config.role, dry_run=opts.autostart_dry_run)
        self.steps = boot.plan(self.wiz.config, dry_run=opts.autostart_dry_run,
                               service_registered=opts.service_registered) if self.autostart.isVisible() and \
            self.autostart.isChecked() else []  # fmt: skip
        accounts = list(self.wiz.accounts) if self.wiz.config.role == "service-kiosk" else []
        data = self.wiz.config.data_dir().expanduser().resolve()  # as `serve` and install-service name it
        saved = " ".join(filter(None, [f"Đã lưu {path}.", self.shortcuts_line]))
        if not self.steps and not accounts:
            show_status(self.status, saved, "ok")
            return True
        show_status(self.status, f"{saved} " + ("Đang tạo tài khoản…" if accounts else "Đang cài tự chạy…"), "busy")
        finish = self.wiz.button(QWizard.WizardButton.FinishButton)
        finish.setEnabled(False)
        steps = self.steps
        self.running = True
        self.autostart.setEnabled(False)  # from here on, unticking would change nothing

        def run() -> tuple[list[staff.AccountOutcome], list[boot.Outcome]]:
            return staff.create_accounts(accounts, data), boot.run_steps(steps)

        self.wiz.runner.run(run, self._finished, self._failed)
        return False

    def _finished(self, result: tuple[list[staff.AccountOutcome], list[boot.Outcome]]) -> None:
        made, outcomes = result
        self.account_outcomes = made
        self.wiz.accounts = []  # their PINs are in the data folder now (hashed): not kept in memory any longer
        lines = [f"Đã lưu {self.wiz.saved_to}."]
        data = self.wiz.config.data_dir().expanduser().resolve()
        lines += staff.messages(made, data)
        if self.wiz.opts.service_registered and self.wiz.config.role == "service-kiosk":
            lines.append(boot.SERVICE_DONE + " (trình cài đặt đã đăng ký).")
        lines += [boot.message(outcome) for outcome in outcomes]
        lines += [self.shortcuts_line] if self.shortcuts_line else []
        ok = all(o.ok for o in made) and all(o.ok for o in outcomes)
        self._done(outcomes, "\n".join(lines), "ok" if ok else "error")

    def _failed(self, exc: Exception) -> None:
        self._done([], f"Đã lưu {self.wiz.saved_to}. Chưa xong phần còn lại: {exc}", "error")

    def _done(self, outcomes: list[boot.Outcome], text: str, kind: str) -> None:
        self.running = False
        self.outcomes = outcomes
        self.autostart_note.setVisible(False)  # said before; the lines of what happened need its room
        show_status(self.status, text, kind)
        self.wiz.setButtonText(QWizard.WizardButton.FinishButton, "Đóng")
        self.wiz.button(QWizard.WizardButton.FinishButton).setEnabled(True)


def summary_html(wiz: object) -> str:
    from app.setup.wizard import SetupWizard

    assert isinstance(wiz, SetupWizard)
    c = wiz.config
    rows = [("Vai trò", ROLE_NAMES.get(c.role, c.role)), ("Tên máy", c.get("pc", "name"))]
    if c.role == "service-kiosk":
        groups = c.get("centre", "groups")
        rows += [("Xã (phường)", c.get("centre", "commune")), ("Mã đơn vị", c.get("centre", "unit_code") or "—"),
                 ("Số quầy", c.get("centre", "counters")),
                 ("Nhóm cấp số", ", ".join(groups) if groups else "mọi lĩnh vực trong danh mục"),
                 ("Tài khoản", _accounts_text(wiz.accounts, wiz.reconfiguring)),
                 ("Thư mục dữ liệu", c.data_dir())]  # fmt: skip
    else:
        paired = wiz.paired
        rows.append(("Máy chủ", getattr(paired, "url", None) or "chưa ghép nối"))
        if c.role == "counter":
            rows.append(("Quầy số", c.get("counter", "number")))
        if c.role == "rating":
            rows.append(("Quầy số", c.get("rating", "counter")))
    if c.role in ("service-kiosk", "counter"):
        width = "80 mm" if c.get("printer", "width") == 576 else "58 mm"
        rows.append(("Máy in", f"{c.get('printer', 'spec')} ({width})" if c.get("printer", "spec") else "không có"))
        if c.role == "counter":
            rows.append(("Máy quét", c.get("scanner", "source") or "không có"))
        rows.append(("Camera", camera_words(str(c.get("camera", "source") or ""))))
        url = c.get("province", "gateway_url")
        username = str(c.get("province", "username"))
        has_password = bool(wiz.province_password or (username and province_password(username)))
        rows.append(("Hệ thống của tỉnh", f"{url} ({'có' if has_password else 'chưa có'} mật khẩu)" if url
                     else "chưa kết nối"))  # fmt: skip
    rows.append(("Tệp cấu hình", config_path()))
    cells = "".join(f"<tr><td style='padding:4px 18px 4px 0; color:#444'>{k}</td><td><b>{_escape(v)}</b></td></tr>"
                    for k, v in rows)  # fmt: skip
    return f"<table>{cells}</table>"


def _accounts_text(accounts: list[staff.Account], reconfiguring: bool) -> str:
    """What Hoàn tất will create, by username (never a PIN)."""
    director = [a.username for a in accounts if a.role == "director"]
    clerks = [a.username for a in accounts if a.role == "clerk"]
    made = [f"lãnh đạo {director[0]}"] if director else []
    if clerks:
        made.append(f"{len(clerks)} cán bộ quầy ({', '.join(clerks)})")
    if made:
        return "; ".join(made) + " — tạo khi bấm Hoàn tất"
    return "giữ các tài khoản đã có" if reconfiguring else "không tạo"


def _escape(value: object) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def camera_words(source: str) -> str:
    """What a person reads for a camera source: "0" is the PC's first camera, not a number to decode."""
    if source.isdigit():
        return "máy ảnh gắn vào máy này" + (f" (số {int(source) + 1})" if source != "0" else "")
    return source or "không có"
