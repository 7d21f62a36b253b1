"""Working out, at index time, what a new version was derived from.

Three sources: `derived_from` in dataset.yaml (declared), the deps of the dataset's `dvc.lock`
stages that are outputs of another dataset (pipeline; pinned to the upstream version whose hash
matches), and `dvc import` deps (import; another registry's repo url, path and locked revision).

The questions about other datasets (does it exist, which is its latest version, which version
held this file) go through a `Lookup`: the index run answers them from what it holds in memory
(including versions it has not written yet) and falls back on `DatabaseLookup` for the rest.
Versions are answered as `VersionRef`s, whose id may be filled in only when the run writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection

from catalogue.models import Dataset, Version, VersionFile
from registry.history import LOCK_FILE, DatasetSnapshot
from registry.metadata import DATASET_FILE
from registry.problems import Problem

DATASET_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9_.-]*$")
DATASETS, VERSIONS, FILES = Dataset.__table__, Version.__table__, VersionFile.__table__


@dataclass(eq=False)
class VersionRef:
    """A version row: its id once it is in the database (None while it waits to be written)."""

    id: int | None = None


VersionFiles = tuple[tuple[str, str], ...]
"""A version's files as (path relative to the dataset folder, md5)."""


class Lookup(Protocol):
    def has_dataset(self, key: str) -> bool: ...

    def latest_version(self, key: str) -> VersionRef | None: ...

    def version_with_file(self, key: str, path: str, md5: str | None) -> VersionRef | None: ...


def lineage_edges(
    lookup: Lookup, version: VersionRef, snap: DatasetSnapshot, derived_from: list[str]
) -> tuple[list[dict], list[Problem]]:
    """Rows for the lineage table for a new version, and problems with what it declares.

    `derived_from` is the dataset's (this commit's metadata, or the last good metadata). The
    rows' `version_id` and `upstream_version_id` are VersionRefs, to be resolved to ids when
    they are written.
    """
    edges: dict[tuple, dict] = {}
    problems: list[Problem] = []

    def add(kind: str, key: str | None = None, upstream: VersionRef | None = None,
            ref: str | None = None, path: str | None = None, rev: str | None = None,
            md5: str | None = None) -> None:
        edges.setdefault((kind, key, ref, path), {
            "version_id": version, "kind": kind, "upstream_key": key,
            "upstream_version_id": upstream, "upstream_ref": ref, "upstream_path": path,
            "upstream_rev": rev, "upstream_md5": md5})

    for ref in derived_from:
        if "://" in ref:
            add("declared", ref=ref)
        elif DATASET_KEY.match(ref):
            if ref != snap.key:
                add("declared", ref, lookup.latest_version(ref))
        else:
            problems.append(Problem(
                f"{snap.key}/{DATASET_FILE}",
                f"derived_from: {ref!r} is neither department/dataset nor a URL"))

    own = snap.key + "/"
    for contents in snap.contents:
        for dep in contents.dependencies:
            if dep.repo_url:
                imported = contents.outputs[0].md5 if len(contents.outputs) == 1 else None
                add("import", ref=dep.repo_url, path=dep.path, rev=dep.rev_lock, md5=imported)
                continue
            if not dep.source.endswith(LOCK_FILE) or "://" in dep.path or dep.path.startswith(own):
                continue
            parts = dep.path.split("/")
            if len(parts) < 3:
                continue
            key, path = "/".join(parts[:2]), "/".join(parts[2:])
            if lookup.has_dataset(key):
                add("pipeline", key, lookup.version_with_file(key, path, dep.md5), path=path)
    return list(edges.values()), problems


def version_with_file(history: list[tuple[VersionRef, VersionFiles]], path: str,
                      md5: str | None) -> VersionRef | None:
    """Of a dataset's versions (oldest first), the one holding `path` at `md5`; for a file
    inside a directory output, the latest version holding that directory."""
    inside_directory = None
    for version, files in reversed(history):
        for file_path, file_md5 in files:
            if file_path == path and md5 and file_md5 == md5:
                return version
            if inside_directory is None and path.startswith(file_path + "/"):
                inside_directory = version
    return inside_directory


class DatabaseLookup:
    """The lineage questions answered from the database, as `conn` sees it."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def dataset_id(self, key: str) -> int | None:
        dept, slug = key.split("/", 1)
        return self.conn.execute(select(DATASETS.c.id).where(
            DATASETS.c.department == dept, DATASETS.c.slug == slug)).scalar()

    def has_dataset(self, key: str) -> bool:
        return self.dataset_id(key) is not None

    def latest_version(self, key: str) -> VersionRef | None:
        dataset_id = self.dataset_id(key)
        if dataset_id is None:
            return None
        found = self.conn.execute(
            select(VERSIONS.c.id).where(VERSIONS.c.dataset_id == dataset_id)
            .order_by(VERSIONS.c.number.desc()).limit(1)).scalar()
        return VersionRef(found) if found is not None else None

    def history(self, dataset_id: int) -> list[tuple[VersionRef, VersionFiles]]:
        """A dataset's versions, oldest first, with their files."""
        rows = self.conn.execute(
            select(VERSIONS.c.id, FILES.c.path, FILES.c.md5)
            .join(FILES, FILES.c.version_id == VERSIONS.c.id)
            .where(VERSIONS.c.dataset_id == dataset_id)
            .order_by(VERSIONS.c.number, FILES.c.path))
        versions: dict[int, list[tuple[str, str]]] = {}
        for version_id, path, md5 in rows:
            versions.setdefault(version_id, []).append((path, md5))
        return [(VersionRef(version_id), tuple(files)) for version_id, files in versions.items()]

    def version_with_file(self, key: str, path: str, md5: str | None) -> VersionRef | None:
        dataset_id = self.dataset_id(key)
        if dataset_id is None:
            return None
        return version_with_file(self.history(dataset_id), path, md5)
