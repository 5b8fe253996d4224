"""The guards table: every (state, action) pair against the real World, check()'s order, and README's copy."""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask

from sms_rent_mock.mock_server.domain import RentRequest, World, admin, clock, errors
from sms_rent_mock.mock_server.domain.guards import GUARDS, MEANING, Action, Facts, State, check, markdown_table, refusal, state
from sms_rent_mock.mock_server.domain.rentals import DAY, CloseReason, Rental

from .conftest import START, make_app

KEY, OTHER, P = "guards-key", "guards-other", "smspva"
README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Rental life cycle: what each state allows"


# -- the walk: each state made with the domain's own operations and the clock ----------------------------

@pytest.fixture
def world() -> Iterator[World]:
    app: Flask = make_app(PROLONG_WINDOW_DAYS=30)  # a week's rental is inside the prolong window at once
    found: World = app.extensions["rental_world"]
    yield found
    found.store.close()


def rent(world: World, **flags: bool) -> int:
    return world.rent(KEY, RentRequest(P, "RU", 7, services=("opt6",), **flags)).id


def advance(world: World, seconds: int) -> None:
    world.change_clock(lambda s: clock.advanced(s, seconds))


def _activating(world: World) -> int:
    rental_id = rent(world, needs_activation=True)
    world.activate(KEY, rental_id, P)
    return rental_id


def _patched(**change: bool) -> Callable[[World], int]:
    def make(world: World) -> int:
        rental_id = rent(world)
        admin.patch_rental(world, rental_id, **change)
        return rental_id
    return make


def _closed(world: World) -> int:
    rental_id = rent(world)
    world.close(KEY, rental_id, P, reason=CloseReason.DELETED)
    return rental_id


def _expired(world: World) -> int:
    rental_id = rent(world)
    advance(world, 8 * DAY)
    return rental_id


MAKE: dict[State, Callable[[World], int]] = {
    State.AWAITING: lambda w: rent(w, needs_activation=True),
    State.ACTIVATING: _activating,
    State.GUARDED: lambda w: rent(w, guarded=True),
    State.ONLINE: rent,
    State.FROZEN: _patched(frozen=True),
    State.GONE: _patched(gone=True),
    State.CLOSED: _closed,
    State.EXPIRED: _expired,
}

ACT: dict[Action, Callable[[World, int], object]] = {
    Action.VIEW: lambda w, i: w.rental(KEY, i, P),
    Action.EXTEND: lambda w, i: w.extend(KEY, i, P, 7, windowed=False),
    Action.PROLONG: lambda w, i: w.extend(KEY, i, P, 7, windowed=True),
    Action.CLOSE: lambda w, i: w.close(KEY, i, P, reason=CloseReason.CLOSED),
    Action.RELOAD_PORT: lambda w, i: w.reload_port(KEY, i, P),
    Action.UNFREEZE: lambda w, i: w.unfreeze(KEY, i, P),
    Action.ACTIVATE: lambda w, i: w.activate(KEY, i, P),
    Action.ADD_SERVICE: lambda w, i: w.add_service(KEY, i, P, "opt2", 7),
    Action.RESTORE: lambda w, i: w.restore(KEY, i, P),
}


def test_the_walk_covers_every_state_and_action() -> None:
    assert set(MAKE) == set(State)
    assert set(ACT) == set(GUARDS) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("at", list(State))
def test_each_state_allows_or_refuses_each_action_as_the_table_says(world: World, at: State, action: Action) -> None:
    rental_id = MAKE[at](world)
    assert state(world.rental(KEY, rental_id, P), world.now()) is at
    expected = refusal(action, at)
    if expected is None:
        ACT[action](world, rental_id)
    else:
        with pytest.raises(errors.RentalError) as caught:
            ACT[action](world, rental_id)
        assert type(caught.value) is expected
    assert world.audit() == []


# -- check() on its own: the order of the checks --------------------------------------------------------

NOW = START
BASE = Rental(id=1, apikey=KEY, provider=P, country="RU", dial="7", phone="9000000000", services=("opt6",),
              operator="MTS", period=0, days=7, auto_renew=False, needs_activation=False, created_at=NOW,
              expires_at=NOW + 7 * DAY, guard_until=None, online_from=None, online_until=None, reload_at=None,
              frozen=False, gone=False, last_read_sms=0, closed_at=None, close_reason=None, paid=Decimal(0),
              first_sms_at=None, unread=0)
DELETED = dataclasses.replace(BASE, closed_at=NOW, close_reason="deleted")
EXPIRED = dataclasses.replace(BASE, expires_at=NOW - DAY, closed_at=NOW - DAY, close_reason="expired")


def facts(**change: Any) -> Facts:
    return dataclasses.replace(Facts(KEY, P, NOW), **change)


def refused(action: Action, rental: Rental | None, given: Facts | None = None) -> type[errors.RentalError]:
    with pytest.raises(errors.RentalError) as caught:
        check(action, rental, given or facts())
    return type(caught.value)


def test_a_missing_rental_or_one_of_another_provider_is_not_found() -> None:
    assert refused(Action.CLOSE, None) is errors.RentalNotFound
    assert refused(Action.VIEW, dataclasses.replace(BASE, provider="onlinesim")) is errors.RentalNotFound
    assert refused(Action.RESTORE, None) is errors.NotInArchive


