"""Importing products from a file: the native JSON Lines format and Shopify's product CSV export.

`import_catalog` reads the file as a stream of products (`jsonl.read_jsonl`,
`shopify_csv.read_shopify_csv`), each valid or with the row errors that keep
it out, and writes the valid ones (`writer.ProductWriter`).

Without `strict`, products are written in batches of one transaction each,
every product inside its own savepoint: a bad product is reported and left
out, the good ones land. With `strict`, the whole file is one transaction
that is rolled back if any row is bad, so either everything lands or
nothing does. Either way every bad row is reported with its physical line.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from shopmcp.db import Database, is_transient
from shopmcp.models.types import utcnow
from shopmcp.services.catalog.refs import STORE_SELLER, Refs
from shopmcp.services.ingest.generator.loader import lock_catalog
from shopmcp.services.ingest.importers.jsonl import read_jsonl
from shopmcp.services.ingest.importers.shopify_csv import read_shopify_csv
from shopmcp.services.ingest.importers.source import ImportFormatError, ParsedProduct, RowError
from shopmcp.services.ingest.importers.writer import Outcome, ProductWriter, RecordRejectedError, WriteCounts
from shopmcp.services.semantic.store import refresh_embeddings

__all__ = ["FORMATS", "ImportFormatError", "ImportReport", "RowError", "detect_format", "import_catalog"]

ImportFormat = Literal["jsonl", "shopify-csv"]
FORMATS: tuple[ImportFormat, ...] = ("jsonl", "shopify-csv")
_SUFFIXES: dict[str, ImportFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "shopify-csv"}

BATCH_PRODUCTS = 200
MAX_REPORTED_ERRORS = 1_000


def detect_format(path: Path) -> ImportFormat | None:
    """The format a file name suggests (`.jsonl`, `.ndjson`, `.csv`), or None."""
    return _SUFFIXES.get(path.suffix.lower())


@dataclass
class ImportReport:
    """What an import did, for a person to read (`summary`) and for tests to check."""

    source: str
    format: ImportFormat
    strict: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    rolled_back: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        """Counts first, then each bad row; says plainly whether anything was written."""
        lines = [f"Imported {self.source} ({self.format}{', strict' if self.strict else ''}):"]
        if self.rolled_back:
            lines.append(
                f"  nothing written: {self.error_count} bad row(s) and --strict rolls the whole file back; "
                f"{self.created + self.updated + self.unchanged} product(s) were otherwise fine"
            )
        else:
            counts = self.counts
            lines.append(
                f"  products: {self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.skipped} skipped"
            )
            lines.append(
                f"  variants: {counts.variants_created} created; offers: {counts.offers_created} created, "
                f"{counts.offers_updated} updated, {counts.offers_deactivated} deactivated; "
                f"price changes: {counts.price_changes}"
            )
        if self.error_count:
            lines.append(f"  {self.error_count} bad row(s):")
            lines.extend(f"    {error}" for error in self.errors)
            if self.error_count > len(self.errors):
                lines.append(f"    ... and {self.error_count - len(self.errors)} more")
        return "\n".join(lines)


def import_catalog(
    db: Database,
    stream: BinaryIO,
    *,
    format: ImportFormat,
    strict: bool = False,
    seller: str = STORE_SELLER,
    currency: str = "USD",
    source: str = "<stream>",
    now: datetime | None = None,
) -> ImportReport:
    """Import the products in `stream`; see the module docstring for what lands when rows are bad.

    Raises:
        ImportFormatError: the file cannot be read in `format` at all; nothing was written.
    """
    report = ImportReport(source=source, format=format, strict=strict)
    parsed = _read(stream, format, currency)
    context = _Context(seller=seller, currency=currency, now=now or utcnow())
    if strict:
        _import_strict(db, parsed, report, context)
    else:
        _import_in_batches(db, parsed, report, context)
    return report


def _read(stream: BinaryIO, format: ImportFormat, currency: str) -> Iterator[ParsedProduct]:
    if format == "jsonl":
        return read_jsonl(stream)
    if format == "shopify-csv":
        return read_shopify_csv(stream, currency=currency)
    raise ImportFormatError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class _Context:
    seller: str
    currency: str
    now: datetime

    def writer(self, tx: Session) -> ProductWriter:
        lock_catalog(tx.connection())
        return ProductWriter(
            tx=tx,
            refs=Refs(tx, currency=self.currency),
            currency=self.currency,
            default_seller=self.seller,
            now=self.now,
        )


def _import_in_batches(db: Database, parsed: Iterable[ParsedProduct], report: ImportReport, context: _Context) -> None:
    batch: list[ParsedProduct] = []
    for product in parsed:
        if product.record is None:
            _reject(report, product.errors)
            continue
        batch.append(product)
        if len(batch) >= BATCH_PRODUCTS:
            _write_batch(db, batch, report, context)
            batch = []
    if batch:
        _write_batch(db, batch, report, context)


def _write_batch(db: Database, batch: list[ParsedProduct], report: ImportReport, context: _Context) -> None:
    def write(tx: Session) -> tuple[list[Outcome | RowError], WriteCounts]:
        writer = context.writer(tx)
        results: list[Outcome | RowError] = []
        for product in batch:
            assert product.record is not None
            try:
                with writer.refs.savepoint():
                    results.append(writer.apply(product.record))
            except (RecordRejectedError, DBAPIError) as error:
                if isinstance(error, DBAPIError) and is_transient(error):
                    raise
                results.append(RowError(product.line, _reason(error), product.handle))
        refresh_embeddings(tx, writer.written)
        return results, writer.counts

    results, counts = db.run_write(write)
    for result in results:
        if isinstance(result, RowError):
            _reject(report, [result])
        else:
            report.count(result)
    report.counts.add(counts)


class _RollbackError(Exception):
    """Raised inside the strict import's transaction to undo it."""


def _import_strict(db: Database, parsed: Iterable[ParsedProduct], report: ImportReport, context: _Context) -> None:
    try:
        with db.write() as tx:
            writer = context.writer(tx)
            for product in parsed:
                if product.record is None:
                    _reject(report, product.errors)
                else:
                    # Written even after a bad row, to find every row the database would refuse too.
                    _apply_strict(writer, product, report)
            report.counts = writer.counts
            if report.error_count:
                raise _RollbackError
            refresh_embeddings(tx, writer.written)
    except _RollbackError:
        report.rolled_back = True


def _apply_strict(writer: ProductWriter, product: ParsedProduct, report: ImportReport) -> None:
    assert product.record is not None
    try:
        with writer.refs.savepoint():
            report.count(writer.apply(product.record))
    except (RecordRejectedError, DBAPIError) as error:
        if isinstance(error, DBAPIError) and is_transient(error):
            raise
        _reject(report, [RowError(product.line, _reason(error), product.handle)])


def _reject(report: ImportReport, errors: list[RowError]) -> None:
    report.skipped += 1
    for error in errors:
        report.add_error(error)


def _reason(error: Exception) -> str:
    if isinstance(error, DBAPIError):
        first_line = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else type(error.orig).__name__
        return f"the database refused it: {first_line}"
    return str(error)
