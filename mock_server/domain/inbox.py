"""SMS addressed to a phone number, kept by the rental that held the number when it arrived.

Messages are listed newest first. ``paginate`` is the length-aware page arithmetic the OnlineSim
message object uses: ``from`` is the 1-based index of the first item on the page and ``to`` that of
the last one, so an empty list gives from 1, to 0 and last_page 1, as the provider documents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from .ports import Tx

T = TypeVar("T")

_CODE = re.compile(r"(?<![\d])(\d{3}[ -]\d{3}|\d{4,8})(?![\d])")


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    rental_id: int
    sender: str
    service: str
    text: str
    code: str
    at: int


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    current_page: int
    data: list[T]
    first: int
    last_page: int
    per_page: int
    last: int
    total: int


def extract_code(text: str) -> str:
    """The verification code in an SMS text ("Code: 671 094" -> "671094"), or "" if there is none."""
    match = _CODE.search(text)
    return re.sub(r"\D", "", match.group(1)) if match else ""


def paginate(items: list[T], *, page: int = 1, per_page: int = 20) -> Page[T]:
    if page < 1 or per_page < 1:
        raise ValueError("page and per_page start at 1")
    start = (page - 1) * per_page
    data = items[start:start + per_page]
    return Page(page, data, start + 1, max(1, math.ceil(len(items) / per_page)), per_page,
                start + len(data), len(items))


def store(tx: Tx, rental_id: int, *, sender: str, service: str, text: str, code: str | None, at: int) -> Message:
    """Keep one SMS; without ``code`` the code is read from the text."""
    return tx.inbox.add(rental_id, sender=sender, service=service, text=text,
                        code=extract_code(text) if code is None else code, at=at)
