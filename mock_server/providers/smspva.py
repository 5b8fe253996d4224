"""SMSPVA rental dialect: ``GET /api/rent.php?method=<name>``.

Parameters are checked against ``schemas/smspva/<method>.request.json`` (its ``x-error`` and
``x-missing-error`` texts are the ``msg`` for a bad or missing value), the World does the work, and the
reply is ``{"status": 1, "data": ...}`` or ``{"status": 0, "msg": "<reason>"}``, always HTTP 200.
Every ``msg`` text the dialect can send is in ``MESSAGES``, ``RESTORE_CODES``, ``smspva_common.TEXTS``
or a request schema's ``x-error`` / ``x-missing-error``; ``schemas/smspva/error.json`` lists them all.
"""

from __future__ import annotations

from sms_rent_mock.schemas.dialects import SMSPVA

from ..domain import World, errors
from . import smspva_archive as archive
from . import smspva_catalog as catalog
from . import smspva_orders as orders
from .dialect import Handler, ServerDialect
from .smspva_common import PROVIDER, TEXTS

# wire name -> handler (which methods are read-only, or only mark SMS read, is the wire dialect's table);
# whether a key is needed is the request schema's business (``apikey`` required)
METHODS: dict[str, Handler] = {
    "getcountries": catalog.getcountries,
    "get_default_services": catalog.get_default_services,
    "get_country_by_service": catalog.get_country_by_service,
    "getdata": catalog.getdata,
    "getdataWithProviders": catalog.getdata_with_providers,
    "getcount": catalog.getcount,
    "getCountWithProviders": catalog.get_count_with_providers,
    "get_count_multi": catalog.get_count_multi,
    "get_days_canada_paypal": catalog.get_days_canada_paypal,
    "get_min_paypal_days": catalog.get_min_paypal_days,
    "create": orders.create,
    "create_multi": orders.create_multi,
    "add_service_to_order": orders.add_service_to_order,
    "orders": orders.orders,
    "activate": orders.activate,
    "sms": orders.sms,
    "prolong": orders.prolong,
    "prolong_max": orders.prolong_max,
    "delete": orders.delete,
    "get_rent_history": archive.get_rent_history,
    "restore_user_precalc": archive.restore_user_precalc,
    "restore_user": archive.restore_user,
}
RESTORE_METHODS = frozenset({"restore_user_precalc", "restore_user"})

# domain error -> msg, for every method but the two restore methods
MESSAGES: dict[type[errors.RentalError], str] = {
    errors.MissingKey: "API key is required",
    errors.UnknownKey: "Wrong API key",
    errors.AccountBlocked: "Account is blocked",
    errors.ApiAccessDisabled: "API access is disabled for this account",
    errors.IpNotAllowed: "Access from this IP address is not allowed",
    errors.IdentificationRequired: "Account identification is required",
    errors.InsufficientBalance: "Balance is not enough",
    errors.OutOfStock: "No numbers available",
    errors.TooManyRentals: "Too many active orders",
    errors.RateLimited: "Too many requests",
    errors.DuplicateOperation: "Duplicate request",
    errors.TryAgainLater: "Try again later",
    errors.UnknownCountry: "Country not found",
    errors.UnknownService: "Service not found",
    errors.UnknownOperator: "Provider not found",
    errors.InvalidPeriod: "Incorrect period",
    errors.RentalNotFound: "order not found",
    errors.NotOwner: "order not found",
    errors.RentalEnded: "Order is closed",
    errors.NumberGone: "Phone number is not in the system",
    errors.ServiceAlreadyOnOrder: "Service is already in the order",
    errors.ProlongNotAllowed: "Prolongation is possible only when fewer than {window} days remain",
    errors.BeyondMaxTerm: "Prolongation would pass the {term}-day maximum",
}

# restore_user_precalc / restore_user: SMSPVA's documented codes, each from its real cause
RESTORE_CODES: dict[type[errors.RentalError], str] = {
    errors.NotOwner: "NOTOWNER",
    errors.NotInArchive: "NOREMOTEDATA",
    errors.RentalNotFound: "NOREMOTEDATA",
    errors.NotYetExpired: "DATEDIFFINVERT",
    errors.NumberUnavailable: "NOAVAILDAYS",
    errors.CountryWithdrawn: "NOORDERCOUNTRY",
    errors.ServiceWithdrawn: "NOSERVICEDATA",
    errors.InsufficientBalance: "NOBALANCE: Today need {amount} USD",
}


def message_for(world: World, method: str, exc: errors.RentalError) -> str:
    """The ``msg`` for a domain refusal of ``method``, with its figures filled in."""
    table = RESTORE_CODES if method in RESTORE_METHODS and type(exc) in RESTORE_CODES else MESSAGES
    template = table.get(type(exc))
    if template is None:
        return f"Incorrect {exc.name}" if isinstance(exc, errors.InvalidParameter) else TEXTS["bad_parameters"]
    s = world.settings
    return template.format(window=s.prolong_window_days, term=s.max_term_days,
                           amount=f"{getattr(exc, 'needed', 0):.2f}")


DIALECT = ServerDialect(SMSPVA, METHODS, message_for)
