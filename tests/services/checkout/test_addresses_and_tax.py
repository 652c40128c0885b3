"""Tax rates by destination and the address rules, without a database."""

from decimal import Decimal
from pathlib import Path

import pytest

from shopmcp.core.errors import ErrorCode, ShopError
from shopmcp.core.regions import US_STATES
from shopmcp.models.checkout_public import ShippingAddress
from shopmcp.services.checkout.addresses import normalize_address
from shopmcp.services.pricing.tax import PACKAGED_TABLE, destination_of, load_tax_table

BASE = {"name": "Ada", "line1": "1 Main St", "city": "Springfield"}


def _address(**fields: str | None) -> ShippingAddress:
    return ShippingAddress.model_validate({**BASE, **fields})


def test_the_packaged_table_covers_every_state_and_falls_back_to_the_country() -> None:
    table = load_tax_table(PACKAGED_TABLE)

    assert {region for country, region in table.rates if country == "US"} == set(US_STATES)
    assert table.terms_for("US", "CA").rate == Decimal("0.0725")
    assert table.terms_for("us", "ny").shipping_taxable is True
    assert table.terms_for("DE", "BY").rate == Decimal("0.19"), "a region without a row takes the country's"
    assert table.terms_for("AQ", None).rate == 0, "a destination without a row pays no tax"


def test_a_configured_table_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("# flat\ncountry,region,rate,shipping_taxable\nUS,,0.1,true\n")

    table = load_tax_table(path)

    assert table.terms_for("US", "CA").rate == Decimal("0.1")


@pytest.mark.parametrize("row", ["US,CA,abc,false", "US,CA,1.5,false", "US,CA"])
def test_a_bad_table_row_is_reported_with_its_line(tmp_path: Path, row: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"country,region,rate,shipping_taxable\n{row}\n")

    with pytest.raises(ValueError, match="data row 1"):
        load_tax_table(path)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"country": "us", "region": "new york", "postal_code": "10118"}, ("US", "NY", "10118")),
        ({"country": "United States", "region": "CA", "postal_code": "94105-1234"}, ("US", "CA", "94105-1234")),
        ({"country": "UK", "postal_code": "sw1a1aa"}, ("GB", None, "SW1A 1AA")),
        ({"country": "Canada", "region": "Québec", "postal_code": "h2x 1y4"}, None),
        ({"country": "CA", "region": "QC", "postal_code": "h2x1y4"}, ("CA", "QC", "H2X 1Y4")),
        ({"country": "NL", "postal_code": "1012ab"}, ("NL", None, "1012 AB")),
        ({"country": "JP", "postal_code": "1000001"}, ("JP", None, "100-0001")),
        ({"country": "AQ"}, ("AQ", None, None)),
    ],
)
def test_addresses_are_normalized_or_refused(
    given: dict[str, str], expected: tuple[str, str | None, str | None] | None
) -> None:
    if expected is None:
        with pytest.raises(ShopError) as refused:
            normalize_address(_address(**given))
        assert refused.value.code == ErrorCode.INVALID_ADDRESS
        return

    address = normalize_address(_address(**given))

    assert (address.country, address.region, address.postal_code) == expected


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ShopError) as refused:
        normalize_address(_address(country="US", region="Narnia", postal_code="1", name="A\tB"))

    assert set(refused.value.details["fields"]) == {"region", "postal_code", "name"}


def test_the_destination_names_the_region_only_where_tax_depends_on_it() -> None:
    table = load_tax_table(PACKAGED_TABLE)

    us = destination_of(normalize_address(_address(country="US", region="TX", postal_code="73301")), table)
    de = destination_of(normalize_address(_address(country="DE", region="Bayern", postal_code="80331")), table)

    assert (us.label, us.tax.rate) == ("US-TX", Decimal("0.0625"))
    assert (de.label, de.tax.rate) == ("DE", Decimal("0.19"))
