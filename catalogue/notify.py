"""Telling the catalogue about a push, and the pusher what became of it: index the registry,
then list the versions that the pushed commits made, each with a link to its page.

The central registry's post-receive hook (through `catalogue.after_push`, which indexes a
burst of pushes in one run) and the forge webhook (`catalogue.webhooks`) both come here.
Which versions a push made is read from the database by commit, not from this run's report:
a concurrent index run may have recorded them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select

from catalogue.core import Catalogue
from catalogue.db import read_session
from catalogue.errors import CatalogueError
from catalogue.indexer import IndexReport
from catalogue.models import Dataset, Registry, Version
from registry.history import RegistryHistory

ZERO = "0" * 40
CHUNK = 500


@dataclass(frozen=True)
class NewVersion:
    dataset: str
    number: int
    commit_sha: str
    url: str | None


def version_url(base_url: str | None, dataset: str, number: int) -> str | None:
    """The address of a version's page, when the catalogue's base URL is known."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/datasets/{dataset}/versions/{number}"


class UnknownCommit(CatalogueError):
    """A push names a commit the registry does not have (even after fetching it)."""

    status = 422

    def __init__(self, field: str, sha: str):
        super().__init__(f"{field}: the registry has no commit {sha[:64]!r}")
        self.field = field


def pushed_commits(git_path: str, old: str | None, new: str) -> list[str]:
    """The commits a push added to main, oldest first (first parents only, as indexed).

    A new branch (`old` empty or zeros) added its whole history. A force push added what
    follows the merge base. An `old` the registry does not know tells nothing of what came
    before: only `new` itself is counted, never every commit back to the first.
    """
    history = RegistryHistory(git_path)
    if not history.has_commit(new):
        raise UnknownCommit("after", new)
    if not old or old == ZERO:
        return history.commits_after(None, new)
    if not history.has_commit(old):
        return [new]
    if history.is_ancestor(old, new):
        return history.commits_after(old, new)
    base = history.merge_base(old, new)
    return history.commits_after(base, new) if base else [new]


def versions_of(engine: Engine, registry_id: int, shas: Sequence[str],
                base_url: str | None) -> list[NewVersion]:
    """The versions recorded for these commits of one registry, in commit order."""
    order = {sha: i for i, sha in enumerate(shas)}
    rows = []
    with read_session(engine) as s:
        for start in range(0, len(shas), CHUNK):
            rows += s.exec(
                select(Dataset.department, Dataset.slug, Version.number, Version.commit_sha)
                .join(Version, Version.dataset_id == Dataset.id)
                .where(Dataset.registry_id == registry_id,
                       Version.commit_sha.in_(shas[start:start + CHUNK]))
            ).all()
    rows.sort(key=lambda r: (order[r.commit_sha], r.department, r.slug))
    return [NewVersion(f"{r.department}/{r.slug}", r.number, r.commit_sha,
                       version_url(base_url, f"{r.department}/{r.slug}", r.number))
            for r in rows]


def index_push(catalogue: Catalogue, registry: Registry, old: str | None, new: str | None,
               base_url: str | None) -> tuple[IndexReport, list[NewVersion]]:
    """Index a registry after a push of `old`..`new` to main; the versions the push made."""
    report = catalogue.indexer.index_registry(registry)
    if not new or new == ZERO:
        return report, []
    shas = pushed_commits(registry.git_path, old, new)
    return report, versions_of(catalogue.engine, registry.id, shas, base_url)


def describe(versions: list[NewVersion]) -> list[str]:
    """What the pusher reads: one line per new version, with its link."""
    if not versions:
        return ["catalogue: indexed; this push made no new versions (metadata changes only)"]
    lines = [f"catalogue: {len(versions)} new version(s) in the catalogue:"]
    for v in versions:
        lines.append(f"catalogue:   {v.dataset} v{v.number}" + (f"  {v.url}" if v.url else ""))
    return lines
