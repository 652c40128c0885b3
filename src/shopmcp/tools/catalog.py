"""Catalog tools, resources and completions: read-only, no shopping session needed."""

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp.types import Completion, CompletionArgument, CompletionContext, PromptReference, ResourceTemplateReference
from pydantic import Field, StringConstraints

from shopmcp.app_context import AppContext
from shopmcp.core.errors import ShopError
from shopmcp.models import concise
from shopmcp.models.catalog_public import CategoryTree, CompareResult, ProductDetail, SearchResult, SortOrder
from shopmcp.services import catalog, search
from shopmcp.tools.decorator import READ_ONLY, shop_tools
from shopmcp.tools.params import DetailParam, Id, is_id

ProductIdParam = Id
PriceParam = Annotated[
    Decimal | None,
    Field(ge=0, le=10**9, max_digits=14, description="Major units, e.g. 49.99."),
]
OptionName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
OptionValue = Annotated[str, StringConstraints(min_length=1, max_length=255)]

_CATEGORY_ARGUMENTS = frozenset({"category", "category_slug"})
_BRAND_ARGUMENTS = frozenset({"brand", "brand_name"})


def register(server: MCPServer[AppContext], app: AppContext) -> None:
    tool = shop_tools(server, app)
    currency = app.commerce.currency
    features = search.SearchFeatures(
        relax=app.settings.search_relax,
        typos=app.settings.search_typos,
        synonyms=app.settings.search_synonyms,
        price_words=app.settings.search_price_words,
        semantic=app.settings.search_semantic,
    )

    @tool(READ_ONLY)
    def search_products(
        query: Annotated[
            str,
            Field(
                max_length=500,
                description='"a phrase", a OR b, -word, prefix* work. Empty: filters alone.',
            ),
        ] = "",
        category: Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=200,
                description="A slug from list_categories (subcategories included).",
            ),
        ] = None,
        brand: Annotated[str | None, Field(min_length=1, max_length=200, description="Any letter case.")] = None,
        min_price: PriceParam = None,
        max_price: PriceParam = None,
        in_stock: Annotated[
            bool | None,
            Field(description="true: buyable now; false: sold out."),
        ] = None,
        options: Annotated[
            dict[OptionName, OptionValue] | None,
            Field(
                max_length=5,
                description='Variant options, e.g. {"color": "blue", "size": "M"}.',
            ),
        ] = None,
        min_rating: Annotated[float | None, Field(ge=0, le=5, description="0 to 5.")] = None,
        sort: Annotated[
            SortOrder,
            Field(description="relevance: best match (best rated without a query)."),
        ] = "relevance",
        limit: Annotated[int, Field(ge=1, le=50, description="Products per page.")] = 10,
        cursor: Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=1000,
                description="From the previous page; same other arguments.",
            ),
        ] = None,
        detail: DetailParam = "concise",
    ) -> SearchResult:
        """Search products by the person's words (as they are) and filters; the start of any purchase.

        total_count is a floor when total_count_exact is false. Price phrases ("under $100") become bounds,
        synonyms apply, and a query nothing matches in full is relaxed and matched by meaning
        too (messages say how).
        detail=full adds filter facets with counts.
        """
        request = search.SearchRequest(
            query=query,
            category=category,
            brand=brand,
            min_price=min_price,
            max_price=max_price,
            in_stock=in_stock,
            options=options or {},
            min_rating=min_rating,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
        found = app.db.run_read(search.search_products, request=request, currency=currency, features=features)
        return concise.search_result(found, detail)

    @tool(READ_ONLY)
    def get_product(product_id: ProductIdParam, detail: DetailParam = "concise") -> ProductDetail:
        """One product: attributes, options, variants in stock (ids for add_to_cart), its cheapest offers.

        detail=full: every offer (condition, 30-day low, each shipping method with dates), description, tags.
        """
        return concise.product(app.db.run_read(catalog.get_product, product_id=product_id), detail)

    @tool(READ_ONLY)
    def compare_prices(
        product_ids: Annotated[
            list[Id],
            Field(min_length=1, max_length=10),
        ],
        quantity: Annotated[int, Field(ge=1, le=999, description="Units of each.")] = 1,
        ship_to_country: Annotated[
            str | None,
            Field(
                min_length=2,
                max_length=2,
                description="ISO alpha-2, e.g. US.",
            ),
        ] = None,
        detail: DetailParam = "concise",
    ) -> CompareResult:
        """Compare 1 to 10 products' offers by landed cost (price x quantity + shipping, before tax).

        Per product: cheapest and fastest offer that can supply the quantity, offer_count; attributes that
        differ. detail=full: every offer, each shipping method, 30-day low and average.
        """
        compared = app.db.run_read(
            catalog.compare_prices, product_ids=product_ids, quantity=quantity, ship_to_country=ship_to_country
        )
        return concise.comparison(compared, detail)

    @tool(READ_ONLY)
    def list_categories(detail: DetailParam = "concise") -> CategoryTree:
        """The category tree with product counts; a slug is search_products' category.

        Concise: two levels. detail=full: the whole tree.
        """
        return concise.category_tree(app.db.run_read(catalog.list_categories), detail)

    _register_resources(server, app)
    _register_completions(server, app)


def _register_resources(server: MCPServer[AppContext], app: AppContext) -> None:
    currency = app.commerce.currency

    @server.resource(
        "shop://categories",
        name="categories",
        title="Category tree",
        description="The category tree with product counts, as JSON.",
        mime_type="application/json",
    )
    def categories_resource() -> str:
        return app.db.run_read(catalog.list_categories).model_dump_json()

    @server.resource(
        "shop://products/{product_id}",
        name="product",
        title="Product",
        description="One product as get_product returns it: variants, offers, shipping, 30-day low. JSON.",
        mime_type="application/json",
    )
    def product_resource(product_id: str) -> str:
        if not is_id(product_id):
            raise ResourceNotFoundError(f"No product with id {product_id!r}. {catalog.FIND_PRODUCTS}")
        return _read(lambda: app.db.run_read(catalog.get_product, product_id=int(product_id)))

    @server.resource(
        "shop://categories/{category}",
        name="category_products",
        title="Best-rated products of a category",
        description="The first page of search_products for a category slug (subcategories included), as JSON.",
        mime_type="application/json",
    )
    def category_resource(category: str) -> str:
        request = search.SearchRequest(category=category, sort="rating", limit=20)
        return _read(lambda: app.db.run_read(search.search_products, request=request, currency=currency))

    @server.resource(
        "shop://brands/{brand}",
        name="brand_products",
        title="Best-rated products of a brand",
        description="The first page of search_products for a brand name, as JSON.",
        mime_type="application/json",
    )
    def brand_resource(brand: str) -> str:
        request = search.SearchRequest(brand=brand, sort="rating", limit=20)
        return _read(lambda: app.db.run_read(search.search_products, request=request, currency=currency))


def _read(load: Callable[[], Any]) -> str:
    """JSON of what `load()` returns; a business error becomes the protocol's resource-not-found."""
    try:
        result = load()
    except ShopError as error:
        raise ResourceNotFoundError(error.message) from error
    return str(result.model_dump_json())


def _register_completions(server: MCPServer[AppContext], app: AppContext) -> None:
    # The SDK leaves its decorator factory untyped.
    @server.completion()  # type: ignore[no-untyped-call, untyped-decorator]
    async def complete(
        ref: PromptReference | ResourceTemplateReference,  # noqa: ARG001
        argument: CompletionArgument,
        context: CompletionContext | None,  # noqa: ARG001
    ) -> Completion | None:
        """Complete any prompt or resource-template argument named like a category or a brand.

        The server has one completion handler, so this is it for every feature:
        an argument is completed by its name, whichever prompt or template has it.
        """
        if argument.name in _CATEGORY_ARGUMENTS:
            finder = catalog.complete_categories
        elif argument.name in _BRAND_ARGUMENTS:
            finder = catalog.complete_brands
        else:
            return None
        values, total = await _run_read(app, finder, prefix=argument.value)
        return Completion(values=values, total=total, has_more=total > len(values))


async def _run_read(app: AppContext, fn: Callable[..., Any], **kwargs: Any) -> Any:
    return await anyio.to_thread.run_sync(lambda: app.db.run_read(fn, **kwargs))
