"""The first-run wizard: pages in the order this PC's role needs; "Hoàn tất" writes config.toml.

    python -m app setup [--role counter] [--windowed] [--screenshot DIR --size 1366x768]

Each page writes what it asked into `config` as the person moves on (validatePage), so Back and Next keep answers.
Blocking work (discovery, pairing, printers, scanners, the province) runs on `runner`'s threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget, QWizard

from app.child_process import shown_command
from app.config import Config, load, save, save_province_password
from app.core.catalog import Catalog
from app.qtbridge.tasks import TaskRunner
from app.setup.accounts import Account
from app.setup.boot import dry_run_default
from app.setup.pages_accounts import AccountsPage
from app.setup.pages_centre import CentrePage, PairPage, RolePage
from app.setup.pages_devices import DevicesPage
from app.setup.pages_finish import ProvincePage, SummaryPage
from app.setup.pages_groups import GroupsPage
from app.setup.pages_printer import PrinterPage
from app.setup.style import STYLE

ROLE, CENTRE, PAIR, GROUPS, ACCOUNTS, PRINTER, DEVICES, PROVINCE, SUMMARY = range(9)
PAGE_NAMES = {ROLE: "role", CENTRE: "centre", PAIR: "pair", GROUPS: "groups", ACCOUNTS: "accounts",
              PRINTER: "printer", DEVICES: "devices", PROVINCE: "province", SUMMARY: "summary"}  # fmt: skip
ORDER = {
    "service-kiosk": (ROLE, CENTRE, GROUPS, ACCOUNTS, PRINTER, DEVICES, PROVINCE, SUMMARY),
    "counter": (ROLE, PAIR, PRINTER, DEVICES, PROVINCE, SUMMARY),
}
VIEWER_ORDER = (ROLE, PAIR, SUMMARY)  # display, director, rating: nothing but the pairing


@dataclass(frozen=True)
class Options:
    role: str = ""  # preselected (the app that found no configuration)
    service_url: str = ""  # prefilled manual address of the centre service
    scan_network: str | None = None  # the network printer sweep's network ("127.0.0.0/29" in tests); None: the LAN
    scan_port: int = 9100
    discover: bool = True  # look for the centre service by mDNS on entering the pairing page (not in a tour)
    fresh: bool = False  # ignore this PC's config.toml (screenshots and smoke tests show the same pages anywhere)
    data_dir: str = ""  # prefilled centre data folder (the Windows installer: C:\ProgramData\MotCua\data)
    commune: str = ""  # prefilled commune (asked by the Windows installer for the boot-time service)
    # Hoàn tất's install-service runs with --dry-run: prints, installs nothing (tests; MOTCUA_AUTOSTART=dry-run)
    autostart_dry_run: bool = field(default_factory=dry_run_default)
    service_registered: bool = False  # the installer (as administrator) already registered the boot-time service


class SetupWizard(QWizard):
    def __init__(self, catalog: Catalog, options: Options | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opts = options or Options()
        existing = None if self.opts.fresh else _existing()
        self.config = existing or Config()
        self.province_password = ""
        # run again on a configured service PC: its director's account was made then, the page may stay empty
        self.reconfiguring = existing is not None and existing.role == "service-kiosk"
        self.accounts: list[Account] = []  # from the accounts page; created at Hoàn tất, never written to a file
        self.saved_to: Path | None = None
        self.runner = TaskRunner(self, threads=4)
        self.setWindowTitle("Một Cửa — Cài đặt máy này")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setStyleSheet(STYLE)
        for which, text in ((QWizard.WizardButton.NextButton, "Tiếp theo  ›"),
                            (QWizard.WizardButton.BackButton, "‹  Quay lại"),
                            (QWizard.WizardButton.FinishButton, "Hoàn tất"),
                            (QWizard.WizardButton.CancelButton, "Thoát")):  # fmt: skip
            self.setButtonText(which, text)
        self.role_page = RolePage(self.opts.role or (existing.role if existing else ""))
        self.centre_page = CentrePage()
        self.pair_page = PairPage(self.opts.service_url)
        self.groups_page = GroupsPage(catalog)
        self.accounts_page = AccountsPage()
        self.printer_page = PrinterPage(self.opts.scan_network, self.opts.scan_port)
        self.devices_page = DevicesPage()
        self.province_page = ProvincePage()
        self.summary_page = SummaryPage()
        for page_id, page in ((ROLE, self.role_page), (CENTRE, self.centre_page), (PAIR, self.pair_page),
                              (GROUPS, self.groups_page), (ACCOUNTS, self.accounts_page), (PRINTER, self.printer_page),
                              (DEVICES, self.devices_page), (PROVINCE, self.province_page),
                              (SUMMARY, self.summary_page)):  # fmt: skip
            self.setPage(page_id, page)
        self.setStartId(ROLE)
        if existing is not None:
            self._prefill(existing)
        if self.opts.data_dir and not self.centre_page.data_dir.text():
            self.centre_page.data_dir.setText(self.opts.data_dir)
        if self.opts.commune and not self.centre_page.commune.text():
            self.centre_page.commune.setText(self.opts.commune)

    @property
    def paired(self) -> Any:
        """The pairing made on the pairing page (app.client.credentials.Pairing), None before."""
        return self.pair_page.paired

    def order(self) -> tuple[int, ...]:
        return ORDER.get(self.config.role, VIEWER_ORDER)

    def nextId(self) -> int:
        order = self.order()
        current = self.currentId()
        if current not in order or current == order[-1]:
            return -1
        return order[order.index(current) + 1]

    def finish(self) -> Path:
        """Write config.toml (and the province's password where passwords go); ConfigError when not valid."""
        path = save(self.config, setup_command=shown_command("app", "setup"))  # the bundle has no `python -m`
        username = str(self.config.get("province", "username"))
        if username and self.province_password:
            save_province_password(username, self.province_password)
        self.saved_to = path
        return path

    def _prefill(self, c: Config) -> None:
        """Run again on a configured PC: every field shows what the file says, to change what needs changing."""
        self.role_page.name.setText(str(c.get("pc", "name")))
        centre = self.centre_page
        for edit, key in ((centre.commune, "commune"), (centre.centre_name, "name"), (centre.unit_code, "unit_code"),
                          (centre.data_dir, "data_dir")):  # fmt: skip
            edit.setText(str(c.get("centre", key)))
        centre.port.setValue(int(c.get("centre", "port")))
        self.groups_page.counters.setValue(int(c.get("centre", "counters")))
        self.groups_page.choose(list(c.get("centre", "groups")))
        self.printer_page.spec.setText(str(c.get("printer", "spec")))
        self.printer_page.narrow.setChecked(c.get("printer", "width") == 384)
        self.devices_page.scanner.setText(str(c.get("scanner", "source")))
        self.devices_page.camera.setText(str(c.get("camera", "source")))
        province = self.province_page
        for edit, key in ((province.url, "gateway_url"), (province.unit_code, "unit_code"),
                          (province.username, "username")):  # fmt: skip
            edit.setText(str(c.get("province", key)))
        number = c.get("counter", "number") or c.get("rating", "counter")
        if number:
            self.pair_page.counter.setValue(int(number))

    def done(self, result: int) -> None:
        self.printer_page.scan.stop()  # a sweep still running must not outlive the window
        super().done(result)


def _existing() -> Config | None:
    """The current config when the wizard is run again (to change it), None on a first run or a broken file."""
    from app.config import ConfigError

    try:
        return load()
    except ConfigError:
        return None
