"""SMSPVA wire basics: envelope, dispatch, authentication, parameter errors and the public catalog."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from sms_rent_mock import schemas
from sms_rent_mock.mock_server.domain import World
from sms_rent_mock.mock_server.providers import smspva

from .conftest import make_app
from .smspva_helpers import KEY, Pva, free

pytestmark = pytest.mark.usefixtures("backend")  # every test on SQLite and PostgreSQL

PUBLIC = ["getcountries", "get_default_services", "get_country_by_service", "getdata", "getdataWithProviders",
          "getcount", "getCountWithProviders", "get_count_multi", "get_days_canada_paypal", "get_min_paypal_days"]
PUBLIC_PARAMS = {"get_country_by_service": {"service": "opt6", "dtype": "week"}, "getdata": {"country": "RU"},
                 "getdataWithProviders": {"country": "RU"}, "getcount": {"country": "RU"},
                 "getCountWithProviders": {"country": "RU"},
                 "get_count_multi": {"country": "RU", "services": "opt6,opt2", "dtype": "week", "dcount": 1},
                 "get_min_paypal_days": {"country": "CA", "service": "opt83"}}


@pytest.fixture
def pva(client: FlaskClient) -> Pva:
    return Pva(client)


def test_every_documented_method_is_dispatched() -> None:
    assert len(smspva.METHODS) == 22
    for method in smspva.METHODS:
        assert f"{method}.request" in schemas.names("smspva")
        assert f"{method}.response" in schemas.names("smspva")


def test_public_methods_need_no_key_and_the_rest_do() -> None:
    for method in smspva.METHODS:
        required = "apikey" in schemas.load("smspva", f"{method}.request")["required"]
        assert required == (method not in PUBLIC), method


@pytest.mark.parametrize("method", PUBLIC)
@pytest.mark.parametrize("with_key", [True, False])
def test_public_methods_answer_with_and_without_a_key(pva: Pva, method: str, with_key: bool) -> None:
    body = pva.raw(method, key=with_key, **PUBLIC_PARAMS.get(method, {}))
    assert body["status"] == 1 and "data" in body


@pytest.mark.parametrize("method", sorted(set(smspva.METHODS) - set(PUBLIC)))
def test_private_methods_without_a_key_are_refused(pva: Pva, method: str, world: World) -> None:
    assert pva.as_key("").fail(method, id=1) == "API key is required"
    assert world.store.db.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 0


@pytest.mark.parametrize("method", [None, "", "nope", "GETCOUNTRIES", "getCountries"])
def test_unknown_or_missing_method_gets_the_error_envelope(pva: Pva, method: str | None) -> None:
    assert pva.fail(method) == "Incorrect method"


@pytest.mark.parametrize("verb", ["post", "put", "patch", "delete"])
def test_non_get_requests_are_refused_and_change_nothing(client: FlaskClient, world: World, verb: str) -> None:
    query = {"method": "create", "apikey": KEY, "dtype": "week", "dcount": "1", "country": "RU", "service": "opt6"}
    response = getattr(client, verb)("/api/rent.php", query_string=query, data=query)
    assert response.status_code == 200
    assert response.get_json() == {"status": 0, "msg": "Only GET requests are accepted"}
    assert world.store.db.execute("SELECT COUNT(*) FROM rentals").fetchone()[0] == 0


@pytest.mark.parametrize(("params", "msg"), [
    ({"dtype": "day"}, "Incorrect dtype"),
    ({"dtype": "Week"}, "Incorrect dtype"),
    ({"dcount": "0"}, "Incorrect dcount"),
    ({"dcount": "-1"}, "Incorrect dcount"),
    ({"dcount": "1.5"}, "Incorrect dcount"),
    ({"dcount": "1000"}, "Incorrect dcount"),
    ({"dcount": ""}, "Incorrect dcount"),
    ({"country": "RUS"}, "Incorrect country"),
    ({"country": "ZZ"}, "Country not found"),
    ({"service": "instagram"}, "Incorrect service"),
    ({"service": "opt999"}, "Service not found"),
    ({"provider": "Nobody"}, "Provider not found"),
])
def test_bad_create_parameters_get_stable_messages_and_rent_nothing(pva: Pva, world: World, params: dict[str, str],
                                                                    msg: str) -> None:
    query = {"country": "RU", "service": "opt6", "dtype": "week", "dcount": "1", **params}
    assert pva.fail("create", **query) == msg
    assert world.store.db.execute("SELECT COUNT(*) FROM rentals").fetchone()[0] == 0


@pytest.mark.parametrize(("method", "params", "msg"), [
    ("sms", {"id": "abc"}, "Incorrect id"),
    ("activate", {"id": "1" * 13}, "Incorrect id"),
    ("delete", {}, "Incorrect id"),
    ("get_rent_history", {"take": "0"}, "Incorrect take"),
    ("get_rent_history", {"skip": "-1"}, "Incorrect skip"),
    ("add_service_to_order", {"id": 1, "service": "opt2", "pnumber": "x"}, "Incorrect pnumber"),
    ("add_service_to_order", {"id": 1, "service": "opt2", "pnumber": "79001234567", "rent_days": 3},
     "Incorrect rent_days"),
    ("prolong_max", {"id": 1, "dtype": "year", "dcount": 1}, "Incorrect dtype"),
    ("get_count_multi", {"country": "RU", "services": "opt6;opt2", "dtype": "week", "dcount": 1},
     "Incorrect services"),
    ("get_country_by_service", {"service": "opt6"}, "Incorrect dtype"),
])
def test_malformed_parameters_are_refused_before_any_work(pva: Pva, method: str, params: dict[str, str],
                                                          msg: str) -> None:
    assert pva.fail(method, **params) == msg


def test_getcountries_lists_the_catalog_in_position_order(pva: Pva) -> None:
    rows = pva.ok("getcountries", key=False)
    assert [r["code"] for r in rows][:3] == ["RU", "KZ", "UA"]
    assert "CA" in [r["code"] for r in rows]
    assert rows[0] == {"name": "Russia", "code": "RU", "url_country_name": "russia", "rent_switch_type": "FAST",
                       "rent_avail_prolong": "1"}


def test_getdata_counts_are_the_per_operator_stock_summed(pva: Pva, world: World) -> None:
    data = pva.ok("getdata", country="RU")
    google = next(s for s in data["services"] if s["service"] == "opt6")
    assert google["count"] == free(world, "RU", "opt6") == 6 + 9 + 12 + 15
    assert google["price_day"] == 0.5 and google["name"] == "Fiverr"  # opt6 is Fiverr in the official list
    assert (google["procent_days"], google["procent"]) == (30, 10)
    assert data["totalAmount"] == sum(s["count"] for s in data["services"])


def test_with_providers_methods_show_each_operator_and_move_with_create(pva: Pva, world: World) -> None:
    before = pva.ok("getdataWithProviders", country="US")
    paypal = next(s for s in before["services"] if s["service"] == "opt83")
    assert paypal["count"]["T-Mobile"] == free(world, "US", "opt83", "T-Mobile")
    assert paypal["totalCount"] == sum(paypal["count"].values())
    assert set(before["allOperators"]) == {"T-Mobile", "AT&T", "Verizon"}
    pva.create(country="US", service="opt83", provider="T-Mobile")
    after = pva.ok("getCountWithProviders", country="US")["opt83"]
    assert after["Amount"]["T-Mobile"] == paypal["count"]["T-Mobile"] - 1
    assert after["Amount"]["AT&T"] == paypal["count"]["AT&T"]
    assert after["Total"] == paypal["totalCount"] - 1
    assert pva.ok("getcount", country="US")["opt83"] == paypal["totalCount"] - 1


def test_count_multi_is_per_operator_the_scarcest_service(pva: Pva) -> None:
    counts = pva.ok("getCountWithProviders", country="RU")
    expected = sum(min(counts["opt6"]["Amount"][op], counts["opt2"]["Amount"][op]) for op in counts["opt6"]["Amount"])
    assert pva.ok("get_count_multi", country="RU", services="opt6,opt2", dtype="week", dcount=1) == {"count": expected}
    assert pva.fail("get_count_multi", country="RU", services="opt6,opt999", dtype="week", dcount=1) \
        == "Service not found"


def test_country_by_service_prices_the_whole_period_with_discount(pva: Pva) -> None:
    week = pva.ok("get_country_by_service", service="opt6", dtype="week", dcount=1)
    month = pva.ok("get_country_by_service", service="opt6", dtype="month", dcount=1)
    assert week["RU"]["price"] == "3.5"          # 0.5 x 7
    assert month["RU"]["price"] == "13.5"        # 0.5 x 30, 10 % off from 30 days
    assert week["RU"]["phoneAmount"] == 42 and week["RU"]["service_name"] == "Fiverr"
    assert "CA" in week and "opt1" not in pva.ok("getcount", country="KZ")


def test_default_services_show_the_cheapest_daily_price(pva: Pva) -> None:
    rows = {r["service"]: r for r in pva.ok("get_default_services")}
    assert list(rows) == ["opt29", "opt20", "opt6", "opt16", "opt2"]
    assert rows["opt6"] == {"name": "Fiverr", "service": "opt6", "priceForDay": "0.45", "img": "images/ico/opt6.png",
                            "DAYP": "30", "PROC": "10"}


def test_paypal_in_canada_has_day_options_and_a_minimum_that_create_enforces(pva: Pva, world: World) -> None:
    days = pva.ok("get_days_canada_paypal")
    assert [d["Days"] for d in days] == [30, 60, 90]
    assert all(d["Amount"] <= free(world, "CA", "opt83") for d in days)
    assert pva.ok("get_min_paypal_days", country="CA", service="opt83")["Days"] == 30
    assert pva.ok("get_min_paypal_days", country="RU", service="opt83")["Days"] == 1
    assert pva.fail("create", country="CA", service="opt83", dtype="week", dcount=4) \
        == "The minimum rental period for this service is 30 days"
    assert pva.create(country="CA", service="opt83", dtype="month")["ccode"] == "+1"


def test_getdata_refuses_an_unknown_country(pva: Pva) -> None:
    assert pva.fail("getdata", country="ZZ") == "Country not found"


def test_strict_keys_refuse_an_unknown_key() -> None:
    app = make_app(STRICT_KEYS=True)
    assert Pva(app.test_client()).fail("orders") == "Wrong API key"
    app.extensions["rental_world"].store.close()


# code -> service pairs of SMSPVA's official rental services list (docs.smspva.com, "Rental service API",
# Data list / Services list), for the codes the mock's catalog carries
OFFICIAL_RENTAL_SERVICES = {"opt1": "Google", "opt2": "Facebook", "opt4": "Mail.ru Group", "opt6": "Fiverr",
                            "opt16": "Instagram", "opt20": "WhatsApp", "opt29": "Telegram", "opt46": "Airbnb",
                            "opt59": "Avito", "opt77": "1xbet", "opt83": "PayPal", "opt142": "Other"}


def test_service_codes_name_what_the_official_rental_list_names(pva: Pva) -> None:
    """Issue 11 point 6: a client that hard-codes a code must get the same service here as live."""
    names = {r["service"]: r["name"] for r in pva.ok("getdata", country="RU")["services"]}
    assert names == OFFICIAL_RENTAL_SERVICES
    assert pva.fail("get_country_by_service", service="opt19") == pva.fail("get_country_by_service", service="optX")
