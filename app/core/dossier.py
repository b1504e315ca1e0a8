"""A dossier (hồ sơ) received at a counter: the citizen, the procedure, its components, fees and every step.

Each change is a pure function returning a new Dossier with one more `Step` carrying the national status
code (DESIGN.md §5) and a revision one higher, so the sync outbox can send `code + revision` idempotently.
Components carry `files` (empty until digitisation adds page PDFs).

`lookup_key` is the random part of the citizen's status page `/h/{code}-{key}` (the QR on Mẫu 01): codes are
sequential, so the code alone must never open a page. The counter's store draws it when it saves a new dossier
(this module stays pure); a dossier from before keys has "" and its Mẫu 01 carries the code, not a link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import IntEnum, StrEnum

from app.core.errors import Conflict, DomainError
from app.core.scan_payload import mask_digits, mask_name


class Status(IntEnum):
    """TrangThaiHoSo codes of the national dossier record."""

    NEW = 1
    RECEIVED = 2
    REFUSED = 3
    PROCESSING = 4
    SUPPLEMENT = 5
    FINANCIAL = 6
    WITHDRAWN = 7
    STOPPED = 8
    DONE = 9
    RETURNED = 10


STATUS_NAMES = {
    Status.NEW: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.REFUSED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Status.FINANCIAL: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.DONE: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}


class Channel(IntEnum):
    """KenhThucHien."""

    DIRECT = 1
    ONLINE = 2
    POST = 3


CHANNEL_NAMES = {Channel.DIRECT: "Trực tiếp", Channel.ONLINE: "Trực tuyến", Channel.POST: "Bưu chính công ích"}


class DocForm(StrEnum):
    ORIGINAL = "original"
    CERTIFIED = "certified"
    COPY = "copy"


FORM_NAMES = {DocForm.ORIGINAL: "Bản chính", DocForm.CERTIFIED: "Bản sao chứng thực", DocForm.COPY: "Bản sao"}


@dataclass(frozen=True, repr=False)
class Citizen:
    """Chủ hồ sơ. Personal data: repr masks everything, so it never lands in a log by accident."""

    id_number: str
    name: str
    birth_date: date | None = None
    sex: str = ""
    address: str = ""
    phone: str = ""

    def __repr__(self) -> str:
        return f"Citizen(id_number={mask_digits(self.id_number)!r}, name={mask_name(self.name)!r}, …)"

    __str__ = __repr__


@dataclass(frozen=True)
class ComponentFile:
    """A digitised file of a component (filled by digitisation)."""

    path: str
    sha256: str
    pages: int
    reused: bool = False
    signed_by: str = ""  # the signer's name on the certificate once the counter signed it (PAdES); "" = unsigned
    certified_copy: bool = False  # signed as "bản sao điện tử chứng thực từ bản chính"

    @property
    def signed(self) -> bool:
        return bool(self.signed_by)


@dataclass(frozen=True)
class Component:
    """Thành phần hồ sơ as received: what the citizen handed over, in which form and how many."""

    name: str
    form: DocForm = DocForm.ORIGINAL
    count: int = 1
    required: bool = True
    received: bool = True
    files: tuple[ComponentFile, ...] = ()

    @property
    def digitised(self) -> bool:
        return bool(self.files)


@dataclass(frozen=True)
class Fee:
    name: str
    amount_vnd: int
    when: int = 1  # HinhThucThu: 1 at receipt, 2 at supplement, 4 at return


@dataclass(frozen=True)
class Step:
    """QuaTrinhXuLy: one recorded change with the status it left the dossier in."""

    at: datetime
    status: Status
    actor: str  # the clerk's username
    content: str  # NoiDungXuLy, Vietnamese
    detail: str = ""


@dataclass(frozen=True)
class Pause:
    """Tạm dừng: the clock stops while the citizen completes the dossier."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True)
