"""The category tree and the brands: listing them with product counts, finding them by what a person calls them,
and completing their names.
"""

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.models.catalog import Brand, Category, Product
from shopmcp.models.catalog_public import (
    CategoryNode,
    CategoryTree,
)
from shopmcp.services.catalog.for_sale import is_listed

COMPLETION_LIMIT = 100
"""The most values a completion may return (MCP's own limit)."""


def normalize_name(text: str) -> str:
    """A name as typed, made comparable: spaces collapsed, NULs dropped (no stored name holds one), lower case."""
    return " ".join(text.replace("\x00", " ").split()).lower()


def list_categories(*, tx: Session) -> CategoryTree:
    """The whole category tree, each node counting the listed products in it and below it."""
    categories = tx.exec(select(Category).order_by(col(Category.path))).all()
    direct_counts = dict(
        tx.exec(select(Product.category_id, func.count()).where(is_listed()).group_by(col(Product.category_id))).all()
    )
    children: dict[int | None, list[Category]] = defaultdict(list)
    for category in categories:
        children[category.parent_id].append(category)

    def build(category: Category) -> CategoryNode:
        assert category.id is not None
        nodes = [build(child) for child in children[category.id]]
        return CategoryNode(
            id=category.id,
            name=category.name,
            slug=category.slug,
            path=category.path,
            product_count=direct_counts.get(category.id, 0) + sum(node.product_count for node in nodes),
            children=nodes,
        )

    roots = [build(category) for category in children[None]]
    return CategoryTree(categories=roots, total_products=sum(direct_counts.values()))


@dataclass(frozen=True)
class Resolved:
    """What a category or brand argument names: row ids, and the names the full-text index holds for them."""

    ids: list[int]
    indexed_names: list[str]


def resolve_category(tx: Session, category: str) -> Resolved:
    """The category named by `category` (slug, name or path, any case) with all below it.

    `indexed_names` are the paths of the named categories: every path below
    them contains one of them.

    Raises:
        ShopError: `not_found` when no category has that slug, name or path.
    """
    wanted = normalize_name(category)
    rows = tx.exec(select(Category)).all()
    by_slug = [row for row in rows if row.slug == wanted]
    roots = by_slug or [row for row in rows if wanted in (row.name.lower(), row.path.lower())]
    if not roots:
        raise ShopError(
            ErrorCode.NOT_FOUND,
            f"No category {category!r}. Call list_categories for the category slugs, or search without "
            "`category` and read facets.category.",
            details={"kind": "category", "id": category},
        )
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in rows:
        if row.id is not None:
            children[row.parent_id].append(row.id)
    found: set[int] = set()
    pending = [root.id for root in roots if root.id is not None]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children[current])
    return Resolved(ids=sorted(found), indexed_names=[root.path for root in roots])


def resolve_brand(tx: Session, brand: str) -> Resolved:
    """The brand named `brand` (name or slug, any case).

    Raises:
        ShopError: `not_found` when no brand has that name or slug.
    """
    wanted = normalize_name(brand)
    brands = tx.exec(select(Brand).where(or_(func.lower(col(Brand.name)) == wanted, col(Brand.slug) == wanted))).all()
    if not brands:
        raise ShopError(
            ErrorCode.NOT_FOUND,
            f"No brand {brand!r}. Search without `brand` and read facets.brand for the brands that match, "
            "or leave the brand out.",
            details={"kind": "brand", "id": brand},
        )
    return Resolved(ids=[row.id for row in brands if row.id is not None], indexed_names=[row.name for row in brands])


def _prefix_pattern(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def complete_categories(*, tx: Session, prefix: str) -> tuple[list[str], int]:
    """Category slugs whose slug, name or any level of whose path starts with `prefix`; and how many in all."""
    pattern = _prefix_pattern(normalize_name(prefix))
    condition = or_(
        col(Category.slug).like(pattern, escape="\\"),
        func.lower(col(Category.name)).like(pattern, escape="\\"),
        func.lower(col(Category.path)).like(pattern, escape="\\"),
    )
    total = tx.exec(select(func.count()).select_from(Category).where(condition)).one()
    slugs = tx.exec(
        select(Category.slug).where(condition).order_by(col(Category.depth), col(Category.slug)).limit(COMPLETION_LIMIT)
    ).all()
    return list(slugs), int(total)


def complete_brands(*, tx: Session, prefix: str) -> tuple[list[str], int]:
    """Brand names starting with `prefix` (any case), and how many in all."""
    pattern = _prefix_pattern(normalize_name(prefix))
    condition = or_(func.lower(col(Brand.name)).like(pattern, escape="\\"), col(Brand.slug).like(pattern, escape="\\"))
    total = tx.exec(select(func.count()).select_from(Brand).where(condition)).one()
    names = tx.exec(select(Brand.name).where(condition).order_by(col(Brand.name)).limit(COMPLETION_LIMIT)).all()
    return list(names), int(total)
