"""Lifecycle guards as one table: what each rental state allows, and which refusal each failed check gives.

A rental's state is derived from its record and `now` (``state``). ``GUARDS`` lists, per action, the
refusal for an id with no rental behind it and then the preconditions in the order they are checked;
the first that fails names the error. ``check`` applies the table, so every World method refuses the
same thing the same way, and README's life-cycle table is rendered from it (``markdown_table``).
Pure: no SQL, no Flask, no provider names; what only the store or the catalog knows arrives in ``Facts``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from .errors import (BeyondMaxTerm, CountryWithdrawn, NeedsExtension, NotInArchive, NotOwner, NotYetExpired,
                     NumberGone, NumberUnavailable, ProlongNotAllowed, ReloadNotAvailable, RentalEnded, RentalError,
                     RentalNotFound, ServiceAlreadyOnOrder, ServiceWithdrawn, UnknownCountry, UnknownService)
from .rentals import DAY, LineState, Rental
from .settings import Settings


class State(StrEnum):
    """What a rental is now; the first that applies, in this order: ended, gone, frozen, guarded, line."""

    AWAITING = "awaiting activation"
    ACTIVATING = "activating"
    GUARDED = "guarded"
    ONLINE = "online"
    FROZEN = "frozen"
    GONE = "gone"
    CLOSED = "closed"
    EXPIRED = "expired"


MEANING = {
    State.AWAITING: "open; its number must be switched on (the `activate` call) and is offline",
    State.ACTIVATING: "queued: online once the activation delay has passed",
    State.GUARDED: "waiting for its first SMS inside the refundable guard window",
    State.ONLINE: "open and able to receive SMS",
    State.FROZEN: "open, but its port is frozen (set through the control API)",
    State.GONE: "open, but its number has left the system",
    State.CLOSED: "ended (closed or deleted) with paid time left",
    State.EXPIRED: "ended, and its paid time has run out",
}


class Action(StrEnum):
    VIEW = "view"                # see the rental and its SMS
    EXTEND = "extend"            # add days (an extension)
    PROLONG = "prolong"          # add days within the prolong window and the maximum term
    CLOSE = "close"
    RELOAD_PORT = "reload_port"
    UNFREEZE = "unfreeze"
    ACTIVATE = "activate"
    ADD_SERVICE = "add_service"
    RESTORE = "restore"          # bring an archived rental back


OPEN = frozenset(State) - {State.CLOSED, State.EXPIRED}
_DEFAULTS = Settings()
_LINE = {LineState.OFFLINE: State.AWAITING, LineState.ACTIVATING: State.ACTIVATING}  # ONLINE otherwise


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a check may look at besides the rental: the caller, the request, and what only the
    store (``number_taken``) or the catalog (``withdrawn``: its refusal of the rental's offers) knows."""

    apikey: str | None
    provider: str
    now: int
    settings: Settings = _DEFAULTS
    days: int = 0
    service: str = ""
    withdrawn: RentalError | None = None
    number_taken: bool = False


Rule = Callable[[Rental, Facts], bool]


@dataclass(frozen=True, slots=True)
class Precondition:
    """One check: a state rule (``states`` it holds in) or a request rule (``holds``); ``detail`` words the error."""

    text: str
    error: type[RentalError]
    states: frozenset[State] | None = None
    holds: Rule | None = None
    detail: Callable[[Rental, Facts], str] | None = None

    def passes(self, rental: Rental, facts: Facts) -> bool:
        if self.states is not None:
            return state(rental, facts.now) in self.states
        return self.holds is None or self.holds(rental, facts)


@dataclass(frozen=True, slots=True)
class Guard:
    """One action's row: the refusal for an id with no rental of the provider, then the ordered checks."""

    missing: type[RentalError]
    preconditions: tuple[Precondition, ...]


def state(rental: Rental, now: int) -> State:
    """The rental's state at ``now`` (see ``State`` for the order)."""
    if not rental.is_open:
        return State.EXPIRED if rental.expires_at <= now else State.CLOSED
    if rental.gone:
        return State.GONE
    if rental.frozen:
        return State.FROZEN
    if rental.guarding(now):
        return State.GUARDED
    return _LINE.get(rental.line_state(now), State.ONLINE)


