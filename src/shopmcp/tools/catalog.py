"""Catalog tools: read-only, no shopping session needed."""

from typing import TYPE_CHECKING, Any

from mcp.server import MCPServer

from shopmcp.models.catalog_public import CategoryTree
from shopmcp.services import catalog
from shopmcp.tools.wiring import READ_ONLY, shop_tool

if TYPE_CHECKING:
    from shopmcp.server import AppContext


def register(server: MCPServer[Any], app: "AppContext") -> None:
    @server.tool(annotations=READ_ONLY)
    @shop_tool
    def list_categories() -> CategoryTree:
        """List the store's category tree with the number of active products in each category.

        Use a category's `slug` as the `category` filter of search_products. Counts
        include subcategories.
        """
        return app.db.run_read(catalog.list_categories)

    @server.resource(
        "shop://categories",
        name="categories",
        title="Category tree",
        description="The category tree with product counts, as JSON.",
        mime_type="application/json",
    )
    def categories_resource() -> str:
        return app.db.run_read(catalog.list_categories).model_dump_json()