class Statutory:
    """The procedure's time as used for this dossier (the clerk may type it when the catalogue has none)."""

    value: float
    unit: str  # working_days | days | same_day

    def text(self) -> str:
        if self.unit == "same_day":
            return "Trong ngày (nhận sau 15 giờ: trả trong ngày làm việc tiếp theo)"
        number = f"{self.value:g}".replace(".", ",")
        return f"{number} ngày làm việc" if self.unit == "working_days" else f"{number} ngày"


@dataclass(frozen=True)
class Dossier:
    code: str
    procedure_code: str
    procedure_name: str
    field_code: str
    citizen: Citizen
    components: tuple[Component, ...]
    received_at: datetime
    due_at: datetime | None  # None while paused for a supplement
    statutory: Statutory
    clerk: str
    counter: int | None
    status: Status = Status.RECEIVED
    channel: Channel = Channel.DIRECT
    fees: tuple[Fee, ...] = ()
    summary: str = ""  # TrichYeuHoSo
    note: str = ""
    outside_area: bool = False  # phi địa giới: a citizen of another commune
    sets: int = 1
    ticket: str = ""  # the queue number the citizen came with, e.g. "A015"
    steps: tuple[Step, ...] = ()
    pauses: tuple[Pause, ...] = ()
    calendar_version: str = ""
    collected_by: str = ""
    returned_at: datetime | None = None
    revision: int = 1
    lookup_key: str = ""  # the secret half of the status page address; "" on dossiers from before keys

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]

    @property
    def fee_total(self) -> int:
        return sum(f.amount_vnd for f in self.fees)

    @property
    def open_pause(self) -> Pause | None:
        return next((p for p in self.pauses if p.end is None), None)

    def closed_pauses(self) -> tuple[tuple[datetime, datetime], ...]:
        return tuple((p.start, p.end) for p in self.pauses if p.end is not None)

    def __repr__(self) -> str:  # the default would print the citizen's components and steps; keep it short
        return f"Dossier({self.code!r}, {self.procedure_code}, status={int(self.status)}, rev={self.revision})"


# Letters and digits only, no "-": the page address is "{code}-{key}" and codes have hyphens of their own, so
# the key is everything after the last one. 12 characters of 62 are ~71 bits: not guessable on the hall Wi-Fi.
LOOKUP_KEY_LENGTH = 12
LOOKUP_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_LOOKUP_KEY = re.compile(r"[A-Za-z0-9]{12,64}")
LOOKUP_PREFIX = "/h/"


def is_lookup_key(text: str) -> bool:
    return _LOOKUP_KEY.fullmatch(text) is not None


def lookup_path(code: str, key: str) -> str:
    """The citizen's status page of a dossier, relative to the centre's board address."""
    return f"{LOOKUP_PREFIX}{code}-{key}"


def split_lookup(token: str) -> tuple[str, str] | None:
    """`{code}-{key}` from a status page address → (code, key); None when it cannot be one."""
    code, sep, key = token.rpartition("-")
    if not sep or not code or not is_lookup_key(key):
        return None
    return code, key


@dataclass(frozen=True)
class ReceptionDraft:
    """What the reception screen collected, before it has a code."""

    procedure_code: str
    citizen: Citizen
    components: tuple[Component, ...]
    statutory: Statutory | None
    fees: tuple[Fee, ...] = ()
    channel: Channel = Channel.DIRECT
    note: str = ""
    outside_area: bool = False
    sets: int = 1
    ticket: str = ""


# Which changes each status allows (a status not listed allows none: 3, 7, 10 are final).
_NEXT: dict[str, tuple[Status, ...]] = {
    "supplement": (Status.RECEIVED, Status.PROCESSING),
    "supplement_received": (Status.SUPPLEMENT,),
    "refuse": (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT),
    "done": (Status.RECEIVED, Status.PROCESSING),
    "return": (Status.RECEIVED, Status.PROCESSING, Status.DONE),
    "withdraw": (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT),
}
_REFUSED_BECAUSE = {
    Status.REFUSED: "Hồ sơ đã bị từ chối tiếp nhận.",
    Status.WITHDRAWN: "Công dân đã rút hồ sơ này.",
    Status.RETURNED: "Hồ sơ đã trả kết quả.",
    Status.SUPPLEMENT: "Hồ sơ đang chờ công dân bổ sung giấy tờ.",
}


