"""What every tool and resource reaches, built once per server: the settings, the database and the store's rules.

`build_server` builds one `AppContext`, its lifespan yields it, and tools take it as
`Context[AppContext]` (or by the closure of their module's `register`). The commerce rules, the
currency, tax table, payment provider and quote lifetime, are built here once rather than in each
tool module.
"""

from dataclasses import dataclass
from datetime import timedelta

from shopmcp.config import Settings
from shopmcp.core.runtime import runtime_from
from shopmcp.db import Database
from shopmcp.services.payments import PaymentProvider, provider_named
from shopmcp.services.pricing.tax import PACKAGED_TABLE, TaxTable, load_tax_table


@dataclass(frozen=True)
class Commerce:
    """What the cart, checkout and order services need besides the database."""

    currency: str
    tax_table: TaxTable
    payments: PaymentProvider
    quote_ttl: timedelta


@dataclass(frozen=True)
class AppContext:
    """The server's lifespan context."""

    settings: Settings
    db: Database
    """The database, with the runtime (ids, clock, stock mode) the settings describe."""
    commerce: Commerce


def build_app_context(settings: Settings, db: Database | None = None) -> AppContext:
    """The context of a server over `db` (default: the database `settings` names)."""
    database = (db or Database(settings.resolved_database_url)).with_runtime(runtime_from(settings))
    commerce = Commerce(
        currency=settings.currency,
        tax_table=load_tax_table(settings.tax_rates_file or PACKAGED_TABLE),
        payments=provider_named(settings.payment_provider),
        quote_ttl=timedelta(seconds=settings.quote_ttl_seconds),
    )
    return AppContext(settings=settings, db=database, commerce=commerce)
