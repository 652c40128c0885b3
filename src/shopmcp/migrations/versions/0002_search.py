"""full-text search index: FTS5 on SQLite, tsvector with GIN on PostgreSQL

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

from shopmcp.db import search_ddl, search_drop_ddl

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in search_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in search_drop_ddl(op.get_bind().dialect.name):
        op.execute(statement)
