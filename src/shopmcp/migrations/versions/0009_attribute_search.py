"""product attribute values become searchable words (weighted like the category path)

Revision ID: 0009
Revises: 0008

SQLite: FTS5 cannot add a column, so `product_fts` is made again with a fifth column, `attributes`
(the product's attribute values that are strings: not keys, numbers or booleans, which
without their unit, named only by the key, would match any number in a query), filled from `product`,
and its triggers made again (an attribute edit now re-indexes the product). PostgreSQL: the
`search_vector` trigger adds the values with weight C (as the category path: below title and
brand, above the description) and fires on attribute edits; products with attributes are
re-indexed. Frozen with the migration: the statements are written out, nothing of the application
is imported.
"""

# ruff: noqa: S608  (the statements are built from this file's own constants, never from input)

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"

_SQLITE_ATTRIBUTES = (
    "coalesce((SELECT group_concat(value, ' ') FROM json_tree("
    "CASE WHEN json_valid(new.attributes) THEN new.attributes ELSE '{}' END"
    ") WHERE type = 'text'), '')"
)
_SQLITE_VALUES = f"""
            new.id, new.title,
            coalesce((SELECT name FROM brand WHERE id = new.brand_id), ''),
            coalesce((SELECT path FROM category WHERE id = new.category_id), ''),
            new.description,
            {_SQLITE_ATTRIBUTES}"""
_SQLITE_OLD_VALUES = """
            new.id, new.title,
            coalesce((SELECT name FROM brand WHERE id = new.brand_id), ''),
            coalesce((SELECT path FROM category WHERE id = new.category_id), ''),
            new.description"""


def _sqlite_ddl(columns: str, values: str, update_of: str) -> list[str]:
    """The FTS5 table filled from `product`, and the triggers that keep it (as in 0002, with `columns`)."""
    return [
        f"CREATE VIRTUAL TABLE product_fts USING fts5({columns}, {_TOKENIZE})",
        f"INSERT INTO product_fts (rowid, {columns}) SELECT {values} FROM product AS new",
        f"""
    CREATE TRIGGER product_fts_insert AFTER INSERT ON product BEGIN
        INSERT INTO product_fts (rowid, {columns}) VALUES ({values}
        );
    END
    """,
        f"""
    CREATE TRIGGER product_fts_update AFTER UPDATE OF {update_of}
    ON product BEGIN
        DELETE FROM product_fts WHERE rowid = old.id;
        INSERT INTO product_fts (rowid, {columns}) VALUES ({values}
        );
    END
    """,
        """
    CREATE TRIGGER product_fts_delete AFTER DELETE ON product BEGIN
        DELETE FROM product_fts WHERE rowid = old.id;
    END
    """,
        """
    CREATE TRIGGER brand_fts_rename AFTER UPDATE OF name ON brand BEGIN
        UPDATE product_fts SET brand = new.name WHERE rowid IN (SELECT id FROM product WHERE brand_id = new.id);
    END
    """,
        """
    CREATE TRIGGER category_fts_move AFTER UPDATE OF path ON category BEGIN
        UPDATE product_fts SET category = new.path
        WHERE rowid IN (SELECT id FROM product WHERE category_id = new.id);
    END
    """,
    ]


_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS category_fts_move",
    "DROP TRIGGER IF EXISTS brand_fts_rename",
    "DROP TRIGGER IF EXISTS product_fts_delete",
    "DROP TRIGGER IF EXISTS product_fts_update",
    "DROP TRIGGER IF EXISTS product_fts_insert",
    "DROP TABLE IF EXISTS product_fts",
]


def _postgres_ddl(attributes: str, update_of: str) -> list[str]:
    return [
        f"""
    CREATE OR REPLACE FUNCTION product_search_vector_update() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english',
                coalesce((SELECT name FROM brand WHERE id = NEW.brand_id), '')), 'B') ||
            setweight(to_tsvector('english',
                coalesce((SELECT path FROM category WHERE id = NEW.category_id), '')), 'C') ||
            setweight(to_tsvector('english', coalesce(NEW.description, '')), 'D'){attributes};
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
        "DROP TRIGGER IF EXISTS product_search_vector ON product",
        f"""
    CREATE TRIGGER product_search_vector
    BEFORE INSERT OR UPDATE OF {update_of} ON product
    FOR EACH ROW EXECUTE FUNCTION product_search_vector_update()
    """,
        # Only products with attributes change; touching the title fires the trigger above.
        "UPDATE product SET title = title WHERE attributes <> '{}'::jsonb",
    ]


_POSTGRES_ATTRIBUTES = """ ||
            setweight(jsonb_to_tsvector('english', coalesce(NEW.attributes, '{}'::jsonb), '["string"]'),
                'C')"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        columns = "title, brand, category, description, attributes"
        statements = _SQLITE_DROP + _sqlite_ddl(
            columns, _SQLITE_VALUES, "title, description, brand_id, category_id, attributes"
        )
    else:
        statements = _postgres_ddl(_POSTGRES_ATTRIBUTES, "title, description, brand_id, category_id, attributes")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        columns = "title, brand, category, description"
        statements = _SQLITE_DROP + _sqlite_ddl(
            columns, _SQLITE_OLD_VALUES, "title, description, brand_id, category_id"
        )
    else:
        statements = _postgres_ddl("", "title, description, brand_id, category_id")
    for statement in statements:
        op.execute(statement)
