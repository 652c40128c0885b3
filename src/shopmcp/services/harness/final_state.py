"""Comparing a store's final records with the expected ones: a hash to decide, field paths to explain.

A state here is JSON of records by kind and id, e.g. tau2 retail's `{"users": {id: user}, "orders":
{id: order}}`. Numbers are compared to the cent (rounded to 2 places, 100.0 the same as 100): tau2
computes money in floats (`8.400000000000006`), shopmcp in integer cents, and both mean $8.40.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

_SHOWN = 120
"""Characters of a value a difference shows; enough to read an address or an item."""


def normalized(value: Any) -> Any:
    """`value` with every float rounded to cents, and a whole number of them written as an int."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, float):
        rounded = round(value, 2)
        return int(rounded) if rounded.is_integer() else rounded
    return value


def state_sha256(state: dict[str, Any], *, is_normalized: bool = False) -> str:
    """sha256 of the normalized state as canonical JSON (sorted keys; list order counts)."""
    text = json.dumps(
        state if is_normalized else normalized(state), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def overlay(base: Mapping[str, Any], records: Mapping[Any, Mapping[str, Any]]) -> dict[str, Any]:
    """`base` with each record of `records` (by kind, then id) put in place of the base's."""
    return {kind: {**base.get(kind, {}), **records.get(kind, {})} for kind in base.keys() | records.keys()}


def differences(found: Any, expected: Any, path: str = "") -> list[str]:
    """Every path where `found` differs from `expected`, in the expected key order, e.g.
    `orders/#W1/status: store "delivered", expected "exchange requested"`."""
    found, expected = normalized(found), normalized(expected)
    return _walk(found, expected, path)


def _walk(found: Any, expected: Any, path: str) -> list[str]:
    if isinstance(found, dict) and isinstance(expected, dict):
        listed: list[str] = []
        for key in list(expected) + [key for key in found if key not in expected]:
            where = f"{path}/{key}" if path else str(key)
            if key not in found:
                listed.append(f"{where}: missing in the store (expected {_show(expected[key])})")
            elif key not in expected:
                listed.append(f"{where}: only in the store ({_show(found[key])})")
            else:
                listed += _walk(found[key], expected[key], where)
        return listed
    if isinstance(found, list) and isinstance(expected, list) and len(found) == len(expected):
        return [
            line
            for index, pair in enumerate(zip(found, expected, strict=True))
            for line in _walk(*pair, f"{path}/{index}")
        ]
    if found != expected:
        return [f"{path}: store {_show(found)}, expected {_show(expected)}"]
    return []


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
