"""Citizens' ratings of a visit (gov_rules §5): one level on the centre's scale, per ticket, counter and clerk.

Levels count up from 1, the worst, to the scale's length, the best. The default scale has the three levels the
provincial reports export (Không hài lòng, Hài lòng, Rất hài lòng); a centre may use five (the survey form's).
A level at or above `satisfied_from` counts as satisfied. The rating screen stores `Rating`s; the dashboard and
the period report summarise them with `summarise_ratings`. At the bottom, the rating screen's rules (service and
fake client alike): a screen rates only a visit its counter finished within RATE_WINDOW_S, once, with at most one
reason from REASONS; the clerk is the one on the visit's serving interval, never one the screen names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.core.access import AccessDenied
from app.core.errors import Conflict, DomainError
from app.core.ticket import Outcome, State, Ticket

REASON_MAX = 500


@dataclass(frozen=True)
class RatingScale:
    labels: tuple[str, ...]  # labels[0] is level 1 (the worst)
    satisfied_from: int  # the lowest level that counts as satisfied

    def __post_init__(self) -> None:
        if not 2 <= len(self.labels) <= 5:
            raise ValueError("a rating scale has 2 to 5 levels")
        if not 1 < self.satisfied_from <= len(self.labels):
            raise ValueError("satisfied_from must be a level above the lowest")

    @property
    def levels(self) -> range:
        return range(1, len(self.labels) + 1)

    def label(self, level: int) -> str:
        return self.labels[level - 1] if level in self.levels else f"Mức {level} (ngoài thang)"

    def satisfied(self, level: int) -> bool:
        return level in self.levels and level >= self.satisfied_from


THREE_LEVELS = RatingScale(("Không hài lòng", "Hài lòng", "Rất hài lòng"), satisfied_from=2)
FIVE_LEVELS = RatingScale(
    ("Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng"), satisfied_from=4
)
DEFAULT_SCALE = THREE_LEVELS


@dataclass(frozen=True)
class Rating:
    """One citizen's rating of one visit. `clerk` is the username on the serving interval; None when unknown."""

    ticket_id: int | None
    counter: int | None
    clerk: str | None
    dossier_code: str | None
    level: int
    reason: str | None
    at: datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("naive datetime: pass an aware instant")


def check_rating(rating: Rating, scale: RatingScale = DEFAULT_SCALE) -> Rating:
    """The rating as the screen may store it, or a Vietnamese error."""
    if rating.level not in scale.levels:
        raise DomainError(f"Mức đánh giá phải từ 1 đến {len(scale.labels)}.", code="bad_rating_level", field="level")
    if rating.reason is not None and len(rating.reason) > REASON_MAX:
        raise DomainError(f"Lý do dài quá {REASON_MAX} ký tự.", code="reason_too_long", field="reason")
    return rating


