"""The demo's simulated hall: citizens arriving at the kiosk and clerks at the counters, on a compressed clock.

Arrivals are a Poisson process whose rate follows a commune centre's day (a morning peak around 8:45, a smaller
one mid-afternoon, quiet at opening), drawn by thinning; a citizen who sees a long queue may leave and come back
another day. Clerks call, wait for the citizen to walk up, serve for a few minutes (log-normal, median 4) and
mark a no-show only after the calls the centre's rules require (the service refuses one earlier:
too_few_calls). Every duration is simulated time divided by the demo's speed (`--speed`, default 20: one real
minute is twenty in the hall), so the board shows a queue of about 5–15 within the first minute.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from app.core.rating import REASONS
from app.service.launcher import ServerProcess
from printing.ticket_printer import TicketPrinter
from printing.tickets import ticket_print

DEMO_SPEED = 20.0
OPENING = ((7 * 60 + 30, 11 * 60 + 30), (13 * 60 + 30, 17 * 60))  # local minutes; lunch is skipped
START_MINUTE = 8 * 60 + 15  # the simulated day starts at 08:15, as the morning peak builds
PEAK_RATE = 140.0  # citizens an hour: an upper bound of arrival_rate, for thinning
# What citizens come for at a commune centre (certification and civil status the most); other groups: none.
GROUP_WEIGHTS = {"CT": 40, "HT": 30, "DD": 10, "BTXH": 8, "KD": 5, "NCC": 4, "GN": 2, "NCN": 1}
PRIORITY_SHARE = 0.12  # elderly citizens at the kiosk
NO_SHOW_SHARE = 0.08  # citizens who took a number and left before their call
BALK_FROM = 8  # people waiting from which a newcomer may leave without a number
RATING_SHARE = 0.7  # served citizens who rate the visit (demo with a screen: counters 2–4)


def arrival_rate(hour: float) -> float:
    """Citizens an hour arriving at `hour` (local, 7.5 = 07:30)."""
    return 24 + 72 * math.exp(-(((hour - 8.75) / 0.8) ** 2)) + 40 * math.exp(-(((hour - 14.5) / 0.8) ** 2))


def balk_chance(waiting: int) -> float:
    """The chance a newcomer leaves on seeing `waiting` people ahead: none up to BALK_FROM, then growing."""
    return 0.0 if waiting < BALK_FROM else min(0.9, (waiting - BALK_FROM + 2) / 10)


@dataclass
class HallClock:
    """Simulated local time of day, `speed` times faster than real time, over opening hours only."""

    speed: float = DEMO_SPEED
    started: float = field(default_factory=time.monotonic)

    def elapsed_s(self) -> float:
        """Simulated seconds since the demo started."""
        return (time.monotonic() - self.started) * self.speed

    def minute(self, ahead_s: float = 0.0) -> float:
        """The local minute of the day, `ahead_s` simulated seconds from now (opening hours wrap to the next day)."""
        open_minutes = sum(end - start for start, end in OPENING)
        offset = (START_MINUTE - OPENING[0][0] + (self.elapsed_s() + ahead_s) / 60) % open_minutes
        for start, end in OPENING:
            if offset < end - start:
                return start + offset
            offset -= end - start
        return float(OPENING[-1][1])

    def label(self, ahead_s: float = 0.0) -> str:
        minute = int(self.minute(ahead_s))
        return f"{minute // 60:02d}:{minute % 60:02d}"

    def real(self, simulated_s: float) -> float:
        return simulated_s / self.speed


def next_arrival(rng: random.Random, clock: HallClock) -> float:
    """Simulated seconds to the next arrival (Lewis–Shedler thinning of the day's rate)."""
    ahead = 0.0
    while True:
        ahead += rng.expovariate(PEAK_RATE / 3600)
        if rng.random() * PEAK_RATE < arrival_rate(clock.minute(ahead) / 60):
            return ahead


@dataclass
class Tally:
    """What the simulated citizens and clerks did, for the summary (the service's own figures come from it)."""

    issued: int = 0
    balked: int = 0
    printed: int = 0
    served: int = 0
    no_shows: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str) -> None:
        with self.lock:
            setattr(self, what, getattr(self, what) + 1)


def say(who: str, text: str) -> None:
    print(f"  {who:<8}: {text}", flush=True)


def _session(server: ServerProcess) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # else REQUESTS_CA_BUNDLE would win over the pinned CA (and a proxy could sit between)
    s.verify = server.verify
    s.headers["Authorization"] = f"Bearer {server.admin_token}"
    return s


