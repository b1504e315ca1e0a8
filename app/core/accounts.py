"""Rules for the centre's staff accounts: usernames, names and secrets (a PIN or a password).

Pure, so that both the store (which enforces them) and the first-run wizard (which says what is wrong before
anything is written, app/setup/pages_accounts.py) apply the same rules with the same Vietnamese words.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from app.core.errors import DomainError

ROLES = ("clerk", "director", "admin")
ROLE_NAMES = {"clerk": "cán bộ quầy", "director": "lãnh đạo", "admin": "quản trị"}

PIN_MIN, PASSWORD_MIN, SECRET_MAX = 6, 8, 128
NAME_MAX = 80

# Favourite PINs from published studies of chosen 6-digit PINs (keypad lines and shapes, mirrors, doubled
# digits) that the pattern rules of `trivial_pin` do not already refuse. The rules catch 000000, 123456,
# 654321, 890123, 121212, 123123, 520520, 696969 and the like; this list stays short and is not a dictionary.
COMMON_PINS = frozenset(
    {"112233", "223344", "332211", "001122", "111222", "000111", "123321", "321123", "147258", "147852",
     "258369", "369258", "159753", "159357", "357159", "951753", "789456", "456123", "147369", "102030",
     "123654", "5201314", "1314520"}
)  # fmt: skip

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,31}$")
BAD_USERNAME = (
    "Tên đăng nhập gồm 2–32 ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới, "
    "bắt đầu bằng chữ cái hoặc chữ số."
)


def check_username(username: str) -> str:
    """The username as stored (trimmed), or DomainError(bad_username)."""
    username = username.strip()
    if not USERNAME.match(username):
        raise DomainError(BAD_USERNAME, code="bad_username")
    return username


def check_display_name(display_name: str) -> str:
    """The full name as stored (NFC, single spaces), or DomainError(bad_name)."""
    name = " ".join(unicodedata.normalize("NFC", display_name).split())
    if not name or len(name) > NAME_MAX:
        raise DomainError(f"Họ tên phải có từ 1 đến {NAME_MAX} ký tự.", code="bad_name")
    return name


def check_secret(secret: str) -> None:
    """A PIN (ASCII digits only) of at least 6 digits that `trivial_pin` accepts, or a password (anything else)
    of at least 8 characters, not only spaces. Applied wherever a secret is set (the API, `app user add` and the
    wizard); accounts made before these rules keep signing in with their old secret."""
    if len(secret) > SECRET_MAX:
        raise DomainError(f"Mã PIN hoặc mật khẩu dài quá {SECRET_MAX} ký tự.", code="bad_secret")
    advice = (
        f"Hãy chọn từ {PIN_MIN} chữ số trở lên không theo quy luật nào (tránh cả ngày sinh, số điện thoại), "
        f"hoặc dùng mật khẩu từ {PASSWORD_MIN} ký tự."
    )
    if secret.isascii() and secret.isdigit():
        if len(secret) < PIN_MIN:
            raise DomainError(f"Mã PIN phải có ít nhất {PIN_MIN} chữ số. {advice}", code="bad_secret")
        reason = trivial_pin(secret)
        if reason is not None:
            raise DomainError(f"Mã PIN này quá dễ đoán: {reason}. {advice}", code="weak_pin")
        return
    if len(secret) < PASSWORD_MIN:
        raise DomainError(
            f"Mật khẩu phải có ít nhất {PASSWORD_MIN} ký tự (hoặc dùng mã PIN gồm ít nhất {PIN_MIN} chữ số).",
            code="bad_secret",
        )
    if not secret.strip():
        raise DomainError("Mật khẩu không được chỉ gồm dấu cách.", code="bad_secret")


def trivial_pin(pin: str) -> str | None:
    """Why a PIN of ASCII digits is among the first an attacker tries (in Vietnamese), or None.

    Refused: one digit repeated (000000, 111111); a run up or down by one, wrapping past 9 and 0 (123456,
    654321, 012345, 987654, 890123); a short group repeated, that is any PIN with a period of at most half its
    length (121212, 123123, 520520, 696969, 12341234); and the few favourites in `COMMON_PINS`. Dates and
    phone numbers are not refused (too many to list honestly); the message advises against them.
    """
    if len(set(pin)) == 1:
        return "chỉ gồm một chữ số lặp lại (như 000000, 111111)"
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        return "là dãy số đếm tăng hoặc giảm dần (như 123456, 654321, 890123)"
    if any(pin == (pin[:size] * len(pin))[: len(pin)] for size in range(2, len(pin) // 2 + 1)):
        return "là một nhóm số lặp đi lặp lại (như 121212, 123123)"
    if pin in COMMON_PINS:
        return "nằm trong số các mã được chọn nhiều nhất, mà kẻ gian thử trước tiên (như 112233, 123321, 147258)"
    return None
