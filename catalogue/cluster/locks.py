"""A work queue's lock and pending mark across hosts, on PostgreSQL: the lock is a
session-level advisory lock held on a connection of its own for as long as the work lasts
(PostgreSQL releases it if the process dies), the mark a row of `work_mark`.

It keeps the contract of catalogue.after_push.IndexQueue (mark, take, pending, acquire,
release, run), so a burst of pushes to one registry is indexed by one run whichever hosts
the pushes, webhooks or `catalogue registry notify` reach. It speaks psycopg directly, not
SQLAlchemy: the post-receive hook's process that finds the lock taken leaves at once.
"""

from __future__ import annotations

import hashlib

from catalogue.after_push import WorkQueue

MARKS = "work_mark"


def advisory_key(name: str) -> int:
    """A signed 64-bit key for pg_advisory_lock, from the queue's name."""
    return int.from_bytes(hashlib.sha256(f"catalogue:{name}".encode()).digest()[:8], "big",
                          signed=True)


def libpq_url(database_url: str) -> str:
    """The URL as libpq takes it (SQLAlchemy's driver suffix taken off)."""
    scheme, sep, rest = database_url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


class DatabaseQueue(WorkQueue):
    def __init__(self, database_url: str, name: str):
        import psycopg

        self.name = name
        self.key = advisory_key(name)
        self._conn = psycopg.connect(libpq_url(database_url), autocommit=True)
        self._held = False

    def mark(self) -> None:
        self._conn.execute(f"INSERT INTO {MARKS} (name, marked_at) VALUES (%s, now()) "
                           "ON CONFLICT (name) DO NOTHING", (self.name,))

    def take(self) -> bool:
        row = self._conn.execute(f"DELETE FROM {MARKS} WHERE name = %s RETURNING name",
                                 (self.name,)).fetchone()
        return row is not None

    def pending(self) -> bool:
        return self._conn.execute(f"SELECT 1 FROM {MARKS} WHERE name = %s",
                                  (self.name,)).fetchone() is not None

    def acquire(self, wait: bool) -> bool:
        if wait:
            self._conn.execute("SELECT pg_advisory_lock(%s)", (self.key,))
            self._held = True
        else:
            self._held = bool(self._conn.execute("SELECT pg_try_advisory_lock(%s)",
                                                 (self.key,)).fetchone()[0])
        return self._held

    def release(self) -> None:
        if self._held:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            self._held = False

    def close(self) -> None:
        self._conn.close()
