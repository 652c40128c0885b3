"""harness: counters of seeded mode and the per-session stock ledger

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "harness_counter",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "session_stock",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.CheckConstraint("sold >= 0", name="session_stock_sold_nonneg"),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["shopping_session.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("session_id", "offer_id"),
    )


def downgrade() -> None:
    op.drop_table("session_stock")
    op.drop_table("harness_counter")