def _check(d: Dossier, change: str, label: str) -> None:
    if d.status not in _NEXT[change]:
        why = _REFUSED_BECAUSE.get(d.status, f"Hồ sơ đang ở trạng thái “{d.status_name}”.")
        raise Conflict(f"Không thể {label}: {why}", code="dossier_state", status=int(d.status))


def _advance(d: Dossier, step: Step, **changes: object) -> Dossier:
    return replace(d, status=step.status, steps=(*d.steps, step), revision=d.revision + 1, **changes)  # type: ignore[arg-type]


def received_step(at: datetime, clerk: str) -> Step:
    return Step(at, Status.RECEIVED, clerk, "Tiếp nhận hồ sơ")


def request_supplement(d: Dossier, *, at: datetime, clerk: str, items: tuple[str, ...], reason: str) -> Dossier:
    """Mẫu 02: the dossier waits for the citizen; the clock stops until the supplement arrives."""
    _check(d, "supplement", "yêu cầu bổ sung")
    if not reason.strip() and not items:
        raise DomainError("Ghi rõ giấy tờ cần bổ sung hoặc lý do.", code="reason_required", field="reason")
    detail = "; ".join(items) + (f" — {reason.strip()}" if reason.strip() else "")
    step = Step(at, Status.SUPPLEMENT, clerk, "Yêu cầu bổ sung, hoàn thiện hồ sơ", detail)
    return _advance(d, step, pauses=(*d.pauses, Pause(at, None, detail)), due_at=None)


def supplement_received(d: Dossier, *, at: datetime, clerk: str, due_at: datetime) -> Dossier:
    """The citizen brought what was missing: the pause ends, the appointment moves by the time paused."""
    _check(d, "supplement_received", "nhận bổ sung")
    pauses = tuple(replace(p, end=at) if p.end is None else p for p in d.pauses)
    step = Step(at, Status.PROCESSING, clerk, "Tiếp nhận hồ sơ bổ sung")
    return _advance(d, step, pauses=pauses, due_at=due_at)


def refuse(d: Dossier, *, at: datetime, clerk: str, reason: str) -> Dossier:
    """Mẫu 03: not accepted for processing, with the specific reason."""
    _check(d, "refuse", "từ chối")
    if not reason.strip():
        raise DomainError("Phải ghi rõ lý do từ chối.", code="reason_required", field="reason")
    pauses = tuple(replace(p, end=at) if p.end is None else p for p in d.pauses)
    step = Step(at, Status.REFUSED, clerk, "Từ chối tiếp nhận giải quyết hồ sơ", reason.strip())
    return _advance(d, step, pauses=pauses)


def mark_done(d: Dossier, *, at: datetime, clerk: str) -> Dossier:
    _check(d, "done", "ghi nhận có kết quả")
    return _advance(d, Step(at, Status.DONE, clerk, "Đã có kết quả giải quyết"))


def return_result(d: Dossier, *, at: datetime, clerk: str, collected_by: str) -> Dossier:
    """Trả kết quả: who collected it (the citizen or someone they authorised)."""
    _check(d, "return", "trả kết quả")
    who = " ".join(collected_by.split())
    if not who:
        raise DomainError("Ghi họ tên người nhận kết quả.", code="collector_required", field="collected_by")
    step = Step(at, Status.RETURNED, clerk, "Trả kết quả cho công dân", f"Người nhận: {who}")
    return _advance(d, step, collected_by=who, returned_at=at)


