"""Coupons: finding a code, whether it may be used now, what it applies to, and the demo coupons.

Whether a coupon is *valid* (known, active, started, not expired, not
already used by this session) is decided here; what it is *worth* for a
cart (minimum subtotal, eligible categories, amount) is `pricing`'s job.
"""

from datetime import datetime
from typing import Literal, cast

import structlog
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.core.money import format_money
from shopmcp.models.cart import Coupon, CouponRedemption
from shopmcp.models.catalog import Category
from shopmcp.services.pricing.rules import BASIS_POINTS, CouponTerms

log = structlog.get_logger(__name__)


def normalize_code(code: str) -> str:
    return code.strip().upper()


def find_coupon(tx: Session, code: str) -> Coupon | None:
    return tx.exec(select(Coupon).where(Coupon.code == normalize_code(code))).first()


def unknown_coupon(code: str) -> ShopError:
    return ShopError(
        ErrorCode.INVALID_COUPON,
        f"There is no coupon {normalize_code(code)!r}. Check the code with the person, or continue without one.",
        resolution=Resolution.REQUIRES_BUYER_INPUT,
        details={"code": normalize_code(code)},
    )


def validity_problem(tx: Session, coupon: Coupon, *, session_id: str, now: datetime) -> ShopError | None:
    """Why `coupon` cannot be used by this session right now, or None if it can."""
    details = {"code": coupon.code}
    if not coupon.active:
        return ShopError(
            ErrorCode.INVALID_COUPON,
            f"Coupon {coupon.code} is no longer offered. Continue without it or ask the person for another code.",
            resolution=Resolution.REQUIRES_BUYER_INPUT,
            details=details,
        )
    if coupon.starts_at is not None and now < coupon.starts_at:
        return ShopError(
            ErrorCode.INVALID_COUPON,
            f"Coupon {coupon.code} is valid from {coupon.starts_at.isoformat()}; it cannot be used yet.",
            resolution=Resolution.REQUIRES_BUYER_INPUT,
            details={**details, "starts_at": coupon.starts_at.isoformat()},
        )
    if coupon.expires_at is not None and now >= coupon.expires_at:
        return ShopError(
            ErrorCode.INVALID_COUPON,
            f"Coupon {coupon.code} expired on {coupon.expires_at.date().isoformat()}. "
            "Continue without it or ask the person for another code.",
            resolution=Resolution.REQUIRES_BUYER_INPUT,
            details={**details, "expired_at": coupon.expires_at.isoformat()},
        )
    if coupon.once_per_session and _redeemed(tx, coupon, session_id):
        return ShopError(
            ErrorCode.COUPON_NOT_APPLICABLE,
            f"Coupon {coupon.code} can be used once per shopping session and this session has used it.",
            resolution=Resolution.REQUIRES_BUYER_INPUT,
            details={**details, "reason": "already_used"},
        )
    return None


def _redeemed(tx: Session, coupon: Coupon, session_id: str) -> bool:
    return (
        tx.exec(
            select(CouponRedemption.id).where(
                CouponRedemption.coupon_id == coupon.id, CouponRedemption.session_id == session_id
            )
        ).first()
        is not None
    )


def coupon_terms(tx: Session, coupon: Coupon) -> CouponTerms:
    """The pricing terms of `coupon`, its category expanded to every category below it."""
    category_ids = None if coupon.category_id is None else frozenset(subtree_ids(tx, coupon.category_id))
    return CouponTerms(
        code=coupon.code,
        kind=cast(Literal["percent", "fixed"], coupon.kind),
        value=coupon.value,
        min_subtotal=coupon.min_subtotal,
        category_ids=category_ids,
    )


def subtree_ids(tx: Session, category_id: int) -> list[int]:
    """`category_id` and the ids of every category below it."""
    tree = select(Category.id).where(Category.id == category_id).cte("subtree", recursive=True)
    tree = tree.union_all(select(Category.id).where(col(Category.parent_id) == tree.c.id))
    return [row for row in tx.exec(select(tree.c.id)).all() if row is not None]


def describe(coupon: Coupon, category_name: str | None = None) -> str:
    """A one-line description for people, e.g. "10% off" or "$5.00 off orders of $50.00 or more"."""
    if coupon.description:
        return coupon.description
    if coupon.kind == "percent":
        amount = f"{coupon.value * 100 / BASIS_POINTS:g}% off"
    else:
        amount = f"{format_money(coupon.value, coupon.currency)} off"
    scope = f" {category_name}" if category_name else ""
    minimum = f" orders of {format_money(coupon.min_subtotal, coupon.currency)} or more" if coupon.min_subtotal else ""
    return f"{amount}{scope}{minimum}".strip()


# --- Demo coupons ---------------------------------------------------------
