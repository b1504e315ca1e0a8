"""From what the centre service answers when a ticket is issued to what goes on the paper."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.core.clock import from_iso
from printing.layouts import TicketPrint, ticket_advice


def counter_label(counter: Mapping[str, Any]) -> str:
    """Counters print by number when they have one ("3"), else by name."""
    name = str(counter.get("name") or counter["id"])
    digits = "".join(ch for ch in name if ch.isdigit())
    return digits or name


def follow_url(ticket: Mapping[str, Any], base_url: str | None) -> str | None:
    """The ticket's follow-your-turn page, by the unguessable key the service gave it (`follow`): the one address
    for the ticket's QR on paper and on the kiosk screen. None when no address phones can open is known."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/t/{ticket.get('follow') or ticket['id']}"


def ticket_print(
    ticket: Mapping[str, Any],
    *,
    centre_name: str,
    groups: Sequence[Mapping[str, Any]],
    counters: Sequence[Mapping[str, Any]],
    priorities: Sequence[Mapping[str, Any]] = (),
    base_url: str | None = None,
) -> TicketPrint:
    group = next((g for g in groups if g["code"] == ticket["group"]), None)
    serving = tuple(counter_label(c) for c in counters if ticket["group"] in c.get("groups", {}))
    priority = next((p["name"] for p in priorities if p["code"] == ticket.get("priority")), ticket.get("priority"))
    return TicketPrint(
        centre_name=centre_name,
        group_name=str(group["name"]) if group else str(ticket["group"]),
        number=str(ticket["number"]),
        counters=serving,
        people_ahead=int(ticket.get("people_ahead", 0)),
        estimated_wait_s=ticket.get("estimated_wait_s"),
        issued_at=from_iso(str(ticket["issued_at"])),
        follow_url=follow_url(ticket, base_url),
        priority=priority,
        advice=ticket_advice(int(ticket.get("no_show_after_calls") or 3)),
    )