def withdraw(d: Dossier, *, at: datetime, clerk: str, reason: str) -> Dossier:
    _check(d, "withdraw", "rút hồ sơ")
    pauses = tuple(replace(p, end=at) if p.end is None else p for p in d.pauses)
    return _advance(d, Step(at, Status.WITHDRAWN, clerk, "Công dân rút hồ sơ", reason.strip()), pauses=pauses)


def attach_files(d: Dossier, *, at: datetime, clerk: str, component: int, files: tuple[ComponentFile, ...]) -> Dossier:
    """Digitised (or reused) files for one component; the status stays, the change is a recorded step."""
    if d.status in (Status.REFUSED, Status.WITHDRAWN, Status.RETURNED):
        why = _REFUSED_BECAUSE.get(d.status, "")
        raise Conflict(f"Không thể thêm bản số hóa: {why}", code="dossier_state", status=int(d.status))
    if not 0 <= component < len(d.components):
        raise DomainError("Thành phần hồ sơ không có trong hồ sơ này.", code="bad_component", component=component)
    target = d.components[component]
    reused = any(f.reused for f in files)
    components = tuple(replace(c, files=files) if i == component else c for i, c in enumerate(d.components))
    pages = sum(f.pages for f in files)
    content = "Tái sử dụng bản số hóa" if reused else "Số hóa thành phần hồ sơ"
    step = Step(at, d.status, clerk, content, f"{target.name[:80]} — {pages} trang")
    return replace(d, components=components, steps=(*d.steps, step), revision=d.revision + 1)


def record_signature(d: Dossier, *, at: datetime, clerk: str, component: int, file: ComponentFile) -> Dossier:
    """The component's file replaced by its signed version (new path and hash); a recorded step, status kept."""
    if not 0 <= component < len(d.components) or not d.components[component].files:
        raise DomainError("Thành phần hồ sơ chưa có bản số hóa để ký.", code="bad_component", component=component)
    if not file.signed:
        raise DomainError("Tệp chưa có chữ ký số.", code="not_signed", component=component)
    target = d.components[component]
    components = tuple(replace(c, files=(file,)) if i == component else c for i, c in enumerate(d.components))
    what = "Ký số bản sao điện tử chứng thực từ bản chính" if file.certified_copy else "Ký số thành phần hồ sơ"
    step = Step(at, d.status, clerk, what, f"{target.name[:80]} — {file.signed_by[:80]}")
    return replace(d, components=components, steps=(*d.steps, step), revision=d.revision + 1)


# What the province may move a dossier to, from what (processing happens there, not at the counter).
_REMOTE_MOVES = {
    Status.PROCESSING: (Status.RECEIVED,),
    Status.FINANCIAL: (Status.RECEIVED, Status.PROCESSING),
    Status.STOPPED: (Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL),
    Status.DONE: (Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL),
}


def remote_status(d: Dossier, *, at: datetime, status: int) -> Dossier | None:
    """The provincial system moved the dossier (e.g. 9 đã xử lý xong): record it; None when nothing to do."""
    try:
        target = Status(status)
    except ValueError:
        return None
    if target == d.status or d.status not in _REMOTE_MOVES.get(target, ()):
        return None
    step = Step(at, target, "he-thong-tinh", "Cập nhật từ hệ thống một cửa của tỉnh", STATUS_NAMES[target])
    return _advance(d, step)


def allowed_changes(d: Dossier) -> set[str]:
    return {change for change, sources in _NEXT.items() if d.status in sources}


def is_overdue(d: Dossier, now: datetime) -> bool:
    finished = d.returned_at or (d.steps[-1].at if d.status in (Status.DONE, Status.RETURNED) else None)
    moment = finished or now
    return d.due_at is not None and d.status not in (Status.REFUSED, Status.WITHDRAWN) and moment > d.due_at


class FieldErrors(DomainError):
    """Several fields at once: {field: [Vietnamese messages]}; nothing is saved."""

    code = "invalid_fields"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        first = next((m for msgs in errors.values() for m in msgs), "Dữ liệu chưa hợp lệ.")
        super().__init__(first, fields=errors)
        self.errors = errors
