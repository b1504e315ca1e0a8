"""The counter's actions on its current ticket: one enum for routes, store and clients, applied by core rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.core.actions import TicketAction, apply_action
from app.core.errors import Conflict, DomainError
from app.core.ticket import Outcome, State, Ticket

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def called() -> Ticket:
    ticket = Ticket.issue(id=1, day=date(2026, 11, 23), group="HT", number=1, display="A001", now=T0)
    ticket.call(counter=1, clerk="canbo1", now=T0 + timedelta(minutes=5))
    return ticket


def test_each_action_names_its_route_its_event_and_its_verb() -> None:
    assert [(a.value, a.path, a.event) for a in TicketAction] == [
        ("recall", "recall", "ticket.recalled"),
        ("start", "start", "ticket.started"),
        ("finish", "finish", "ticket.finished"),
        ("no_show", "no-show", "ticket.no_show"),
        ("transfer", "transfer", "ticket.transferred"),
    ]
    assert all(a.verb for a in TicketAction)
    assert TicketAction.of("no_show") is TicketAction.NO_SHOW
    assert TicketAction.of(TicketAction.START) is TicketAction.START
    assert TicketAction.START == "start"  # a StrEnum: JSON and older callers see the plain name


def test_an_unknown_action_is_a_domain_error_listing_the_known_ones() -> None:
    with pytest.raises(DomainError) as info:
        TicketAction.of("dance")
    assert info.value.code == "unknown_action"
    assert "no_show" in info.value.message


def test_apply_runs_the_tickets_own_rule_and_says_which_event() -> None:
    now = T0 + timedelta(minutes=6)
    ticket = called()
    assert apply_action(ticket, TicketAction.RECALL, now=now, call_count_max=3) == "ticket.recalled"
    assert ticket.call_count == 2
    assert apply_action(ticket, TicketAction.START, now=now, call_count_max=3) == "ticket.started"
    assert ticket.state is State.SERVING
    assert apply_action(ticket, TicketAction.TRANSFER, now=now, call_count_max=3, group="CT") == "ticket.transferred"
    assert (ticket.state, ticket.group) == (State.WAITING, "CT")
    ticket = called()
    with pytest.raises(Conflict) as info:  # the ticket promises 3 calls before it is cancelled
        apply_action(ticket, TicketAction.NO_SHOW, now=now, call_count_max=3)
    assert info.value.code == "too_few_calls"
    assert "3 lần gọi" in info.value.message
    for _ in range(2):
        apply_action(ticket, TicketAction.RECALL, now=now, call_count_max=3)
    assert apply_action(ticket, TicketAction.NO_SHOW, now=now, call_count_max=3) == "ticket.no_show"
    assert ticket.outcome is Outcome.NO_SHOW


def test_a_recall_past_the_limit_is_a_no_show_event() -> None:
    ticket = called()
    assert apply_action(ticket, TicketAction.RECALL, now=T0 + timedelta(minutes=6), call_count_max=1) == (
        "ticket.no_show"
    )
    assert ticket.outcome is Outcome.NO_SHOW


def test_an_action_the_state_does_not_allow_is_refused_by_the_ticket() -> None:
    with pytest.raises(Conflict) as info:
        apply_action(called(), TicketAction.FINISH, now=T0 + timedelta(minutes=6), call_count_max=3)
    assert info.value.code == "bad_state"
