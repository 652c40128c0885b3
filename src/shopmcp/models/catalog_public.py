"""Public result schemas of the catalog tools."""

from pydantic import BaseModel, Field


class CategoryNode(BaseModel):
    """A category with its subcategories; `product_count` includes the subcategories' products."""

    id: int
    name: str
    slug: str = Field(description="Pass as `category` to search_products.")
    path: str = Field(description='Names from the root, e.g. "Electronics > Audio".')
    product_count: int = Field(description="Active products in this category and below.")
    children: list["CategoryNode"] = Field(default_factory=list)


class CategoryTree(BaseModel):
    categories: list[CategoryNode] = Field(description="The top-level categories.")
    total_products: int = Field(description="Active products in the whole catalog.")
