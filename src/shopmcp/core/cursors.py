"""Opaque, query-bound cursors for keyset pagination: the one cursor codec (search_products, list_orders).

A cursor holds the sort key of the last item of a page and a fingerprint of
the search it came from. The next page continues strictly after that key,
so items with equal sort values (ties, broken by product id) are neither
repeated nor skipped, however the catalog's offsets shift. A cursor given
with another query or other filters, or one that was edited or truncated,
is refused with `invalid_cursor` instead of silently paging something else:
each listing says in its own words (`invalid`) how to start over.

The checksum is not a signature: a cursor only positions a read-only search,
so a forged one that passes can do no more than pick a starting point.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shopmcp.core.errors import ShopError

_VERSION = 1
_CHECKSUM_BYTES = 8

KeyValue = int | float | str


def fingerprint(search: Mapping[str, Any]) -> str:
    """A short stable digest of what a cursor is bound to (a search's query, filters and sort; a listing)."""
    canonical = json.dumps(search, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _checksum(body: bytes) -> str:
    return hashlib.sha256(b"shopmcp-cursor:" + body).hexdigest()[: _CHECKSUM_BYTES * 2]


def encode_cursor(binding: str, key: Sequence[KeyValue]) -> str:
    """A cursor that resumes after `key` in the listing bound to `binding`."""
    body = json.dumps({"v": _VERSION, "f": binding, "k": list(key)}, separators=(",", ":")).encode()
    token = body + b"." + _checksum(body).encode()
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def cursor_binding(cursor: str) -> str | None:
    """The binding a well-formed cursor of this server carries (to tell which plan issued it), else None."""
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body, _, checksum = token.rpartition(b".")
        if not body or checksum.decode() != _checksum(body):
            return None
        payload = json.loads(body)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    binding = payload.get("f") if isinstance(payload, dict) else None
    return binding if isinstance(binding, str) else None


InvalidCursor = Callable[[str], ShopError]
"""The listing's `invalid_cursor` error, given the reason a cursor was refused."""


def decode_cursor(cursor: str, binding: str, key_types: Sequence[type], *, invalid: InvalidCursor) -> list[KeyValue]:
    """The sort key stored in `cursor`, checked against its binding and the expected key types.

    Raises:
        ShopError: `invalid(reason)` for a garbled, edited or foreign cursor.
    """
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body, _, checksum = token.rpartition(b".")
        if not body or checksum.decode() != _checksum(body):
            raise invalid("it is damaged or was edited")
        payload = json.loads(body)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise invalid("it is not a cursor this server issued") from error
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise invalid("it is from another version of the server")
    if payload.get("f") != binding:
        raise invalid("it belongs to a search with other arguments")
    key = payload.get("k")
    if not isinstance(key, list) or len(key) != len(key_types):
        raise invalid("it belongs to another sort order")
    return [_typed(value, expected, invalid) for value, expected in zip(key, key_types, strict=True)]


def _typed(value: object, expected: type, invalid: InvalidCursor) -> KeyValue:
    # bool is an int in Python; a cursor never holds one.
    if isinstance(value, bool):
        raise invalid("it holds an unexpected value")
    if expected is float and isinstance(value, int | float):
        return float(value)
    if isinstance(value, expected) and isinstance(value, int | float | str):
        return value
    raise invalid("it holds an unexpected value")
