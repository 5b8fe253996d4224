"""The per-request Exchange and the reply record."""

from __future__ import annotations

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from sms_rent_mock.mock_server.exchange import Exchange, Reply, current, path_of, serving


def exchange(path: str = "/api/getBalance.php") -> Exchange:
    environ = EnvironBuilder(path=path).get_environ()
    return Exchange(environ, path_of(environ), ("onlinesim", "getBalance"), "documented")


def test_current_is_the_exchange_being_served_and_nests() -> None:
    outer, inner = exchange(), exchange()
    assert current() is None
    with serving(outer):
        assert current() is outer
        with serving(inner):
            assert current() is inner
        assert current() is outer
    assert current() is None


def test_current_is_restored_when_serving_raises() -> None:
    try:
        with serving(exchange()):
            raise KeyError("x")
    except KeyError:
        pass
    assert current() is None


def test_a_reply_defaults_to_a_json_200() -> None:
    reply = Reply({"response": 1})
    assert (reply.status, reply.content_type, reply.drop, reply.headers) == (200, "application/json", False, ())


def test_the_request_is_parsed_only_when_asked_for_and_once() -> None:
    environ = EnvironBuilder(path="/api/rent.php", method="post").get_environ()
    found = Exchange(environ, path_of(environ), ("smspva", ""), "live")
    assert found._request is None and (found.verb, found.path) == ("POST", "/api/rent.php")
    assert found.request is found.request and isinstance(found.request, Request)
    assert found.request.path == found.path  # the same path werkzeug reads
