"""Working out, at index time, what a new version was derived from.

Three sources: `derived_from` in dataset.yaml (declared), the deps of the dataset's `dvc.lock`
stages that are outputs of another dataset (pipeline; pinned to the upstream version whose hash
matches), and `dvc import` deps (import; another registry's repo url, path and locked revision).
"""

from __future__ import annotations

import re

from sqlmodel import Session, select

from catalogue.models import Dataset, LineageEdge, Version, VersionFile
from registry.history import LOCK_FILE, DatasetSnapshot
from registry.metadata import DATASET_FILE
from registry.problems import Problem

DATASET_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9_.-]*$")


def lineage_edges(
    s: Session, version: Version, dataset: Dataset, snap: DatasetSnapshot
) -> tuple[list[LineageEdge], list[Problem]]:
    edges: dict[tuple, LineageEdge] = {}
    problems: list[Problem] = []

    def add(edge: LineageEdge) -> None:
        ident = (edge.kind, edge.upstream_key, edge.upstream_ref, edge.upstream_path)
        edges.setdefault(ident, edge)

    for ref in dataset.derived_from:
        if "://" in ref:
            add(LineageEdge(version_id=version.id, kind="declared", upstream_ref=ref))
        elif DATASET_KEY.match(ref):
            if ref == snap.key:
                continue
            latest = _latest_version(s, ref)
            add(LineageEdge(version_id=version.id, kind="declared", upstream_key=ref,
                            upstream_version_id=latest))
        else:
            problems.append(Problem(
                f"{snap.key}/{DATASET_FILE}",
                f"derived_from: {ref!r} is neither department/dataset nor a URL"))

    own = snap.key + "/"
    for contents in snap.contents:
        for dep in contents.dependencies:
            if dep.repo_url:
                imported = contents.outputs[0].md5 if len(contents.outputs) == 1 else None
                add(LineageEdge(version_id=version.id, kind="import", upstream_ref=dep.repo_url,
                                upstream_path=dep.path, upstream_rev=dep.rev_lock,
                                upstream_md5=imported))
                continue
            if not dep.source.endswith(LOCK_FILE) or "://" in dep.path or dep.path.startswith(own):
                continue
            parts = dep.path.split("/")
            if len(parts) < 3:
                continue
            key = "/".join(parts[:2])
            upstream = _version_with_file(s, key, "/".join(parts[2:]), dep.md5)
            if upstream is None and not _exists(s, key):
                continue
            add(LineageEdge(version_id=version.id, kind="pipeline", upstream_key=key,
                            upstream_version_id=upstream, upstream_path="/".join(parts[2:])))
    return list(edges.values()), problems


def _latest_version(s: Session, key: str) -> int | None:
    dept, slug = key.split("/", 1)
    return s.exec(
        select(Version.id).join(Dataset, Dataset.id == Version.dataset_id)
        .where(Dataset.department == dept, Dataset.slug == slug)
        .order_by(Version.number.desc()).limit(1)
    ).first()


def _exists(s: Session, key: str) -> bool:
    dept, slug = key.split("/", 1)
    return s.exec(select(Dataset.id).where(Dataset.department == dept,
                                           Dataset.slug == slug)).first() is not None


def _version_with_file(s: Session, key: str, path: str, md5: str | None) -> int | None:
    """The latest version of `key` holding `path` (or the directory containing it) at `md5`."""
    dept, slug = key.split("/", 1)
    rows = s.exec(
        select(Version.id, VersionFile.path, VersionFile.md5)
        .join(Dataset, Dataset.id == Version.dataset_id)
        .join(VersionFile, VersionFile.version_id == Version.id)
        .where(Dataset.department == dept, Dataset.slug == slug)
        .order_by(Version.number.desc())
    )
    fallback = None
    for version_id, file_path, file_md5 in rows:
        if file_path == path and md5 and file_md5 == md5:
            return version_id
        if fallback is None and (file_path == path or path.startswith(file_path + "/")):
            fallback = version_id if not md5 or file_path != path else fallback
    return fallback
