"""Reading raw search text: the parse, and that any text renders to a query both databases accept."""

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from shopmcp import migrations
from shopmcp.db import Database
from shopmcp.services.search.query import (
    MAX_TERMS,
    ParsedQuery,
    Term,
    column_hint,
    parse_query,
    to_fts5,
    to_fts5_any,
    to_tsquery,
)

SEARCHY_TEXT = st.lists(
    st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
        st.sampled_from([*"\"-*()^:{}'&|!<>+~", " ", "AND", "OR", "NOT", "NEAR", "usb-c", "kid's"]),
    ),
    max_size=30,
).map("".join)


def test_words_are_all_required() -> None:
    assert parse_query("Wireless  headphones") == ParsedQuery(
        clauses=((Term(("wireless",)),), (Term(("headphones",)),))
    )


def test_quotes_and_joined_words_make_phrases() -> None:
    parsed = parse_query('"noise cancelling" usb-c kid\'s')

    assert parsed.clauses == (
        (Term(("noise", "cancelling")),),
        (Term(("usb", "c")),),
        (Term(("kid", "s")),),
    )


def test_or_joins_neighbours_and_binds_tighter_than_and() -> None:
    parsed = parse_query("red OR blue shirt")

    assert parsed.clauses == ((Term(("red",)), Term(("blue",))), (Term(("shirt",)),))


def test_minus_and_not_exclude() -> None:
    parsed = parse_query('shirt -red NOT "dark blue" -')

    assert parsed.clauses == ((Term(("shirt",)),),)
    assert parsed.excluded == (Term(("red",)), Term(("dark", "blue")))


def test_a_trailing_star_is_a_prefix_of_three_letters_or_more() -> None:
    assert parse_query("head*").clauses == ((Term(("head",), prefix=True),),)
    assert parse_query("he*").clauses == ((Term(("he",), prefix=False),),)


@pytest.mark.parametrize("raw", ["", "   ", "*", '"', "AND OR NOT", "🎧", "-", "()", "%_"])
def test_text_without_words_is_empty(raw: str) -> None:
    assert parse_query(raw).is_empty


def test_operators_without_operands_are_ignored() -> None:
    assert parse_query("OR shirt OR").clauses == ((Term(("shirt",)),),)
    assert parse_query("shirt NOT").excluded == ()


def test_terms_beyond_the_limit_are_dropped_and_counted() -> None:
    parsed = parse_query(" ".join(f"w{n}" for n in range(MAX_TERMS + 5)))

    assert len(parsed.terms()) == MAX_TERMS
    assert parsed.dropped_terms == 5


def test_fts5_rendering_quotes_every_word() -> None:
    parsed = parse_query('red OR blue "dark shirt" trou* -wool')

    assert to_fts5(parsed) == '(("red" OR "blue") AND "dark shirt" AND "trou" *) NOT "wool"'
    assert to_fts5(parsed, title_only=True).startswith('({title} : (("red" OR "blue")')


def test_fts5_hints_narrow_by_column() -> None:
    hint = column_hint("brand", ["Acme Audio", "B&O"])

    assert hint is not None
    assert to_fts5(parse_query("speaker"), hints=(hint,)) == '("speaker") AND {brand} : ("Acme Audio" OR "B&O")'
    assert column_hint("brand", ["🎧"]) is None


@pytest.mark.parametrize("name", ['Say "Hi" Co', "B&O", "Café Crème", "AND", "NOT x", "a*", "(x)", "{title}"])
def test_a_hint_finds_the_stored_name_it_came_from(fts5: sqlite3.Connection, name: str) -> None:
    fts5.execute(
        "INSERT INTO product_fts (rowid, title, brand, category, description) VALUES (9, 'x', ?, '', '')", (name,)
    )
    try:
        hint = column_hint("brand", [name])
        assert hint is not None
        expression = to_fts5(parse_query("x"), hints=(hint,))
        assert fts5.execute("SELECT rowid FROM product_fts WHERE product_fts MATCH ?", (expression,)).fetchall() == [
            (9,)
        ]
    finally:
        fts5.execute("DELETE FROM product_fts WHERE rowid = 9")


def test_tsquery_rendering_quotes_every_lexeme() -> None:
    parsed = parse_query('red OR blue "dark shirt" trou* -wool')

    assert to_tsquery(parsed) == "( 'red' | 'blue' ) & ( 'dark' <-> 'shirt' ) & ( 'trou':* ) & !( 'wool' )"
    assert to_tsquery(parsed, title_only=True).startswith("( 'red':A | 'blue':A )")


@pytest.fixture(scope="module")
def fts5(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """An in-memory copy of the full-text table as the search migration creates it, holding one product."""
    schema = Database(f"sqlite:///{tmp_path_factory.mktemp('fts5') / 'schema.db'}")
    migrations.upgrade(schema.engine)
    with schema.read() as tx:
        definition = tx.execute(text("SELECT sql FROM sqlite_master WHERE name = 'product_fts'")).scalar_one()
    schema.dispose()
    connection = sqlite3.connect(":memory:")
    connection.execute(definition)
    connection.execute(
        "INSERT INTO product_fts (rowid, title, brand, category, description) "
        "VALUES (1, 'USB-C cable', 'Acme', 'Electronics > Cables', 'Braided nylon, kid''s size')"
    )
    yield connection
    connection.close()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=SEARCHY_TEXT)
def test_any_text_is_a_valid_fts5_query(fts5: sqlite3.Connection, raw: str) -> None:
    parsed = parse_query(raw)
    expressions = []
    if parsed.has_required:
        expressions += [to_fts5(parsed), to_fts5(parsed, title_only=True)]
    if parsed.excluded:
        expressions.append(to_fts5_any(parsed.excluded))
    for expression in expressions:
        fts5.execute("SELECT rowid FROM product_fts WHERE product_fts MATCH ?", (expression,)).fetchall()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=SEARCHY_TEXT)
def test_any_text_is_a_valid_tsquery(database: Database, raw: str) -> None:
    if database.dialect != "postgresql":
        pytest.skip("tsquery is PostgreSQL's")
    parsed = parse_query(raw)
    if parsed.is_empty:
        return
    with database.engine.connect() as connection:
        for rendered in (to_tsquery(parsed), to_tsquery(parsed, title_only=True)):
            connection.execute(text("SELECT to_tsquery('english', :q)"), {"q": rendered}).all()


def test_a_phrase_finds_the_joined_word_it_came_from(fts5: sqlite3.Connection) -> None:
    for raw in ("usb-c", "USB C", "kid's", "braid*", '"braided nylon"'):
        expression = to_fts5(parse_query(raw))
        assert fts5.execute("SELECT rowid FROM product_fts WHERE product_fts MATCH ?", (expression,)).fetchall() == [
            (1,)
        ], raw
