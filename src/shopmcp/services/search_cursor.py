"""Opaque, query-bound cursors for keyset pagination.

A cursor holds the sort key of the last item of a page and a fingerprint of
the search it came from. The next page continues strictly after that key,
so items with equal sort values (ties, broken by product id) are neither
repeated nor skipped, however the catalog's offsets shift. A cursor given
with another query or other filters, or one that was edited or truncated,
is refused with `invalid_cursor` instead of silently paging something else.

The checksum is not a signature: a cursor only positions a read-only search,
so a forged one that passes can do no more than pick a starting point.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from shopmcp.core.errors import ErrorCode, ShopError

_VERSION = 1
_CHECKSUM_BYTES = 8

KeyValue = int | float | str


def invalid_cursor(reason: str) -> ShopError:
    """The error for a cursor that cannot continue this search; `reason` says why."""
    return ShopError(
        ErrorCode.INVALID_CURSOR,
        f"The cursor is not valid for this search ({reason}). Call search_products again with the same "
        "arguments and no cursor to start from the first page, then pass the `next_cursor` it returns.",
    )


def fingerprint(search: Mapping[str, Any]) -> str:
    """A short stable digest of what a cursor is bound to (query, filters, sort)."""
    canonical = json.dumps(search, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _checksum(body: bytes) -> str:
    return hashlib.sha256(b"shopmcp-cursor:" + body).hexdigest()[: _CHECKSUM_BYTES * 2]


def encode_cursor(search_fingerprint: str, key: Sequence[KeyValue]) -> str:
    """A cursor that resumes after `key` in the search with `search_fingerprint`."""
    body = json.dumps({"v": _VERSION, "f": search_fingerprint, "k": list(key)}, separators=(",", ":")).encode()
    token = body + b"." + _checksum(body).encode()
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def decode_cursor(cursor: str, search_fingerprint: str, key_types: Sequence[type]) -> list[KeyValue]:
    """The sort key stored in `cursor`, checked against the search and the expected key types.

    Raises:
        ShopError: `invalid_cursor` for a garbled, edited or foreign cursor.
    """
    try:
        token = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        body, _, checksum = token.rpartition(b".")
        if not body or checksum.decode() != _checksum(body):
            raise invalid_cursor("it is damaged or was edited")
        payload = json.loads(body)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise invalid_cursor("it is not a cursor this server issued") from error
    if not isinstance(payload, dict) or payload.get("v") != _VERSION:
        raise invalid_cursor("it is from another version of the server")
    if payload.get("f") != search_fingerprint:
        raise invalid_cursor("it belongs to a search with other arguments")
    key = payload.get("k")
    if not isinstance(key, list) or len(key) != len(key_types):
        raise invalid_cursor("it belongs to another sort order")
    return [_typed(value, expected) for value, expected in zip(key, key_types, strict=True)]


def _typed(value: object, expected: type) -> KeyValue:
    # bool is an int in Python; a cursor never holds one.
    if isinstance(value, bool):
        raise invalid_cursor("it holds an unexpected value")
    if expected is float and isinstance(value, int | float):
        return float(value)
    if isinstance(value, expected) and isinstance(value, int | float | str):
        return value
    raise invalid_cursor("it holds an unexpected value")
