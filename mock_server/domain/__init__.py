"""The provider-neutral rental domain: clock, catalog, accounts and ledger, rentals, inbox.

It imports no Flask, no provider module, no seed data and no storage: it reaches the store through
the Protocols in ``ports`` and gets its dependencies passed in (``sms_rent_mock.mock_server.config.new_world``).
Both providers call the ``World`` facade.
"""

from __future__ import annotations

from . import errors
from .catalog import Catalog, Country, Offer
from .inbox import Message, Page, paginate
from .rentals import CloseReason, LineState, Rental
from .settings import Settings
from .world import Delivery, Quote, RentRequest, View, World

__all__ = ["Catalog", "CloseReason", "Country", "Delivery", "LineState", "Message", "Offer", "Page", "Quote",
           "Rental", "RentRequest", "Settings", "View", "World", "errors", "paginate"]
