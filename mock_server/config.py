"""Server configuration: DEFAULTS, overridden by ``MOCK_*`` environment variables, then by the mapping
given to ``create_app``. Enum-like values are checked and the valid choices listed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sms_rent_mock.fixtures import SmsFaker, load_catalog

from .domain import Settings, World
from .domain.clock import MODES
from .providers import MARKETS
from .storage import Store, open_store

DEFAULTS: dict[str, Any] = {
    "DB": "sms-rent-mock.sqlite3",   # a file, so a restart loses nothing; ":memory:" for throwaway state
    "SEED": 0,
    "CLOCK": None,                   # real | scaled | frozen; None keeps the stored clock (real when new)
    "TIME_SCALE": 1.0,
    "START_TIME": None,              # unix seconds a new clock starts at (default: now)
    "PROFILE": "live",               # live | documented
    "VALIDATE": False,               # True: log schema violations; "raise": fail the request (tests)
    "CONTROL": True,                 # serve the control API under /_mock/
    "CONTROL_TOKEN": None,           # if set, /_mock/ requires "Authorization: Bearer <token>"
    "ALLOWED_HOSTS": (),             # Host names /_mock/ answers besides loopback (list or "a,b"; "*": any)
    "CONSOLE": True,                 # serve the sandbox console (a web page) at /
    "JOURNAL_SIZE": 1000,            # provider requests kept in the journal (newest first); 0 = off
}

PROFILES = ("live", "documented")


def check(config: Mapping[str, Any]) -> None:
    """Refuse unknown choices with a message that lists the valid ones."""
    if config.get("CLOCK") not in (None, *MODES):
        raise ValueError(f"CLOCK must be one of {', '.join(MODES)}, not {config['CLOCK']!r}")
    if config.get("PROFILE") not in PROFILES:
        raise ValueError(f"PROFILE must be one of {', '.join(PROFILES)}, not {config['PROFILE']!r}")
    if config.get("VALIDATE") not in (True, False, "raise"):
        raise ValueError("VALIDATE must be true, false or 'raise'")
    if not isinstance(config.get("JOURNAL_SIZE"), int) or config["JOURNAL_SIZE"] < 0:
        raise ValueError(f"JOURNAL_SIZE must be a whole number >= 0, not {config.get('JOURNAL_SIZE')!r}")


def build_world(config: Mapping[str, Any]) -> World:
    """The World over the configured store (created and initialised on first use), after ``check``."""
    check(config)
    return new_world(open_store(str(config["DB"])), Settings.from_mapping(dict(config)), seed=int(config["SEED"]),
                     clock_mode=config["CLOCK"], time_scale=float(config["TIME_SCALE"]),
                     start_time=config["START_TIME"])


def new_world(store: Store, settings: Settings | None = None, **options: Any) -> World:
    """A World over ``store`` with this project's own dependencies: the seeded fakes and catalog of
    ``fixtures`` and the providers' market policies (the domain imports none of them)."""
    return World(store, settings, faker=SmsFaker, load_catalog=load_catalog, markets=MARKETS, **options)
