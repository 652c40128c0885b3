"""Alembic environment: runs against the engine handed over in `config.attributes`.

Migrations are frozen: neither this file nor a revision imports the application, so editing a
model or the database code never changes what an applied migration does. The one exception is
`alembic revision --autogenerate`, which compares the models with a database to write a new
revision.
"""

from alembic import context
from sqlalchemy import Connection, Engine, MetaData, create_engine
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
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration rebuilds a table (copy, drop, rename); dropping one that other rows
            # reference fails while foreign keys are enforced, and SQLite switches enforcement only
            # outside a transaction. So it is off for the migration and the references are checked
            # before commit instead.
            _set_foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=_target_metadata(),
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
            connection.commit()
        finally:
            if sqlite:
                if connection.in_transaction():
                    connection.rollback()
                _set_foreign_keys(connection, on=True)


def _set_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign key enforcement on the driver's connection, outside any transaction."""
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: Connection) -> None:
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if violations:
        raise RuntimeError(f"the migration left rows referring to rows that do not exist: {violations[:5]}")


run_migrations()