def prolong_window(rental: Rental, now: int, settings: Settings) -> tuple[bool, int]:
    """(inside the prolong window now, most further days within the guaranteed maximum term)."""
    in_window = rental.expires_at - now < settings.prolong_window_days * DAY
    max_days = max(0, (rental.created_at + settings.max_term_days * DAY - rental.expires_at) // DAY)
    return in_window, max_days


def _number_available(r: Rental, f: Facts) -> bool:
    guaranteed_until = r.created_at + f.settings.max_term_days * DAY
    return not r.gone and not f.number_taken and f.now + f.settings.restore_prepaid_days * DAY <= guaranteed_until


OWNER = Precondition("the caller's key holds it", NotOwner, holds=lambda r, f: r.apikey == f.apikey)
IS_OPEN = Precondition("it is open", RentalEnded, states=OPEN)
NOT_GONE = Precondition("its number is in the system", NumberGone, states=frozenset(State) - {State.GONE})

GUARDS: dict[Action, Guard] = {
    Action.VIEW: Guard(RentalNotFound, (OWNER,)),
    Action.EXTEND: Guard(RentalNotFound, (OWNER, IS_OPEN, NOT_GONE)),
    Action.PROLONG: Guard(RentalNotFound, (
        OWNER, IS_OPEN, NOT_GONE,
        Precondition("fewer days than the prolong window remain", ProlongNotAllowed,
                     holds=lambda r, f: not f.days or prolong_window(r, f.now, f.settings)[0]),
        Precondition("the days fit in the maximum term", BeyondMaxTerm,
                     holds=lambda r, f: f.days <= prolong_window(r, f.now, f.settings)[1],
                     detail=lambda r, f: f"at most {prolong_window(r, f.now, f.settings)[1]} more days are possible "
                                         f"within the {f.settings.max_term_days}-day term"))),
    Action.CLOSE: Guard(RentalNotFound, (OWNER, IS_OPEN)),
    Action.RELOAD_PORT: Guard(RentalNotFound, (
        OWNER, IS_OPEN,
        Precondition("the reload cooldown has passed", ReloadNotAvailable,
                     holds=lambda r, f: not r.reload_wait(f.now, f.settings.reload_cooldown)),
        Precondition("at least an hour is left", NeedsExtension, holds=lambda r, f: r.expires_at - f.now >= 3600,
                     detail=lambda r, f: "less than an hour is left: extend the rental before reloading its port"))),
    Action.UNFREEZE: Guard(RentalNotFound, (OWNER, IS_OPEN)),
    Action.ACTIVATE: Guard(RentalNotFound, (OWNER, IS_OPEN, NOT_GONE)),
    Action.ADD_SERVICE: Guard(RentalNotFound, (
        OWNER,
        Precondition("the service is not on it yet", ServiceAlreadyOnOrder,
                     holds=lambda r, f: f.service not in r.services,
                     detail=lambda r, f: f"service {f.service!r} is already on this order"),
        IS_OPEN, NOT_GONE)),
    # the provider documents this order; another key's open rental stays invisible, as everywhere else
    Action.RESTORE: Guard(NotInArchive, (
        Precondition("it is not another key's open rental", NotInArchive,
                     holds=lambda r, f: not r.is_open or r.apikey == f.apikey),
        Precondition("it has ended", NotYetExpired, states=frozenset({State.CLOSED, State.EXPIRED})),
        OWNER,
        Precondition("its country is still offered", CountryWithdrawn,
                     holds=lambda r, f: not isinstance(f.withdrawn, UnknownCountry)),
        Precondition("its service is still offered", ServiceWithdrawn,
                     holds=lambda r, f: not isinstance(f.withdrawn, UnknownService)),
        Precondition("its paid time has run out", NotYetExpired, states=frozenset({State.EXPIRED})),
        Precondition("its number is free and the prepaid days fit in the maximum term", NumberUnavailable,
                     holds=_number_available))),
}


def check(action: Action, rental: Rental | None, facts: Facts) -> Rental:
    """The rental, if ``action`` may run on it now; else the first failed precondition's error."""
    guard = GUARDS[action]
    if rental is None or rental.provider != facts.provider:
        raise guard.missing()
    for precondition in guard.preconditions:
        if not precondition.passes(rental, facts):
            detail = precondition.detail
            raise precondition.error(detail(rental, facts)) if detail else precondition.error()
    return rental


def refusal(action: Action, at: State) -> type[RentalError] | None:
    """The error ``action`` gives in state ``at`` when every request rule holds (None: allowed)."""
    for precondition in GUARDS[action].preconditions:
        if precondition.states is not None and at not in precondition.states:
            return precondition.error
    return None


def markdown_table() -> str:
    """README's section body: the states, then per action its checks in order and what each state answers."""
    lines = [f"- **{s}**: {MEANING[s]}" for s in State]
    head = ["action", "checks, in order (refusal)", *(str(s) for s in State)]
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for action, guard in GUARDS.items():
        checks = [f"exists ({guard.missing.__name__})"]
        checks += [f"{p.text} ({p.error.__name__})" for p in guard.preconditions]
        cells = [refusal(action, s) for s in State]
        lines.append("| " + " | ".join([f"`{action}`", "; ".join(checks),
                                         *("yes" if c is None else c.__name__ for c in cells)]) + " |")
    return "\n".join(lines) + "\n"
