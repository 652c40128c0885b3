"""full-text search index: FTS5 on SQLite, tsvector with GIN on PostgreSQL

Revision ID: 0002
Revises: 0001

The statements are written out here, frozen with the migration: Alembic cannot express an FTS5
table or a tsvector trigger. Title weighs most, then brand, then the category path, then the
description.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_SEARCH_DDL = [
    """
    CREATE VIRTUAL TABLE product_fts USING fts5(
        title, brand, category, description,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER product_fts_insert AFTER INSERT ON product BEGIN
        INSERT INTO product_fts (rowid, title, brand, category, description) VALUES (
            new.id, new.title,
            coalesce((SELECT name FROM brand WHERE id = new.brand_id), ''),
            coalesce((SELECT path FROM category WHERE id = new.category_id), ''),
            new.description
        );
    END
    """,
    """
    CREATE TRIGGER product_fts_update AFTER UPDATE OF title, description, brand_id, category_id
    ON product BEGIN
        DELETE FROM product_fts WHERE rowid = old.id;
        INSERT INTO product_fts (rowid, title, brand, category, description) VALUES (
            new.id, new.title,
            coalesce((SELECT name FROM brand WHERE id = new.brand_id), ''),
            coalesce((SELECT path FROM category WHERE id = new.category_id), ''),
            new.description
        );
    END
    """,
    """
    CREATE TRIGGER product_fts_delete AFTER DELETE ON product BEGIN
        DELETE FROM product_fts WHERE rowid = old.id;
    END
    """,
    # A renamed brand or a moved category re-indexes its products, so the
    # index never holds an old name (search also narrows by these columns).
    # Option filters compare values in any letter case (search_products options).
    # The trailing `value` makes SQLite count the index as covering, so it
    # prefers it to the model's (name, value, product_id) index.
    "CREATE INDEX ix_variant_option_search ON variant_option (name, lower(value), product_id, value)",
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

SQLITE_SEARCH_DROP = [
    "DROP INDEX IF EXISTS ix_variant_option_search",
    "DROP TRIGGER IF EXISTS category_fts_move",
    "DROP TRIGGER IF EXISTS brand_fts_rename",
    "DROP TRIGGER IF EXISTS product_fts_delete",
    "DROP TRIGGER IF EXISTS product_fts_update",
    "DROP TRIGGER IF EXISTS product_fts_insert",
    "DROP TABLE IF EXISTS product_fts",
]

POSTGRES_SEARCH_DDL = [
    "ALTER TABLE product ADD COLUMN search_vector tsvector",
    """
    CREATE FUNCTION product_search_vector_update() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
            setweight(to_tsvector('english',
                coalesce((SELECT name FROM brand WHERE id = NEW.brand_id), '')), 'B') ||
            setweight(to_tsvector('english',
                coalesce((SELECT path FROM category WHERE id = NEW.category_id), '')), 'C') ||
            setweight(to_tsvector('english', coalesce(NEW.description, '')), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER product_search_vector
    BEFORE INSERT OR UPDATE OF title, description, brand_id, category_id ON product
    FOR EACH ROW EXECUTE FUNCTION product_search_vector_update()
    """,
    "CREATE INDEX ix_product_search_vector ON product USING GIN (search_vector)",
    # The title alone, for ranking title matches first: the weights inside
    # search_vector cannot be searched through its index.
    "CREATE INDEX ix_product_search_vector_title ON product USING GIN (to_tsvector('english', title))",
    # Option filters compare values in any letter case (search_products options).
    "CREATE INDEX ix_variant_option_search ON variant_option (name, lower(value), product_id, value)",
    # A renamed brand or a moved category re-indexes its products: touching
    # the key column fires the product trigger above.
    """
    CREATE FUNCTION product_search_vector_refresh() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'brand' THEN
            UPDATE product SET brand_id = brand_id WHERE brand_id = NEW.id;
        ELSE
            UPDATE product SET category_id = category_id WHERE category_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER brand_search_vector_refresh AFTER UPDATE OF name ON brand
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION product_search_vector_refresh()
    """,
    """
    CREATE TRIGGER category_search_vector_refresh AFTER UPDATE OF path ON category
    FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION product_search_vector_refresh()
    """,
]

POSTGRES_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS category_search_vector_refresh ON category",
    "DROP TRIGGER IF EXISTS brand_search_vector_refresh ON brand",
    "DROP FUNCTION IF EXISTS product_search_vector_refresh()",
    "DROP INDEX IF EXISTS ix_variant_option_search",
    "DROP INDEX IF EXISTS ix_product_search_vector_title",
    "DROP INDEX IF EXISTS ix_product_search_vector",
    "DROP TRIGGER IF EXISTS product_search_vector ON product",
    "DROP FUNCTION IF EXISTS product_search_vector_update()",
    "ALTER TABLE product DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    statements = {"sqlite": SQLITE_SEARCH_DDL, "postgresql": POSTGRES_SEARCH_DDL}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    statements = {"sqlite": SQLITE_SEARCH_DROP, "postgresql": POSTGRES_SEARCH_DROP}
    for statement in statements[op.get_bind().dialect.name]:
        op.execute(statement)
