"""Public result schemas of the catalog tools: what search_products, get_product, compare_prices return."""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shopmcp.core.money import Money
from shopmcp.models.common import full_only
from shopmcp.models.safe_text import (
    Attributes,
    Description,
    FilterValue,
    Name,
    OptionalName,
    OptionalValues,
    OptionLists,
    Options,
    Path,
    Tags,
    Title,
)

SortOrder = Literal["relevance", "price_asc", "price_desc", "rating", "newest"]
ProductAvailability = Literal["in_stock", "out_of_stock"]
OfferAvailability = Literal["in_stock", "out_of_stock", "made_to_order"]


# --- Categories ---------------------------------------------------------------


class CategoryNode(BaseModel):
    """A category with its subcategories; `product_count` includes the subcategories' products."""

    id: int | None = full_only()
    name: Name
    slug: str = Field(description="Pass as `category` to search_products.")
    path: Path | None = full_only('Names from the root, e.g. "Electronics > Audio".')
    product_count: int = Field(description="Products for sale in this category and below.")
    children: list["CategoryNode"] | None = Field(
        default_factory=list,
        exclude_if=lambda value: value is None,
        description="Subcategories; left out below the levels a concise result shows.",
    )


class CategoryTree(BaseModel):
    categories: list[CategoryNode] = Field(description="The top-level categories.")
    total_products: int = Field(description="Products for sale in the whole catalog.")
    messages: list[str] = Field(default_factory=list, description="E.g. which levels a concise result leaves out.")


class CategoryRef(BaseModel):
    slug: str = Field(description="Pass as `category` to search_products.")
    name: Name
    path: Path


# --- Search ---------------------------------------------------------------------


class PriceRange(BaseModel):
    """What the product sells for now: over offers in stock when there are any, else over all its offers."""

    min: Money
    max: Money | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Left out of a concise search result (its items show the lowest price only).",
    )


class ProductSummary(BaseModel):
    id: int = Field(description="Pass to get_product, compare_prices or add_to_cart.")
    title: Title
    brand: OptionalName
    category: CategoryRef | None = full_only()
    price: PriceRange
    rating: float = Field(description="Average buyer rating, 0 to 5.")
    review_count: int | None = full_only()
    availability: ProductAvailability = Field(description="in_stock: at least one offer can be bought now.")
    offer_count: int = Field(description="Active offers from sellers; compare them with compare_prices.")
    matched_options: dict[str, str] | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Option values of this product's variants that words of the query matched, e.g. "
        '{"color": "Purple"}; pass them as `options` or pick that variant. Absent when no option word matched.',
    )
    matched_attributes: dict[str, str] | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description='Attribute values that words of the query matched and the title does not hold, e.g. {"material": '
        '"Merino wool"}. Absent otherwise.',
    )


class FacetValue(BaseModel):
    value: FilterValue = Field(description="Pass this as the filter of the same name to narrow the search.")
    label: Name
    count: int = Field(description="Counted products with this value.")


class Facet(BaseModel):
    values: list[FacetValue] = Field(description="The most frequent values, most frequent first.")
    other_count: int = Field(
        description="Counted products with none of the listed values (or none at all); "
        "the listed counts plus this add up to `counted`."
    )


class PriceBand(BaseModel):
    min: Money = Field(description="Lowest price in the band (inclusive); use as min_price.")
    max: Money | None = Field(description="Upper end (exclusive); use as max_price. None for the top band.")
    count: int


class OptionFacet(BaseModel):
    name: Name = Field(description='Option name, e.g. "color"; use as a key of `options`.')
    values: list[FacetValue] = Field(
        description="Values, case-folded; a product with several values counts once under each."
    )


class Facets(BaseModel):
    """Counts over the matching products, to narrow a search.

    Facets count at most the first few thousand matches (see `counted` and
    `exact`): enough to show what a result set holds without making a very
    common query slow.
    """

    counted: int = Field(description="How many matching products the facets count.")
    exact: bool = Field(description="True when `counted` is every matching product.")
    category: Facet
    brand: Facet
    price: list[PriceBand] = Field(description="Price bands of the lowest current price, in the store currency.")
    options: list[OptionFacet]


class SearchResult(BaseModel):
    items: list[ProductSummary]
    total_count: int = Field(
        description="Matching products; when `total_count_exact` is false, at least this many (like '10,000+')."
    )
    total_count_exact: bool
    next_cursor: str | None = Field(
        description="Pass as `cursor`, with the same other arguments, for the next page; None on the last page."
    )
    sort: SortOrder = Field(description="The order the items are in.")
    facets: Facets | None = full_only()
    messages: list[str] = Field(
        default_factory=list, description="Notes on how the query was read, e.g. words that were ignored."
    )


# --- Product detail -------------------------------------------------------------


class SellerInfo(BaseModel):
    id: int
    name: Name
    rating: float = Field(description="Average buyer rating of the seller, 0 to 5.")
    rating_count: int | None = full_only()


class DeliveryEstimate(BaseModel):
    """When an order placed today arrives: the seller's handling time plus the carrier's time, in calendar days."""

    min_days: int
    max_days: int
    earliest: date | None = full_only()
    latest: date | None = full_only()