@dataclass(frozen=True)
class RatingCounts:
    """Ratings per level (1…n), and those outside the scale (a level from an older, longer scale)."""

    per_level: Mapping[int, int]
    out_of_scale: int
    satisfied: int

    @property
    def total(self) -> int:
        return sum(self.per_level.values()) + self.out_of_scale

    @property
    def rated(self) -> int:
        """The ratings on the scale: what the shares are over."""
        return sum(self.per_level.values())

    @property
    def satisfied_share(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    def share(self, level: int) -> float | None:
        return self.per_level.get(level, 0) / self.rated if self.rated else None


@dataclass
class _Counter:
    levels: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    out_of_scale: int = 0
    satisfied: int = 0

    def add(self, level: int, scale: RatingScale) -> None:
        if level in scale.levels:
            self.levels[level] += 1
            self.satisfied += scale.satisfied(level)
        else:
            self.out_of_scale += 1

    def counts(self, scale: RatingScale) -> RatingCounts:
        return RatingCounts({lv: self.levels.get(lv, 0) for lv in scale.levels}, self.out_of_scale, self.satisfied)


@dataclass(frozen=True)
class RatingSummary:
    scale: RatingScale
    total: RatingCounts
    by_clerk: Mapping[str, RatingCounts]  # "" for ratings without a clerk
    by_counter: Mapping[int, RatingCounts]  # 0 for ratings without a counter
    with_reason: int  # ratings that carry a reason (usually the unhappy ones)


def summarise_ratings(ratings: Iterable[Rating], scale: RatingScale = DEFAULT_SCALE) -> RatingSummary:
    total = _Counter()
    by_clerk: dict[str, _Counter] = defaultdict(_Counter)
    by_counter: dict[int, _Counter] = defaultdict(_Counter)
    with_reason = 0
    for r in ratings:
        total.add(r.level, scale)
        by_clerk[r.clerk or ""].add(r.level, scale)
        by_counter[r.counter or 0].add(r.level, scale)
        with_reason += bool(r.reason and r.reason.strip())
    return RatingSummary(
        scale=scale,
        total=total.counts(scale),
        by_clerk={k: v.counts(scale) for k, v in sorted(by_clerk.items())},
        by_counter={k: v.counts(scale) for k, v in sorted(by_counter.items())},
        with_reason=with_reason,
    )


# --- the rating screen's rules (issue 13): what may be rated, by whom, until when ---------------------------

RATE_WINDOW_S = 5 * 60  # a visit may be rated for this long after its counter finished it
# The one reason a citizen may give for a rating below `satisfied_from`: a short fixed list, nothing to type.
REASONS = ("Chờ lâu", "Thái độ chưa tốt", "Hướng dẫn chưa rõ", "Thiếu thông tin thủ tục", "Khác")
SCALES: Mapping[int, RatingScale] = {3: THREE_LEVELS, 5: FIVE_LEVELS}  # the scales a centre may choose


def scale_of(levels: int) -> RatingScale:
    """The scale of `levels` levels (3 or 5), or a Vietnamese error."""
    if levels not in SCALES:
        raise DomainError(
            f"Thang đánh giá chỉ có {' hoặc '.join(str(n) for n in SCALES)} mức.", code="bad_scale", field="levels"
        )
    return SCALES[levels]


@dataclass(frozen=True)
class Visit:
    """A visit a citizen may rate: a ticket served to the end, its last serving interval at one counter."""

    ticket_id: int
    number: str
    counter: int
    clerk: str | None  # the username on the serving interval (None: a counter device with nobody signed in)
    finished_at: datetime

    def open_until(self, window_s: float = RATE_WINDOW_S) -> datetime:
        return self.finished_at + timedelta(seconds=window_s)


def finished_visit(ticket: Ticket) -> Visit | None:
    """The visit a served ticket ends with, None while it is open or when it ended otherwise (no-show, left…)."""
    if ticket.state is not State.DONE or ticket.outcome is not Outcome.SERVED or not ticket.intervals:
        return None
    last = ticket.intervals[-1]  # `finish` closes the serving interval and opens none after it
    if last.state is not State.SERVING or last.end is None or last.counter is None:
        return None
    return Visit(ticket.id, ticket.display, int(last.counter), last.clerk, last.end)


def rateable_visit(ticket: Ticket, counter: int | None, *, any_counter: bool = False) -> Visit:
    """The visit of `ticket` a rating screen bound to `counter` may rate, or the refusal: a ticket not served to the
    end (409), another counter's visit or a screen bound to none (403). `any_counter`: the admin's token."""
    visit = finished_visit(ticket)
    if visit is None:
        raise Conflict(f"Số {ticket.display} chưa được phục vụ xong nên chưa đánh giá được.", code="not_finished")
    if any_counter:
        return visit
    if counter is None:
        raise AccessDenied(UNBOUND_SCREEN, counter=None)
    if visit.counter != counter:
        raise AccessDenied(
            f"Màn hình đánh giá của quầy số {counter} chỉ nhận đánh giá cho lượt phục vụ tại quầy số {counter}.",
            counter=counter,
        )
    return visit


UNBOUND_SCREEN = "Màn hình đánh giá này chưa gắn với quầy nào. Hãy tạo mã thiết bị vai trò rating kèm số quầy."


def prompt_counter(bound: int | None, asked: int | None, *, any_counter: bool = False) -> int:
    """The counter whose visits a rating screen bound to `bound` asks about; `asked`: the counter named in the
    request (the admin's token, `any_counter`, must name one; a screen may name only its own)."""
    if any_counter and bound is None:
        if asked is None:
            raise AccessDenied("Quản trị cần ghi rõ số quầy (?counter=N).", counter=None)
        return asked
    if bound is None:
        raise AccessDenied(UNBOUND_SCREEN, counter=None)
    if asked is not None and asked != bound:
        raise AccessDenied(
            f"Màn hình đánh giá của quầy số {bound} không xem được lượt phục vụ của quầy số {asked}.", counter=bound
        )
    return bound


def check_open(visit: Visit, now: datetime, window_s: float = RATE_WINDOW_S) -> None:
    """A visit is rated within `window_s` of its end: later, the citizen has long left the counter."""
    if now > visit.open_until(window_s):
        minutes = round(window_s / 60)
        raise Conflict(
            f"Số {visit.number} đã phục vụ xong quá {minutes} phút nên không nhận đánh giá nữa.",
            code="rating_closed",
            window_s=window_s,
        )


def check_reason(reason: str | None) -> str | None:
    """One reason from REASONS, or none ("" counts as none)."""
    if reason is None or not reason.strip():
        return None
    if reason not in REASONS:
        raise DomainError(f"Lý do phải là một trong: {', '.join(REASONS)}.", code="bad_reason", field="reason")
    return reason