def simulate_kiosk(server: ServerProcess, stop: threading.Event, clock: HallClock, tally: Tally,
                   printer: TicketPrinter, follow_base: str, rng: random.Random) -> None:  # fmt: skip
    api = server.local_url
    with _session(server) as s:
        group_list = s.get(f"{api}/api/groups", timeout=10).json()
        counters = s.get(f"{api}/api/counters", timeout=10).json()
        centre = s.get(f"{api}/api/health", timeout=10).json()["centre"]
        priorities = s.get(f"{api}/api/priorities", timeout=10).json()  # the ticket prints the category's name
        known = {g["code"] for g in group_list}
        weights = {code: w for code, w in GROUP_WEIGHTS.items() if code in known} or dict.fromkeys(known, 1)
        codes, shares = list(weights), list(weights.values())
        while not stop.wait(clock.real(next_arrival(rng, clock))):
            waiting = sum(int(g.get("waiting") or 0) for g in s.get(f"{api}/api/groups", timeout=10).json())
            if rng.random() < balk_chance(waiting):
                tally.add("balked")
                say("sảnh", f"{clock.label()} một công dân thấy {waiting} người đang chờ, hẹn hôm khác quay lại")
                continue
            body: dict[str, str] = {"group": rng.choices(codes, shares)[0]}
            if rng.random() < PRIORITY_SHARE:
                body["priority"] = "elderly"
            r = s.post(f"{api}/api/tickets", json=body, timeout=10)
            if r.status_code != 201:
                say("kiosk", r.json().get("message", r.text))
                continue
            t = r.json()
            tally.add("issued")
            say(
                "kiosk",
                f"{clock.label()} cấp số {t['number']} ({t['group']}), {t['people_ahead']} người chờ trước "
                f"(cả sảnh: {waiting + 1})",
            )
            data = ticket_print(t, centre_name=centre, groups=group_list, counters=counters, priorities=priorities,
                                base_url=follow_base)  # fmt: skip
            job = printer.print_ticket(data)
            if job.error is None:
                tally.add("printed")
            say("máy in", job.message)


def simulate_counter(server: ServerProcess, counter: int, stop: threading.Event, clock: HallClock, tally: Tally,
                     rng: random.Random, *, rates: bool = False) -> None:  # fmt: skip
    """One simulated clerk; `rates`: the citizens served here rate the visit (as a rating screen at this counter
    would, through the admin's token), so the dashboard's ratings move."""
    base = f"{server.local_url}/api/counters/{counter}"
    who = f"quầy {counter}"

    def pause(simulated_s: float) -> bool:
        """Wait `simulated_s` of hall time; True when the demo is stopping."""
        return stop.wait(clock.real(simulated_s))

    with _session(server) as s:
        calls_needed = int(s.get(f"{server.local_url}/api/queue", timeout=10).json()["policy"]["call_count_max"])
        while not pause(rng.uniform(10, 40)):  # a moment between citizens
            r = s.post(f"{base}/call-next", timeout=10)
            if r.status_code != 200:  # 204: nobody waits
                continue
            ticket = r.json()
            number = ticket["number"]
            say(who, f"{clock.label()} mời công dân số {number}")
            if rng.random() < NO_SHOW_SHARE:
                if _no_show(s, base, ticket, calls_needed, pause, who):
                    tally.add("no_shows")
                    say(who, f"số {number} vắng mặt sau {calls_needed} lần gọi")
                continue
            if pause(rng.uniform(20, 60)):  # the walk to the counter
                return
            s.post(f"{base}/start", timeout=10)
            service_s = rng.lognormvariate(math.log(240), 0.5)
            if pause(service_s):
                return
            if s.post(f"{base}/finish", timeout=10).status_code == 200:
                tally.add("served")
                say(who, f"{clock.label()} xong số {number} ({max(1, round(service_s / 60))} phút)")
                if rates and rng.random() < RATING_SHARE:
                    _rate(s, server.local_url, ticket, rng)


def _rate(s: requests.Session, api: str, ticket: dict[str, Any], rng: random.Random) -> None:
    """A simulated citizen's rating of the visit just finished, on the default 3-level scale (mostly satisfied)."""
    level = rng.choices((3, 2, 1), (55, 35, 10))[0]
    body: dict[str, Any] = {"ticket_id": ticket["id"], "level": level}
    if level == 1:
        body["reason"] = rng.choice(REASONS)
    s.post(f"{api}/api/ratings", json=body, timeout=10)  # a refusal (a 5-level scale set meanwhile) is no matter


def _no_show(s: requests.Session, base: str, ticket: dict[str, Any], calls_needed: int,
             pause: Callable[[float], bool], who: str) -> bool:  # fmt: skip
    """Recall until the centre's rule allows a no-show, then mark it; False when the demo stops first."""
    calls = int(ticket.get("call_count") or 1)
    for _ in range(calls_needed + 1):
        if pause(60):  # a minute for the citizen to answer the call
            return False
        if calls >= calls_needed:
            r = s.post(f"{base}/no-show", timeout=10)
            if r.status_code == 200:
                return True
            if r.json().get("error") != "too_few_calls":
                return False
        if s.post(f"{base}/recall", timeout=10).status_code == 200:
            calls += 1
            say(who, f"gọi lại số {ticket['number']} (lần {calls})")
    return False
