"""Cursors: they round-trip, and refuse anything edited, foreign or mistyped."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopmcp.core.cursors import decode_cursor, encode_cursor, fingerprint
from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.services.search.products import invalid_cursor

BOUND = fingerprint({"query": "lamp", "sort": "price_asc"})


@given(price=st.integers(min_value=0, max_value=2**53), product_id=st.integers(min_value=1, max_value=2**31 - 1))
def test_an_int_key_round_trips(price: int, product_id: int) -> None:
    cursor = encode_cursor(BOUND, [price, product_id])

    assert decode_cursor(cursor, BOUND, (int, int), invalid=invalid_cursor) == [price, product_id]


@given(score=st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_key_round_trips_exactly(score: float) -> None:
    cursor = encode_cursor(BOUND, [0, score, 7])

    assert decode_cursor(cursor, BOUND, (int, float, int), invalid=invalid_cursor) == [0, score, 7]


def test_the_fingerprint_ignores_key_order_but_not_values() -> None:
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def _refused(cursor: str, types: tuple[type, ...] = (int, int), bound: str = BOUND) -> None:
    with pytest.raises(ShopError) as raised:
        decode_cursor(cursor, bound, types, invalid=invalid_cursor)
    assert raised.value.code is ErrorCode.INVALID_CURSOR


def test_another_search_is_refused() -> None:
    _refused(encode_cursor(BOUND, [1, 2]), bound=fingerprint({"query": "other"}))


def test_another_key_shape_is_refused() -> None:
    _refused(encode_cursor(BOUND, [1, 2]), types=(int, float, int))
    _refused(encode_cursor(BOUND, ["2026-01-01", 2]), types=(int, int))
    _refused(encode_cursor(BOUND, [True, 2]), types=(int, int))


@given(cut=st.integers(min_value=1, max_value=40))
def test_a_truncated_cursor_is_refused(cut: int) -> None:
    cursor = encode_cursor(BOUND, [12345, 678])
    _refused(cursor[:-cut])


def test_a_flipped_character_is_refused() -> None:
    cursor = encode_cursor(BOUND, [12345, 678])
    # The last character may only carry padding bits, which decode to the same bytes.
    for index in range(len(cursor) - 1):
        flipped = cursor[:index] + ("A" if cursor[index] != "A" else "B") + cursor[index + 1 :]
        _refused(flipped)
