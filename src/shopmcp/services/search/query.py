"""Raw search text -> a safe full-text query for SQLite FTS5 and PostgreSQL.

The text comes from a model or a person and is never trusted as query
syntax: it is parsed here into words, and each backend's query string is
rebuilt from those words alone, every word quoted. So `usb-c`, `kid's`, a
lone `"`, `NOT x`, `*`, emoji or SQL text can never reach the database as
syntax, and both backends read the same text the same way.

The syntax understood is the common web-search one:

- words are all required: `wireless headphones`;
- `"noise cancelling"` is a phrase; so is a joined word such as `usb-c`;
- `a OR b` needs either (OR binds tighter than the implicit AND);
- `-word`, `-"a phrase"` and `NOT word` exclude;
- `head*` matches words starting with `head` (at least three letters);
- `AND` is accepted and changes nothing; other punctuation is ignored.
"""

import re
from dataclasses import dataclass

MAX_TERMS = 16
"""Terms beyond this are dropped (with a message): a longer query is a pasted text, not a search."""

MAX_WORD_LENGTH = 64
MIN_PREFIX_LENGTH = 3

# A chunk is a quoted phrase (closed or not) or a run of non-space characters.
_CHUNK = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """A word, or several words that must follow each other (a phrase)."""

    words: tuple[str, ...]
    prefix: bool = False
    """The last word may be the start of a longer word."""


@dataclass(frozen=True)
class ParsedQuery:
    """Every clause is required; a clause is satisfied by any of its terms; excluded terms must not match."""

    clauses: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()
    dropped_terms: int = 0
    """Terms left out because the query had more than `MAX_TERMS`."""

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.excluded

    @property
    def has_required(self) -> bool:
        return bool(self.clauses)

    def terms(self) -> list[Term]:
        return [term for clause in self.clauses for term in clause] + list(self.excluded)


@dataclass
class _Builder:
    clauses: list[list[Term]]
    excluded: list[Term]
    count: int = 0
    dropped: int = 0
    pending_or: bool = False
    pending_not: bool = False

    def add(self, term: Term, *, negated: bool) -> None:
        if self.count >= MAX_TERMS:
            self.dropped += 1
            return
        self.count += 1
        if negated or self.pending_not:
            self.excluded.append(term)
        elif self.pending_or and self.clauses:
            self.clauses[-1].append(term)
        else:
            self.clauses.append([term])
        self.pending_or = self.pending_not = False


def parse_query(text: str) -> ParsedQuery:
    """Read raw search text as described in the module docstring; never raises."""
    builder = _Builder(clauses=[], excluded=[])
    for match in _CHUNK.finditer(text):
        minus, phrase, chunk = match.group(1), match.group(2), match.group(3)
        if phrase is not None:
            term = _term(phrase, prefix=False)
            if term is not None:
                builder.add(term, negated=bool(minus))
            continue
        if chunk in ("OR", "|"):
            builder.pending_or = bool(builder.clauses)
            continue
        if chunk == "AND":
            continue
        if chunk == "NOT":
            builder.pending_not = True
            continue
        negated = chunk.startswith("-") and len(chunk) > 1
        body = chunk[1:] if negated else chunk
        term = _term(body, prefix=body.endswith("*"))
        if term is not None:
            builder.add(term, negated=negated)
    return ParsedQuery(
        clauses=tuple(tuple(clause) for clause in builder.clauses),
        excluded=tuple(builder.excluded),
        dropped_terms=builder.dropped,
    )


def _term(text: str, *, prefix: bool) -> Term | None:
    words = tuple(word[:MAX_WORD_LENGTH].lower() for word in _WORD.findall(text))
    if not words:
        return None
    return Term(words=words, prefix=prefix and len(words[-1]) >= MIN_PREFIX_LENGTH)


@dataclass(frozen=True)
class ColumnHint:
    """A test on one indexed column that every wanted product passes, e.g. its brand's name.

    Search adds it to an FTS5 query so that the index intersects it with the
    words itself (a fast merge) instead of handing every match of a common
    word to the base-table filter. It may let through more than the filter
    (a longer brand name holding the same words); the exact filter still runs.
    """

    column: str
    values: tuple[str, ...]
    """Stored values, e.g. brand names, tokenized by the index itself as the stored rows were."""


def column_hint(column: str, values: list[str]) -> ColumnHint | None:
    """A hint that `column` holds one of `values`; None when some value has no words to look for."""
    if not values or any(not _WORD.search(value) for value in values):
        return None
    return ColumnHint(column=column, values=tuple(values))


# --- SQLite FTS5 ------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    # Words hold only letters and digits, so wrapping them in double quotes
    # makes an FTS5 string that cannot carry any operator.
    phrase = '"' + " ".join(term.words) + '"'
    return f"{phrase} *" if term.prefix else phrase


def _fts5_any(terms: tuple[Term, ...] | list[Term]) -> str:
    rendered = [_fts5_term(term) for term in terms]
    return rendered[0] if len(rendered) == 1 else "(" + " OR ".join(rendered) + ")"


def _fts5_hint(hint: ColumnHint) -> str:
    # A stored name, quoted whole (inner quotes doubled: FTS5's only escape), is
    # split into words by the same tokenizer that indexed it.
    phrases = ['"' + value.replace('"', '""') + '"' for value in hint.values]
    joined = phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"
    return f"{{{hint.column}}} : {joined}"


def to_fts5(query: ParsedQuery, *, title_only: bool = False, hints: tuple[ColumnHint, ...] = ()) -> str:
    """The FTS5 MATCH expression of the required clauses and hints, minus the excluded terms.

    `title_only` restricts the required clauses to the title column. Only
    valid when the query has required clauses.
    """
    if not query.has_required:
        raise ValueError("an FTS5 expression needs at least one required term")
    required = " AND ".join(_fts5_any(clause) for clause in query.clauses)
    if title_only:
        required = f"{{title}} : ({required})"
    if hints:
        required = " AND ".join([f"({required})", *(_fts5_hint(hint) for hint in hints)])
    if not query.excluded:
        return required
    return f"({required}) NOT {_fts5_any(query.excluded)}"


def to_fts5_any(terms: tuple[Term, ...]) -> str:
    """An FTS5 expression matching any of `terms` (used for exclusion-only queries)."""
    return _fts5_any(terms)


# --- PostgreSQL tsquery -------------------------------------------------------


def _tsquery_term(term: Term, weight: str) -> str:
    # Quoted lexemes: the words hold only letters and digits, so no quote can
    # close early; to_tsquery still stems them and drops stop words.
    lexemes = [f"'{word}'{':' + weight if weight else ''}" for word in term.words]
    if term.prefix:
        lexemes[-1] = f"'{term.words[-1]}':*{weight}"
    return " <-> ".join(lexemes) if len(lexemes) > 1 else lexemes[0]


def _tsquery_any(terms: tuple[Term, ...] | list[Term], weight: str = "") -> str:
    rendered = [_tsquery_term(term, weight) for term in terms]
    return "( " + " | ".join(rendered) + " )"


def to_tsquery(query: ParsedQuery, *, title_only: bool = False) -> str:
    """The `to_tsquery` text of the query; `title_only` restricts required terms to weight A (the title)."""
    weight = "A" if title_only else ""
    parts = [_tsquery_any(clause, weight) for clause in query.clauses]
    if query.excluded:
        parts.append("!" + _tsquery_any(query.excluded))
    return " & ".join(parts)


def to_tsquery_any(terms: tuple[Term, ...]) -> str:
    return _tsquery_any(terms)
