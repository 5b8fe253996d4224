"""Shared fixtures: an in-process mock on a frozen clock whose every response is schema-checked."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sms_rent_mock.mock_server import create_app
from sms_rent_mock.mock_server.domain import World, clock

from . import backends
from .backends import backend, pg_database  # noqa: F401 (fixtures)

START = 1_700_000_000


def make_app(**overrides: Any) -> Flask:
    """A fresh mock: a throwaway store (``backends.db_url``), frozen clock at START, responses validated
    (violations raise)."""
    config: dict[str, Any] = {"DB": backends.db_url(), "CLOCK": "frozen", "START_TIME": START, "VALIDATE": "raise",
                              "TESTING": True}
    config.update(overrides)
    app = create_app(config)
    backends.opened(app.extensions["mock_journal"])
    backends.opened(app.extensions["rental_world"].store)
    return app


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module using the ``backend`` fixture runs on every backend (``tests/backends.py``)."""
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", backends.BACKENDS, indirect=True)


@pytest.fixture
def app() -> Iterator[Flask]:
    application = make_app()
    yield application
    application.extensions["rental_world"].store.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(app: Flask) -> World:
    found: World = app.extensions["rental_world"]
    return found


@pytest.fixture
def advance(world: World) -> Callable[[float], None]:
    """advance(seconds): move the frozen clock forward and settle what fell due."""
    def move(seconds: float) -> None:
        world.change_clock(lambda state: clock.advanced(state, seconds))
    return move
