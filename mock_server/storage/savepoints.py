"""A write inside a write on the same thread is a savepoint of the outer transaction, on either backend:
it rolls back alone on an exception, and nothing commits before the outermost write ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def nested(db: Any, local: Any, depth: int) -> Iterator[Any]:
    """The savepoint at ``depth`` (>= 1) on ``db``; ``local.depth`` counts the levels open on this thread,
    and ``local.memo`` (what the transaction has read) is forgotten when the savepoint rolls back."""
    name = f"nested_{depth}"
    db.execute(f"SAVEPOINT {name}")
    local.depth = depth + 1
    try:
        yield db
    except BaseException:
        local.memo.forget()
        db.execute(f"ROLLBACK TO SAVEPOINT {name}")
        db.execute(f"RELEASE SAVEPOINT {name}")
        raise
    finally:
        local.depth = depth
    db.execute(f"RELEASE SAVEPOINT {name}")
