"""Who may do what at the centre service: one table for the service (app/service/api.py) and the fake (app/client).

A request carries a device token (role admin, kiosk, counter, display, director or rating) or a signed-in
person's session, who acts as the device role of their job (a clerk as a counter). Each route needs one
`Permission`; the admin has every one. A counter, device or clerk, acts for its own counter only; a kiosk cancels
only the ticket it has just issued; a rating screen rates only the visits its counter has just finished
(app/core/rating.py). The fake client plays the same rules from this module, so screens tested against it are
refused where the real service would refuse them (tests/unit/test_client_fake.py compares the two call by call).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from app.core.errors import DomainError

ADMIN, KIOSK, COUNTER, DISPLAY, DIRECTOR = "admin", "kiosk", "counter", "display", "director"
RATING = "rating"  # the citizen-facing rating screen of one counter (app/rating/)
DEVICE_ROLES = (ADMIN, KIOSK, COUNTER, DISPLAY, DIRECTOR, RATING)  # what a device token may be made for
COUNTER_BOUND_ROLES = (COUNTER, RATING)  # device roles that may be made for one counter ("counter": N)
# A signed-in person acts as the device role of their job (app/store/users.py names the jobs).
SESSION_ROLES: Mapping[str, str] = {"clerk": COUNTER, "director": DIRECTOR, "admin": ADMIN}
NO_ROLE = "none"  # a session whose job has no role here: refused everything a token is needed for


class Permission(StrEnum):
    READ = "read"  # a ticket by id, the day's figures
    ISSUE = "issue"  # issue a ticket, cancel one
    SERVE = "serve"  # act for a counter (call, recall, start, finish, no-show, transfer, pause, resume), dossier work
    LOOK_UP = "look_up"  # read dossiers from the centre's mirror
    NOTICE = "notice"  # change the hall board's notice line
    ADMINISTER = "administer"  # devices and staff accounts
    REPORT = "report"  # the centre's figures for any period (the director's dashboard, GET /api/report)
    SETTINGS = "settings"  # change what a director owns: wait target, daily caps, issuing windows… (audited)
    RATE = "rate"  # a citizen rates the visit just finished at the rating device's counter (app/core/rating.py)
    DEVICES = "devices"  # pair a new PC (a 6-digit code), list the paired ones, unpair a lost one


# Roles besides the admin's that have each permission.
GRANTS: Mapping[Permission, frozenset[str]] = {
    Permission.READ: frozenset({KIOSK, COUNTER, DISPLAY, DIRECTOR}),
    Permission.ISSUE: frozenset({KIOSK, COUNTER}),
    Permission.SERVE: frozenset({COUNTER}),
    Permission.LOOK_UP: frozenset({COUNTER, DIRECTOR}),
    Permission.NOTICE: frozenset({DIRECTOR}),
    Permission.ADMINISTER: frozenset(),
    Permission.REPORT: frozenset({DIRECTOR}),
    Permission.SETTINGS: frozenset({DIRECTOR}),
    Permission.RATE: frozenset({RATING}),  # never a clerk: nobody rates their own service
    Permission.DEVICES: frozenset({DIRECTOR}),  # the director runs the centre; the admin token has every permission
}


def may(role: str, permission: Permission) -> bool:
    """Whether a known caller acting as `role` has `permission` (a caller without a valid token has none)."""
    return role == ADMIN or role in GRANTS[permission]


# What a director changes is recorded under a person: a director's PC signs its director in with a username and PIN;
# the PC's own device token (its pairing) reads the figures and the settings but changes neither (the audit would
# name a PC, not a person, and anyone sitting at it could change the centre).
PERSONAL_CHANGES = frozenset({Permission.SETTINGS, Permission.DEVICES, Permission.NOTICE})
SIGN_IN_TO_CHANGE = (
    "Muốn thay đổi cài đặt, dòng thông báo trên màn hình sảnh hoặc ghép nối, gỡ thiết bị, lãnh đạo cần đăng nhập "
    "bằng tên và mã PIN trên màn hình Lãnh đạo để nhật ký ghi đúng người thay đổi. Mã thiết bị của máy này chỉ dùng "
    "để xem."
)


def check_personal(role: str, permission: Permission, *, person: bool, change: bool) -> None:
    """A director's device token may read what `permission` covers but not change it (PERSONAL_CHANGES): that
    needs the director's own session (`person`). The admin token and every other permission are unaffected."""
    if role == DIRECTOR and change and not person and permission in PERSONAL_CHANGES:
        raise AccessDenied(SIGN_IN_TO_CHANGE, counter=None)


def sees_clerk_figures(role: str) -> bool:
    """Figures per clerk in the day's statistics are for the director and the admin, not for devices."""
    return role in (DIRECTOR, ADMIN)


class AccessDenied(DomainError):
    """A caller with the right role asked for something that is not theirs (another counter, another kiosk's
    ticket). Unlike a bare 403, it says why in Vietnamese."""

    code = "forbidden"
    http_status = 403


UNBOUND_COUNTER = (
    "Phiên đăng nhập hoặc thiết bị này chưa gắn với quầy nào nên không thao tác được cho quầy. "
    "Hãy đăng nhập và chọn quầy làm việc."
)
OTHER_COUNTER = (
    "Bạn đang làm việc tại quầy số {bound}, không thao tác được cho quầy số {target}. "
    "Hãy đăng xuất rồi đăng nhập lại đúng quầy."
)


def check_counter(role: str, bound: int | None, target: object) -> None:
    """A counter (device or clerk) acts for the counter it is bound to only; one bound to none acts for none.
    `target` is the counter in the request's path, as it came."""
    if role != COUNTER:
        return
    if bound is None:
        raise AccessDenied(UNBOUND_COUNTER, counter=None)
    if str(target) != str(bound):
        raise AccessDenied(OTHER_COUNTER.format(bound=bound, target=target), counter=bound)


KIOSK_CANCEL_S = 60
KIOSK_CANCEL_REFUSED = "Kiosk chỉ hủy được số vừa cấp trong vòng 1 phút. Mời công dân đến quầy để hủy số."


def kiosk_may_cancel(issued: tuple[str, datetime] | None, subject: str, now: datetime) -> bool:
    """A kiosk may cancel a ticket only when it issued it itself (`issued`: who issued it and when, None when no
    kiosk did) less than KIOSK_CANCEL_S ago: the citizen changed their mind before leaving the screen."""
    return issued is not None and issued[0] == subject and (now - issued[1]).total_seconds() <= KIOSK_CANCEL_S


def check_kiosk_cancel(role: str, issued: tuple[str, datetime] | None, subject: str, now: datetime) -> None:
    if role == KIOSK and not kiosk_may_cancel(issued, subject, now):
        raise AccessDenied(KIOSK_CANCEL_REFUSED, counter=None)


__all__ = [
    "ADMIN", "COUNTER", "COUNTER_BOUND_ROLES", "DEVICE_ROLES", "DIRECTOR", "DISPLAY", "GRANTS", "KIOSK",
    "KIOSK_CANCEL_S", "NO_ROLE", "PERSONAL_CHANGES", "RATING", "SESSION_ROLES", "SIGN_IN_TO_CHANGE", "AccessDenied",
    "Permission", "check_counter", "check_kiosk_cancel", "check_personal", "kiosk_may_cancel", "may",
    "sees_clerk_figures",
]  # fmt: skip
