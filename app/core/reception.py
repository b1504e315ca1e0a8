"""Receiving a dossier: the checklist a procedure asks for, checking what the clerk entered, the new dossier.

The screens, the `dossier-load` command and tests all go through `check_draft` and `build_dossier`, so a
synthetic dossier obeys the same rules as one typed at a counter.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from app.core.catalog import Catalog, Procedure
from app.core.citizen_id import (
    clean_id_number,
    normalise_name,
    validate_address,
    validate_birth_date,
    validate_id_number,
    validate_name,
)
from app.core.clock import LOCAL_TZ
from app.core.dossier import (
    Component,
    DocForm,
    Dossier,
    Fee,
    FieldErrors,
    ReceptionDraft,
    Statutory,
    received_step,
)
from app.core.workcalendar import WorkCalendar, due_date

MAX_COUNT = 50
# Only for the citizen who has it: unticked and optional ("Văn bản ủy quyền (nếu có)").
_ONLY_IF = re.compile(r"\((nếu có|nếu ủy quyền|trường hợp)|^(trường hợp|nếu)\b|\bnếu có\s*$", re.IGNORECASE)
# Needed under a condition the clerk judges: ticked, but not enforced ("… (nếu không khai thác được từ CSDL)").
_CONDITIONAL = re.compile(r"\(nếu\b", re.IGNORECASE)


def guess_form(text: str) -> DocForm:
    lowered = text.lower()
    if "bản sao chứng thực" in lowered or "bản sao có chứng thực" in lowered:
        return DocForm.CERTIFIED
    if lowered.startswith("bản sao") or lowered.startswith("sao "):
        return DocForm.COPY
    return DocForm.ORIGINAL


def checklist(procedure: Procedure) -> tuple[Component, ...]:
    """The required-document checklist from the catalogue; a document "nếu có…" is optional, unticked.

    A line listing several documents ("…; văn bản ủy quyền (nếu có)") stays required: its first part is."""
    items = []
    for text in procedure.documents:
        compound = ";" in text
        only_if = not compound and bool(_ONLY_IF.search(text))
        conditional = not compound and bool(_CONDITIONAL.search(text))
        items.append(Component(text, guess_form(text), 1, required=not (only_if or conditional), received=not only_if))
    # a catalogue entry without its document list still gets the form every procedure has
    return tuple(items) or (Component("Đơn, tờ khai theo mẫu"),)


def statutory_of(procedure: Procedure) -> Statutory | None:
    """The procedure's time from the catalogue, or None when the catalogue has no number (clerk types it)."""
    if procedure.time_unit == "same_day":
        return Statutory(0, "same_day")
    if procedure.time_unit in ("working_days", "days") and procedure.time_value is not None:
        return Statutory(procedure.time_value, procedure.time_unit)
    return None


def default_fees(procedure: Procedure) -> tuple[Fee, ...]:
    if procedure.fee_vnd:
        return (Fee("Lệ phí", procedure.fee_vnd),)
    return ()


def check_draft(draft: ReceptionDraft, catalog: Catalog, today: date, *, allow_missing: bool = False) -> Procedure:
    """Every field checked at once; FieldErrors names each bad field with a Vietnamese message.

    `allow_missing`: the dossier is saved to be sent back for a supplement or refused, so required
    documents may be missing."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    procedure = next((p for p in catalog.procedures if p.code == draft.procedure_code.strip()), None)
    if procedure is None:
        add("procedure", "Chưa chọn thủ tục, hoặc mã thủ tục không có trong danh mục.")
    c = draft.citizen
    born_errors = validate_birth_date(c.birth_date, today=today) if c.birth_date is not None else []
    for message in born_errors:
        add("birth_date", message)
    born = None if born_errors else c.birth_date
    for message in validate_id_number(c.id_number, birth_date=born, sex=c.sex or None, today=today).errors:
        add("id_number", message)
    for message in validate_name(c.name):
        add("name", message)
    for message in validate_address(c.address):
        add("address", message)
    if c.phone and not re.fullmatch(r"\+?[0-9 .]{8,15}", c.phone.strip()):
        add("phone", "Số điện thoại chỉ gồm chữ số (8–15 số).")
    if not draft.components:
        add("components", "Hồ sơ phải có ít nhất một thành phần.")
    for i, comp in enumerate(draft.components, 1):
        if not comp.name.strip():
            add("components", f"Thành phần thứ {i} chưa có tên.")
        if comp.received and not 1 <= comp.count <= MAX_COUNT:
            add("components", f"Số lượng của “{comp.name[:40]}” phải từ 1 đến {MAX_COUNT}.")
    missing = [comp.name for comp in draft.components if comp.required and not comp.received]
    if missing and not allow_missing:
        add("components", f"Còn thiếu giấy tờ bắt buộc: {missing[0][:60]}. Yêu cầu bổ sung thay vì tiếp nhận.")
    if draft.statutory is None:
        add("statutory", "Thủ tục chưa có thời hạn giải quyết trong danh mục: nhập số ngày.")
    elif draft.statutory.unit != "same_day" and not 0 < draft.statutory.value <= 365:
        add("statutory", "Thời hạn giải quyết phải lớn hơn 0 và không quá 365 ngày.")
    if not 1 <= draft.sets <= 20:
        add("sets", "Số bộ hồ sơ phải từ 1 đến 20.")
    for fee in draft.fees:
        if fee.amount_vnd < 0:
            add("fees", "Lệ phí không được âm.")
    if errors:
        raise FieldErrors(errors)
    assert procedure is not None
    return procedure


def build_dossier(
    draft: ReceptionDraft,
    procedure: Procedure,
    *,
    code: str,
    at: datetime,
    clerk: str,
    counter: int | None,
    calendar: WorkCalendar,
) -> Dossier:
    """The received dossier (status 2) with its appointment date from the working calendar."""
    assert draft.statutory is not None  # check_draft made sure
    citizen = replace(
        draft.citizen, name=normalise_name(draft.citizen.name), id_number=clean_id_number(draft.citizen.id_number)
    )
    summary = procedure.name + (f" — {draft.note.strip()}" if draft.note.strip() else "")
    return Dossier(
        code=code,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        field_code=procedure.field,
        citizen=citizen,
        components=draft.components,
        received_at=at,
        due_at=due_date(at, draft.statutory.value, draft.statutory.unit, calendar),
        statutory=draft.statutory,
        clerk=clerk,
        counter=counter,
        channel=draft.channel,
        fees=draft.fees,
        summary=summary[:1000],
        note=draft.note.strip(),
        outside_area=draft.outside_area,
        sets=draft.sets,
        ticket=draft.ticket,
        steps=(received_step(at, clerk),),
        calendar_version=calendar.version,
    )


def resume_due(dossier: Dossier, at: datetime, calendar: WorkCalendar) -> datetime:
    """The appointment once a supplement arrives: the statutory time minus nothing, plus every pause."""
    pauses = tuple((p.start, p.end or at) for p in dossier.pauses)
    s = dossier.statutory
    return due_date(dossier.received_at, s.value, s.unit, calendar, pauses)


def local_text(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"
