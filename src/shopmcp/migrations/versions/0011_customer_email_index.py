"""customer look-up indexes: lower(email), and lower(last_name), lower(first_name), for find_customer

Revision ID: 0011
Revises: 0010

Expression indexes, the same statement on SQLite and PostgreSQL: a query comparing lower(email)
(or the two lower-case names) to a value uses them instead of reading every customer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_customer_email_lower", "customer", [sa.text("lower(email)")], unique=False)
    op.create_index(
        "ix_customer_name_lower", "customer", [sa.text("lower(last_name)"), sa.text("lower(first_name)")], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_customer_name_lower", table_name="customer")
    op.drop_index("ix_customer_email_lower", table_name="customer")
