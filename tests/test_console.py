"""The sandbox console's page shell, without a browser: languages, switches, and the promise that the
page's JavaScript talks only to documented routes (so every action it offers is possible through the API)."""

from __future__ import annotations

import re
from importlib.resources import files

from click.testing import CliRunner
from flask.testing import FlaskClient

from sms_rent_mock.mock_server import console_i18n
from sms_rent_mock.mock_server.cli import main

from .conftest import make_app

SCRIPT = files("sms_rent_mock.mock_server").joinpath("static/console/console.js").read_text(encoding="utf-8")


def test_page_is_english_by_default_and_left_to_right(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "Choose country" in page


def test_browser_language_picks_russian(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ru" dir="ltr">' in page
    assert "Выберите страну" in page


def test_lang_parameter_beats_the_browser_and_arabic_is_right_to_left(client: FlaskClient) -> None:
    page = client.get("/?lang=ar", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "اختر فترة الإيجار" in page  # the seed's wording


def test_unknown_language_falls_back_to_english() -> None:
    assert console_i18n.choose("xx", ["de-DE", "fr"]) == "en"


def test_every_string_exists_in_every_language() -> None:
    for lang in console_i18n.LANGUAGES:
        assert all(console_i18n.strings(lang).values()), lang


def test_script_uses_only_strings_that_exist() -> None:
    used = set(re.findall(r"\bT\.(\w+)", SCRIPT)) | {"state_0", "state_1", "state_2", "state_-1", "os_0", "os_1"}
    assert used <= set(console_i18n.strings("en"))


def test_script_calls_only_provider_routes_and_the_control_api() -> None:
    urls = re.findall(r'[`"](/[\w.]+/?[^`"$\s]*)', SCRIPT)
    assert urls and all(u.startswith(("/api/rent.php", "/api/rent/", "/api/getBalance.php", "/_mock/")) for u in urls), urls
    assert "fetch(" in SCRIPT and SCRIPT.count("fetch(") == 1  # one door: getJson


def test_static_files_are_served(client: FlaskClient) -> None:
    for name in ("console.js", "console.css"):
        assert client.get(f"/_console/static/{name}").status_code == 200


def test_console_off_leaves_no_page() -> None:
    app = make_app(CONSOLE=False)
    assert app.test_client().get("/").status_code == 404
    assert app.test_client().get("/api/rent.php?method=getcountries").get_json()["status"] == 1


def test_script_reaches_getbalance_outside_the_rent_path() -> None:
    assert '"/api/getBalance.php"' in SCRIPT


def test_without_the_control_api_the_page_says_the_sandbox_is_unavailable() -> None:
    page = make_app(CONTROL=False).test_client().get("/").get_data(as_text=True)
    assert 'data-control="off"' in page
    assert "serve --no-control" in page
    assert 'id="clock-now"' not in page


def test_serve_offers_no_console_flag() -> None:
    assert "--no-console" in CliRunner().invoke(main, ["serve", "--help"]).output
