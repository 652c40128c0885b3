"""Reading an import file as numbered text lines, whatever it holds, and what a reader reports back."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from shopmcp.services.ingest.importers.records import ProductRecord

MAX_LINE_BYTES = 16 * 1024 * 1024
"""A longer physical line is not part of a product file (see `SourceLine.too_long`)."""
_BOM = b"\xef\xbb\xbf"


class ImportFormatError(Exception):
    """The file as a whole cannot be read in the chosen format (no row-level reason applies)."""


@dataclass(frozen=True)
class RowError:
    """Why a row was refused: `line` is the physical line of the file, counted from 1."""

    line: int
    message: str
    handle: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" ({self.handle})" if self.handle else "")
        return f"{where}: {self.message}"


@dataclass
class ParsedProduct:
    """One product read from the file: a valid record, or the errors that keep it out."""

    line: int
    handle: str | None
    record: ProductRecord | None = None
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    bad_encoding: bool = False
    too_long: bool = False


def read_lines(stream: BinaryIO, *, max_bytes: int = MAX_LINE_BYTES) -> Iterator[SourceLine]:
    """The file's physical lines, decoded as UTF-8 (a leading BOM dropped), with their line numbers.

    A line that is not valid UTF-8 comes back decoded with replacement
    characters and `bad_encoding` set; a line longer than `max_bytes` comes
    back empty with `too_long` set, its bytes skipped.
    """
    number = 0
    while raw := stream.readline(max_bytes + 1):
        number += 1
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if len(raw) > max_bytes and not raw.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield SourceLine(number, "\n", too_long=True)
            continue
        try:
            yield SourceLine(number, raw.decode("utf-8"))
        except UnicodeDecodeError:
            yield SourceLine(number, raw.decode("utf-8", errors="replace"), bad_encoding=True)
