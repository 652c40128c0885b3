"""Tax by destination: the rates table (the packaged `data/tax_rates.csv` unless configured) and where a cart ships.

A row names a country and, for countries taxed by region (the US and Canada),
a region; a row with an empty region covers the whole country. A destination
with no row pays no tax.
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from shopmcp.core.regions import REGIONS
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.services.pricing.rules import TaxTerms

PACKAGED_TABLE = Path(__file__).resolve().parents[2] / "data" / "tax_rates.csv"

NO_TAX = TaxTerms(rate=Decimal(0), shipping_taxable=False)


@dataclass(frozen=True)
class TaxTable:
    rates: dict[tuple[str, str], TaxTerms]

    def terms_for(self, country: str, region: str | None) -> TaxTerms:
        """The tax of a destination: its region's row, else its country's, else none."""
        country = country.upper()
        if region and (found := self.rates.get((country, region.upper()))):
            return found
        return self.rates.get((country, ""), NO_TAX)


@cache
def load_tax_table(path: Path = PACKAGED_TABLE) -> TaxTable:
    """Read and check a tax table; a bad row raises ValueError naming its line."""
    rates: dict[tuple[str, str], TaxTerms] = {}
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.DictReader(line for line in file if not line.lstrip().startswith("#"))
        for number, row in enumerate(rows, start=1):
            try:
                rate = Decimal(row["rate"])
                if not (Decimal(0) <= rate < Decimal(1)):
                    raise ValueError("rate must be a fraction from 0 up to 1")
                shipping_taxable = row["shipping_taxable"].strip().lower() in ("true", "yes", "1")
                key = (row["country"].strip().upper(), (row["region"] or "").strip().upper())
            except (KeyError, AttributeError, TypeError, InvalidOperation, ValueError) as error:
                raise ValueError(f"{path}: data row {number} is not a valid tax rate: {error!r}") from error
            rates[key] = TaxTerms(rate=rate, shipping_taxable=shipping_taxable)
    return TaxTable(rates=rates)


@dataclass(frozen=True)
class Destination:
    """Where the cart ships: what tax it pays and how it is named."""

    label: str
    """e.g. "US-CA" or "DE"."""
    tax: TaxTerms


def destination_of(address: ShippingAddress | Mapping[str, Any], tax_table: TaxTable) -> Destination:
    """The tax destination of a (normalized) address."""
    parsed = address if isinstance(address, ShippingAddress) else ShippingAddress.model_validate(address)
    region = parsed.region if parsed.country in REGIONS else None
    label = f"{parsed.country}-{region}" if region else parsed.country
    return Destination(label=label, tax=tax_table.terms_for(parsed.country, region))
