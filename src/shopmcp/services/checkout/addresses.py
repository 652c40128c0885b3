"""Shipping addresses: the rules beyond the schema's lengths (the tax destination of one is `pricing.tax`).

The schema (`ShippingAddress`) bounds every field; this module checks what
a schema cannot: a real country (ISO 3166-1 alpha-2, or its English name), a
state or province for the US and Canada (code or name), postal codes in the
form of the countries that have a fixed one, and no control characters.
Every problem found is reported at once as `invalid_address`.
"""

import re
import unicodedata
from functools import cache

from babel import Locale

from shopmcp.core.errors import ErrorCode, Resolution, ShopError
from shopmcp.core.regions import REGIONS
from shopmcp.models.checkout_public import ShippingAddress

# Two-letter codes CLDR lists that are not ISO 3166-1 countries.
_NOT_COUNTRIES = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
_COUNTRY_ALIASES = {"USA": "US", "UNITED STATES OF AMERICA": "US", "UK": "GB", "GREAT BRITAIN": "GB"}


# Countries with a fixed postal code form; their addresses need one.
POSTAL_CODES = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "5 digits, e.g. 94103 or 94103-1234"),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] \d[A-Z]\d$"), "like K1A 0B1"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$"), "like SW1A 1AA"),
    "DE": (re.compile(r"^\d{5}$"), "5 digits"),
    "FR": (re.compile(r"^\d{5}$"), "5 digits"),
    "IT": (re.compile(r"^\d{5}$"), "5 digits"),
    "ES": (re.compile(r"^\d{5}$"), "5 digits"),
    "NL": (re.compile(r"^\d{4} [A-Z]{2}$"), "like 1012 AB"),
    "AU": (re.compile(r"^\d{4}$"), "4 digits"),
    "JP": (re.compile(r"^\d{3}-\d{4}$"), "like 100-0001"),
}


@cache
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English name."""
    territories = Locale("en").territories
    return {code: name for code, name in territories.items() if len(code) == 2 and code not in _NOT_COUNTRIES}


@cache
def _country_by_name() -> dict[str, str]:
    return {name.upper(): code for code, name in countries().items()} | _COUNTRY_ALIASES


def normalize_address(address: ShippingAddress) -> ShippingAddress:
    """The address with country and region as codes and the postal code in its standard form.

    Raises:
        ShopError: `invalid_address`, with every problem in `details["fields"]`.
    """
    problems: dict[str, str] = {}
    for name, value in address.model_dump().items():
        if isinstance(value, str) and _has_control_characters(value):
            problems[name] = "contains control characters (line breaks, tabs, ...)"
    country = country_code(address.country)
    if country is None:
        problems["country"] = f"{address.country!r} is not a country; give its ISO 3166-1 alpha-2 code, e.g. US"
    region = _region(country, address.region, problems)
    postal_code = _postal_code(country, address.postal_code, problems)
    if problems:
        raise invalid_address(problems)
    assert country is not None
    return address.model_copy(
        update={"country": country, "region": region, "postal_code": postal_code, "line2": address.line2 or None}
    )


def invalid_address(problems: dict[str, str]) -> ShopError:
    listed = "; ".join(f"{name}: {problem}" for name, problem in problems.items())
    return ShopError(
        ErrorCode.INVALID_ADDRESS,
        f"The shipping address is not usable: {listed}. Fix it (ask the person if unsure) "
        "and call preview_checkout again.",
        resolution=Resolution.REQUIRES_BUYER_INPUT,
        details={"fields": problems},
    )


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)


def country_code(value: str) -> str | None:
    """The ISO alpha-2 code `value` names (a code, a name or an alias such as USA), or None."""
    upper = " ".join(value.upper().split())
    if upper in countries():
        return upper
    return _country_by_name().get(upper)


def _region(country: str | None, value: str | None, problems: dict[str, str]) -> str | None:
    known = REGIONS.get(country or "")
    if known is None:
        return value or None
    if not value:
        problems["region"] = f"a {'state' if country == 'US' else 'province'} is required, e.g. {next(iter(known))}"
        return None
    upper = " ".join(value.upper().split())
    if upper in known:
        return upper
    by_name = {name.upper(): code for code, name in known.items()}
    if upper in by_name:
        return by_name[upper]
    problems["region"] = f"{value!r} is not a {'state' if country == 'US' else 'province'} code or name"
    return None


def _postal_code(country: str | None, value: str | None, problems: dict[str, str]) -> str | None:
    rule = POSTAL_CODES.get(country or "")
    if rule is None:
        return value or None
    pattern, form = rule
    if not value:
        problems["postal_code"] = f"required for this country ({form})"
        return None
    normalized = _standard_form(country or "", value)
    if not pattern.match(normalized):
        problems["postal_code"] = f"{value!r} is not a postal code of this country ({form})"
        return None
    return normalized


def _standard_form(country: str, value: str) -> str:
    compact = "".join(value.upper().split())
    if country in ("CA", "GB") and len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    if country == "NL" and len(compact) == 6:
        return f"{compact[:4]} {compact[4:]}"
    if country == "JP" and len(compact) == 7 and compact.isdigit():
        return f"{compact[:3]}-{compact[3:]}"
    return compact
