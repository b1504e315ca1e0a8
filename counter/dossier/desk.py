"""The counter's dossier desk: the local store, the catalogue, the calendar and the printer choice together.

Everything here blocks (SQLite commit, printing); screens call it through the TaskRunner. It never waits on
the centre service: numbers come from blocks fetched when the service answers, else from the counter's own
fallback range (app/core/dossier_code.py).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.client.board import board_url
from app.core.catalog import Catalog, Procedure
from app.core.clock import Clock, local_day
from app.core.dossier import Dossier, ReceptionDraft, refuse, request_supplement, return_result, supplement_received
from app.core.dossier_code import CodeBlock
from app.core.errors import DomainError
from app.core.reception import build_dossier, check_draft, resume_due
from app.core.vn_holidays import vn_calendar
from app.core.workcalendar import WorkCalendar
from app.store.dossier_store import DossierStore
from printing.dossier_prints import CentreHeader, centre_header, receipt_of, refusal_of, supplement_of
from printing.errors import PrintError
from printing.output import PrintTarget, print_document

log = logging.getLogger(__name__)

BLOCK_LOW_WATER = 5  # fetch a new block from the service when fewer numbers than this are left today
PRINT_TARGET_KEY = "print_target"
UNIT_CODE_KEY = "unit_code"
DEFAULT_UNIT_CODE = "000.00.00.X00"
PAGE_BASE_KEY = "header.page_base"  # the centre's board address for phones, last learned from the service
# What the forms print about the centre, as the installer set it at this counter (--agency, --place, --hotline…):
# it wins over what the service says. page_base: learned from the service (set_page_base).
HEADER_KEYS = ("agency", "unit", "place", "collect_at", "hotline", "lookup_where", "lookup_url", "page_base")
CENTRE_NAME_KEY, COMMUNE_KEY = "centre.name", "centre.commune"  # last learned from the service's /api/health


@dataclass(frozen=True)
class PrintOutcome:
    ok: bool
    message: str  # Vietnamese, for the status strip


class DossierDesk:
    def __init__(self, store: DossierStore, catalog: Catalog, clock: Clock, header: CentreHeader,
                 *, roll_url: str | None = None, roll_width: int = 576,
                 a4_printer: str | None = None) -> None:  # fmt: skip
        self.store = store
        self.catalog = catalog
        self.clock = clock
        self.header = header
        self.roll_url = roll_url
        self.roll_width = roll_width
        self.a4_printer = a4_printer
        self._calendar: WorkCalendar | None = None
        self.signing: Any = None  # counter.scan.signing.SigningSetup when this counter signs (set by its options)

    # --- configuration -------------------------------------------------------------------------------

    @property
    def calendar(self) -> WorkCalendar:
        if self._calendar is None:
            self._calendar = vn_calendar(self.store.overrides())
        return self._calendar

    def reload_calendar(self) -> None:
        self._calendar = None

    @property
    def unit_code(self) -> str:
        return self.store.setting(UNIT_CODE_KEY, DEFAULT_UNIT_CODE)

    @property
    def print_target(self) -> str:
        """`roll` (80 mm on the ticket printer) or `a4` (a system printer): the clerk's last choice."""
        return self.store.setting(PRINT_TARGET_KEY, "roll" if self.roll_url else "a4")

    def set_print_target(self, target: str) -> None:
        self.store.set_setting(PRINT_TARGET_KEY, target)

    def procedure(self, code: str) -> Procedure | None:
        return next((p for p in self.catalog.procedures if p.code == code), None)

    def saved_header(self) -> CentreHeader:
        """The forms' header from the counter's settings: the centre's name and commune last learned from the
        service, under what the installer set here."""
        given = {key: self.store.setting(f"header.{key}") for key in HEADER_KEYS}
        return centre_header(self.store.setting(CENTRE_NAME_KEY), self.store.setting(COMMUNE_KEY), **given)

    def learn_from_service(self, service_url: str, health: Mapping[str, Any]) -> None:
        """What /api/health says about the centre: where phones open its pages (set_page_base), its name and its
        commune for the forms' header ("UBND xã Đông Hưng", "Trung tâm Phục vụ hành chính công xã Đông Hưng").
        Kept for the next start, which may be offline."""
        self.set_page_base(phone_page_base(service_url, health))
        name, commune = str(health.get("centre") or ""), str(health.get("commune") or "")
        changed = False
        for key, value in ((CENTRE_NAME_KEY, name), (COMMUNE_KEY, commune)):
            if value and value != self.store.setting(key):
                self.store.set_setting(key, value)
                changed = True
        if changed:  # swapped whole: a print on another worker sees the old header or the new one
            self.header = self.saved_header()

    def set_page_base(self, page_base: str) -> None:
        """Where phones open the centre's pages (Mẫu 01's status link); kept for the next start, which may be
        offline: a dossier printed then reaches the page once sync catches up."""
        if page_base and page_base != self.header.page_base:
            self.header = replace(self.header, page_base=page_base)
            self.store.set_setting(PAGE_BASE_KEY, page_base)

    # --- numbers from the centre -----------------------------------------------------------------------

    def top_up_codes(self, fetch: Callable[[], dict[str, Any]]) -> bool:
        """Ask the service for a block when today's are running low; False (and nothing lost) when it cannot."""
        today = local_day(self.clock.now())
        if self.store.numbers_left(today) >= BLOCK_LOW_WATER:
            return True
        try:
            answer = fetch()
        except Exception as exc:  # offline: the fallback range takes over
            log.info("no dossier-number block from the service: %s", type(exc).__name__)
            return False
        unit = str(answer.get("unit_code") or "")
        if unit and unit != self.unit_code:
            self.store.set_setting(UNIT_CODE_KEY, unit)
        self.store.add_block(CodeBlock(date.fromisoformat(answer["day"]), int(answer["first"]),
                                       int(answer["last"]), "centre"))  # fmt: skip
        return True

    # --- changes ----------------------------------------------------------------------------------------

    def receive(self, draft: ReceptionDraft, *, clerk: str, counter: int, allow_missing: bool = False,
                then: Callable[[Dossier, datetime], Dossier] | None = None) -> Dossier:  # fmt: skip
        """Check, number and save: durable before it returns. FieldErrors when something is wrong.

        `then` (a supplement request, a refusal) is applied in the same transaction: never half done."""
        procedure = check_draft(draft, self.catalog, local_day(self.clock.now()), allow_missing=allow_missing)
        calendar = self.calendar

        def build(code: str, at: datetime) -> Dossier:
            made = build_dossier(draft, procedure, code=code, at=at, clerk=clerk, counter=counter, calendar=calendar)
            return then(made, at) if then is not None else made

        return self.store.receive(self.unit_code, counter, build)

    def supplement(self, code: str, *, clerk: str, items: tuple[str, ...], reason: str) -> Dossier:
        return self.store.change(
            code, "supplement", lambda d, at: request_supplement(d, at=at, clerk=clerk, items=items, reason=reason)
        )

    def supplement_received(self, code: str, *, clerk: str) -> Dossier:
        calendar = self.calendar
        return self.store.change(
            code,
            "supplement_received",
            lambda d, at: supplement_received(d, at=at, clerk=clerk, due_at=resume_due(d, at, calendar)),
        )

    def refuse(self, code: str, *, clerk: str, reason: str) -> Dossier:
        return self.store.change(code, "refused", lambda d, at: refuse(d, at=at, clerk=clerk, reason=reason))

    def return_result(self, code: str, *, clerk: str, collected_by: str) -> Dossier:
        return self.store.change(
            code, "returned", lambda d, at: return_result(d, at=at, clerk=clerk, collected_by=collected_by)
        )

    def find(self, text: str) -> Dossier:
        return self.store.get(text)

    # --- printing -----------------------------------------------------------------------------------

    def print_form(self, dossier: Dossier, form: str, *, clerk_name: str, target: str | None = None,
                   items: tuple[str, ...] = (), reason: str = "") -> PrintOutcome:  # fmt: skip
        """Print Mẫu 01 (`receipt`), 02 (`supplement`) or 03 (`refusal`); a fault is reported, never raised."""
        where = target or self.print_target
        if form == "receipt":
            printable = receipt_of(dossier, self.header, clerk_name)
        elif form == "supplement":
            printable = supplement_of(dossier, self.header, clerk_name, items=items, reason=reason,
                                      procedure=self.procedure(dossier.procedure_code))  # fmt: skip
        else:
            printable = refusal_of(dossier, self.header, clerk_name, reason=reason,
                                   procedure=self.procedure(dossier.procedure_code))  # fmt: skip
        try:
            print_document(printable, PrintTarget(where, self.roll_url, self.roll_width, self.a4_printer))
        except PrintError as exc:
            return PrintOutcome(False, exc.for_people() + " Hồ sơ đã được lưu; bấm In lại khi máy in sẵn sàng.")
        except DomainError as exc:
            return PrintOutcome(False, exc.message)
        return PrintOutcome(True, "Đã in.")


def phone_page_base(service_url: str, health: Mapping[str, Any]) -> str:
    """The centre's plain-HTTP board address (http://IP:PORT) as a phone on the hall Wi-Fi would open it, from
    the service's /api/health; "" when this counter reaches the service on its own loopback address, which a phone
    cannot open: better the code on Mẫu 01 than a link that leads nowhere."""
    base = board_url(service_url, health)
    host = urlsplit(base).hostname or ""
    if host.lower() in ("", "localhost"):
        return ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return base  # a name the LAN's DNS resolves: phones on the hall Wi-Fi use the same DNS
    return "" if address.is_loopback or address.is_unspecified else base


def open_desk(folder: Path, catalog: Catalog, clock: Clock, header: CentreHeader, **kw: Any) -> DossierDesk:
    return DossierDesk(DossierStore(folder, clock), catalog, clock, header, **kw)
