"""Wait estimate printed on the ticket: people ahead × recent median service time ÷ open counters."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median


def estimate_wait_s(
    people_ahead: int,
    recent_service_s: Sequence[float],
    open_counters: int,
    default_service_s: float,
) -> float:
    typical = median(recent_service_s) if recent_service_s else default_service_s
    return people_ahead * typical / max(1, open_counters)
