"""SMSPVA order methods: rent, add a service, list, activate, read SMS, prolong, delete.

An order's ``state`` is derived from its number's line state when read: 0 offline, 2 queued for
activation (``ACTIVATION_DELAY``), 1 online (for ``ONLINE_WINDOW``), -1 the number left the system.
"""

from __future__ import annotations

from typing import Any

from ..exchange import Reply

from ..domain import Catalog, CloseReason, Message, Rental, RentRequest, World
from .smspva_catalog import min_days
from .smspva_common import (PROVIDER, TEXTS, Refusal, days_of, documented, iso, number, ok, order_state, service_info,
                            service_list, service_names)


def _order_id(values: dict[str, str]) -> int:
    return int(values["id"].strip())


def _rent(world: World, values: dict[str, str], method: str, services: tuple[str, ...]) -> Reply:
    country, days = iso(values), days_of(values)
    shortest = max(min_days(world, country, s) for s in services)
    if days < shortest:
        raise Refusal(TEXTS["short_period"].format(days=shortest))
    operator = values.get("provider", "").strip() or None
    rental = world.rent(values["apikey"], RentRequest(
        PROVIDER, country, days, services=services, operator=operator, needs_activation=True,
        fingerprint=f"{PROVIDER}:{country}:{','.join(services)}:{days}:{operator or ''}"))
    return ok(method, {"id": rental.id, "pnumber": rental.phone, "ccode": f"+{rental.dial}",
                       "service": ",".join(rental.services), "until": rental.expires_at})


def create(world: World, values: dict[str, str]) -> Reply:
    return _rent(world, values, "create", service_list(values["service"]))


def create_multi(world: World, values: dict[str, str]) -> Reply:
    return _rent(world, values, "create_multi", service_list(values["services"]))


def add_service_to_order(world: World, values: dict[str, str]) -> Reply:
    """Adds a service to the same order (and number); charged for ``rent_days`` (1 or 7, default 7)."""
    apikey, order_id, service = values["apikey"], _order_id(values), values["service"].strip()
    rental = world.rental(apikey, order_id, PROVIDER)
    if number(values["pnumber"]) not in (rental.number, rental.phone):
        raise Refusal(TEXTS["wrong_number"])
    rental = world.add_service(apikey, order_id, PROVIDER, service, int(values.get("rent_days", "").strip() or 7))
    if documented():
        return ok("add_service_to_order", with_data=False)
    return ok("add_service_to_order", {"id": rental.id, "pnumber": rental.phone, "service": service,
                                       "until": rental.expires_at})


def order_row(world: World, rental: Rental, now: int, catalog: Catalog | None = None) -> dict[str, Any]:
    """One row of ``orders``; the prolong fields come from the domain's prolong limits."""
    can, most, latest = world.prolong_limits(rental, now)
    if rental.gone:
        can, most, latest = False, 0, rental.expires_at
    return {"id": rental.id, "scode": ",".join(rental.services),
            "sname": service_names(catalog or world.catalog(), rental.services),
            "state": order_state(rental, now), "pnumber": rental.phone, "ccode": f"+{rental.dial}",
            "cname": rental.country, "hasnewsms": rental.unread > 0, "until": rental.expires_at,
            "canprolong": can, "canprolongmax": most, "canprolonguntil": latest,
            "lastonline": rental.last_online(now)}


def orders(world: World, values: dict[str, str]) -> Reply:
    with world.view(values["apikey"]) as v:
        rows = [order_row(world, r, v.now, v.catalog) for r in v.open_rentals(PROVIDER)]
    return ok("orders", rows)


def activate(world: World, values: dict[str, str]) -> Reply:
    rental = world.activate(values["apikey"], _order_id(values), PROVIDER)
    return ok("activate", {"id": rental.id})


def _labels(catalog: Catalog, rental: Rental) -> set[str]:
    """Lower-case names and senders of the order's services, to recognise SMS sent for them."""
    return {label.lower() for code in rental.services for label in (code, service_info(catalog, code).get("name", ""),
                                                                    service_info(catalog, code).get("sender", ""))
            if label}


def for_order(message: Message, labels: set[str]) -> bool:
    """An SMS belongs to the order when its service (or, lacking one, its sender) is one of the order's;
    one that names neither is counted for the order too."""
    if message.service:
        return message.service.lower() in labels
    return not message.sender or message.sender.lower() in labels


def _sms_item(catalog: Catalog, message: Message) -> dict[str, Any]:
    sender = message.sender or service_info(catalog, message.service).get("sender", "") or message.service
    return {"text": message.text, "sender": sender, "date": message.at}


def sms(world: World, values: dict[str, str]) -> Reply:
    """Every SMS the order's number received, newest first; reading them clears ``hasnewsms``."""
    rental = world.rental(values["apikey"], _order_id(values), PROVIDER)  # a read, like the messages
    messages = world.messages(rental, mark_read=True)  # writes only when something was unread
    catalog = world.catalog()
    if documented():
        return ok("sms", [_sms_item(catalog, m) for m in messages])
    labels = _labels(catalog, rental)
    return ok("sms", {"SmsList": [_sms_item(catalog, m) for m in messages if for_order(m, labels)],
                      "OtherSms": [_sms_item(catalog, m) for m in messages if not for_order(m, labels)]})


def prolong(world: World, values: dict[str, str]) -> Reply:
    """Weeks or months, only while fewer than ``PROLONG_WINDOW_DAYS`` remain and within the maximum term."""
    rental = world.extend(values["apikey"], _order_id(values), PROVIDER, days_of(values), windowed=True)
    return ok("prolong", {"id": rental.id})


def prolong_max(world: World, values: dict[str, str]) -> Reply:
    """Days (``dtype=day``), under the same window and maximum term as ``prolong``."""
    rental = world.extend(values["apikey"], _order_id(values), PROVIDER, days_of(values, default_type="day"),
                          windowed=True)
    return ok("prolong_max", {"id": rental.id})


def delete(world: World, values: dict[str, str]) -> Reply:
    """Removes the order to the archive; refunded only if its number never received an SMS."""
    rental = world.close(values["apikey"], _order_id(values), PROVIDER, reason=CloseReason.DELETED)
    return ok("delete", {"id": rental.id})
