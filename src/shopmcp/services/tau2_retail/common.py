"""What the tau2-retail import and export share: the source's name, its currency, money and addresses."""

from decimal import Decimal
from typing import Any

from shopmcp.core.money import to_major, to_minor

SOURCE = "tau2-retail"
CURRENCY = "USD"
SELLER = "tau2 retail"
"""The one seller of an imported store: tau2 has no sellers, every variant is sold by the store itself."""


def cents(amount: float | int) -> int:
    """tau2's dollars (a JSON number) as integer cents; `repr` gives the number as the file wrote it."""
    return to_minor(Decimal(repr(amount)), CURRENCY)


def dollars(minor: int) -> float:
    """Cents back as the JSON number tau2 writes (a float, e.g. 50.88 or 100.0)."""
    return float(to_major(minor, CURRENCY))


def address_to_ours(address: dict[str, Any], name: str | None) -> dict[str, Any]:
    """A tau2 address as a shipping address's fields (country kept as tau2 wrote it, e.g. USA)."""
    return {
        "name": name,
        "line1": address["address1"],
        "line2": address["address2"],
        "city": address["city"],
        "region": address["state"],
        "postal_code": address["zip"],
        "country": address["country"],
    }


def address_to_tau2(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "address1": fields["line1"],
        "address2": fields["line2"] or "",
        "city": fields["city"],
        "country": fields["country"],
        "state": fields["region"] or "",
        "zip": fields["postal_code"] or "",
    }
