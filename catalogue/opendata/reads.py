"""What the public reads: datasets with versions released openly, as they were approved.

Every read goes through `catalogue.access.openly_released()`: a version that is not approved,
not yet in git, or withdrawn is not found, exactly as one that does not exist. The metadata is
the release's snapshot (a later edit to dataset.yaml reaches the public with the next release),
the bytes are read by hash like any download.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from catalogue.access import openly_released
from catalogue.clock import aware
from catalogue.downloads import StoredFile, VersionBytes
from catalogue.errors import DatasetNotFound, VersionNotFound
from catalogue.models import Dataset, Registry
from catalogue.releases.licences import OPEN_LICENCES
from catalogue.releases.models import ReleaseRequest


class OpenFile(SQLModel):
    path: str
    md5: str
    size: int | None
    nfiles: int | None
    is_dir: bool


class OpenVersion(SQLModel):
    number: int
    released_at: datetime
    licence: str
    licence_title: str
    licence_url: str | None
    commit_sha: str
    authored_at: datetime
    message: str
    size: int
    files: list[OpenFile]


class OpenDatasetSummary(SQLModel):
    id: str
    department: str
    department_name: str
    slug: str
    title: str
    description: str
    tags: list[str]
    licence: str
    latest_version: int
    released_at: datetime


class OpenDataset(OpenDatasetSummary):
    publisher: str | None
    contact: str | None
    temporal_coverage: str | None
    spatial_coverage: str | None
    update_frequency: str | None
    versions: list[OpenVersion]


def _released(s: Session, department: str | None = None,
              slug: str | None = None) -> list[ReleaseRequest]:
    query = select(ReleaseRequest).where(openly_released())
    if department is not None:
        query = query.where(ReleaseRequest.department == department)
    if slug is not None:
        query = query.where(ReleaseRequest.dataset == slug)
    return list(s.exec(query.order_by(ReleaseRequest.department, ReleaseRequest.dataset,
                                      ReleaseRequest.version.desc())))


def open_datasets(s: Session, *, department: str | None = None, page: int = 1,
                  per_page: int = 20) -> tuple[int, list[OpenDatasetSummary]]:
    """A page of datasets with an open release, most recently released first."""
    latest: dict[str, ReleaseRequest] = {}
    for row in _released(s, department):
        latest.setdefault(row.key, row)
    ordered = sorted(latest.values(), key=lambda r: (-aware(r.published_at).timestamp(), r.key))
    start = (max(page, 1) - 1) * per_page
    return len(ordered), [_summary(r) for r in ordered[start:start + per_page]]


def open_dataset(s: Session, department: str, slug: str) -> OpenDataset:
    rows = _released(s, department, slug)
    if not rows:
        raise DatasetNotFound(f"{department}/{slug}")
    latest = rows[0].snapshot
    return OpenDataset(**_summary(rows[0]).model_dump(), publisher=latest.get("publisher"),
                       contact=latest.get("contact"),
                       temporal_coverage=latest.get("temporal_coverage"),
                       spatial_coverage=latest.get("spatial_coverage"),
                       update_frequency=latest.get("update_frequency"),
                       versions=[_version(r) for r in rows])


def open_version(s: Session, department: str, slug: str, number: int) -> OpenVersion:
    return _version(_release(s, department, slug, number))


def released_bytes(s: Session, department: str, slug: str, number: int) -> VersionBytes:
    """Where an openly released version's bytes are (its files as approved)."""
    row = _release(s, department, slug, number)
    git_path = s.exec(select(Registry.git_path).join(Dataset, Dataset.registry_id == Registry.id)
                      .where(Dataset.department == department, Dataset.slug == slug)).one()
    return VersionBytes(git_path, row.commit_sha, department, slug, number,
                        [StoredFile(f["path"], f["md5"], f["source"])
                         for f in row.snapshot.get("files", [])])


def open_count(s: Session) -> int:
    """How many datasets have an open release."""
    released = select(ReleaseRequest.department, ReleaseRequest.dataset) \
        .where(openly_released()).distinct().subquery()
    return s.exec(select(func.count()).select_from(released)).one()


def _release(s: Session, department: str, slug: str, number: int) -> ReleaseRequest:
    row = s.exec(select(ReleaseRequest).where(
        openly_released(), ReleaseRequest.department == department,
        ReleaseRequest.dataset == slug, ReleaseRequest.version == number)).first()
    if row is None:
        raise VersionNotFound(f"{department}/{slug}", number)
    return row


def _summary(row: ReleaseRequest) -> OpenDatasetSummary:
    snap: dict[str, Any] = row.snapshot
    return OpenDatasetSummary(
        id=row.key, department=row.department,
        department_name=snap.get("department_name", row.department), slug=row.dataset,
        title=snap.get("title", row.dataset), description=snap.get("description", ""),
        tags=snap.get("tags", []), licence=row.licence, latest_version=row.version,
        released_at=aware(row.published_at))


def _version(row: ReleaseRequest) -> OpenVersion:
    version = row.snapshot.get("version", {})
    licence = OPEN_LICENCES.get(row.licence)
    return OpenVersion(
        number=row.version, released_at=aware(row.published_at), licence=row.licence,
        licence_title=licence.title if licence else row.licence,
        licence_url=licence.url if licence else None, commit_sha=row.commit_sha,
        authored_at=datetime.fromisoformat(version["authored_at"]) if version else
        aware(row.requested_at), message=version.get("message", ""),
        size=version.get("size", 0),
        files=[OpenFile(path=f["path"], md5=f["md5"], size=f.get("size"),
                        nfiles=f.get("nfiles"), is_dir=f["md5"].endswith(".dir"))
               for f in row.snapshot.get("files", [])])
