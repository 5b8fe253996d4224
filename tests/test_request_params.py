"""A provider request's merged parameters and body problems."""

from __future__ import annotations

import json

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from sms_rent_mock.mock_server import json_body
from sms_rent_mock.mock_server import request_params


def merged(found: Request) -> tuple[dict[str, str], json_body.BodyError | None]:
    return request_params.merged(found.environ, lambda: found)


def request(query: str = "", **builder: object) -> Request:
    return Request(EnvironBuilder(path="/api/rent.php", query_string=query, **builder).get_environ())  # type: ignore[arg-type]


def test_the_query_wins_and_the_first_of_a_repeated_name_counts() -> None:
    found, problem = merged(request("method=orders&apikey=a&apikey=b", data={"apikey": "form", "id": "7"}))
    assert found == {"apikey": "a", "id": "7", "method": "orders"} and problem is None


def test_the_query_is_read_as_werkzeug_reads_it() -> None:
    raw = "a=%E2%9C%93&b=%FF&c&d=x+y"
    assert merged(request(raw))[0] == request(raw).args.to_dict()


def test_a_json_body_counts_as_text_values() -> None:
    found, _ = merged(request(data=json.dumps({"id": 7, "extension": True, "x": None}), content_type="application/json"))
    assert found == {"id": "7", "extension": "true", "x": ""}


def test_a_body_beyond_bounds_is_a_problem_and_counts_as_absent() -> None:
    deep = "[" * (json_body.MAX_DEPTH + 2) + "]" * (json_body.MAX_DEPTH + 2)
    found, problem = merged(request("apikey=k", data=deep, content_type="application/json"))
    assert found == {"apikey": "k"} and problem is not None and problem.status == 400


def test_a_blank_key_is_no_key_and_a_bearer_token_is_one() -> None:
    assert "apikey" not in merged(request("apikey=%20"))[0]
    assert merged(request(headers={"Authorization": "Bearer tok"}))[0]["apikey"] == "tok"
