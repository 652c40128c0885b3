"""Alembic environment: runs against the engine handed over in `config.attributes`."""

from alembic import context
from sqlalchemy import Engine, create_engine
from sqlmodel import SQLModel

import shopmcp.models  # noqa: F401  (registers every table on the metadata)
from shopmcp.db import normalize_url

target_metadata = SQLModel.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    # `alembic -x url=...` from the command line, for writing new revisions.
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///./alembic-dev.db")
    return create_engine(normalize_url(url))


def run_migrations() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
