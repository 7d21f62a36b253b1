"""What readers get back: the public shapes of datasets, versions and lineage.

The web renders these as HTML and as JSON alike, so a page and its JSON twin never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel


class ProblemPublic(SQLModel):
    file: str
    line: int | None
    message: str
    commit_sha: str


class DepartmentPublic(SQLModel):
    slug: str
    name: str
    dataset_count: int = 0


class DatasetSummary(SQLModel):
    id: str
    department: str
    department_name: str
    slug: str
    title: str
    description: str
    tags: list[str]
    classification: str
    visibility: str
    licence: str
    version_count: int
    updated_at: datetime
    retired: bool
    problem_count: int = 0
    restricted: bool = False
    """Discoverable but not readable by this reader: only its title, description, department,
    tags and version count are real; its other fields are left blank."""


class VersionPublic(SQLModel):
    number: int
    commit_sha: str
    author_name: str
    author_email: str
    authored_at: datetime
    message: str
    size: int


class FilePublic(SQLModel):
    path: str
    md5: str
    size: int | None
    nfiles: int | None
    is_dir: bool
    source: str


class VersionDetail(VersionPublic):
    dataset: str
    files: list[FilePublic]
    upstream: list[LineageLink] = []


class LineageLink(SQLModel):
    """One end of a lineage edge. A dataset of this catalogue has `dataset`; else `ref`."""

    kind: str
    dataset: str | None = None
    title: str | None = None
    version: int | None = None
    ref: str | None = None
    path: str | None = None
    rev: str | None = None
    restricted: bool = False


class Lineage(SQLModel):
    dataset: str
    upstream: list[LineageLink]
    downstream: list[LineageLink]


class HowToGet(SQLModel):
    registry_url: str
    rev: str
    path: str
    dvc_get: str
    python: str


class DiscoveredDataset(SQLModel):
    """A discoverable dataset that the reader may not read: what all staff may know of it."""

    id: str
    department: str
    department_name: str
    slug: str
    title: str
    description: str
    owners: list[str]
    tags: list[str]
    version_count: int
    restricted: bool = True


class DatasetDetail(DatasetSummary):
    owners: list[str]
    personal_data: bool
    update_frequency: str | None
    derived_from: list[str]
    temporal_coverage: str | None
    spatial_coverage: str | None
    contact: str | None
    extra: dict[str, Any]
    created_at: datetime
    registry: str
    registry_url: str
    retired_sha: str | None
    problems: list[ProblemPublic]
    current_version: VersionPublic | None
    how_to_get: list[HowToGet] = []


VersionDetail.model_rebuild()
