"""Reading the catalog: categories (and, next to them, products and offers)."""

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, col, select

from shopmcp.models.catalog import Category, Product
from shopmcp.models.catalog_public import CategoryNode, CategoryTree


def list_categories(*, session: Session) -> CategoryTree:
    """The whole category tree, each node counting the active products in it and below it."""
    categories = session.exec(select(Category).order_by(col(Category.path))).all()
    direct_counts = dict(
        session.exec(
            select(Product.category_id, func.count())
            .where(Product.status == "active")
            .group_by(col(Product.category_id))
        ).all()
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
