"""sms-rent-mock: an offline mock of the OnlineSim and SMSPVA number-rental APIs."""

from __future__ import annotations

from .app import create_app as create_app

__all__ = ["create_app"]
