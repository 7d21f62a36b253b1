"""Rate-limit counters in the catalogue's database, so that every web worker and host counts
the same attempts: a storage backend for the `limits` library (which Flask-Limiter uses),
registered under the scheme `catalogue-db://`.

Only the fixed-window strategy (Flask-Limiter's default) is supported: one row per limit and
client, its count and the end of its window, bumped by one atomic upsert.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from catalogue.cluster.models import RateCounter
from catalogue.db import write_transaction

SCHEME = "catalogue-db"
COUNTERS = RateCounter.__table__
PRUNE_ONE_IN = 50  # an increment clears the windows long over this often


class DatabaseStorage(Storage):
    """`limits` storage over the catalogue's engine: the `engine` option is the engine, or
    a function that returns the engine to use now (a web app's, per request: several apps
    of one process, as in tests, each count in their own database)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 engine: Engine | Callable[[], Engine] | None = None, **options):
        if engine is None:
            raise ValueError(f"{SCHEME}:// needs the catalogue's engine (the `engine` option)")
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine if isinstance(self._engine, Engine) else self._engine()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        c = COUNTERS.c
        engine = self.engine
        insert = (postgresql.insert if engine.dialect.name == "postgresql"
                  else sqlite.insert)(COUNTERS)
        expired = c.expires_at <= now
        statement = insert.values(key=key, count=amount, expires_at=now + expiry) \
            .on_conflict_do_update(index_elements=[c.key], set_={
                "count": case((expired, amount), else_=c.count + amount),
                "expires_at": case((expired, now + expiry), else_=c.expires_at),
            }).returning(c.count)
        with write_transaction(engine) as conn:
            count = conn.execute(statement).scalar_one()
            if random.randrange(PRUNE_ONE_IN) == 0:
                conn.execute(delete(COUNTERS).where(c.expires_at < now))
        return count

    def get(self, key: str) -> int:
        c = COUNTERS.c
        with self.engine.connect() as conn:
            found = conn.execute(select(c.count).where(c.key == key,
                                                       c.expires_at > time.time())).scalar()
        return found or 0

    def get_expiry(self, key: str) -> float:
        c = COUNTERS.c
        now = time.time()
        with self.engine.connect() as conn:
            found = conn.execute(select(c.expires_at).where(c.key == key,
                                                            c.expires_at > now)).scalar()
        return found or now

    def check(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with write_transaction(self.engine) as conn:
            return conn.execute(delete(COUNTERS)).rowcount

    def clear(self, key: str) -> None:
        with write_transaction(self.engine) as conn:
            conn.execute(delete(COUNTERS).where(COUNTERS.c.key == key))
