"""One exception per business failure. Providers map the class to their own code in one dict."""

from __future__ import annotations

from decimal import Decimal


class RentalError(Exception):
    """Root of every refusal the domain makes; ``detail`` is a human sentence for logs and docs."""

    detail = "the operation was refused"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        if detail:
            self.detail = detail


class InvalidParameter(RentalError):
    """A parameter is missing, of the wrong type or out of range."""

    def __init__(self, name: str, detail: str | None = None) -> None:
        self.name = name
        super().__init__(detail or f"parameter {name!r} is missing or invalid")


class MissingKey(RentalError):
    detail = "no API key was given"


class UnknownKey(RentalError):
    detail = "the API key is not known (strict keys)"


class AccountBlocked(RentalError):
    detail = "the account is blocked"


class ApiAccessDisabled(RentalError):
    detail = "API access is switched off for this account"


class IpNotAllowed(RentalError):
    detail = "calls from this IP address are not allowed for this account"


class IdentificationRequired(RentalError):
    detail = "the account must pass identification before ordering"


class NeedsExtension(RentalError):
    detail = "the rental must be extended first"


class InsufficientBalance(RentalError):
    """The balance is below the price; ``needed`` is the price asked."""

    def __init__(self, needed: Decimal) -> None:
        self.needed = needed
        super().__init__(f"balance is below the price {needed}")


class OutOfStock(RentalError):
    detail = "no free numbers for this country, service and period"


class TooManyRentals(RentalError):
    detail = "the account already holds its limit of active rentals"


class RateLimited(RentalError):
    detail = "too many rent requests per second for this key"


class DuplicateOperation(RentalError):
    detail = "the same rent request was repeated within the duplicate window"


class TryAgainLater(RentalError):
    detail = "the request cannot be completed now (simulated transient failure)"


class UnknownCountry(RentalError):
    detail = "the country is not in the catalog"


class UnknownService(RentalError):
    detail = "the service is not offered for this country"


class UnknownOperator(RentalError):
    detail = "the operator is not offered for this country and service"


class InvalidPeriod(RentalError):
    detail = "the rental period is not offered"


class RentalNotFound(RentalError):
    detail = "no such rental for this key"


class NotOwner(RentalError):
    detail = "the rental belongs to another key"


class RentalEnded(RentalError):
    detail = "the rental has already ended"


class ProlongNotAllowed(RentalError):
    detail = "prolongation is allowed only when fewer than 7 days remain"


class BeyondMaxTerm(RentalError):
    detail = "prolongation would pass the guaranteed maximum term"


class ServiceAlreadyOnOrder(RentalError):
    detail = "the service is already on this order"


class ReloadNotAvailable(RentalError):
    detail = "a port reload is not available yet"


class NumberGone(RentalError):
    detail = "the number is no longer in the system"


class NotInArchive(RentalError):
    detail = "no such order in the archive"


class NotYetExpired(RentalError):
    detail = "the order has not expired yet"


class NumberUnavailable(RentalError):
    detail = "the number has no working days left (rented again or retired)"


class CountryWithdrawn(RentalError):
    detail = "the order's country is no longer in the catalog"


class ServiceWithdrawn(RentalError):
    detail = "the order's service is no longer in the catalog"
