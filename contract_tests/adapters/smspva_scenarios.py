"""What an SMSPVA client must get right, scripted on the mock: renting, the order list and states
(0 -> activate -> 2 -> 1 -> 0), codes while online (newest first), prolonging inside the window,
deleting, the archive, restoring, and each refusal as its ``msg``."""

from __future__ import annotations

from . import NOT_FOUND
from .driver import KEY, Run, Scenario

P = "smspva"
COUNTRY, SERVICE, DAYS = "RU", "opt6", 7
DAY = 86_400
WINDOW_TEXT = "Prolongation is possible only when fewer than {days} days remain"


def _rent(run: Run) -> int:
    a = run.adapter
    info = run.returns(f"rent({COUNTRY!r}, {DAYS}, service={SERVICE!r})",
                       lambda: a.rent(COUNTRY, DAYS, service=SERVICE))
    newest = max(r["id"] for r in run.control.account(KEY)["rentals"])
    run.expect("rent(): the new order's id", newest, info.id)
    run.number_matches("rent(): the number", info.id, info.number)
    if info.expires_at is not None:
        run.expect("rent(): expires_at (until)", run.rental(info.id)["expires_at"], info.expires_at)
    return info.id


def _state(run: Run, rental_id: int, when: str, expected: int) -> None:
    got = run.returns("get(id)", lambda: run.adapter.get(rental_id))
    run.expect(f"get(id).state {when}", expected, got.state)


def _settings(run: Run) -> dict[str, int]:
    found: dict[str, int] = run.control.settings()["settings"]
    return found


def rent_list_get(run: Run) -> None:
    """A new order: its id, number and until, the order list, state 0, no codes yet."""
    a = run.start("rent, list, get")
    rental_id = _rent(run)
    with run.step():
        listed = run.returns("list()", a.list)
        run.expect("list(): the open orders", [rental_id], [r.id for r in listed])
        run.expect("list(): expires_at (until)", run.rental(rental_id)["expires_at"], listed[0].expires_at)
    _state(run, rental_id, "of a new order (0: not active)", 0)
    run.expect("messages(id) of a new order", [], run.returns("messages(id)", lambda: a.messages(rental_id)))


def activation_and_codes(run: Run) -> None:
    """activate -> 2 -> (queue) 1 -> codes newest first -> (window) 0."""
    a = run.start("activate, online window, codes")
    settings = _settings(run)
    rental_id = _rent(run)
    run.returns("activate(id)", lambda: a.activate(rental_id))
    _state(run, rental_id, "after activate (2: activating)", 2)
    run.control.advance(settings["activation_delay"])
    _state(run, rental_id, "after the activation queue (1: online)", 1)
    number = run.rental(rental_id)["number"]
    run.control.deliver_sms(number, "Your code: 481516")
    run.control.deliver_sms(number, "Your code: 234234")
    run.expect("messages(id), newest first", ["234234", "481516"],
               run.returns("messages(id)", lambda: a.messages(rental_id)))
    run.control.advance(settings["online_window"])
    _state(run, rental_id, "after the online window (0: offline)", 0)


def prolong_and_delete(run: Run) -> None:
    """Prolonging only inside the window; delete ends the order, which goes to the archive."""
    a = run.start("prolong, delete, archive")
    window = _settings(run)["prolong_window_days"]
    rental_id = _rent(run)
    run.refused(f"extend(id, 3) with {DAYS} days left", WINDOW_TEXT.format(days=window),
                lambda: a.extend(rental_id, 3))
    now = int(run.control.clock()["now"])
    run.control.advance(run.rental(rental_id)["expires_at"] - now - window * DAY + 60)
    run.returns("extend(id, 3) inside the window", lambda: a.extend(rental_id, 3))
    run.expect("extend(id, 3): days on the order", DAYS + 3, run.rental(rental_id)["days"])
    run.returns("close(id)", lambda: a.close(rental_id))
    run.expect("close(id): the order has ended", False, run.rental(rental_id)["open"])
    run.refused("get(id) after close", NOT_FOUND, lambda: a.get(rental_id))
    run.refused("activate(id) after close", "Order is closed", lambda: a.activate(rental_id))
    run.refused("close(id) twice", "Order is closed", lambda: a.close(rental_id))
    with run.step():
        run.expect("history(): the deleted order", [rental_id], [r.id for r in run.returns("history()", a.history)])


def expiry_and_restore(run: Run) -> None:
    """Expiry moves the order to the archive; restore is refused without money, then brings it back."""
    a = run.start("expiry, archive, restore")
    rental_id = _rent(run)
    run.refused("restore(id) of an open order", "DATEDIFFINVERT", lambda: a.restore(rental_id))
    run.control.advance(DAYS * DAY + 3600)
    run.refused("get(id) after expiry", NOT_FOUND, lambda: a.get(rental_id))
    with run.step():
        run.expect("history(): the expired order", [rental_id], [r.id for r in run.returns("history()", a.history)])
    run.control.put_account(KEY, balance=0)
    run.refused("restore(id) with a zero balance", "NOBALANCE*", lambda: a.restore(rental_id))
    run.control.put_account(KEY, balance=1000)
    run.returns("restore(id)", lambda: a.restore(rental_id))
    run.expect("restore(id): the order is open again", True, run.rental(rental_id)["open"])
    run.expect("get(id) after restore", rental_id, run.returns("get(id)", lambda: a.get(rental_id)).id)


def refusals(run: Run) -> None:
    """Each refusal as its msg: zero balance, no stock, the concurrency limit, another key's order."""
    a = run.start("low balance", balance="0")
    run.refused("rent() with a zero balance", "Balance is not enough", lambda: a.rent(COUNTRY, DAYS, service=SERVICE))
    a = run.start("stock emptied")
    run.control.set_stock(P, COUNTRY, 0, service=SERVICE)
    run.refused("rent() with no numbers left", "No numbers available", lambda: a.rent(COUNTRY, DAYS, service=SERVICE))
    a = run.start("one order at a time", max_concurrent=1)
    _rent(run)
    run.refused("rent() past the account's limit", "Too many active orders",
                lambda: a.rent(COUNTRY, DAYS, service=SERVICE))
    theirs = run.make_adapter(run.base_url, "conformance-other-key")
    other_id = run.returns("another key's rent()", lambda: theirs.rent(COUNTRY, DAYS, service=SERVICE)).id
    run.refused("messages(id) of another key's order", "order not found", lambda: a.messages(other_id))
    run.refused("close(id) of another key's order", "order not found", lambda: a.close(other_id))


def faults(run: Run) -> None:
    """A provider msg, an HTTP 500 and a body that is not JSON, each from a fault rule."""
    a = run.start("fault rules")
    run.control.add_fault(P, "create", error="Try again later", times=1)
    run.refused("rent() when the provider says 'Try again later'", "Try again later",
                lambda: a.rent(COUNTRY, DAYS, service=SERVICE))
    rental_id = _rent(run)
    run.control.add_fault(P, "orders", http_status=500, times=1)
    run.raises("list() answered with HTTP 500", a.list)
    run.control.add_fault(P, "sms", body="<html>not json</html>", times=1)
    run.raises("messages(id) answered with a body that is not JSON", lambda: a.messages(rental_id))
    run.expect("messages(id) once the faults are used up", [],
               run.returns("messages(id)", lambda: a.messages(rental_id)))


SCENARIOS: list[Scenario] = [rent_list_get, activation_and_codes, prolong_and_delete, expiry_and_restore, refusals,
                             faults]
