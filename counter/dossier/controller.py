"""Runs the dossier desk off the GUI thread and reports back as signals the screens show.

Saving comes first and printing second: a printer fault never loses a dossier, the strip says what to do
and "In lại" prints it again. Numbers are topped up from the centre service in the background, only when
it answers; reception itself never waits on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.client.api import QueueApi
from app.client.queue_client import ServiceError
from app.core.dossier import Dossier, FieldErrors, ReceptionDraft, Status, refuse, request_supplement
from app.core.dossier_codec import dossier_from_dict
from app.core.errors import DomainError, NotFound
from app.qtbridge.tasks import TaskRunner
from counter.dossier.desk import DossierDesk, PrintOutcome

log = logging.getLogger(__name__)
UNEXPECTED = "Có lỗi ngoài dự kiến khi lưu hồ sơ. Không có gì bị mất; thử lại, nếu vẫn lỗi báo cán bộ CNTT."


class DossierController(QObject):
    saved = Signal(object, object)  # Dossier, PrintOutcome
    refused = Signal(object)  # FieldErrors.errors, or {"": [message]}
    listed = Signal(list)
    changed = Signal(object, object)  # Dossier, PrintOutcome | None
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(
        self,
        desk: DossierDesk,
        who: Callable[[], tuple[str, str, int]],
        fetch_codes: Callable[[], dict[str, Any]] | None = None,
        parent: QObject | None = None,
        client: QueueApi | None = None,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.who = who  # (username, display name, counter) of the signed-in clerk
        self.fetch_codes = fetch_codes
        self.client = client  # the centre service (its dossier mirror), when there is one
        self.runner = TaskRunner(self, threads=1)  # one change at a time, in order
        self.busy = False
        self.page_base_learned = False
        self._asking = False
        self._probe = TaskRunner(self, threads=1)  # never in the way of a save: reception does not wait on the LAN

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.busy = True
        self.busy_changed.emit(True)

        def finish(result: Any) -> None:
            self.busy = False
            self.busy_changed.emit(False)
            done(result)

        def fail(exc: Exception) -> None:
            self.busy = False
            self.busy_changed.emit(False)
            if isinstance(exc, FieldErrors):
                self.refused.emit(exc.errors)
            elif isinstance(exc, DomainError):
                self.failed.emit(exc.message)
            else:
                log.error("dossier task failed: %s", type(exc).__name__)  # no personal data in logs
                self.failed.emit(UNEXPECTED)

        self.runner.run(work, finish, fail)

    def top_up(self) -> None:
        self.learn_page_base()
        if self.fetch_codes is not None:
            fetch = self.fetch_codes
            self.runner.run(lambda: self.desk.top_up_codes(fetch), lambda _ok: None, lambda _e: None)

    def learn_page_base(self) -> None:
        """Ask the service where phones open its pages, so Mẫu 01's QR links to the dossier's status page.

        On its own worker (a save never waits for the answer); until one comes, the address learned last time.
        Not answered (offline): asked again at the next reception or look-up."""
        client = self.client
        if self.page_base_learned or self._asking or client is None:
            return
        desk, service_url = self.desk, client.base_url
        self._asking = True

        def ask() -> None:  # the header is swapped whole: a print on the other worker sees the old or the new one
            desk.learn_from_service(service_url, client.health())  # the page base, the centre's name and commune

        def learned(_result: object) -> None:
            self._asking = False
            self.page_base_learned = True

        def failed(_exc: Exception) -> None:
            self._asking = False

        self._probe.run(ask, learned, failed)

    def receive(self, mode: str, draft: ReceptionDraft, reason: str = "") -> None:
        """`receive`: save and print Mẫu 01; `supplement`: save, pause, print Mẫu 02; `refuse`: Mẫu 03."""
        username, name, counter = self.who()
        desk = self.desk

        def work() -> tuple[Dossier, PrintOutcome]:
            if mode == "receive":
                d = desk.receive(draft, clerk=username, counter=counter)
                return d, desk.print_form(d, "receipt", clerk_name=name)
            if mode == "refuse" and not reason.strip():
                raise FieldErrors({"components": ["Phải ghi rõ lý do từ chối."]})
            missing = tuple(c.name for c in draft.components if c.required and not c.received)
            if mode == "supplement" and not missing:
                raise FieldErrors(
                    {"components": ["Bỏ dấu “Đã nhận” ở các giấy tờ bắt buộc công dân còn thiếu, rồi bấm lại."]}
                )
            if mode == "supplement":
                why = "Hồ sơ chưa đủ thành phần theo quy định."

                def then(d: Dossier, at: datetime) -> Dossier:
                    return request_supplement(d, at=at, clerk=username, items=missing, reason=why)

                d = desk.receive(draft, clerk=username, counter=counter, allow_missing=True, then=then)
                return d, desk.print_form(d, "supplement", clerk_name=name, items=missing, reason=why)

            def refused(d: Dossier, at: datetime) -> Dossier:
                return refuse(d, at=at, clerk=username, reason=reason)

            d = desk.receive(draft, clerk=username, counter=counter, allow_missing=True, then=refused)
            return d, desk.print_form(d, "refusal", clerk_name=name, reason=reason)

        self._run(work, lambda result: self.saved.emit(*result))
        self.top_up()

    def list_recent(self, text: str = "") -> None:
        desk = self.desk

        def work() -> list[Dossier]:
            query = text.strip()
            if not query:
                return desk.store.recent()
            digits = "".join(query.split())
            if digits.isdigit() and len(digits) == 12:
                return desk.store.of_citizen(digits)
            try:
                return [desk.find(query)]
            except NotFound:
                return [self._from_centre(query)]

        self._run(work, self.listed.emit)

    def _from_centre(self, code: str) -> Dossier:
        """Not received here: the centre's mirror has every dossier of the centre; take it to act on it here."""
        if self.client is None:
            raise NotFound(f"Không tìm thấy hồ sơ mã {code.strip().upper()} tại quầy này.")
        try:
            record = self.client.centre_dossier(code)
        except ServiceError as exc:
            if exc.status == 404:
                raise NotFound(
                    f"Không tìm thấy hồ sơ mã {code.strip().upper()} ở quầy này và ở máy chủ Trung tâm."
                ) from exc
            raise NotFound(f"Hồ sơ {code.strip().upper()} không có ở quầy này; chưa hỏi được máy chủ Trung tâm "
                           f"({exc.message}).") from exc  # fmt: skip
        return self.desk.store.adopt(dossier_from_dict(record))

    def act(self, action: str, code: str, text: str) -> None:
        self.learn_page_base()  # a reprint of Mẫu 01 links to the status page too
        username, name, _counter = self.who()
        desk = self.desk

        def work() -> tuple[Dossier, PrintOutcome | None]:
            if action == "reprint":
                d = desk.find(code)
                return d, desk.print_form(d, "receipt", clerk_name=name)
            if action == "supplement":
                d = desk.supplement(code, clerk=username, items=(text,), reason="")
                return d, desk.print_form(d, "supplement", clerk_name=name, items=(text,))
            if action == "supplement_received":
                d = desk.supplement_received(code, clerk=username)
                return d, desk.print_form(d, "receipt", clerk_name=name)  # the new appointment date
            if action == "refuse":
                d = desk.refuse(code, clerk=username, reason=text)
                return d, desk.print_form(d, "refusal", clerk_name=name, reason=text)
            d = desk.return_result(code, clerk=username, collected_by=text)
            return d, None

        self._run(work, lambda result: self.changed.emit(*result))


def saved_message(d: Dossier, outcome: PrintOutcome | None) -> tuple[str, str]:
    """The strip after a change: (kind, Vietnamese text)."""
    what = {
        Status.RECEIVED: f"Đã lưu hồ sơ {d.code}.",
        Status.SUPPLEMENT: f"Đã lưu hồ sơ {d.code} và yêu cầu bổ sung (Mẫu 02); thời hạn tạm dừng.",
        Status.REFUSED: f"Đã ghi từ chối hồ sơ {d.code} (Mẫu 03).",
        Status.PROCESSING: f"Đã nhận bổ sung hồ sơ {d.code}; hẹn trả mới trên Mẫu 01.",
        Status.RETURNED: f"Đã trả kết quả hồ sơ {d.code} cho {d.collected_by}.",
    }.get(d.status, f"Đã cập nhật hồ sơ {d.code}.")
    if outcome is None:
        return "ok", what
    return ("ok", f"{what} {outcome.message}") if outcome.ok else ("warning", f"{what} {outcome.message}")
