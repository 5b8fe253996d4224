"""Bad input never breaks anything: arbitrary values for every parameter of every SMSPVA method get a
valid envelope (HTTP 200, checked against the schemas), and the ledger always matches the balances."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sms_rent_mock import schemas
from sms_rent_mock.mock_server.providers import smspva

from .conftest import make_app
from .smspva_helpers import KEY

pytestmark = pytest.mark.usefixtures("backend")  # hostile input on SQLite and PostgreSQL (NUL, sizes)

NASTY = st.one_of(st.text(max_size=40), st.sampled_from(["", " ", "0", "-1", "1e3", "99999999999999999999", "opt6",
                                                         "RU", "week", "month", "day", "100000", "7", "+7", "null"]),
                  st.integers(min_value=-10, max_value=200_000).map(str))


@pytest.fixture(scope="module")
def fuzz_app() -> Iterator[Flask]:
    app = make_app()
    yield app
    app.extensions["rental_world"].store.close()


@pytest.mark.parametrize("method", sorted(smspva.METHODS))
def test_arbitrary_parameters_get_a_valid_envelope(fuzz_app: Flask, method: str) -> None:
    names = sorted(set(schemas.load("smspva", f"{method}.request")["properties"]) - {"method", "apikey"})
    client = fuzz_app.test_client()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.fixed_dictionaries({}, optional={name: NASTY for name in names}))
    def probe(params: dict[str, str]) -> None:
        response = client.get("/api/rent.php", query_string={"method": method, "apikey": KEY, **params})
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] in (0, 1)

    probe()
    assert fuzz_app.extensions["rental_world"].audit() == []
