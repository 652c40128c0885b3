"""What a concise result keeps of a full one (`detail="concise"`, the default of the larger tools).

Every result is read by a language model, whose context is the scarcest thing an agent has. A
concise result keeps what an agent needs to decide and act: the ids it passes back, title, brand,
price, availability, rating, the option values that exist, and for an offer its seller, price,
stock and delivery window. The fields it leaves out are `full_only` in the result models, so the
published output schema describes both levels, and a concise result is a full one with fields
left out (and lists shortened, said in `messages` or by a count).

The services build the full result; these functions only take away. docs/tools.md lists what each
tool's concise result holds, and tests/tools/test_result_budgets.py holds the sizes on the demo store.
"""

from shopmcp.models.catalog_public import (
    CategoryNode,
    CategoryTree,
    CompareResult,
    DeliveryEstimate,
    OfferComparison,
    OfferDetail,
    PriceInsight,
    ProductComparison,
    ProductDetail,
    ProductSummary,
    SearchResult,
    SellerInfo,
    ShippingOption,
    VariantDetail,
)
from shopmcp.models.common import Detail
from shopmcp.models.order_public import OrderLineView, OrderList, OrderSummary, OrderView

CONCISE_OFFERS = 3
"""Offers a concise get_product lists: the cheapest that can be bought, small for a product with 40."""

RESULT_LIMIT = 40_000
"""Characters of compact JSON no result exceeds: where one would, it is cut and says so."""

CONCISE_CATEGORY_DEPTH = 2
"""Levels of the category tree a concise list_categories shows (the demo store has three)."""


def search_result(result: SearchResult, detail: Detail) -> SearchResult:
    if detail == "full":
        return result
    return result.model_copy(update={"items": [_summary(item) for item in result.items], "facets": None}, deep=False)


def _summary(item: ProductSummary) -> ProductSummary:
    price = item.price.model_copy(update={"max": None})
    return item.model_copy(update={"category": None, "review_count": None, "price": price})


def product(result: ProductDetail, detail: Detail) -> ProductDetail:
    if detail == "full":
        return result
    ranked = sorted(result.offers, key=lambda offer: offer.availability == "out_of_stock")  # stable: cheapest first
    shown = ranked[:CONCISE_OFFERS]
    messages = list(result.messages)
    buyable = [variant for variant in result.variants if variant.available]
    if len(buyable) < len(result.variants):
        messages.append(
            f'{len(result.variants) - len(buyable)} sold-out variant(s) left out; detail="full" lists them.'
        )
    if len(shown) < len(ranked):
        messages.append(
            f"{len(shown)} of {len(ranked)} offers shown, cheapest in stock first; "
            'compare_prices or detail="full" lists all.'
        )
    return result.model_copy(
        update={
            "description": None,
            "category": None,
            "tags": None,
            "image_url": None,
            "created_at": None,
            "lowest_price_30d": None,
            "variants": [_variant(variant) for variant in buyable],
            "offers": [_offer(offer) for offer in shown],
            "messages": messages,
        }
    )


def _variant(variant: VariantDetail) -> VariantDetail:
    return variant.model_copy(update={"sku": None, "options": None, "available": None, "lowest_price": None})


def _offer(offer: OfferDetail) -> OfferDetail:
    return offer.model_copy(
        update={
            "seller": _seller(offer.seller),
            "compare_at_price": None,
            "condition": None,
            "lowest_price_30d": None,
            "shipping": [_shipping(option) for option in offer.shipping[:1]],
        }
    )


def _seller(seller: SellerInfo) -> SellerInfo:
    return seller.model_copy(update={"rating_count": None})


def _shipping(option: ShippingOption) -> ShippingOption:
    return option.model_copy(update={"free_over": None, "delivery": _days(option.delivery)})


def _days(delivery: DeliveryEstimate) -> DeliveryEstimate:
    return delivery.model_copy(update={"earliest": None, "latest": None})


def comparison(result: CompareResult, detail: Detail) -> CompareResult:
    if detail == "full":
        return _fitted(result)
    rows = result.attributes
    if len(result.products) > 1:
        rows = [row for row in rows if len(set(row.values)) > 1]
    return result.model_copy(
        update={"products": [_compared(product) for product in result.products], "attributes": rows}
    )


