"""The demo store's coupons, added to a catalog once it has its categories."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import structlog
from sqlmodel import Session, col, select

from shopmcp.models.cart import Coupon
from shopmcp.models.catalog import Category

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class DemoCoupon:
    code: str
    description: str
    kind: Literal["percent", "fixed"]
    value: int
    min_subtotal: int | None = None
    category_slugs: tuple[str, ...] = ()
    """The first of these that exists limits the coupon; empty for the whole store."""
    once_per_session: bool = False
    expired: bool = False


DEMO_COUPONS = (
    DemoCoupon("WELCOME10", "10% off your first order in this session", "percent", 1000, once_per_session=True),
    DemoCoupon("SAVE5", "$5.00 off orders of $50.00 or more", "fixed", 500, min_subtotal=5000),
    DemoCoupon(
        "TECH15",
        "15% off {category} and everything in it",
        "percent",
        1500,
        category_slugs=("electronics", "consumer-electronics", "tech"),
    ),
    DemoCoupon("SUMMER2020", "20% off (expired in 2020)", "percent", 2000, expired=True),
)


def seed_demo_coupons(*, tx: Session, currency: str) -> list[str]:
    """Add the demo coupons that are not there yet; returns the codes added.

    Idempotent: a coupon whose code exists is left as it is. A category-limited
    coupon whose categories are not in the catalog is limited to the first
    top-level category by name instead, and skipped in a catalog without categories.
    """
    existing = set(tx.exec(select(Coupon.code)).all())
    added = []
    for demo in DEMO_COUPONS:
        if demo.code in existing:
            continue
        category = _demo_category(tx, demo.category_slugs) if demo.category_slugs else None
        if demo.category_slugs and category is None:
            continue
        description = demo.description.format(category=category.name if category else "")
        expires_at = datetime(2020, 9, 1, tzinfo=UTC) if demo.expired else None
        tx.add(
            Coupon(
                code=demo.code,
                description=description,
                kind=demo.kind,
                value=demo.value,
                currency=currency,
                min_subtotal=demo.min_subtotal,
                category_id=category.id if category else None,
                once_per_session=demo.once_per_session,
                starts_at=expires_at - timedelta(days=92) if expires_at else None,
                expires_at=expires_at,
            )
        )
        added.append(demo.code)
    tx.flush()
    if added:
        log.info("coupons.seeded", codes=added)
    return added


def _demo_category(tx: Session, slugs: tuple[str, ...]) -> Category | None:
    """The first category of `slugs` that exists, else the first top-level category by name."""
    found = {row.slug: row for row in tx.exec(select(Category).where(col(Category.slug).in_(slugs))).all()}
    for slug in slugs:
        if slug in found:
            return found[slug]
    return tx.exec(
        select(Category).where(col(Category.parent_id).is_(None)).order_by(col(Category.name), col(Category.id))
    ).first()
