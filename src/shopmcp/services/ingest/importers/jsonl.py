"""The native JSON Lines format: one `ProductRecord` per line; and writing the catalog back out in it."""

import json
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from pydantic import ValidationError

from shopmcp.services.ingest.importers.records import ProductRecord
from shopmcp.services.ingest.importers.source import ParsedProduct, RowError, SourceLine, read_lines

MAX_ERRORS_PER_LINE = 5


def read_jsonl(stream: BinaryIO) -> Iterator[ParsedProduct]:
    """Each non-blank line as a product, or the reasons it is not one; a repeated handle is refused."""
    seen: dict[str, int] = {}
    for line in read_lines(stream):
        if not line.too_long and not line.text.strip():
            continue
        parsed = _parse_line(line)
        if parsed.record is not None:
            first = seen.setdefault(parsed.record.handle, line.number)
            if first != line.number:
                parsed = ParsedProduct(
                    line=line.number,
                    handle=parsed.handle,
                    errors=[
                        RowError(
                            line.number,
                            f"handle already used on line {first}; give each product one line",
                            parsed.handle,
                        )
                    ],
                )
        yield parsed


def _parse_line(line: SourceLine) -> ParsedProduct:
    def refused(message: str, handle: str | None = None) -> ParsedProduct:
        return ParsedProduct(line=line.number, handle=handle, errors=[RowError(line.number, message, handle)])

    if line.too_long:
        return refused("the line is too long to be one product")
    if line.bad_encoding:
        return refused("not valid UTF-8 text; save the file as UTF-8")
    try:
        data = json.loads(line.text)
    except RecursionError:
        return refused("the JSON is nested too deeply")
    except ValueError as error:
        return refused(f"not valid JSON ({error})")
    if not isinstance(data, dict):
        return refused(f"expected a JSON object (one product), found {type(data).__name__}")
    handle = data.get("handle") if isinstance(data.get("handle"), str) else None
    handle = handle[:255] if handle else None
    try:
        record = ProductRecord.model_validate(data)
    except ValidationError as error:
        messages = [_describe(detail) for detail in error.errors()[:MAX_ERRORS_PER_LINE]]
        more = error.error_count() - len(messages)
        if more > 0:
            messages.append(f"and {more} more problems")
        return refused("; ".join(messages), handle)
    return ParsedProduct(line=line.number, handle=record.handle, record=record)


def _describe(detail: object) -> str:
    assert isinstance(detail, dict)
    location = ""
    for part in detail.get("loc", ()):
        location += f"[{part}]" if isinstance(part, int) else (f".{part}" if location else str(part))
    message = str(detail.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def write_jsonl(records: Iterable[ProductRecord], stream: BinaryIO) -> int:
    """Write `records` one per line; returns how many."""
    count = 0
    for record in records:
        stream.write(record.model_dump_json(exclude_none=True).encode("utf-8") + b"\n")
        count += 1
    return count