def test_another_keys_rental_is_not_owned_before_it_is_ended() -> None:
    assert refused(Action.CLOSE, DELETED, facts(apikey=OTHER)) is errors.NotOwner
    assert refused(Action.VIEW, BASE, facts(apikey=OTHER)) is errors.NotOwner
    assert check(Action.VIEW, DELETED, facts()) is DELETED


def test_a_service_already_on_the_order_is_refused_before_its_end_or_its_number() -> None:
    assert refused(Action.ADD_SERVICE, DELETED, facts(service="opt6")) is errors.ServiceAlreadyOnOrder
    assert refused(Action.ADD_SERVICE, DELETED, facts(service="opt2")) is errors.RentalEnded
    assert refused(Action.ADD_SERVICE, dataclasses.replace(BASE, gone=True), facts(service="opt2")) is errors.NumberGone


def test_prolong_keeps_the_window_then_the_term() -> None:
    assert refused(Action.PROLONG, BASE, facts(days=7)) is errors.ProlongNotAllowed
    assert check(Action.PROLONG, BASE, facts(days=0)) is BASE
    late = dataclasses.replace(BASE, created_at=NOW - 85 * DAY, expires_at=NOW + 2 * DAY)
    with pytest.raises(errors.BeyondMaxTerm, match="at most 3 more days"):
        check(Action.PROLONG, late, facts(days=7))
    assert check(Action.PROLONG, late, facts(days=3)) is late
    assert check(Action.EXTEND, BASE, facts(days=7)) is BASE  # no window for an extension


def test_reload_waits_for_the_cooldown_before_asking_for_an_extension() -> None:
    short = dataclasses.replace(BASE, expires_at=NOW + 600, reload_at=NOW - 60)
    assert refused(Action.RELOAD_PORT, short) is errors.ReloadNotAvailable
    assert refused(Action.RELOAD_PORT, short, facts(now=NOW + 540)) is errors.NeedsExtension
    assert check(Action.RELOAD_PORT, BASE, facts()) is BASE


def test_restore_refusals_follow_the_documented_order() -> None:
    assert refused(Action.RESTORE, BASE, facts(apikey=OTHER)) is errors.NotInArchive  # invisible
    assert refused(Action.RESTORE, BASE) is errors.NotYetExpired
    assert refused(Action.RESTORE, EXPIRED, facts(apikey=OTHER)) is errors.NotOwner
    gone_country = facts(withdrawn=errors.UnknownCountry())
    assert refused(Action.RESTORE, DELETED, gone_country) is errors.CountryWithdrawn  # before "not expired"
    assert refused(Action.RESTORE, EXPIRED, facts(withdrawn=errors.UnknownService())) is errors.ServiceWithdrawn
    assert refused(Action.RESTORE, DELETED) is errors.NotYetExpired
    assert refused(Action.RESTORE, EXPIRED, facts(number_taken=True)) is errors.NumberUnavailable
    assert refused(Action.RESTORE, dataclasses.replace(EXPIRED, gone=True)) is errors.NumberUnavailable
    assert refused(Action.RESTORE, EXPIRED, facts(now=NOW + 61 * DAY)) is errors.NumberUnavailable
    assert check(Action.RESTORE, EXPIRED, facts(now=NOW + 60 * DAY)) is EXPIRED


def test_state_takes_the_first_that_applies() -> None:
    assert state(dataclasses.replace(DELETED, gone=True), NOW) is State.CLOSED
    assert state(dataclasses.replace(DELETED, gone=True), NOW + 7 * DAY) is State.EXPIRED
    assert state(dataclasses.replace(BASE, gone=True, frozen=True), NOW) is State.GONE
    guarded = dataclasses.replace(BASE, guard_until=NOW + 60, frozen=True)
    assert state(guarded, NOW) is State.FROZEN
    assert state(dataclasses.replace(guarded, frozen=False), NOW) is State.GUARDED
    assert state(dataclasses.replace(guarded, frozen=False, first_sms_at=NOW), NOW) is State.ONLINE
    queued = dataclasses.replace(BASE, needs_activation=True, online_from=NOW + 60, online_until=NOW + 120)
    assert [state(queued, t) for t in (NOW, NOW + 60, NOW + 120)] == [State.ACTIVATING, State.ONLINE, State.AWAITING]


def test_refusal_names_the_first_failing_state_rule() -> None:
    assert refusal(Action.RESTORE, State.ONLINE) is errors.NotYetExpired
    assert refusal(Action.RESTORE, State.EXPIRED) is None
    assert refusal(Action.CLOSE, State.GONE) is None
    assert refusal(Action.ACTIVATE, State.GONE) is errors.NumberGone


# -- README's copy of the table -------------------------------------------------------------------------

def test_the_table_names_every_state_action_and_refusal() -> None:
    table = markdown_table()
    assert set(MEANING) == set(State)
    for action, guard in GUARDS.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{action}` |"))
        assert row.count(" | ") == len(State) + 1
        assert all(p.error.__name__ in row for p in guard.preconditions)


def test_readme_section_is_the_generated_table() -> None:
    text = README.read_text(encoding="utf-8")
    assert SECTION in text, f"README.md lacks {SECTION!r}"
    body = text.split(SECTION + "\n\n", 1)[1].split("\n## ", 1)[0]
    table = body.split("\n\n", 1)[1]  # after the one introductory paragraph
    assert table.strip() == markdown_table().strip(), "README's table is stale: paste guards.markdown_table()"
