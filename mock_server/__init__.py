"""sms-rent-mock: an offline mock of the OnlineSim and SMSPVA number-rental APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app as create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """``create_app`` is imported on first use: ``sms-rent-mock serve``'s parent process never loads Flask."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
