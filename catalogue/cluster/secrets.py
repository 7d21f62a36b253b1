"""Secrets that every host of a catalogue must hold alike, kept in its database."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from catalogue.clock import utcnow
from catalogue.cluster.models import SharedSecret
from catalogue.db import write_transaction

SECRETS = SharedSecret.__table__


def shared_secret(engine: Engine, name: str, make: Callable[[], str]) -> str:
    """The secret `name`; the first host to ask stores `make()`'s, and every host gets that
    one (two hosts asking at once both get the one stored first)."""
    c = SECRETS.c
    with engine.connect() as conn:
        found = conn.execute(select(c.value).where(c.name == name)).scalar()
    if found is not None:
        return found
    insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)
    with write_transaction(engine) as conn:
        conn.execute(insert(SECRETS).values(name=name, value=make(), created_at=utcnow())
                     .on_conflict_do_nothing(index_elements=[c.name]))
        return conn.execute(select(c.value).where(c.name == name)).scalar_one()
