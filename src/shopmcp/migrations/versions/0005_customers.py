"""customers: accounts, saved addresses, wallets; order fulfilments, payment history, more statuses; import ids

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_OLD_STATUSES = "status IN ('placed', 'processing', 'shipped', 'delivered', 'cancelled')"
_NEW_STATUSES = (
    "status IN ('placed', 'processing', 'shipped', 'delivered', 'cancelled', 'return_requested', 'exchange_requested')"
)


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('principal', 'episode')", name="customer_kind"),
        sa.ForeignKeyConstraint(["session_id"], ["shopping_session.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
        sa.UniqueConstraint("session_id"),
    )
    op.create_index("ix_customer_principal", "customer", ["principal"], unique=False)
    op.create_table(
        "customer_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=60), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("customer_id", "position", name="uq_customer_address_position"),
    )
    op.create_index("ix_customer_address_customer_id", "customer_address", ["customer_id"], unique=False)
    op.create_table(
        "wallet_method",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("brand", sa.String(length=30), nullable=True),
        sa.Column("last_four", sa.String(length=4), nullable=True),
        sa.Column("balance", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('credit_card', 'paypal', 'gift_card')", name="wallet_method_kind"),
        sa.CheckConstraint("balance IS NULL OR balance >= 0", name="wallet_method_balance_nonneg"),
        sa.CheckConstraint("kind != 'gift_card' OR balance IS NOT NULL", name="wallet_method_gift_card_balance"),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_wallet_method_customer_position", "wallet_method", ["customer_id", "position"], unique=False)
    op.create_table(
        "external_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("local_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("layout", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source", "kind", "external_id", name="uq_external_ref_external"),
        sa.UniqueConstraint("source", "kind", "local_id", name="uq_external_ref_local"),
    )
    op.create_table(
        "order_fulfilment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tracking_ids", _JSON, nullable=False),
        sa.Column("variant_ids", _JSON, nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["customer_order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "position", name="uq_order_fulfilment_position"),
    )
    op.create_table(
        "order_payment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("payment_method_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('payment', 'refund')", name="order_payment_kind"),
        sa.CheckConstraint("amount >= 0", name="order_payment_amount_nonneg"),
        sa.ForeignKeyConstraint(["order_id"], ["customer_order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "position", name="uq_order_payment_position"),
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("options", _JSON, nullable=True))
    # SQLite rebuilds customer_order here; env.py runs migrations with its foreign keys checked at the end.
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.alter_column("quote_id", existing_type=sa.String(length=64), nullable=True)
        batch_op.drop_constraint("customer_order_status", type_="check")
        batch_op.create_check_constraint("customer_order_status", _NEW_STATUSES)


def downgrade() -> None:
    # SQLite rebuilds customer_order here; env.py runs migrations with its foreign keys checked at the end.
    with op.batch_alter_table("customer_order", schema=None) as batch_op:
        batch_op.drop_constraint("customer_order_status", type_="check")
        batch_op.create_check_constraint("customer_order_status", _OLD_STATUSES)
        batch_op.alter_column("quote_id", existing_type=sa.String(length=64), nullable=False)
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_column("options")
    op.drop_table("order_payment")
    op.drop_table("order_fulfilment")
    op.drop_table("external_ref")
    op.drop_index("ix_wallet_method_customer_position", table_name="wallet_method")
    op.drop_table("wallet_method")
    op.drop_index("ix_customer_address_customer_id", table_name="customer_address")
    op.drop_table("customer_address")
    op.drop_index("ix_customer_principal", table_name="customer")
    op.drop_table("customer")
