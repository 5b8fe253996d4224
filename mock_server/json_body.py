"""Request bodies parsed with bounds: a size and a nesting depth that no legitimate call comes near.

Provider routes and the control API both read JSON bodies; each turns a ``BodyError`` into its own
error format (the provider's envelope, or the control API's ``{"error", "field"}`` with 413/400).
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_BYTES = 8 * 1024 * 1024   # a state export of a busy store fits; anything larger is refused (413)
MAX_DEPTH = 32                # the deepest legitimate body (a state document) nests 5 levels


class BodyError(ValueError):
    """A body that cannot be accepted; ``status`` is 413 (too large) or 400 (not JSON, too deep, NaN)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


def _no_constants(name: str) -> Any:
    raise BodyError(f"{name} is not a JSON number")


def depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (a scalar is 0); iterative, so any depth is safe."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        todo.extend((child, level + 1) for child in children)
    return deepest


def parse(raw: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in ``raw``; ``BodyError`` when it is too large, too deep, not JSON, or holds NaN/Infinity."""
    if len(raw) > max_bytes:
        raise BodyError(f"the body is larger than {max_bytes} bytes", 413)
    try:
        value = json.loads(raw, parse_constant=_no_constants)
    except RecursionError:
        raise BodyError(f"the body nests deeper than {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, BodyError):
            raise
        raise BodyError("the body is not valid JSON") from None
    if depth(value) > max_depth:
        raise BodyError(f"the body nests deeper than {max_depth} levels")
    if not finite(value):  # 1e400 parses as infinity
        raise BodyError("numbers in the body must be finite")
    return value


def finite(value: Any) -> bool:
    """True unless ``value`` holds a float that is NaN or infinite anywhere inside it."""
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return True
