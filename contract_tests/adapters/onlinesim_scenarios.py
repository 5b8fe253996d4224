"""What an OnlineSim client must get right, scripted on the mock: balance, renting, listing, reading a
rental and its codes (newest first), extending, closing, expiry, and each refusal as its code."""

from __future__ import annotations

from decimal import Decimal

from . import NOT_FOUND
from .driver import KEY, Run, Scenario

P = "onlinesim"
COUNTRY, ISO, DAYS = "7", "RU", 7
DAY = 86_400


def _rent(run: Run, days: int = DAYS) -> int:
    a = run.adapter
    info = run.returns(f"rent({COUNTRY!r}, {days})", lambda: a.rent(COUNTRY, days))
    newest = max(r["id"] for r in run.control.account(KEY)["rentals"])
    run.expect("rent(): the new rental's id", newest, info.id)
    run.number_matches("rent(): the number", info.id, info.number)
    return info.id


def _sms(run: Run, rental_id: int, code: str) -> None:
    run.control.deliver_sms(run.rental(rental_id)["number"], f"Your code: {code}", sender="Kit", service="Kit")


def balance(run: Run) -> None:
    """The balance the account has, to the cent."""
    a = run.start("balance", balance="123.45")
    run.expect("balance()", Decimal("123.45"), run.returns("balance()", a.balance))


def rent_list_get_messages(run: Run) -> None:
    """A new rental: its id and number, the list, its state, and codes arriving newest first."""
    a = run.start("rent, list, get, messages")
    rental_id = _rent(run)
    with run.step():
        run.expect("balance() after renting", run.balance(), run.returns("balance()", a.balance))
    with run.step():
        run.expect("list(): the open rentals", [rental_id], [r.id for r in run.returns("list()", a.list)])
    got = run.returns("get(id)", lambda: a.get(rental_id))
    run.expect("get(id).id", rental_id, got.id)
    run.expect("get(id).state before any SMS (0: waiting)", 0, got.state)
    run.expect("messages(id) before any SMS", [], run.returns("messages(id)", lambda: a.messages(rental_id)))
    _sms(run, rental_id, "481516")
    _sms(run, rental_id, "234234")
    run.expect("messages(id), newest first", ["234234", "481516"],
               run.returns("messages(id)", lambda: a.messages(rental_id)))
    run.expect("get(id).state after the first SMS (1: confirmed)", 1,
               run.returns("get(id)", lambda: a.get(rental_id)).state)


def extend_and_close(run: Run) -> None:
    """Extending adds days (and charges); closing ends the rental, which is then not found."""
    a = run.start("extend, close")
    rental_id = _rent(run)
    run.returns("extend(id, 7)", lambda: a.extend(rental_id, 7))
    run.expect("extend(id, 7): days on the rental", DAYS + 7, run.rental(rental_id)["days"])
    with run.step():
        run.expect("balance() after extending", run.balance(), run.returns("balance()", a.balance))
    run.refused("extend(id, 2): 2 is no extension period", "UNDEFINED_DAYS", lambda: a.extend(rental_id, 2))
    run.returns("close(id)", lambda: a.close(rental_id))
    run.expect("close(id): the rental has ended", False, run.rental(rental_id)["open"])
    run.refused("get(id) after close", NOT_FOUND, lambda: a.get(rental_id))
    with run.step():
        run.expect("list() after close", [], [r.id for r in run.returns("list()", a.list)])


def expiry(run: Run) -> None:
    """Once the paid time ran out: not found, and extend and close refused with their codes."""
    a = run.start("the clock passes the expiry")
    rental_id = _rent(run, 1)
    _sms(run, rental_id, "777888")  # confirmed, so the guard window does not close it first
    run.control.advance(DAY + 60)
    run.refused("get(id) after expiry", NOT_FOUND, lambda: a.get(rental_id))
    run.refused("extend(id, 1) after expiry", "LIFICYCLE_NUM_EXPIRED", lambda: a.extend(rental_id, 1))
    run.refused("close(id) after expiry", "NO_COMPLETE_TZID", lambda: a.close(rental_id))


def refusals(run: Run) -> None:
    """Each refusal as its code: zero balance, no stock, the concurrency limit, an unknown period."""
    a = run.start("low balance", balance="0")
    run.refused("rent() with a zero balance", "WARNING_LOW_BALANCE", lambda: a.rent(COUNTRY, DAYS))
    a = run.start("stock emptied")
    run.control.set_stock(P, ISO, 0)
    run.refused("rent() with no numbers left", "NO_NUMBER", lambda: a.rent(COUNTRY, DAYS))
    a = run.start("one rental at a time", max_concurrent=1)
    _rent(run)
    run.refused("rent() past the account's limit", "EXCEEDED_CONCURRENT_OPERATIONS", lambda: a.rent(COUNTRY, DAYS))
    a = run.start("unknown period")
    run.refused("rent(country, 2): 2 days is no tariff", "UNDEFINED_DAYS", lambda: a.rent(COUNTRY, 2))


def faults(run: Run) -> None:
    """A provider code, an HTTP 500 and a body that is not JSON, each from a fault rule."""
    a = run.start("fault rules")
    run.control.add_fault(P, "getRentNum", error="TRY_AGAIN_LATER", times=1)
    run.refused("rent() when the provider says TRY_AGAIN_LATER", "TRY_AGAIN_LATER", lambda: a.rent(COUNTRY, DAYS))
    rental_id = _rent(run)
    run.control.add_fault(P, "getRentState", error="ERROR_WRONG_TZID", times=1)
    run.refused("get(id) when the provider says ERROR_WRONG_TZID", "ERROR_WRONG_TZID", lambda: a.get(rental_id))
    run.control.add_fault(P, "getRentState", http_status=500, times=1)
    run.raises("get(id) answered with HTTP 500", lambda: a.get(rental_id))
    run.control.add_fault(P, "getRentState", body="<html>not json</html>", times=1)
    run.raises("get(id) answered with a body that is not JSON", lambda: a.get(rental_id))
    run.expect("get(id) once the faults are used up", rental_id, run.returns("get(id)", lambda: a.get(rental_id)).id)


SCENARIOS: list[Scenario] = [balance, rent_list_get_messages, extend_and_close, expiry, refusals, faults]
