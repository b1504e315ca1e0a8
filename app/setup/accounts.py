"""The finish page's staff accounts: `user add --secret-stdin` for each one the wizard asked, as a child process.

The account is written by the same command an IT officer types (app/__main__.py run_user_add), which opens the
centre's data folder with the service's own store; this package may not (apps reach centre data through
app.client, and there is no service yet to ask). The PIN goes to the child's stdin only: never on its command line
(other users of the PC can read that), in config.toml or in a log. Qt-free; the page runs `create_accounts` on the
wizard's TaskRunner, before the autostart steps (so the service that autostart starts finds the accounts there).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.child_process import program, shown_program
from app.core.accounts import ROLE_NAMES
from app.setup.boot import run_child

TIMEOUT_S = 120  # a fresh folder: the database, its migrations and the centre's CA are made first
USER_EXISTS = 3  # run_user_add's exit code for a username already taken (app/__main__.py USER_EXISTS)


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    role: str  # director | clerk
    secret: str = field(repr=False)  # kept in memory until Hoàn tất; repr=False: no traceback or log shows it

    @property
    def who(self) -> str:
        return f"{ROLE_NAMES.get(self.role, self.role)} {self.username} ({self.name})"

    def args(self, data: Path) -> list[str]:
        """After `python -m app`; the secret is not among them."""
        return ["user", "add", "--data", str(data), "--username", self.username, "--name", self.name,
                "--role", self.role, "--secret-stdin"]  # fmt: skip

    def shown(self, data: Path) -> str:
        """The command a person types to make it by hand (it asks the PIN twice, unseen)."""
        return shlex.join(shown_program("app", *self.args(data)[:-1]))


@dataclass(frozen=True)
class AccountOutcome:
    account: Account
    code: int
    output: str
    error: str

    @property
    def created(self) -> bool:
        return self.code == 0

    @property
    def existed(self) -> bool:
        """The wizard run again: the account is there already (kept as it is, with its own PIN)."""
        return self.code == USER_EXISTS

    @property
    def ok(self) -> bool:
        return self.created or self.existed


def create_accounts(accounts: Sequence[Account], data: Path, timeout: float = TIMEOUT_S) -> list[AccountOutcome]:
    """`user add` for each account into `data` (blocking: call it off the GUI thread); one that fails or exists
    already does not stop the next."""
    return [AccountOutcome(account, *run_child(program("app", *account.args(data)), timeout=timeout,
                                               stdin=(account.secret + "\n").encode("utf-8")))
            for account in accounts]  # fmt: skip


def message(outcome: AccountOutcome, data: Path) -> str:
    """One sentence for the finish page (never the secret: the child does not print it either)."""
    account = outcome.account
    if outcome.created:
        return f"Đã tạo tài khoản {account.who}."
    if outcome.existed:
        return f"Tài khoản {account.who} đã có từ trước: giữ nguyên, mã PIN cũ vẫn dùng được."
    lines = [line.strip() for line in outcome.error.splitlines() if line.strip()]
    why = lines[-1].removeprefix("Lỗi:").strip().rstrip(".") if lines else f"mã lỗi {outcome.code}"
    return f"Chưa tạo được tài khoản {account.who}: {why}. Có thể tạo sau bằng lệnh: {account.shown(data)}"


def messages(outcomes: Sequence[AccountOutcome], data: Path) -> list[str]:
    """The finish page's lines: the accounts made in one (a centre may enter many clerks: the page must still fit
    a 1366×768 screen), then one for each that was there already or failed."""
    made = [o.account for o in outcomes if o.created]
    lines = []
    if made:
        parts = [a.who for a in made if a.role != "clerk"]
        clerks = [a for a in made if a.role == "clerk"]
        if len(clerks) == 1:
            parts.append(clerks[0].who)
        elif clerks:
            parts.append(f"{len(clerks)} cán bộ quầy ({', '.join(a.username for a in clerks)})")
        lines.append("Đã tạo tài khoản " + " và ".join(parts) + ".")
    return lines + [message(o, data) for o in outcomes if not o.created]
