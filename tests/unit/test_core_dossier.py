"""Receiving a dossier and moving it through its statuses: checklist, checks, due dates, transitions, codec."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.catalog import Catalog, Procedure
from app.core.clock import LOCAL_TZ
from app.core.dossier import (
    Citizen,
    Component,
    ComponentFile,
    DocForm,
    Dossier,
    Fee,
    FieldErrors,
    ReceptionDraft,
    Status,
    Statutory,
    allowed_changes,
    is_overdue,
    mark_done,
    refuse,
    request_supplement,
    return_result,
    supplement_received,
    withdraw,
)
from app.core.dossier_codec import dossier_from_dict, dossier_to_dict
from app.core.errors import Conflict, DomainError
from app.core.reception import build_dossier, check_draft, checklist, resume_due, statutory_of
from app.core.vn_holidays import vn_calendar
from app.core.workcalendar import WorkCalendar, working_seconds_between
from app.paths import default_catalog_path
from app.store.catalog_file import load_catalog_file

ID = "034186012345"  # Thái Bình, female born in the 1900s, 1986
NAME = "Nguyễn Thị Ánh Tuyết"
BORN = date(1986, 3, 5)
TODAY = date(2026, 11, 10)  # a Tuesday, an ordinary working day
BIRTH = "1.001193"  # đăng ký khai sinh: same day
COPY_CERT = "2.000815"  # chứng thực bản sao: same day
MARITAL = "1.004873"  # xác nhận tình trạng hôn nhân: 3 working days
NO_TIME = "1.011606"  # the catalogue has no number for its time: the clerk types it
UNIT = "000.00.12.H48"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog_file(default_catalog_path())


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return vn_calendar()


def proc(catalog: Catalog, code: str) -> Procedure:
    return next(p for p in catalog.procedures if p.code == code)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


def citizen(**changes: object) -> Citizen:
    base = Citizen(ID, NAME, BORN, "Nữ", "Thôn Đông, xã Vũ Thư, Thái Bình", "0912 345 678")
    return replace(base, **changes)  # type: ignore[arg-type]


def draft_for(procedure: Procedure, **changes: object) -> ReceptionDraft:
    components = tuple(c for c in checklist(procedure) if c.required)
    base = ReceptionDraft(procedure.code, citizen(), components, statutory_of(procedure))
    return replace(base, **changes)  # type: ignore[arg-type]


def errors_of(draft: ReceptionDraft, catalog: Catalog, **kw: bool) -> dict[str, list[str]]:
    with pytest.raises(FieldErrors) as caught:
        check_draft(draft, catalog, TODAY, **kw)
    assert caught.value.code == "invalid_fields"
    return caught.value.errors


def received(catalog: Catalog, cal: WorkCalendar, code: str = MARITAL, when: datetime | None = None) -> Dossier:
    procedure = proc(catalog, code)
    draft = draft_for(procedure)
    check_draft(draft, catalog, TODAY)
    return build_dossier(
        draft,
        procedure,
        code=f"{UNIT}-261110-0001",
        at=when or at(TODAY, 8),
        clerk="canbo1",
        counter=1,
        calendar=cal,
    )


# --- checklist ----------------------------------------------------------------------------------------


def test_checklist_leaves_optional_documents_unticked_and_not_required(catalog: Catalog) -> None:
    items = {c.name: c for c in checklist(proc(catalog, BIRTH))}
    authorisation = items["Văn bản ủy quyền (nếu ủy quyền)"]
    assert (authorisation.required, authorisation.received) == (False, False)
    form = items["Tờ khai đăng ký khai sinh (theo mẫu)"]
    assert (form.required, form.received, form.count) == (True, True, 1)
    # "nếu không có: …" names an alternative, not an optional document
    certificate = next(c for name, c in items.items() if name.startswith("Bản chính Giấy chứng sinh"))
    assert certificate.required
    assert certificate.received
    assert certificate.form is DocForm.ORIGINAL


def test_checklist_guesses_optional_and_form_from_the_wording() -> None:
    procedure = Procedure(
        code="9.999999",
        name="Thủ tục thử",
        field="HT",
        documents=(
            "Tờ khai (theo mẫu)",
            "Giấy tờ chứng minh nơi cư trú (trường hợp không cư trú tại xã)",
            "Trường hợp ủy quyền: văn bản ủy quyền",
            "Giấy chứng nhận kết hôn, nếu có",
            "Bản sao chứng thực giấy khai sinh",
            "Bản sao sổ hộ khẩu",
        ),
        time_unit="working_days",
        time_value=3,
        time_note="",
        fee_vnd=None,
        fee_text="",
        legal_basis=(),
    )
    items = checklist(procedure)
    assert [c.required for c in items] == [True, False, False, False, True, True]
    assert [c.received for c in items] == [True, False, False, False, True, True]
    assert [c.form for c in items] == [
        DocForm.ORIGINAL,
        DocForm.ORIGINAL,
        DocForm.ORIGINAL,
        DocForm.ORIGINAL,
        DocForm.CERTIFIED,
        DocForm.COPY,
    ]


def test_statutory_comes_from_the_catalogue_or_is_left_to_the_clerk(catalog: Catalog) -> None:
    assert statutory_of(proc(catalog, BIRTH)) == Statutory(0, "same_day")
    assert statutory_of(proc(catalog, MARITAL)) == Statutory(3, "working_days")
    assert statutory_of(proc(catalog, NO_TIME)) is None


# --- check_draft --------------------------------------------------------------------------------------


def test_a_complete_draft_passes_and_names_its_procedure(catalog: Catalog) -> None:
    assert check_draft(draft_for(proc(catalog, BIRTH)), catalog, TODAY).code == BIRTH
    assert check_draft(draft_for(proc(catalog, COPY_CERT)), catalog, TODAY).code == COPY_CERT


@pytest.mark.parametrize("number", ["03418601234", "0341860123456", "03418601234X", "999186012345", ""])
def test_a_bad_cccd_number_is_reported_on_id_number(catalog: Catalog, number: str) -> None:
    errors = errors_of(draft_for(proc(catalog, BIRTH), citizen=citizen(id_number=number)), catalog)
    assert list(errors) == ["id_number"]


def test_a_number_that_contradicts_the_birth_year_is_reported_on_id_number(catalog: Catalog) -> None:
    draft = draft_for(proc(catalog, BIRTH), citizen=citizen(birth_date=date(1987, 3, 5)))
    errors = errors_of(draft, catalog)
    assert list(errors) == ["id_number"]
    assert "1986" in errors["id_number"][0]


def test_a_future_birth_date_is_refused(catalog: Catalog) -> None:
    draft = draft_for(proc(catalog, BIRTH), citizen=citizen(birth_date=TODAY + timedelta(days=1)))
    errors = errors_of(draft, catalog)
    fields = {field for field, messages in errors.items() if any("sau hôm nay" in m for m in messages)}
    # check_draft has no separate birth-date field: the date is checked with the number
    assert fields
    assert fields <= {"birth_date", "id_number"}


def test_an_unknown_procedure_is_reported_on_procedure(catalog: Catalog) -> None:
    errors = errors_of(draft_for(proc(catalog, BIRTH), procedure_code="9.999999"), catalog)
    assert list(errors) == ["procedure"]


@pytest.mark.parametrize("count", [0, -1, 51])
def test_a_count_out_of_range_is_reported_on_components(catalog: Catalog, count: int) -> None:
    procedure = proc(catalog, BIRTH)
    components = list(draft_for(procedure).components)
    components[0] = replace(components[0], count=count)
    errors = errors_of(draft_for(procedure, components=tuple(components)), catalog)
    assert list(errors) == ["components"]
    assert "từ 1 đến 50" in errors["components"][0]


def test_no_components_at_all_is_refused(catalog: Catalog) -> None:
    assert list(errors_of(draft_for(proc(catalog, BIRTH), components=()), catalog)) == ["components"]


def test_a_missing_required_document_is_refused_unless_allowed(catalog: Catalog) -> None:
    procedure = proc(catalog, BIRTH)
    components = list(draft_for(procedure).components)
    components[0] = replace(components[0], received=False)
    draft = draft_for(procedure, components=tuple(components))
    errors = errors_of(draft, catalog)
    assert list(errors) == ["components"]
    assert "Còn thiếu giấy tờ bắt buộc" in errors["components"][0]
    # saved to be sent back for a supplement: allowed
    assert check_draft(draft, catalog, TODAY, allow_missing=True).code == BIRTH


def test_an_optional_document_not_received_is_fine(catalog: Catalog) -> None:
    procedure = proc(catalog, BIRTH)
    draft = draft_for(procedure, components=checklist(procedure))  # the optional one is unticked
    assert any(not c.received for c in draft.components)
    assert check_draft(draft, catalog, TODAY).code == BIRTH


def test_no_statutory_time_is_reported_on_statutory(catalog: Catalog) -> None:
    procedure = proc(catalog, NO_TIME)
    draft = draft_for(procedure)
    assert draft.statutory is None
    assert list(errors_of(draft, catalog)) == ["statutory"]
    # once the clerk types it, the draft passes
    assert check_draft(replace(draft, statutory=Statutory(5, "working_days")), catalog, TODAY) is procedure


def test_several_bad_fields_are_reported_at_once(catalog: Catalog) -> None:
    draft = draft_for(
        proc(catalog, BIRTH),
        procedure_code="0.000000",
        citizen=citizen(id_number="12345", name="", address=""),
        statutory=None,
        components=(),
    )
    errors = errors_of(draft, catalog)
    assert set(errors) == {"procedure", "id_number", "name", "address", "components", "statutory"}


@pytest.mark.parametrize(
    "number",
    [
        "999186012345",  # unknown province
        "034086012345",  # digit 4 says male
        "034186012345",  # fine on its own; the birth date below contradicts it
        "034986012345",  # century 2300s
    ],
)
def test_field_errors_never_show_the_whole_number(catalog: Catalog, number: str) -> None:
    draft = draft_for(proc(catalog, BIRTH), citizen=citizen(id_number=number, birth_date=date(1990, 1, 1)))
    with pytest.raises(FieldErrors) as caught:
        check_draft(draft, catalog, TODAY)
    exc = caught.value
    assert "id_number" in exc.errors
    shown = [str(exc), exc.message, repr(exc), json.dumps(exc.errors, ensure_ascii=False), repr(exc.details)]
    for text in shown:
        assert number not in text


# --- build_dossier ------------------------------------------------------------------------------------


def test_build_dossier_is_received_with_one_step(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal, BIRTH, at(TODAY, 9, 30))
    assert d.status is Status.RECEIVED
    assert int(d.status) == 2
    assert [(s.status, s.content, s.actor, s.at) for s in d.steps] == [
        (Status.RECEIVED, "Tiếp nhận hồ sơ", "canbo1", at(TODAY, 9, 30))
    ]
    assert d.revision == 1
    assert d.pauses == ()
    assert d.calendar_version == cal.version
    assert d.procedure_name == proc(catalog, BIRTH).name
    assert d.summary.startswith(d.procedure_name)


def test_same_day_before_the_cutoff_is_due_at_closing_that_day(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal, BIRTH, at(TODAY, 14, 59))
    assert d.due_at == at(TODAY, 17)


def test_same_day_after_the_cutoff_is_due_the_next_working_day(catalog: Catalog, cal: WorkCalendar) -> None:
    assert received(catalog, cal, BIRTH, at(TODAY, 15, 30)).due_at == at(date(2026, 11, 11), 17)
    # Friday afternoon → Monday
    assert received(catalog, cal, BIRTH, at(date(2026, 11, 13), 15, 30)).due_at == at(date(2026, 11, 16), 17)
    # Monday 23/11/2026 afternoon → 24/11 is Ngày Văn hóa Việt Nam → Wednesday 25/11
    assert received(catalog, cal, BIRTH, at(date(2026, 11, 23), 15, 30)).due_at == at(date(2026, 11, 25), 17)


def test_working_days_are_counted_in_office_hours(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal, MARITAL, at(TODAY, 7))
    # a day is 07:00–11:30 + 13:30–17:00 = 8 h: 3 days from Tuesday 07:00 end Thursday 17:00, not Friday 07:00
    assert d.due_at == at(date(2026, 11, 12), 17)
    # from 09:00 the last 2 h spill into Friday morning
    assert received(catalog, cal, MARITAL, at(TODAY, 9)).due_at == at(date(2026, 11, 13), 9)
    assert working_seconds_between(d.received_at, d.due_at, cal) == 3 * 8 * 3600


def test_build_dossier_normalises_the_name_and_the_number(catalog: Catalog, cal: WorkCalendar) -> None:
    decomposed = "  " + unicodedata.normalize("NFD", NAME).replace(" ", "   ") + " "
    assert decomposed != NAME
    procedure = proc(catalog, BIRTH)
    draft = draft_for(procedure, citizen=citizen(name=decomposed, id_number="034 186 012345"))
    check_draft(draft, catalog, TODAY)
    d = build_dossier(draft, procedure, code="X", at=at(TODAY, 8), clerk="canbo1", counter=1, calendar=cal)
    assert d.citizen.name == NAME
    assert unicodedata.is_normalized("NFC", d.citizen.name)
    assert d.citizen.id_number == ID


# --- transitions -------------------------------------------------------------------------------------


def test_a_supplement_request_pauses_the_clock(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal)
    paused = request_supplement(
        d, at=at(date(2026, 11, 11), 9), clerk="canbo1", items=("Bản sao quyết định ly hôn",), reason="thiếu"
    )
    assert paused.status is Status.SUPPLEMENT
    assert int(paused.status) == 5
    assert paused.due_at is None
    assert paused.open_pause is not None
    assert paused.open_pause.start == at(date(2026, 11, 11), 9)
    assert "Bản sao quyết định ly hôn" in paused.open_pause.reason
    assert paused.revision == d.revision + 1
    assert paused.steps[-1].status is Status.SUPPLEMENT
    assert allowed_changes(paused) == {"supplement_received", "refuse", "withdraw"}


def test_a_supplement_request_needs_items_or_a_reason(catalog: Catalog, cal: WorkCalendar) -> None:
    with pytest.raises(DomainError) as caught:
        request_supplement(received(catalog, cal), at=at(TODAY, 9), clerk="canbo1", items=(), reason="  ")
    assert caught.value.code == "reason_required"


def test_the_supplement_arriving_closes_the_pause_and_moves_the_due_date(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal)
    original_due = d.due_at
    assert original_due is not None
    start, end = at(date(2026, 11, 11), 9), at(date(2026, 11, 12), 9)
    paused = request_supplement(d, at=start, clerk="canbo1", items=("Giấy tờ tùy thân",), reason="")
    new_due = resume_due(paused, end, cal)
    resumed = supplement_received(paused, at=end, clerk="canbo2", due_at=new_due)
    assert resumed.status is Status.PROCESSING
    assert int(resumed.status) == 4
    assert resumed.open_pause is None
    assert resumed.closed_pauses() == ((start, end),)
    assert resumed.due_at == new_due
    paused_work = working_seconds_between(start, end, cal)
    assert paused_work == 8 * 3600  # Wed 09:00–17:00 is 6 h, Thu 07:00–09:00 is 2 h
    assert new_due > original_due
    assert working_seconds_between(original_due, new_due, cal) >= paused_work
    assert resumed.revision == d.revision + 2


def test_refusing_needs_a_reason(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal)
    with pytest.raises(DomainError) as caught:
        refuse(d, at=at(TODAY, 10), clerk="canbo1", reason="   ")
    assert caught.value.code == "reason_required"
    refused = refuse(d, at=at(TODAY, 10), clerk="canbo1", reason=" Không thuộc thẩm quyền ")
    assert refused.status is Status.REFUSED
    assert refused.steps[-1].detail == "Không thuộc thẩm quyền"
    assert allowed_changes(refused) == set()


def test_refusing_during_a_supplement_closes_the_pause(catalog: Catalog, cal: WorkCalendar) -> None:
    paused = request_supplement(received(catalog, cal), at=at(TODAY, 9), clerk="a", items=("x",), reason="")
    refused = refuse(paused, at=at(TODAY, 10), clerk="a", reason="Quá hạn bổ sung")
    assert refused.open_pause is None
    assert refused.closed_pauses() == ((at(TODAY, 9), at(TODAY, 10)),)


def test_returning_the_result_records_who_collected_it_and_is_final(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal)
    done = mark_done(d, at=at(date(2026, 11, 12), 10), clerk="canbo1")
    assert done.status is Status.DONE
    with pytest.raises(DomainError) as caught:
        return_result(done, at=at(date(2026, 11, 12), 11), clerk="canbo1", collected_by="   ")
    assert caught.value.code == "collector_required"
    returned = return_result(done, at=at(date(2026, 11, 12), 11), clerk="canbo1", collected_by=" Trần  Văn   Bình ")
    assert returned.status is Status.RETURNED
    assert int(returned.status) == 10
    assert returned.collected_by == "Trần Văn Bình"
    assert returned.returned_at == at(date(2026, 11, 12), 11)
    assert returned.steps[-1].detail == "Người nhận: Trần Văn Bình"
    assert allowed_changes(returned) == set()
    later = at(date(2026, 11, 13), 8)
    attempts = [
        lambda: request_supplement(returned, at=later, clerk="a", items=("x",), reason="y"),
        lambda: supplement_received(returned, at=later, clerk="a", due_at=later),
        lambda: refuse(returned, at=later, clerk="a", reason="y"),
        lambda: mark_done(returned, at=later, clerk="a"),
        lambda: return_result(returned, at=later, clerk="a", collected_by="Ai đó"),
        lambda: withdraw(returned, at=later, clerk="a", reason="y"),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict) as conflict:
            attempt()
        assert conflict.value.code == "dossier_state"
        assert conflict.value.message.startswith("Không thể ")
        assert "Hồ sơ đã trả kết quả." in conflict.value.message


def test_every_change_adds_one_revision_and_one_step(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal)
    chain = [d]
    chain.append(request_supplement(chain[-1], at=at(TODAY, 9), clerk="a", items=("x",), reason=""))
    chain.append(
        supplement_received(chain[-1], at=at(TODAY, 10), clerk="a", due_at=resume_due(chain[-1], at(TODAY, 10), cal))
    )
    chain.append(mark_done(chain[-1], at=at(TODAY, 11), clerk="a"))
    chain.append(return_result(chain[-1], at=at(TODAY, 14), clerk="a", collected_by="Nguyễn Thị Ánh Tuyết"))
    assert [x.revision for x in chain] == [1, 2, 3, 4, 5]
    assert [len(x.steps) for x in chain] == [1, 2, 3, 4, 5]
    assert [int(x.status) for x in chain] == [2, 5, 4, 9, 10]
    assert chain[0].steps == chain[-1].steps[:1]  # earlier steps are never rewritten


def test_overdue_is_judged_against_the_due_date(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal)
    assert d.due_at is not None
    assert not is_overdue(d, d.due_at)
    assert is_overdue(d, d.due_at + timedelta(minutes=1))
    on_time = return_result(d, at=d.due_at - timedelta(hours=1), clerk="a", collected_by="Chủ hồ sơ")
    assert not is_overdue(on_time, d.due_at + timedelta(days=30))
    withdrawn = withdraw(d, at=at(TODAY, 9), clerk="a", reason="Không cần nữa")
    assert not is_overdue(withdrawn, d.due_at + timedelta(days=30))


# --- codec and privacy ------------------------------------------------------------------------------


def test_the_codec_round_trips_a_full_dossier(catalog: Catalog, cal: WorkCalendar) -> None:
    d = received(catalog, cal)
    d = replace(
        d,
        fees=(Fee("Lệ phí", 15000), Fee("Phí bổ sung", 5000, when=2)),
        components=(
            replace(
                d.components[0],
                files=(ComponentFile("scan/1.pdf", "ab" * 32, 2), ComponentFile("r.pdf", "cd" * 32, 1, True)),
            ),
            Component("Bản sao quyết định", DocForm.CERTIFIED, 2, required=False, received=False),
        ),
        note="Ghi chú",
        outside_area=True,
        sets=2,
        ticket="A015",
    )
    d = request_supplement(d, at=at(date(2026, 11, 11), 9), clerk="canbo1", items=("x",), reason="thiếu")
    d = supplement_received(
        d, at=at(date(2026, 11, 12), 9), clerk="canbo1", due_at=resume_due(d, at(date(2026, 11, 12), 9), cal)
    )
    d = request_supplement(d, at=at(date(2026, 11, 12), 10), clerk="canbo1", items=(), reason="lần hai")
    assert d.open_pause is not None
    assert len(d.pauses) == 2
    assert d.due_at is None
    data = dossier_to_dict(d)
    assert dossier_from_dict(data) == d
    assert dossier_from_dict(json.loads(json.dumps(data, ensure_ascii=False))) == d
    returned = return_result(
        mark_done(received(catalog, cal), at=at(TODAY, 10), clerk="a"), at=at(TODAY, 11), clerk="a", collected_by="B"
    )
    assert dossier_from_dict(json.loads(json.dumps(dossier_to_dict(returned)))) == returned
    assert dossier_to_dict(d)["fees"][1] == {"name": "Phí bổ sung", "amount_vnd": 5000, "when": 2}
    assert d.fee_total == 20000


def test_citizen_repr_shows_neither_the_number_nor_the_full_name(catalog: Catalog, cal: WorkCalendar) -> None:
    c = citizen()
    for text in (repr(c), str(c), f"{c}", repr(received(catalog, cal)), repr((c,))):
        assert ID not in text
        assert NAME not in text
        for word in NAME.split():
            if len(word) > 1:
                assert word not in text
    assert "0341" in repr(c)  # enough for a clerk to compare
    assert "0912 345 678" not in repr(c)


def test_received_at_in_utc_and_local_are_the_same_moment(catalog: Catalog, cal: WorkCalendar) -> None:
    local = received(catalog, cal, BIRTH, at(TODAY, 9))
    utc = received(catalog, cal, BIRTH, at(TODAY, 9).astimezone(UTC))
    assert local.due_at == utc.due_at == at(TODAY, 17)
