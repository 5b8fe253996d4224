"""What a provider's market is like beyond its catalog data, as a policy object the providers package
passes in (``World(markets=...)``): the domain itself names no provider."""

from __future__ import annotations

from dataclasses import dataclass

from .rentals import CloseReason


@dataclass(frozen=True, slots=True)
class Market:
    pricing: str                                 # catalog.PERIODS | DAILY, for catalogs stored before they said
    guarded: bool = False                        # closes and refunds itself if no SMS came within the guard window
    needs_activation: bool = False               # must be switched on before it receives SMS
    closed_as: CloseReason = CloseReason.CLOSED  # how its owner ends a rental