def _fitted(result: CompareResult) -> CompareResult:
    """A full comparison within RESULT_LIMIT: each product's offers cut to the best few by landed cost."""
    if len(result.model_dump_json()) <= RESULT_LIMIT:
        return result
    listed = max(len(product.offers) for product in result.products)
    for cap in range(listed - 1, 0, -1):
        fitted = result.model_copy(update={"products": [_first_offers(product, cap) for product in result.products]})
        if len(fitted.model_dump_json()) <= RESULT_LIMIT - 300:  # room for the message
            break
    dropped = sum(len(a.offers) - len(b.offers) for a, b in zip(result.products, fitted.products, strict=True))
    note = (
        f"{dropped} offers left out to keep this result under {RESULT_LIMIT:,} characters: each product lists "
        f"its {cap} best by landed cost (plus its cheapest and fastest). Compare fewer products at a time "
        "to see every offer."
    )
    return fitted.model_copy(update={"messages": [*result.messages, note]})


def _first_offers(compared: ProductComparison, cap: int) -> ProductComparison:
    keep = {compared.cheapest_offer_id, compared.fastest_offer_id}
    offers = [offer for index, offer in enumerate(compared.offers) if index < cap or offer.offer_id in keep]
    return compared.model_copy(update={"offers": offers})


def _compared(compared: ProductComparison) -> ProductComparison:
    """The cheapest and the fastest offer that can supply the quantity (else the best of the rest)."""
    picked = [compared.cheapest_offer_id, compared.fastest_offer_id]
    offers = [offer for offer in compared.offers if offer.offer_id in picked] or compared.offers[:1]
    return compared.model_copy(update={"review_count": None, "offers": [_compared_offer(offer) for offer in offers]})


def _compared_offer(offer: OfferComparison) -> OfferComparison:
    return offer.model_copy(
        update={
            "options": None,
            "seller": _seller(offer.seller),
            "condition": None,
            "subtotal": None,
            "shipping": None,
            "fastest_delivery": _days(offer.fastest_delivery),
            "price_insight": PriceInsight(verdict=offer.price_insight.verdict),
        }
    )


def category_tree(result: CategoryTree, detail: Detail) -> CategoryTree:
    if detail == "full":
        return result
    deeper = sum(_count(node.children or []) for node in _level(result.categories, CONCISE_CATEGORY_DEPTH))
    messages = list(result.messages)
    if deeper:
        messages.append(
            f"The first {CONCISE_CATEGORY_DEPTH} levels are shown; {deeper} deeper categories are not "
            '(detail="full" lists the whole tree). A category filter includes its subcategories, and '
            'search_products\' facets (detail="full") count them.'
        )
    return result.model_copy(
        update={"categories": [_node(node, 1) for node in result.categories], "messages": messages}
    )


def _node(node: CategoryNode, depth: int) -> CategoryNode:
    children = [_node(child, depth + 1) for child in node.children or []] if depth < CONCISE_CATEGORY_DEPTH else None
    return node.model_copy(update={"id": None, "path": None, "children": children})


def _level(nodes: list[CategoryNode], depth: int) -> list[CategoryNode]:
    if depth <= 1:
        return nodes
    return _level([child for node in nodes for child in node.children or []], depth - 1)


def _count(nodes: list[CategoryNode]) -> int:
    return sum(1 + _count(node.children or []) for node in nodes)


def order(result: OrderView, detail: Detail) -> OrderView:
    if detail == "full":
        return result
    return result.model_copy(
        update={
            "updated_at": None,
            "lines": [_line(line) for line in result.lines],
            "shipments": None,
            "subtotal": None,
            "discount": None,
            "shipping": None,
            "tax": None,
            "shipping_address": None,
            "payment": None,
            "history": None,
            "fulfilments": None,
            "payment_history": None,
        }
    )


def _line(line: OrderLineView) -> OrderLineView:
    return line.model_copy(update={"seller": None, "unit_price": None, "subtotal": None, "discount": None, "tax": None})


def order_list(result: OrderList, detail: Detail) -> OrderList:
    if detail == "full":
        return result
    return result.model_copy(update={"orders": [_order_summary(summary) for summary in result.orders]})


def _order_summary(summary: OrderSummary) -> OrderSummary:
    return summary.model_copy(update={"titles": None})
