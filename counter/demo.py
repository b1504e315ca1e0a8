"""Stand-ins for screenshots and `--demo` ONLY: the in-process fake service has no accounts.

`DemoSessions` accepts any username and secret and hands out a made-up session. It is wired only to
`FakeQueueClient` (see `counter.app.make_backend`) and can never talk to a real centre service; a real
counter always signs in through `CounterClient.sign_in`, which the service checks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.client.fake import FakeQueueClient
from app.core.clock import to_iso

DEMO_NAMES = {"lan": "Nguyễn Thị Lan", "binh": "Trần Văn Bình"}


class DemoSessions:
    def __init__(self, fake: FakeQueueClient) -> None:
        self.fake = fake
        self.token: str | None = None

    def sign_in(self, username: str, secret: str, counter: int | None) -> dict[str, Any]:
        self.fake.health()  # unavailable like the fake when it is "down"
        name = DEMO_NAMES.get(username, username)
        expires = self.fake.clock.now() + timedelta(hours=8)
        return {"token": "demo", "user": {"username": username, "display_name": name, "role": "clerk"},
                "counter": counter, "expires_at": to_iso(expires)}  # fmt: skip

    def revoke(self, token: str) -> None:
        pass

    def set_token(self, token: str | None) -> None:
        self.token = token
