"""Money arithmetic: integer minor units inside, `Decimal` at the edges, never float (docs/architecture.md, "Money")."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache

from babel.numbers import format_currency, get_currency_precision
from babel.numbers import get_currency_name as _currency_name
from pydantic import BaseModel, Field

from shopmcp.core.errors import invalid_input

FORMAT_LOCALE = "en_US"


class Money(BaseModel):
    """An amount of money: integer minor units of an ISO 4217 currency, and how to show it."""

    amount: int = Field(description="Integer minor units, e.g. 4999 for $49.99.")
    currency: str = Field(description="ISO 4217 code, e.g. USD.")
    formatted: str = Field(description="For people, e.g. $49.99.")


@cache
def exponent(currency: str) -> int:
    """Digits after the decimal point of `currency` (2 for USD, 0 for JPY)."""
    return int(get_currency_precision(currency))


def is_known_currency(currency: str) -> bool:
    return _currency_name(currency, locale=FORMAT_LOCALE) != currency


def round_half_up(value: Decimal) -> int:
    """Round to a whole number of minor units, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_minor(major: Decimal | int | str, currency: str) -> int:
    """Convert an amount in major units (e.g. "49.99") to minor units (4999), rounding half up."""
    try:
        value = Decimal(str(major))
    except InvalidOperation as error:
        raise invalid_input(f"{major!r} is not an amount of money; give a number like 49.99.") from error
    if not value.is_finite():
        raise invalid_input(f"{major!r} is not an amount of money; give a number like 49.99.")
    return round_half_up(value.scaleb(exponent(currency)))


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


@lru_cache(maxsize=16_384)
def format_money(minor: int, currency: str) -> str:
    # Babel takes ~100 us per call; a search page formats dozens of amounts, mostly the same few.
    return str(format_currency(to_major(minor, currency), currency, locale=FORMAT_LOCALE))


def money(minor: int, currency: str) -> Money:
    """The public shape of an amount: `{amount, currency, formatted}`."""
    return Money(amount=minor, currency=currency, formatted=format_money(minor, currency))
