"""Provider dialects: each a thin translation between one wire format and the World."""

from __future__ import annotations

from . import onlinesim, smspva
from .wire import schema_check

BLUEPRINTS = (onlinesim.bp, smspva.bp)

__all__ = ["BLUEPRINTS", "schema_check"]
