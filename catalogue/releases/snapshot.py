"""What a release shows the public: the dataset's metadata and the version's files as they
were when the release was asked for and reviewed. A later edit to dataset.yaml does not reach
the public until a new release; the snapshot is kept with the request and in the release tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from catalogue.clock import aware
from catalogue.models import Dataset, Department, Registry, Version, VersionFile

METADATA = ("title", "description", "owners", "tags", "licence", "classification",
            "personal_data", "update_frequency", "derived_from", "temporal_coverage",
            "spatial_coverage", "contact")
"""The dataset.yaml fields a snapshot keeps (the licence is the one the release is under)."""

LABELS = {"title": "Title", "description": "Description", "owners": "Owners", "tags": "Tags",
          "licence": "Licence", "classification": "Classification",
          "personal_data": "Personal data", "update_frequency": "Update frequency",
          "derived_from": "Derived from", "temporal_coverage": "Temporal coverage",
          "spatial_coverage": "Spatial coverage", "contact": "Contact"}


def take(s: Session, dataset: Dataset, version: Version, licence: str) -> dict[str, Any]:
    """The snapshot of `dataset` at `version`, to be released under `licence`."""
    department = s.get(Department, dataset.department)
    registry = s.get(Registry, dataset.registry_id)
    files = s.exec(select(VersionFile).where(VersionFile.version_id == version.id)
                   .order_by(VersionFile.path)).all()
    metadata = {name: getattr(dataset, name) for name in METADATA}
    metadata["licence"] = licence
    return {
        **metadata,
        "department": dataset.department,
        "department_name": department.name if department else dataset.department,
        "publisher": registry.name if registry else None,
        "extra": dataset.extra,
        "dataset_created_at": aware(dataset.created_at).isoformat(),
        "version": {"number": version.number, "commit_sha": version.commit_sha,
                    "authored_at": aware(version.authored_at).isoformat(),
                    "message": version.message, "size": version.size},
        "files": [{"path": f.path, "md5": f.md5, "size": f.size, "nfiles": f.nfiles,
                   "source": f.source} for f in files],
    }


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


def metadata_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[FieldChange]:
    """What changed in the metadata since the last released version (all of it, if none)."""
    before = before or {}
    return [FieldChange(name, LABELS[name], before.get(name), after.get(name))
            for name in METADATA if before.get(name) != after.get(name)]