class ShippingOption(BaseModel):
    method: str = Field(description="standard or express.")
    cost: Money = Field(description="What this order pays for shipping by this method.")
    free_over: Money | None = full_only("Orders from this seller at or above this amount ship free.")
    delivery: DeliveryEstimate


class OfferDetail(BaseModel):
    id: int = Field(description="Pass as offer_id to add_to_cart to buy from this seller.")
    variant_id: int
    seller: SellerInfo
    price: Money
    compare_at_price: Money | None = full_only("The seller's former or list price, when it shows one.")
    condition: str | None = full_only("new, refurbished or used.")
    availability: OfferAvailability
    stock: int | None = Field(description="Units available; None for made-to-order offers (no stock limit).")
    lowest_price_30d: Money | None = full_only("This offer's lowest price in the last 30 days, today included.")
    shipping: list[ShippingOption] = Field(description="For one unit, standard first (concise: that one only).")


class VariantDetail(BaseModel):
    id: int = Field(description="Pass as variant_id to add_to_cart.")
    sku: Name | None = full_only()
    title: Name = Field(description='Its option values, e.g. "Blue / M".')
    options: Options | None = full_only('e.g. {"color": "Blue", "size": "M"}.')
    available: bool | None = full_only("At least one offer of this variant can be bought now.")
    lowest_price: Money | None = full_only("The cheapest offer of this variant that can be bought now.")


class ProductDetail(BaseModel):
    id: int
    title: Title
    description: Description | None = full_only()
    brand: OptionalName
    category: CategoryRef | None = full_only()
    attributes: Attributes
    tags: Tags | None = full_only()
    image_url: str | None = full_only()
    rating: float
    review_count: int
    created_at: datetime | None = full_only()
    availability: ProductAvailability
    price: PriceRange | None = Field(description="None when no seller offers the product.")
    lowest_price_30d: Money | None = full_only("The lowest price of any offer in the last 30 days.")
    options: OptionLists = Field(description="Every option and its values across the variants.")
    variants: list[VariantDetail] = Field(description="Concise: only those that can be bought now.")
    offers: list[OfferDetail] = Field(
        description="detail=full: every active offer, cheapest first. Concise: the cheapest few, those that "
        "can be bought now first (offer_count says how many there are)."
    )
    offer_count: int = Field(default=0, description="Active offers in all.")
    messages: list[str] = Field(default_factory=list, description="E.g. how many offers a concise result leaves out.")


# --- Price comparison -------------------------------------------------------------


PriceVerdict = Literal["lowest_in_30_days", "below_average", "average", "above_average"]


class PriceInsight(BaseModel):
    """The offer's current price against its own last 30 days."""

    current: Money | None = full_only()
    low_30d: Money | None = full_only()
    average_30d: Money | None = full_only("Time-weighted: each price counts for as long as it held.")
    verdict: PriceVerdict


class ShippingQuote(BaseModel):
    method: str
    cost: Money = Field(description="Shipping for this quantity from this seller (free over its threshold).")
    landed_cost: Money = Field(description="Price x quantity + this shipping, before tax.")
    delivery: DeliveryEstimate


class OfferComparison(BaseModel):
    offer_id: int = Field(description="Pass as offer_id to add_to_cart.")
    variant_id: int
    variant_title: Name
    options: Options | None = full_only()
    seller: SellerInfo
    condition: str | None = full_only()
    availability: OfferAvailability
    stock: int | None
    can_fulfill: bool = Field(description="False when the offer cannot supply the whole quantity now.")
    unit_price: Money
    subtotal: Money | None = full_only("unit_price x quantity.")
    landed_cost: Money = Field(description="unit_price x quantity plus the cheapest shipping method, before tax.")
    cheapest_method: str
    fastest_delivery: DeliveryEstimate = Field(description="By the seller's fastest method.")
    shipping: list[ShippingQuote] | None = full_only()
    price_insight: PriceInsight


class ProductComparison(BaseModel):
    product_id: int
    title: Title
    brand: OptionalName
    rating: float
    review_count: int | None = full_only()
    offers: list[OfferComparison] = Field(
        description="Offers that can supply the quantity first, each group by landed cost, cheapest first: "
        "every one with detail=full, the cheapest and the fastest in a concise result."
    )
    offer_count: int = Field(default=0, description="Active offers in all.")
    cheapest_offer_id: int | None = Field(description="Lowest landed cost among offers that can supply the quantity.")
    fastest_offer_id: int | None = Field(description="Earliest delivery among offers that can supply the quantity.")


class AttributeRow(BaseModel):
    name: Name
    values: OptionalValues = Field(description="One per product, in the order of `products`; None when absent.")


class CompareResult(BaseModel):
    quantity: int
    ship_to_country: str | None
    products: list[ProductComparison]
    attributes: list[AttributeRow] = Field(
        description="Side by side for several products: brand, rating, lowest landed cost, and every "
        "attribute at least two of them share (a concise result: only those whose values differ). "
        "Empty for a single product."
    )
    messages: list[str] = Field(default_factory=list)
