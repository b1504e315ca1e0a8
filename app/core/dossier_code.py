"""Dossier codes `{unit code}-{yyMMdd}-{NNNN}`, unique across the centre even when counters are offline.

Numbers of a day are split in two ranges that can never meet:
- 0001–7999: handed out by the centre service in blocks (`SHARED_MAX`); a counter asks for one when it is
  online and keeps what is left of it for the rest of the day, so a LAN outage after the first dossier
  costs nothing;
- 8000–9999: a fixed fallback of 99 numbers per counter (counter 1: 8001–8099, counter 2: 8101–8199, …,
  counter 20: 9901–9999), used only when the counter has no block of the day and the service cannot be
  reached. Nobody else ever hands these out, so four counters offline all day still cannot collide.
Past its 99 fallback numbers a counter continues in five digits, 1CC001… (still its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.core.errors import DomainError

SHARED_MAX = 7999
BLOCK_SIZE = 20
FALLBACK_BASE = 8000
FALLBACK_PER_COUNTER = 100  # numbers base+1 … base+99 of each counter's hundred
MAX_FALLBACK_COUNTERS = 20
_UNIT = re.compile(r"[0-9A-Z][0-9A-Z.]{2,30}")


@dataclass(frozen=True)
class CodeBlock:
    day: date
    first: int
    last: int
    source: str  # centre | fallback | overflow


def format_code(unit_code: str, day: date, number: int) -> str:
    if not _UNIT.fullmatch(unit_code):
        raise DomainError(
            f"Mã đơn vị “{unit_code}” không hợp lệ (ví dụ đúng: 000.00.12.H48). Báo quản trị sửa cấu hình.",
            code="bad_unit_code",
        )
    return f"{unit_code}-{day:%y%m%d}-{number:04d}"


def next_shared_block(day: date, last_given: int, size: int = BLOCK_SIZE) -> CodeBlock:
    """The service's side: the block after `last_given` (0 when none was given that day)."""
    first = last_given + 1
    if first > SHARED_MAX:
        raise DomainError(
            "Đã hết số hồ sơ dùng chung trong ngày; các quầy dùng dải số dự phòng riêng.",
            code="codes_exhausted",
        )
    return CodeBlock(day, first, min(first + size - 1, SHARED_MAX), "centre")


def fallback_block(day: date, counter: int) -> CodeBlock:
    """The counter's own range for a day it has no block from the service."""
    if not 1 <= counter <= MAX_FALLBACK_COUNTERS:
        return overflow_block(day, counter)
    base = FALLBACK_BASE + (counter - 1) * FALLBACK_PER_COUNTER
    return CodeBlock(day, base + 1, base + FALLBACK_PER_COUNTER - 1, "fallback")


def overflow_block(day: date, counter: int) -> CodeBlock:
    """Five-digit numbers 1CC001–1CC999 (CC = counter 1–99) after the four-digit fallback is used up."""
    if not 1 <= counter <= 99:
        raise DomainError(f"Số quầy {counter} ngoài khoảng 1–99.", code="bad_counter")
    base = 10000 + counter * 1000
    return CodeBlock(day, base + 1, base + 999, "overflow")


def owner_of(number: int) -> str:
    """Which range a number comes from: `centre`, `counter N` (fallback or overflow)."""
    if 1 <= number <= SHARED_MAX:
        return "centre"
    if FALLBACK_BASE < number < FALLBACK_BASE + MAX_FALLBACK_COUNTERS * FALLBACK_PER_COUNTER:
        return f"counter {(number - FALLBACK_BASE - 1) // FALLBACK_PER_COUNTER + 1}"
    if 10000 < number < 110000:
        return f"counter {(number - 10000) // 1000}"
    return "unknown"
