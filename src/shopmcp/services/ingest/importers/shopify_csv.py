"""Shopify's product CSV export format, read into `ProductRecord`s.

A product is the run of consecutive rows sharing a Handle: the first row
carries the product (Title, Body, Vendor, options' names, Status), every row
with variant data is a variant, and rows with only image columns add
nothing but an image. The mapping is in docs/catalog.md ("Shopify product CSV").
"""

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO, get_args

from pydantic import ValidationError

from shopmcp.models.catalog import ProductStatus
from shopmcp.services.ingest.importers.html_text import html_to_text
from shopmcp.services.ingest.importers.jsonl import MAX_ERRORS_PER_LINE
from shopmcp.services.ingest.importers.records import MAX_AMOUNT, ProductRecord, parse_amount, to_minor_units
from shopmcp.services.ingest.importers.source import ImportFormatError, ParsedProduct, RowError, SourceLine, read_lines

FIELD_LIMIT = 4 * 1024 * 1024
"""Largest CSV field accepted (a product description with inline HTML can be long)."""

Refuse = Callable[[str], None]

_REQUIRED = ("handle", "title")
_OPTION_COUNT = 3
_VARIANT_COLUMNS = ("option1 value", "option2 value", "option3 value", "variant sku", "variant price")
_STATUSES = get_args(ProductStatus)
_CONDITIONS = ("new", "refurbished", "used")
_ATTRIBUTE_COLUMNS = {
    "type": "product_type",
    "seo title": "seo_title",
    "seo description": "seo_description",
    "google shopping / gender": "gender",
    "google shopping / age group": "age_group",
}


