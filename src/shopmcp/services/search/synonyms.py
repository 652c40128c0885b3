"""Synonyms: the rules of the `search_synonym` table, applied to a parsed query.

Rules use Solr's synonyms.txt syntax. `a, b, c` makes the words equivalent:
a query saying any of them finds products naming any. `a, b => c, d`
searches c or d where the query says a or b. A rule's side may hold several
words (`cell phone, smartphone`); the longest rule matching consecutive
query words wins. The migration ships a default English commerce set;
`shopmcp catalog synonyms import FILE` adds a merchant's own.

The rules are read once per process and database, and read again when the
table changes (its row count, largest id and length: one query per search).
"""

import threading
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from shopmcp.core.errors import invalid_input
from shopmcp.models.search import SearchSynonym
from shopmcp.services.search.query import ParsedQuery, Term
from shopmcp.services.search.vocabulary import words_of

MAX_RULE_WORDS = 4
"""A side of a rule is at most this many words long."""

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    words: tuple[Phrase, ...]
    replacement: tuple[Phrase, ...] | None

    def line(self) -> str:
        left = ", ".join(" ".join(phrase) for phrase in self.words)
        if self.replacement is None:
            return left
        return f"{left} => " + ", ".join(" ".join(phrase) for phrase in self.replacement)


def _phrases(text: str) -> tuple[Phrase, ...]:
    phrases = []
    for part in text.split(","):
        words = tuple(words_of(part))
        if words:
            phrases.append(words[:MAX_RULE_WORDS])
    return tuple(dict.fromkeys(phrases))


def parse_rules(text: str) -> list[Rule]:
    """Rules from synonyms.txt text: one per line, `#` comments and blank lines ignored.

    Raises:
        ShopError: invalid_input naming the first line that holds no usable rule.
    """
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        left, arrow, right = line.partition("=>")
        words = _phrases(left)
        replacement = _phrases(right) if arrow else None
        if not words or (arrow and not replacement) or (not arrow and len(words) < 2):
            raise invalid_input(
                f"Line {number} is not a synonym rule: write `a, b, c` (equivalent words) or `a => b`.",
                line=number,
            )
        rules.append(Rule(words=words, replacement=replacement))
    return rules


class Synonyms:
    """Rules indexed by the phrase a query may hold."""

    def __init__(self, rules: list[Rule]) -> None:
        self.expansions: dict[Phrase, tuple[Phrase, ...]] = {}
        for rule in rules:
            targets = rule.replacement if rule.replacement is not None else rule.words
            for phrase in rule.words:
                known = self.expansions.get(phrase, ())
                self.expansions[phrase] = tuple(dict.fromkeys(known + targets))

    def expand(self, query: ParsedQuery) -> tuple[ParsedQuery, list[tuple[str, list[str]]]]:
        """`query` with each run of plain words a rule names replaced by an OR of the rule's phrases.

        Only clauses of one plain term (no OR group, no prefix) take part; what
        was expanded is returned as (query words, searched phrases).
        """
        if not self.expansions:
            return query, []
        clauses = list(query.clauses)
        out: list[tuple[Term, ...]] = []
        applied: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(clauses):
            found = None
            for length in range(min(MAX_RULE_WORDS, len(clauses) - i), 0, -1):
                run = clauses[i : i + length]
                if not all(len(clause) == 1 and not clause[0].prefix for clause in run):
                    continue
                phrase = tuple(word for clause in run for word in clause[0].words)
                targets = self.expansions.get(phrase)
                if targets:
                    found = (length, phrase, targets)
                    break
            if found is None:
                out.append(clauses[i])
                i += 1
                continue
            length, phrase, targets = found
            out.append(tuple(Term(words=target) for target in targets))
            applied.append((" ".join(phrase), [" ".join(target) for target in targets]))
            i += length
        if not applied:
            return query, []
        return ParsedQuery(clauses=tuple(out), excluded=query.excluded, dropped_terms=query.dropped_terms), applied


_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int, int], Synonyms]] = {}


def synonyms(tx: Session) -> Synonyms:
    """The synonym rules of the database `tx` reads, cached until the table changes."""
    key = str(tx.get_bind().engine.url)
    count, largest, size = tx.execute(
        select(func.count(), func.max(col(SearchSynonym.id)), func.sum(func.length(col(SearchSynonym.words))))
    ).one()
    signature = (int(count or 0), int(largest or 0), int(size or 0))
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == signature:
            return cached[1]
    built = Synonyms(list_rules(tx))
    with _lock:
        _cache[key] = (signature, built)
    return built


def list_rules(tx: Session) -> list[Rule]:
    rows = tx.execute(
        select(col(SearchSynonym.words), col(SearchSynonym.replacement)).order_by(col(SearchSynonym.id))
    ).all()
    rules = []
    for words, replacement in rows:
        parsed = _phrases(words)
        if parsed:
            rules.append(Rule(words=parsed, replacement=_phrases(replacement) if replacement else None))
    return rules


def import_rules(tx: Session, rules: list[Rule], *, replace: bool) -> int:
    """Store `rules` as the merchant's (after removing the merchant's earlier ones when `replace`)."""
    if replace:
        tx.execute(delete(SearchSynonym).where(col(SearchSynonym.source) == "merchant"))
    for rule in rules:
        left = ", ".join(" ".join(phrase) for phrase in rule.words)
        right = ", ".join(" ".join(phrase) for phrase in rule.replacement) if rule.replacement else None
        tx.add(SearchSynonym(words=left, replacement=right, source="merchant"))
    tx.flush()
    return len(rules)
