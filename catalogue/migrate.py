"""Schema migrations (Alembic): every change of schema ships with its migration, and the
catalogue upgrades its database to the newest one when it starts.

Importing Alembic costs a few tenths of a second, on every start of every command; so
`upgrade` first reads the database's revision with plain SQL and imports Alembic only when it
is not `HEAD_REVISION`, the newest migration's id (tests/catalogue/test_migrate.py checks that
it is Alembic's own head: a new migration without a new `HEAD_REVISION` fails there)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from catalogue.db import write_transaction

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD_REVISION = "0009"  # the revision of the newest file in migrations/versions
VERSION_TABLE = "alembic_version"  # Alembic's default, which migrations/env.py keeps


def alembic_config(engine: Engine, connection=None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


MIGRATION_LOCK = 720_311  # an arbitrary key for PostgreSQL's advisory lock


def upgrade(engine: Engine) -> None:
    """Bring the database's schema up to the newest migration (a no-op when it is).

    Several processes may start at once (web workers, an index run): the migration runs in a
    write transaction that holds a lock, so one migrates and the others then find it done.
    """
    if current_revisions(engine) == {HEAD_REVISION}:
        return
    from alembic import command

    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        command.upgrade(alembic_config(engine, conn), "head")


def current_revisions(engine: Engine) -> set[str] | None:
    """The revisions the database is at, read without Alembic (None: no version table, or it
    could not be read; `upgrade` then leaves the answer to Alembic)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
            return set(rows)
    except SQLAlchemyError:
        return None


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for the difference between the models and the database (developers)."""
    from alembic import command

    with engine.begin() as conn:
        command.revision(alembic_config(engine, conn), message=message, autogenerate=True)
