"""Bounded JSON bodies: size, depth, NaN and infinity are refused with a status; ordinary bodies pass."""

from __future__ import annotations

import pytest

from sms_rent_mock.mock_server.json_body import BodyError, depth, finite, parse


def test_ordinary_body_parses() -> None:
    assert parse(b'{"a": [1, {"b": 2.5}], "c": null}') == {"a": [1, {"b": 2.5}], "c": None}


@pytest.mark.parametrize("levels", [33, 10_000, 1_000_000])
def test_deep_nesting_is_refused_with_400(levels: int) -> None:
    with pytest.raises(BodyError) as caught:
        parse(b"[" * levels + b"]" * levels)
    assert caught.value.status == 400 and "deeper" in caught.value.message


def test_depth_limit_is_inclusive() -> None:
    assert parse(b"[" * 32 + b"]" * 32, max_depth=32) is not None


def test_oversized_body_is_refused_with_413() -> None:
    with pytest.raises(BodyError) as caught:
        parse(b'"' + b"x" * 100 + b'"', max_bytes=50)
    assert caught.value.status == 413


@pytest.mark.parametrize("raw", [b'{"scale": NaN}', b'{"a": Infinity}', b"[-Infinity]", b'{"x": 1e400}'])
def test_non_finite_numbers_are_refused(raw: bytes) -> None:
    with pytest.raises(BodyError):
        parse(raw)


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"", b"nope"])
def test_not_json_is_refused(raw: bytes) -> None:
    with pytest.raises(BodyError) as caught:
        parse(raw)
    assert caught.value.status == 400


def test_depth_and_finite_helpers() -> None:
    assert depth(1) == 0 and depth([]) == 1 and depth({"a": [[]]}) == 3
    assert finite({"a": [1.5, 2]}) and not finite({"a": [float("nan")]})
