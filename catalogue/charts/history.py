"""Rows and size over a dataset's versions, for the dataset page's chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from catalogue import browse
from catalogue.access import Reader
from catalogue.models import Version, VersionFile
from catalogue.profiles.store import profiles_of
from catalogue.profiles.work import wants_profile


@dataclass(frozen=True)
class VersionPoint:
    number: int
    authored_at: datetime
    size: int
    rows: int | None
    """Rows of its tables, once every one of them is profiled (None until then, or when it
    has no table)."""


def version_history(s: Session, reader: Reader, department: str,
                    slug: str) -> list[VersionPoint]:
    """Each version the reader may see, oldest first, with its size and rows."""
    versions = list(reversed(browse.versions(s, reader, department, slug)))
    if not versions:
        return []
    dataset_id = browse.readable_version(s, reader, department, slug,
                                         versions[-1].number)[0].id
    files: dict[int, list[tuple[str, str]]] = {}
    for number, path, md5 in s.exec(
            select(Version.number, VersionFile.path, VersionFile.md5)
            .join(VersionFile, VersionFile.version_id == Version.id)
            .where(Version.dataset_id == dataset_id)):
        if wants_profile(path, md5):
            files.setdefault(number, []).append((path, md5))
    rows = _rows(s, {md5 for found in files.values() for _, md5 in found})
    points = []
    for v in versions:
        tables = files.get(v.number, [])
        counts = [rows.get(md5) for _, md5 in tables]
        total = sum(counts) if tables and None not in counts else None
        points.append(VersionPoint(v.number, v.authored_at, v.size, total))
    return points


def _rows(s: Session, md5s: set[str]) -> dict[str, int | None]:
    """Rows by md5: a file's profile's, a directory's the sum of its tables' (None when a
    member is not profiled)."""
    engine = s.get_bind()
    profiles = profiles_of(engine, md5s)
    members = {m for p in profiles.values() if p.format == "directory"
               for m in p.members.values()}
    inside = profiles_of(engine, members - set(profiles)) if members else {}
    inside.update(profiles)
    found: dict[str, int | None] = {}
    for md5, profile in profiles.items():
        if profile.format != "directory":
            found[md5] = profile.rows
            continue
        counts = [inside[m].rows if m in inside else None for m in profile.members.values()]
        found[md5] = sum(counts) if counts and None not in counts else None
    return found
