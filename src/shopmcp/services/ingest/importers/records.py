"""One product as an import carries it: the native JSON Lines format, and what the Shopify CSV reader produces.

A JSON Lines file has one `ProductRecord` per line (see docs/catalog.md,
"JSON Lines"). Money is an integer in minor units (`4999`) or a decimal string
in major units (`"49.99"`); a JSON number with a fraction is refused,
because binary floats cannot hold cents exactly.
"""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from shopmcp.core.money import exponent, is_known_currency
from shopmcp.models.catalog import ProductStatus
from shopmcp.models.safe_text import PATH_LIMIT, TITLE_LIMIT, clean_block, clean_line, clean_mapping, has_nul
from shopmcp.models.types import MAX_INT

MAX_AMOUNT = MAX_INT
"""The largest amount or count a column holds (32-bit integer)."""
MAX_DESCRIPTION = 200_000
MAX_VARIANTS = 2_048
MAX_OFFERS = 50
MAX_OPTIONS = 3
MAX_TAGS = 250
MAX_ATTRIBUTES = 100

JsonScalar = str | int | float | bool | None


def parse_amount(value: Any) -> int | Decimal:
    """An amount of money as given: int -> minor units, str -> Decimal major units; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError('give money as an integer of minor units (4999) or a decimal string ("49.99")')
    if isinstance(value, int):
        amount: int | Decimal = value
    else:
        text = value.strip()
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value[:40]!r} is not an amount; write it like 49.99") from None
        if not amount.is_finite() or "e" in text.lower():
            raise ValueError(f"{value[:40]!r} is not an amount; write it like 49.99")
    if amount < 0:
        raise ValueError("an amount cannot be negative")
    return amount


def to_minor_units(amount: int | Decimal, currency: str) -> int:
    """Minor units of `currency`; refuses more decimal places than it has and amounts beyond `MAX_AMOUNT`."""
    if isinstance(amount, Decimal):
        places = exponent(currency)
        scaled = amount.scaleb(places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{amount} has more than {places} decimal places, too many for {currency}")
        amount = int(scaled)
    if amount > MAX_AMOUNT:
        raise ValueError(f"{amount} minor units is more than this store can hold ({MAX_AMOUNT})")
    return amount


def _untrusted(clean: Any) -> Any:
    """An after-validator cleaning catalog text (`models.safe_text`); text with a NUL is left for the record
    to refuse."""

    def validate(value: Any) -> Any:
        return value if value is None or has_nul(value) else clean(value)

    return validate


def _visible_title(title: str) -> str:
    cleaned = clean_line(title, TITLE_LIMIT)
    if not cleaned:
        raise ValueError("the title has no visible text")
    return cleaned


def _clean_category_value(value: str | list[str]) -> str | list[str]:
    return clean_line(value, PATH_LIMIT) if isinstance(value, str) else [clean_line(name) for name in value]


def options_key(options: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Options compared the way variants are matched: option names without case, values exactly."""
    return tuple(sorted((name.lower(), value) for name, value in options.items()))


PriceInput = Annotated[int | Decimal, BeforeValidator(parse_amount)]
Text255 = Annotated[str, Field(min_length=1, max_length=255)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class OfferRecord(_Record):
    """A seller's offer on a variant."""

    seller: str | None = Field(
        default=None, min_length=1, max_length=200, description="Seller name; default: the import's seller."
    )
    price: PriceInput
    compare_at_price: PriceInput | None = None
    currency: str | None = Field(default=None, description="ISO 4217; default: the import's currency.")
    stock: int = Field(default=0, ge=0, le=MAX_AMOUNT, strict=True)
    track_inventory: bool = Field(default=True, strict=True)
    condition: Literal["new", "refurbished", "used"] = "new"
    handling_days: int = Field(default=0, ge=0, le=365, strict=True)
    active: bool = Field(default=True, strict=True)

    _clean_seller = field_validator("seller")(_untrusted(clean_line))

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if len(code) != 3 or not is_known_currency(code):
            raise ValueError(f"{value[:20]!r} is not an ISO 4217 currency code such as USD")
        return code


class VariantRecord(_Record):
    """A buyable version of the product; `options` such as {"Color": "Blue", "Size": "M"}."""

    sku: Text255 | None = None
    options: dict[Annotated[str, Field(min_length=1, max_length=100)], Text255] = Field(
        default_factory=dict, max_length=MAX_OPTIONS
    )
    offers: list[OfferRecord] = Field(default_factory=list, max_length=MAX_OFFERS)

    @field_validator("options")
    @classmethod
    def _distinct_names(cls, options: dict[str, str]) -> dict[str, str]:
        lowered = [name.strip().lower() for name in options]
        if len(set(lowered)) != len(lowered):
            raise ValueError("option names must differ (case does not count)")
        return {name.strip(): value for name, value in options.items()}

    _clean_options = field_validator("options")(_untrusted(clean_mapping))


class ProductRecord(_Record):
    """A product with its variants and their offers."""

    handle: Text255 = Field(description="Stable key: re-importing the same handle updates the product.")
    title: Annotated[str, Field(min_length=1, max_length=500)]
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    brand: str | None = Field(default=None, max_length=200)
    category: str | list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, description='Path, "Electronics > Audio > Headphones" or a list of names.'
    )
    status: ProductStatus = "active"
    attributes: dict[Annotated[str, Field(min_length=1, max_length=100)], JsonScalar | list[JsonScalar]] = Field(
        default_factory=dict, max_length=MAX_ATTRIBUTES
    )
    tags: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(default_factory=list, max_length=MAX_TAGS)
    image_url: str | None = Field(default=None, max_length=2000, pattern=r"^https?://\S+$")
    rating: float | None = Field(default=None, ge=0, le=5)
    review_count: int | None = Field(default=None, ge=0, le=MAX_AMOUNT, strict=True)
    created_at: AwareDatetime | None = None
    variants: list[VariantRecord] = Field(min_length=1, max_length=MAX_VARIANTS)

    # Catalog text is untrusted data: cleaned and bounded before it is stored (see models.safe_text).
    _clean_title = field_validator("title")(_untrusted(_visible_title))
    _clean_description = field_validator("description")(_untrusted(clean_block))
    _clean_brand = field_validator("brand")(_untrusted(clean_line))
    _clean_category = field_validator("category")(_untrusted(_clean_category_value))
    _clean_attributes = field_validator("attributes")(_untrusted(clean_mapping))
    _clean_tags = field_validator("tags")(_untrusted(lambda tags: [t for t in map(clean_line, tags) if t]))

    @model_validator(mode="after")
    def _no_nul_characters(self) -> "ProductRecord":
        if has_nul(self.model_dump()):
            raise ValueError("text contains a NUL character, which cannot be stored")
        return self

    @model_validator(mode="after")
    def _distinct_variants(self) -> "ProductRecord":
        skus = [variant.sku for variant in self.variants if variant.sku]
        if len(set(skus)) != len(skus):
            raise ValueError("two variants have the same sku")
        keys = [options_key(variant.options) for variant in self.variants]
        if len(set(keys)) != len(keys):
            raise ValueError("two variants have the same options; each variant needs its own option values")
        return self
