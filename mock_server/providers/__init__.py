"""Provider dialects: each a thin translation between one wire format and the World."""

from __future__ import annotations

from ..domain.catalog import DAILY, PERIODS
from ..domain.market import Market
from ..domain.rentals import CloseReason
from . import onlinesim, smspva
from .smspva_common import PROVIDER as SMSPVA

# provider name -> its dialect on the server (the front routes each request to one)
SERVED = {d.dialect.name: d for d in (onlinesim.DIALECT, smspva.DIALECT)}

# each provider's market policy, handed to the World (the domain names no provider)
MARKETS = {
    onlinesim.PROVIDER: Market(PERIODS, guarded=True),
    SMSPVA: Market(DAILY, needs_activation=True, closed_as=CloseReason.DELETED),
}
NAMES = tuple(MARKETS)

__all__ = ["MARKETS", "NAMES", "SERVED"]
