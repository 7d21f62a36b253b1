"""Search documents of the open-data portal: one per dataset with a version released openly,
made from the newest release's snapshot (the metadata as approved), never from the dataset's
live metadata. They live in a search index of their own (`Catalogue.open_search`), which the
public searches; nothing of a dataset that is not released is ever in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine

from catalogue.access import openly_released
from catalogue.clock import aware
from catalogue.models import Dataset, Registry
from catalogue.releases.models import ReleaseRequest
from catalogue.search.documents import DatasetDocument, SourceFile

OPEN = "open"


def load_open_documents(engine: Engine, keys: Iterable[str] | None = None,
                        ) -> tuple[list[DatasetDocument], set[str]]:
    """Documents for the released datasets with these keys (all when None), and the keys that
    have none (never released, or every release withdrawn)."""
    wanted = None if keys is None else set(keys)
    latest: dict[str, ReleaseRequest] = {}
    with engine.connect() as conn:
        rows = conn.execute(select(ReleaseRequest).where(openly_released())
                            .order_by(ReleaseRequest.version.desc())).all()
        git_paths = {f"{d}/{slug}": path for d, slug, path in conn.execute(
            select(Dataset.department, Dataset.slug, Registry.git_path)
            .join(Registry, Registry.id == Dataset.registry_id))}
    for row in rows:
        key = f"{row.department}/{row.dataset}"
        if (wanted is None or key in wanted) and key in git_paths:
            latest.setdefault(key, row)
    documents = [_document(row, git_paths[key]) for key, row in sorted(latest.items())]
    return documents, (set() if wanted is None else wanted - set(latest))


def _document(row: ReleaseRequest, git_path: str) -> DatasetDocument:
    snap = row.snapshot
    key = f"{row.department}/{row.dataset}"
    released = aware(row.published_at) or datetime.fromisoformat(snap["version"]["authored_at"])
    dataset = Dataset(
        registry_id=0, department=row.department, slug=row.dataset,
        title=snap.get("title") or row.dataset, description=snap.get("description") or "",
        owners=[], tags=snap.get("tags") or [], licence=row.licence,
        classification=snap.get("classification") or "OFFICIAL", personal_data=False,
        visibility=OPEN, update_frequency=snap.get("update_frequency"),
        derived_from=[], temporal_coverage=snap.get("temporal_coverage"),
        spatial_coverage=snap.get("spatial_coverage"), contact=snap.get("contact"),
        extra={}, created_at=released, updated_at=released, metadata_sha=row.commit_sha,
        version_count=row.version)
    doc = DatasetDocument(key, dataset, snap.get("department_name") or row.department, 0)
    doc.files = [SourceFile(key, git_path, row.commit_sha, f"{key}/{f['path']}", f["md5"],
                            f["md5"].endswith(".dir"), f"{key}/{f['source']}")
                 for f in snap.get("files", [])]
    return doc
