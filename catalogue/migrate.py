"""Schema migrations (Alembic): every change of schema ships with its migration, and the
catalogue upgrades its database to the newest one when it starts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from catalogue.db import write_transaction

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine, connection=None) -> Config:
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
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        command.upgrade(alembic_config(engine, conn), "head")


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for the difference between the models and the database (developers)."""
    with engine.begin() as conn:
        command.revision(alembic_config(engine, conn), message=message, autogenerate=True)
