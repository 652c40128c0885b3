"""Alembic environment: runs against the engine handed over in `config.attributes`.

Migrations are frozen: neither this file nor a revision imports the application, so editing a
model or the database code never changes what an applied migration does. The one exception is
`alembic revision --autogenerate`, which compares the models with a database to write a new
revision.
"""

from alembic import context
from sqlalchemy import Engine, MetaData, create_engine
from sqlalchemy.engine import make_url


def _target_metadata() -> MetaData | None:
    """The models' tables, for autogenerate only; upgrades and downgrades run without them."""
    if not getattr(context.config.cmd_opts, "autogenerate", False):
        return None
    from sqlmodel import SQLModel

    import shopmcp.models  # noqa: F401  (registers every table on the metadata)

    return SQLModel.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    # `alembic -x url=...` from the command line, for writing new revisions.
    url = make_url(context.get_x_argument(as_dictionary=True).get("url", "sqlite:///./alembic-dev.db"))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url)


def run_migrations() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=_target_metadata(),
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
