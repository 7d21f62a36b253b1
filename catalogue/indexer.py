"""Indexing: bringing the catalogue's record of a registry up to its git history.

One database transaction per registry commit, guarded by a compare-and-swap on the registry's
`head_sha` (see catalogue.index_run): a run killed mid-way leaves the catalogue at the last whole
commit and the next run resumes there, and two runs racing over one registry never record a
commit twice.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from catalogue.db import read_session, write_session
from catalogue.errors import RegistryError
from catalogue.index_run import IndexReport, IndexRun, Progress
from catalogue.models import (
    Dataset,
    Department,
    LineageEdge,
    Partner,
    Problem,
    Registry,
    Version,
    VersionFile,
)
from registry.history import RegistryHistory, RegistryUnreadable
from registry.mirror import MirrorFailed, is_local, update_mirror

__all__ = ["Indexer", "IndexReport", "Progress"]


class Indexer:
    def __init__(self, engine: Engine, mirrors: Path):
        self.engine = engine
        self.mirrors = mirrors

    def register(self, path_or_url: str) -> Registry:
        """The registry known by this path or URL, registering it the first time."""
        url = str(Path(path_or_url).resolve()) if is_local(path_or_url) else path_or_url
        with read_session(self.engine) as s:
            found = s.exec(select(Registry).where(Registry.url == url)).first()
        if found:
            return found
        git_path = self._git_path(url)
        history = _open(git_path)
        head = history.head()
        catalogue = history.catalogue_at(head)[0] if head else None
        name = catalogue.name if catalogue else Path(url.rstrip("/")).name.removesuffix(".git")
        try:
            with write_session(self.engine) as s:
                s.add(Registry(name=name, url=url, git_path=git_path))
        except IntegrityError:
            pass  # registered by a concurrent run a moment ago
        with read_session(self.engine) as s:
            return s.exec(select(Registry).where(Registry.url == url)).one()

    def registries(self) -> list[Registry]:
        with read_session(self.engine) as s:
            return list(s.exec(select(Registry).order_by(Registry.id)))

    def index(self, path_or_url: str, progress: Progress | None = None) -> IndexReport:
        """Index a registry's new commits, registering it the first time."""
        return self.index_registry(self.register(path_or_url), progress)

    def index_registry(self, registry: Registry, progress: Progress | None = None) -> IndexReport:
        if not is_local(registry.url):
            self._git_path(registry.url)
        history = _open(registry.git_path)
        report = IndexReport(registry.url)
        IndexRun(self.engine, registry.id, history, report).until(history.head(), progress)
        with read_session(self.engine) as s:
            report.problems = list(
                s.exec(select(Problem).where(Problem.registry_id == registry.id)
                       .order_by(Problem.dataset_key, Problem.file, Problem.line))
            )
        return report

    def reindex(self, progress: Progress | None = None) -> list[IndexReport]:
        """Forget everything indexed and rebuild it from git: the same catalogue results."""
        registries = self.registries()
        with write_session(self.engine) as s:
            for table in (LineageEdge, VersionFile, Version, Problem, Dataset, Department, Partner):
                s.exec(delete(table))
            s.exec(update(Registry).values(head_sha=None, indexed_at=None))
        return [self.index_registry(r, progress) for r in registries]

    def _git_path(self, url: str) -> str:
        if is_local(url):
            return url
        try:
            return str(update_mirror(self.mirrors, url))
        except MirrorFailed as exc:
            raise RegistryError(str(exc)) from None


def _open(git_path: str) -> RegistryHistory:
    try:
        return RegistryHistory(git_path)
    except RegistryUnreadable as exc:
        raise RegistryError(str(exc)) from None
