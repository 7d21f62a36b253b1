"""Working out, at index time, what a new version was derived from.

Three sources: `derived_from` in dataset.yaml (declared), the deps of the dataset's `dvc.lock`
stages that are outputs of another dataset (pipeline; pinned to the upstream version whose hash
matches), and `dvc import` deps (import; another registry's repo url, path and locked revision).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.engine import Connection

from catalogue.models import Dataset, Version, VersionFile
from registry.history import LOCK_FILE, DatasetSnapshot
from registry.metadata import DATASET_FILE
from registry.problems import Problem

DATASET_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9_.-]*$")
DATASETS, VERSIONS, FILES = Dataset.__table__, Version.__table__, VersionFile.__table__


def lineage_edges(
    conn: Connection, version_id: int, snap: DatasetSnapshot, derived_from: list[str] | None
) -> tuple[list[dict], list[Problem]]:
    """Rows for the lineage table for a new version, and problems with what it declares.

    `derived_from` is the metadata of this commit, or None to use the last good metadata.
    """
    edges: dict[tuple, dict] = {}
    problems: list[Problem] = []

    def add(kind: str, key: str | None = None, upstream_version: int | None = None,
            ref: str | None = None, path: str | None = None, rev: str | None = None,
            md5: str | None = None) -> None:
        edges.setdefault((kind, key, ref, path), {
            "version_id": version_id, "kind": kind, "upstream_key": key,
            "upstream_version_id": upstream_version, "upstream_ref": ref, "upstream_path": path,
            "upstream_rev": rev, "upstream_md5": md5})

    if derived_from is None:
        derived_from = conn.execute(
            select(DATASETS.c.derived_from).join(VERSIONS, VERSIONS.c.dataset_id == DATASETS.c.id)
            .where(VERSIONS.c.id == version_id)).scalar_one()
    for ref in derived_from:
        if "://" in ref:
            add("declared", ref=ref)
        elif DATASET_KEY.match(ref):
            if ref != snap.key:
                add("declared", ref, _latest_version(conn, ref))
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
            dataset_id = _dataset_id(conn, key)
            if dataset_id is not None:
                add("pipeline", key, _version_with_file(conn, dataset_id, path, dep.md5),
                    path=path)
    return list(edges.values()), problems


def _dataset_id(conn: Connection, key: str) -> int | None:
    dept, slug = key.split("/", 1)
    return conn.execute(select(DATASETS.c.id).where(
        DATASETS.c.department == dept, DATASETS.c.slug == slug)).scalar()


def _latest_version(conn: Connection, key: str) -> int | None:
    dataset_id = _dataset_id(conn, key)
    if dataset_id is None:
        return None
    return conn.execute(select(VERSIONS.c.id).where(VERSIONS.c.dataset_id == dataset_id)
                        .order_by(VERSIONS.c.number.desc()).limit(1)).scalar()


def _version_with_file(conn: Connection, dataset_id: int, path: str, md5: str | None) -> int | None:
    """The version holding `path` at `md5`; for a file inside a directory output, the latest
    version holding that directory."""
    rows = conn.execute(
        select(VERSIONS.c.id, FILES.c.path, FILES.c.md5)
        .join(FILES, FILES.c.version_id == VERSIONS.c.id)
        .where(VERSIONS.c.dataset_id == dataset_id)
        .order_by(VERSIONS.c.number.desc())
    )
    inside_directory = None
    for version_id, file_path, file_md5 in rows:
        if file_path == path and md5 and file_md5 == md5:
            return version_id
        if inside_directory is None and path.startswith(file_path + "/"):
            inside_directory = version_id
    return inside_directory
