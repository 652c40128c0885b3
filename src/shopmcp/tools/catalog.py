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
from shopmcp.models.catalog_public import CategoryTree, CompareResult, ProductDetail, SearchResult, SortOrder
from shopmcp.services import catalog, search
from shopmcp.tools.decorator import READ_ONLY, shop_tools
from shopmcp.tools.params import Id, is_id

ProductIdParam = Annotated[Id, Field(description="A product id from search_products.")]
PriceParam = Annotated[
    Decimal | None,
    Field(ge=0, le=10**9, max_digits=14, description="In major units of the store currency, e.g. 49.99."),
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
                description='Words to look for, e.g. "wireless headphones". "quoted phrase", OR, -word (exclude) '
                "and prefix* work. Empty: browse by the filters alone.",
            ),
        ] = "",
        category: Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=200,
                description="A category slug from list_categories or facets.category (its subcategories included).",
            ),
        ] = None,
        brand: Annotated[
            str | None, Field(min_length=1, max_length=200, description="A brand name, any letter case.")
        ] = None,
        min_price: PriceParam = None,
        max_price: PriceParam = None,
        in_stock: Annotated[
            bool | None,
            Field(description="true: only products that can be bought now; false: only sold-out ones."),
        ] = None,
        options: Annotated[
            dict[OptionName, OptionValue] | None,
            Field(
                max_length=5,
                description='Variant options every result must offer, e.g. {"color": "blue", "size": "M"}; '
                "any letter case.",
            ),
        ] = None,
        min_rating: Annotated[float | None, Field(ge=0, le=5, description="Lowest average rating, 0 to 5.")] = None,
        sort: Annotated[
            SortOrder,
            Field(
                description="relevance (best text match; best rated without a query), price_asc, price_desc, "
                "rating, newest."
            ),
        ] = "relevance",
        limit: Annotated[int, Field(ge=1, le=50, description="Products per page.")] = 10,
        cursor: Annotated[
            str | None,
            Field(
                min_length=1,
                max_length=1000,
                description="The next_cursor of the previous page; keep every other argument the same.",
            ),
        ] = None,
    ) -> SearchResult:
        """Search the store's products by words and filters; the starting point for any purchase.

        Returns one page of product summaries (id, title, brand, category, price range, rating,
        availability, number of seller offers), the number of matches (`total_count`; "at least" when
        `total_count_exact` is false), `facets` (counts by category, brand, price band and option value:
        use their values as filters to narrow the search), and `next_cursor` for the next page.
        Prices are filtered on the lowest current price of the product, in the store currency.
        Pass the person's words as they are: price phrases ("under $100") become price bounds, synonyms
        apply, and when no product has every word the search relaxes (common words dropped, typos and
        option values read, ranked by words matched); products close in meaning are ranked in too (a
        need described in other words: "something to water my plants"); `messages` says what it did
        and which results match by meaning only.
        Next: get_product for details and variants, compare_prices to pick a seller.
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
        return app.db.run_read(search.search_products, request=request, currency=currency, features=features)

    @tool(READ_ONLY)
    def get_product(product_id: ProductIdParam) -> ProductDetail:
        """Everything about one product: description, attributes, variants and every seller's offer.

        Each offer has its seller (with rating), price, compare-at price, condition, stock, shipping per
        method with cost and delivery estimate (days and dates), and its lowest price of the last 30 days.
        Use a variant_id or offer_id from here with add_to_cart; compare_prices ranks the offers by landed
        cost for a quantity.
        """
        return app.db.run_read(catalog.get_product, product_id=product_id)

    @tool(READ_ONLY)
    def compare_prices(
        product_ids: Annotated[
            list[Id],
            Field(min_length=1, max_length=10, description="1 to 10 product ids from search_products."),
        ],
        quantity: Annotated[int, Field(ge=1, le=999, description="Units to buy of each product.")] = 1,
        ship_to_country: Annotated[
            str | None,
            Field(
                min_length=2,
                max_length=2,
                description="Destination, ISO 3166 alpha-2 (e.g. US). Checked; every seller ships everywhere "
                "at the same rates, and costs are before tax.",
            ),
        ] = None,
    ) -> CompareResult:
        """Compare every seller's offer of one or more products by what it costs delivered.

        Per product: offers ranked by landed cost (unit price x quantity + the seller's shipping for that
        order, free over its threshold; before tax), each with every shipping method's cost and delivery
        dates, seller rating, stock, whether it can supply the quantity, and its price against its own
        30-day low and time-weighted average. Names the cheapest and the fastest offer that can supply the
        quantity. With several products, `attributes` lines up what they share side by side.
        Next: add_to_cart with the chosen offer_id.
        """
        return app.db.run_read(
            catalog.compare_prices, product_ids=product_ids, quantity=quantity, ship_to_country=ship_to_country
        )

    @tool(READ_ONLY)
    def list_categories() -> CategoryTree:
        """List the store's category tree with the number of products for sale in each category.

        Use a category's `slug` as the `category` filter of search_products. Counts
        include subcategories.
        """
        return app.db.run_read(catalog.list_categories)

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