@dataclass
class _Row:
    """One CSV record with the physical lines it spans."""

    line: int
    last_line: int
    cells: list[str]
    columns: dict[str, int]
    bad_encoding_line: int | None = None
    """The first of its lines that was not valid UTF-8, if any."""

    def __getitem__(self, column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()

    @property
    def handle(self) -> str:
        return self["handle"]

    @property
    def has_variant(self) -> bool:
        """Image-only continuation rows have none of the variant columns."""
        return any(self[column] for column in _VARIANT_COLUMNS)


class _Lines:
    """Feeds decoded lines to `csv.reader` and remembers which of them were not valid UTF-8."""

    def __init__(self, lines: Iterator[SourceLine]) -> None:
        self._lines = lines
        self._bad_encoding: list[int] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        if line.too_long:
            raise ImportFormatError(f"line {line.number} is too long to be part of a product CSV")
        if line.bad_encoding:
            self._bad_encoding.append(line.number)
        return line.text

    def take_bad_encoding(self, last_line: int) -> int | None:
        """The first line up to `last_line` that was not UTF-8, forgetting those lines (they are read in order)."""
        bad = [number for number in self._bad_encoding if number <= last_line]
        self._bad_encoding = [number for number in self._bad_encoding if number > last_line]
        return bad[0] if bad else None


def read_shopify_csv(stream: BinaryIO, *, currency: str) -> Iterator[ParsedProduct]:
    """The products of a Shopify product CSV, each valid or with the row errors that keep it out.

    Raises:
        ImportFormatError: the file is not a Shopify product CSV at all.
    """
    csv.field_size_limit(FIELD_LIMIT)  # process-wide; the default (128 KiB) refuses long descriptions
    lines = _Lines(read_lines(stream))
    rows = _records(lines)
    header = next(rows, None)
    if header is None:
        return
    if isinstance(header, RowError):
        raise ImportFormatError(f"the header row cannot be read: {header.message}")
    if header.bad_encoding_line is not None:
        raise ImportFormatError("the header row is not UTF-8 text; export the file as UTF-8")
    columns = {name.strip().lower(): index for index, name in enumerate(header.cells)}
    missing = [name.title() for name in _REQUIRED if name not in columns]
    if missing:
        raise ImportFormatError(f"this is not a Shopify product CSV: the header has no {' or '.join(missing)} column")
    group: list[_Row | RowError] = []
    seen: dict[str, int] = {}
    for item in rows:
        if isinstance(item, _Row):
            item.columns = columns
            if item.bad_encoding_line is not None:
                item = RowError(item.bad_encoding_line, "not valid UTF-8 text; export the file as UTF-8", item.handle)
        if item.handle is None:
            # A record the csv module could not split has no handle to join: it stands alone.
            yield ParsedProduct(line=item.line, handle=None, errors=[item])
            continue
        if group and item.handle != group[0].handle:
            yield _product(group, seen, currency)
            group = []
        group.append(item)
    if group:
        yield _product(group, seen, currency)


def _records(lines: _Lines) -> Iterator[_Row | RowError]:
    """CSV records with their line span; a record the csv module cannot parse becomes a `RowError`."""
    reader = csv.reader(lines, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield RowError(start, f"not a valid CSV row ({error})")
            continue
        if not any(cell.strip() for cell in cells):
            continue
        end = reader.line_num
        yield _Row(start, end, cells, {}, bad_encoding_line=lines.take_bad_encoding(end))


def _product(group: list[_Row | RowError], seen: dict[str, int], currency: str) -> ParsedProduct:
    rows = [item for item in group if isinstance(item, _Row)]
    errors = [item for item in group if isinstance(item, RowError)]
    if not rows:
        return ParsedProduct(line=errors[0].line, handle=None, errors=errors)
    first = rows[0]
    handle = first.handle or None
    if handle is None:
        errors.extend(RowError(row.line, "the Handle is empty; every row needs its product's handle") for row in rows)
        return ParsedProduct(line=first.line, handle=None, errors=errors)
    if handle in seen:
        message = f"rows of this handle already appeared from line {seen[handle]}; keep a product's rows together"
        return ParsedProduct(line=first.line, handle=handle, errors=[RowError(first.line, message, handle)])
    seen[handle] = first.line
    errors = [RowError(error.line, error.message, handle) for error in errors]
    data, row_errors = _product_data(rows, currency)
    errors.extend(row_errors)
    if not errors:
        try:
            return ParsedProduct(line=first.line, handle=handle, record=ProductRecord.model_validate(data))
        except ValidationError as error:
            errors.append(RowError(first.line, _validation_message(error), handle))
    return ParsedProduct(line=first.line, handle=handle, errors=errors)


def _product_data(rows: list[_Row], currency: str) -> tuple[dict[str, Any], list[RowError]]:
    first = rows[0]
    errors: list[RowError] = []

    def refuse(row: _Row, message: str) -> None:
        errors.append(RowError(row.line, message, first.handle))

    if not first["title"]:
        refuse(first, "the first row of a product needs its Title")
    status = (first["status"] or "active").lower()
    if status not in _STATUSES:
        refuse(first, f"Status {first['status'][:40]!r} is not one of active, draft, archived")
    names = [first[f"option{i} name"] for i in range(1, _OPTION_COUNT + 1)]
    no_options = names[0].lower() == "title" and first["option1 value"].lower() == "default title"
    variants = []
    for row in rows:
        if row.has_variant:
            variants.append(_variant(row, [] if no_options else names, currency, _refuser(refuse, row)))
    if not variants:
        refuse(first, "the product has no variant row (a row with a Variant Price)")
    data: dict[str, Any] = {
        "handle": first.handle,
        "title": first["title"],
        "description": html_to_text(first["body (html)"]),
        "brand": first["vendor"] or None,
        "category": first["product category"] or None,
        "status": status,
        "attributes": {key: first[column] for column, key in _ATTRIBUTE_COLUMNS.items() if first[column]},
        "tags": list(dict.fromkeys(tag.strip() for tag in first["tags"].split(",") if tag.strip())),
        "image_url": _image(rows),
        "variants": variants,
    }
    return data, errors


def _refuser(refuse: Callable[[_Row, str], None], row: _Row) -> Refuse:
    return lambda message: refuse(row, message)


def _variant(row: _Row, names: list[str], currency: str, refuse: Refuse) -> dict[str, Any]:
    options: dict[str, str] = {}
    for index, name in enumerate(names, start=1):
        value = row[f"option{index} value"]
        if name and value:
            options[name] = value
        elif name:
            refuse(f"Option{index} Value is empty; every variant needs a value for {name!r}")
        elif value:
            refuse(f"Option{index} Value is set but the product's first row has no Option{index} Name")
    offer: dict[str, Any] = {
        "price": _amount(row, "variant price", currency, refuse, required=True),
        "compare_at_price": _amount(row, "variant compare at price", currency, refuse, required=False),
        "stock": _count(row, "variant inventory qty", refuse),
        "track_inventory": bool(row["variant inventory tracker"]),
        "condition": _condition(row, refuse),
    }
    return {"sku": row["variant sku"] or None, "options": options, "offers": [offer]}


def _amount(row: _Row, column: str, currency: str, refuse: Refuse, *, required: bool) -> str | None:
    text = row[column]
    label = column.title()
    if not text:
        if required:
            refuse(f"{label} is empty; every variant needs a price")
        return None
    try:
        amount = parse_amount(text)
        to_minor_units(amount, currency)
    except ValueError as error:
        refuse(f"{label} {text[:40]!r}: {error}")
        return None
    return str(amount) if isinstance(amount, Decimal) else text


def _count(row: _Row, column: str, refuse: Refuse) -> int:
    text = row[column]
    if not text:
        return 0
    if not re.fullmatch(r"[+-]?\d{1,12}", text):
        refuse(f"{column.title()} {text[:40]!r} is not a whole number")
        return 0
    value = int(text)
    if value < 0:
        refuse(f"{column.title()} is {value}; stock cannot be negative (set it to 0 if sold out)")
        return 0
    if value > MAX_AMOUNT:
        refuse(f"{column.title()} {value} is more than this store can hold ({MAX_AMOUNT})")
        return 0
    return value


def _condition(row: _Row, refuse: Refuse) -> str:
    condition = row["google shopping / condition"].lower() or "new"
    if condition not in _CONDITIONS:
        refuse(f"Google Shopping / Condition {condition[:40]!r} is not one of new, refurbished, used")
        return "new"
    return condition


def _image(rows: list[_Row]) -> str | None:
    """The product's first image: the one at Image Position 1, else the first Image Src."""
    images = [(row["image position"], row["image src"]) for row in rows if row["image src"]]
    for position, source in images:
        if position == "1":
            return source
    return images[0][1] if images else None


def _validation_message(error: ValidationError) -> str:
    parts = []
    for detail in error.errors()[:MAX_ERRORS_PER_LINE]:
        location = ".".join(str(part) for part in detail["loc"])
        message = detail["msg"].removeprefix("Value error, ")
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts)
