"""Is this instance alive, and ready to serve? What `/healthz` and `/readyz` answer.

Readiness is the database answering a query, the search index being readable, and, for each
registry, when its last index run finished and how long ago. Only the database and the search
index decide readiness: a registry not indexed for a while is reported, not fatal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from catalogue.clock import aware, utcnow
from catalogue.models import Registry


@dataclass
class Check:
    ok: bool
    detail: str


@dataclass
class RegistryState:
    name: str
    url: str
    head_sha: str | None
    indexed_at: datetime | None
    age_seconds: float | None


@dataclass
class Readiness:
    database: Check
    search_index: Check
    registries: list[RegistryState] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.database.ok and self.search_index.ok

    def public(self) -> dict[str, Any]:
        body = asdict(self)
        for r in body["registries"]:
            r["indexed_at"] = r["indexed_at"].isoformat() if r["indexed_at"] else None
        return {"status": "ready" if self.ready else "unavailable", **body}


def readiness(engine: Engine, search_folder: Path) -> Readiness:
    database = _database(engine)
    return Readiness(database, search_index(search_folder),
                     registry_states(engine) if database.ok else [])


def _database(engine: Engine) -> Check:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it is "not ready", said in one line
        return Check(False, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    return Check(True, engine.dialect.name)


def search_index(folder: Path) -> Check:
    """The search index opens and reports its document count (it is rebuilt from the
    database when missing, so a missing one is ready: the first search builds it)."""
    from whoosh.filedb.filestore import FileStorage

    from catalogue.search.service import INDEX_NAME

    path = folder / "index"
    try:
        storage = FileStorage(str(path))
        if not path.exists() or not storage.index_exists(INDEX_NAME):
            return Check(True, "not built yet: the first search builds it from the database")
        with storage.open_index(INDEX_NAME).reader() as reader:
            return Check(True, f"{reader.doc_count()} dataset(s)")
    except Exception as exc:
        return Check(False, f"{type(exc).__name__}: {exc}")


def registry_states(engine: Engine) -> list[RegistryState]:
    now = utcnow()
    with engine.connect() as conn:
        rows = conn.execute(select(Registry.name, Registry.url, Registry.head_sha,
                                   Registry.indexed_at).order_by(Registry.id)).all()
    return [RegistryState(r.name, r.url, r.head_sha, aware(r.indexed_at),
                          round((now - aware(r.indexed_at)).total_seconds(), 1)
                          if r.indexed_at else None) for r in rows]
