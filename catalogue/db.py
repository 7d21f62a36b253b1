"""Engines and transactions, for SQLite (the embedded default) and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Table, event, func, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from catalogue import models  # noqa: F401  (registers the tables)
from catalogue.settings import normalise_database_url


def make_engine(url: str) -> Engine:
    """An engine; on SQLite, WAL mode, a busy timeout, and BEGIN IMMEDIATE for writers.

    SQLite upgrades a read transaction to a write one lazily, and fails at once when another
    writer got there first; beginning every transaction IMMEDIATE makes writers queue instead.
    """
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

    return engine


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose every transaction is a write one (BEGIN IMMEDIATE on SQLite)."""
    with engine.connect() as conn:
        conn.info["write"] = True
        try:
            yield conn
        finally:
            conn.info.pop("write", None)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction on a connection: committed on success, rolled back on error."""
    with write_connection(engine) as conn, conn.begin():
        yield conn


def allocate_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """`count` new ids, ascending, for rows of `table` (whose primary key is an integer `id`),
    so that many rows can be inserted with theirs in one executemany instead of having each
    read back. On PostgreSQL they come from the column's sequence; on SQLite they follow the
    largest id, which is what SQLite would give and is safe in a write transaction (BEGIN
    IMMEDIATE: nobody else inserts until it ends; a deferred one fails rather than collide)."""
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        return sorted(conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                 "FROM generate_series(1, :count)"),
            {"table": table.name, "count": count}).scalars())
    largest = conn.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(largest + 1, largest + 1 + count))


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction as an ORM session."""
    with write_transaction(engine) as conn, Session(bind=conn) as session:
        yield session
        session.flush()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@contextmanager
def scratch_database(folder: Path, server: str | None, prefix: str = "scratch") -> Iterator[str]:
    """A database nobody else uses, for tests and benchmarks: a SQLite file in `folder`, or,
    when `server` names a PostgreSQL server, a new database on it, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    if not server:
        yield f"sqlite:///{folder / (name + '.sqlite')}"
        return
    base = normalise_database_url(server)
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.rsplit("/", 1)[0] + f"/{name}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
