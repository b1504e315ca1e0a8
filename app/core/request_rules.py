"""What a request to the centre service may carry, and how a refused one is explained.

The service's request models (app/service/models.py) take their length limits from here and its validation
handler (app/service/errors.py) its wording; the in-process fake client (app/client/fake.py) checks the same
limits and words its refusal the same, so a screen tested on the fake meets the service's 422 as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

INVALID_REQUEST = "invalid_request"  # the code of a refused body or path (status 422)
# Ids in paths fit SQLite's 64-bit integers with room to spare: a larger one is a 422, not an OverflowError.
MAX_ID = 2**62

# A body field's Vietnamese name in a refusal; fields not listed are named as they are.
FIELD_NAMES = {"group": "nhóm dịch vụ", "priority": "đối tượng ưu tiên", "channel": "kênh",
               "reason": "lý do", "clerk": "cán bộ", "name": "tên", "role": "vai trò"}  # fmt: skip


@dataclass(frozen=True)
class Length:
    """A text field's length limits, in characters."""

    min: int
    max: int

    def fits(self, value: str) -> bool:
        return self.min <= len(value) <= self.max


GROUP = Length(1, 32)  # a service group's code
PRIORITY = Length(0, 32)  # a priority category's code
CLERK = Length(0, 64)
REASON = Length(0, 32)  # why a counter pauses: break | back_office | meeting


def field_name(field: str) -> str:
    return FIELD_NAMES.get(field, field)


def invalid_field(field: str) -> str:
    return f"trường “{field_name(field)}” không hợp lệ"


def invalid_request_message(problems: Iterable[str]) -> str:
    """The message of a refused body: every problem found, each as `invalid_field` (or a missing field) words it."""
    return "Dữ liệu gửi lên không hợp lệ: " + "; ".join(problems) + "."
