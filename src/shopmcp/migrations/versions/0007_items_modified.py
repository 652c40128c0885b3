"""items_modified: the status of a pending order whose items were changed (tau2's "pending (item modified)");
customer_order.after_delivery: a delivered order's return or exchange request

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

_OLD_STATUSES = (
    "status IN ('placed', 'processing', 'shipped', 'delivered', 'cancelled', 'return_requested', 'exchange_requested')"
)
_NEW_STATUSES = (
    "status IN ('placed', 'processing', 'shipped', 'delivered', 'cancelled', 'return_requested', "
    "'exchange_requested', 'items_modified')"
)


def upgrade() -> None:
    # SQLite rebuilds customer_order here; env.py runs migrations with its foreign keys checked at the end.
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("after_delivery", _JSON, nullable=True))
        batch_op.drop_constraint("customer_order_status", type_="check")
        batch_op.create_check_constraint("customer_order_status", _NEW_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE customer_order SET status = 'placed' WHERE status = 'items_modified'")
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.drop_constraint("customer_order_status", type_="check")
        batch_op.create_check_constraint("customer_order_status", _OLD_STATUSES)
        batch_op.drop_column("after_delivery")
