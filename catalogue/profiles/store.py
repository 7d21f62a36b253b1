"""Reading stored profiles by md5, for pages, search and the worker (no pyarrow here: search
and the indexer's listeners import this module)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Engine

from catalogue.models import Dataset, Version, VersionFile
from catalogue.profiles.models import FileProfile

PROFILES = FileProfile.__table__
D, V, F = Dataset.__table__.c, Version.__table__.c, VersionFile.__table__.c


def profiles_of(engine: Engine, md5s: Iterable[str]) -> dict[str, FileProfile]:
    wanted = list(dict.fromkeys(md5s))
    found: dict[str, FileProfile] = {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            for row in conn.execute(select(PROFILES).where(
                    PROFILES.c.md5.in_(wanted[start:start + 500]))):
                found[row.md5] = FileProfile(**row._mapping)
    return found


def datasets_holding(engine: Engine, md5s: Iterable[str]) -> set[str]:
    """The datasets whose current version holds any of these files (or directories)."""
    wanted = list(dict.fromkeys(md5s))
    found: set[str] = set()
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            rows = conn.execute(
                select(D.department, D.slug).select_from(VersionFile.__table__)
                .join(Version.__table__, V.id == F.version_id)
                .join(Dataset.__table__, D.id == V.dataset_id)
                .where(F.md5.in_(wanted[start:start + 500]), V.number == D.version_count,
                       D.retired.is_(False)).distinct())
            found.update(f"{r.department}/{r.slug}" for r in rows)
    return found


SEARCHED_TYPES = {"date", "datetime", "boolean"}  # type words worth finding a table by


def profile_columns(engine: Engine, md5s: Iterable[str]) -> dict[str, list[str]]:
    """Column names (and the telling types: a `date` column) from the profiles of these
    files; a directory's from its files' profiles. Files not profiled yet are left out."""
    profiles = profiles_of(engine, md5s)
    members = [m for p in profiles.values() if p.format == "directory"
               for m in p.members.values()]
    inside = profiles_of(engine, members) if members else {}
    found: dict[str, list[str]] = {}
    for md5, profile in profiles.items():
        parts = [inside[m] for m in profile.members.values() if m in inside] \
            if profile.format == "directory" else [profile]
        words: dict[str, None] = {}
        for part in parts:
            for table in part.tables:
                for column in table.get("columns") or []:
                    words[column["name"]] = None
                    if column.get("type") in SEARCHED_TYPES:
                        words[column["type"]] = None
        found[md5] = list(words)
    return found
