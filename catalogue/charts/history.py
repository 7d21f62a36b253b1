"""Rows and size over a dataset's versions, for the dataset page's chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from catalogue.access import Reader, first_readable_version, readable
from catalogue.errors import DatasetNotFound
from catalogue.models import Dataset, Version, VersionFile
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
    """Each version the reader may see, oldest first, with its size and rows (one query for
    the versions and their files, one or two for the profiles)."""
    dataset = s.exec(select(Dataset).where(Dataset.department == department,
                                           Dataset.slug == slug, readable(reader))).first()
    if dataset is None:
        raise DatasetNotFound(f"{department}/{slug}")
    versions: dict[int, tuple[datetime, int]] = {}
    files: dict[int, list[str]] = {}
    for number, authored_at, size, path, md5 in s.connection().execute(
            select(Version.number, Version.authored_at, Version.size, VersionFile.path,
                   VersionFile.md5)
            .outerjoin(VersionFile, VersionFile.version_id == Version.id)
            .where(Version.dataset_id == dataset.id,
                   Version.number >= first_readable_version(reader, dataset))
            .order_by(Version.number)):
        versions[number] = (authored_at, size)
        if path is not None and wants_profile(path, md5):
            files.setdefault(number, []).append(md5)
    rows = _rows(s, {md5 for found in files.values() for md5 in found})
    points = []
    for number, (authored_at, size) in versions.items():
        counts = [rows.get(md5) for md5 in files.get(number, [])]
        total = sum(counts) if counts and None not in counts else None
        points.append(VersionPoint(number, authored_at, size, total))
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
