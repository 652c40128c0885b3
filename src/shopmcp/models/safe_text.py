"""Catalog text is untrusted data: control characters stripped and length bounded, at import and on output.

Titles, descriptions, brand, category and seller names, option values,
attributes and tags come from whoever filled the catalog (a supplier's CSV,
a marketplace seller). An agent reads them as data; they must not be able to
hide text (zero-width characters), reorder what the agent or a person sees
(bidi overrides), inject terminal or protocol control codes, or flood the
context. So every such string is cleaned twice: by the importer before it is
stored, and by the public result models before it is returned (which also
covers rows written by other means). Instruction-like text and markup are
returned as the literal text they are: the server never acts on catalog text.

What is removed: C0 control characters (a single-line field turns tab, line
feed and carriage return into a space; a description keeps tab and line
feed), DEL, C1 controls, lone surrogates, bidi embedding, override and
isolate characters and marks, zero-width characters (space, joiners, word
joiner, BOM). Text longer than its bound is cut and ends with "…".
"""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel

TITLE_LIMIT = 200
NAME_LIMIT = 200
"""Brand, seller, category and option names, variant titles, path segments."""
PATH_LIMIT = 1000
FILTER_LIMIT = 255
"""A facet value an agent passes back as a filter: as long as the longest option value a variant may have."""
DESCRIPTION_LIMIT = 5000
VALUE_LIMIT = 200
"""Attribute values, option values and tags."""
MAX_ATTRIBUTES = 100
ELLIPSIS = "…"

_INVISIBLE = [0x7F, *range(0x80, 0xA0), 0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F]
_INVISIBLE += [*range(0x202A, 0x202F), 0x2060, *range(0x2066, 0x206A), 0xFEFF, *range(0xD800, 0xE000)]
_SINGLE_LINE = dict.fromkeys([*range(32), *_INVISIBLE])
_SINGLE_LINE.update({ord("\t"): " ", ord("\n"): " ", ord("\r"): " ", 0x2028: " ", 0x2029: " "})
_MULTI_LINE = dict.fromkeys([*range(32), *_INVISIBLE])
_MULTI_LINE.update({ord("\t"): "\t", ord("\n"): "\n", 0x2028: "\n", 0x2029: "\n"})
_SPACES = re.compile(r" {2,}")
_BLANK_LINES = re.compile(r"\n{3,}")


def has_nul(value: object) -> bool:
    """Whether a NUL character is in any string, key or value, however deep (our own models included).

    PostgreSQL text cannot hold one, so text carrying it is refused before it reaches a query.
    """
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    if isinstance(value, BaseModel) and type(value).__module__.startswith("shopmcp."):
        return any(has_nul(item) for item in vars(value).values())
    return False


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def clean_line(text: str, limit: int = NAME_LIMIT) -> str:
    """One line of untrusted text: no control, bidi or zero-width characters, at most `limit` characters."""
    if not (text.isprintable() and len(text) <= limit):
        text = _SPACES.sub(" ", text.translate(_SINGLE_LINE)).strip()
    return _bounded(text, limit)


def clean_block(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Untrusted text of several lines (a description): as `clean_line`, keeping line feeds and tabs."""
    if not text.isprintable() or len(text) > limit:
        text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_MULTI_LINE)
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        text = _BLANK_LINES.sub("\n\n", text).strip()
    return _bounded(text, limit)


def clean_value(value: Any, limit: int = VALUE_LIMIT) -> Any:
    """A JSON value from the catalog: every string in it cleaned (and bounded); lists and dicts kept in shape."""
    if isinstance(value, str):
        return clean_line(value, limit)
    if isinstance(value, list):
        return [clean_value(item, limit) for item in value[:MAX_ATTRIBUTES]]
    if isinstance(value, dict):
        return clean_mapping(value, limit)
    return value


def clean_mapping(values: dict[str, Any], limit: int = VALUE_LIMIT) -> dict[str, Any]:
    """Attributes or options: names and values cleaned; names that clean to nothing or collide are dropped."""
    cleaned: dict[str, Any] = {}
    for name, value in list(values.items())[:MAX_ATTRIBUTES]:
        key = clean_line(str(name), NAME_LIMIT)
        if key and key not in cleaned:
            cleaned[key] = clean_value(value, limit)
    return cleaned


def _optional(clean: Any) -> Any:
    return lambda value: None if value is None else clean(value)


Title = Annotated[str, AfterValidator(lambda text: clean_line(text, TITLE_LIMIT))]
Name = Annotated[str, AfterValidator(clean_line)]
OptionalName = Annotated[str | None, AfterValidator(_optional(clean_line))]
FilterValue = Annotated[str, AfterValidator(lambda text: clean_line(text, FILTER_LIMIT))]
Path = Annotated[str, AfterValidator(lambda text: clean_line(text, PATH_LIMIT))]
Description = Annotated[str, AfterValidator(clean_block)]
Attributes = Annotated[dict[str, Any], AfterValidator(clean_mapping)]
Options = Annotated[dict[str, str], AfterValidator(clean_mapping)]
OptionLists = Annotated[dict[str, list[str]], AfterValidator(clean_mapping)]
Tags = Annotated[list[str], AfterValidator(lambda tags: [clean_line(tag, VALUE_LIMIT) for tag in tags])]
TextList = Annotated[list[str], AfterValidator(lambda texts: [clean_line(text, TITLE_LIMIT) for text in texts])]
OptionalValues = Annotated[
    list[str | None], AfterValidator(lambda values: [_optional(clean_line)(value) for value in values])
]
