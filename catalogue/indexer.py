"""Indexing: bringing the catalogue's record of a registry up to its git history.

One database transaction per batch of consecutive registry commits, guarded by a
compare-and-swap on the registry's `head_sha` (see catalogue.index_run): a run killed mid-way
leaves the catalogue at the end of the last whole batch, exactly as an uninterrupted run was
after that commit, and the next run resumes there; two runs racing over one registry never
record a commit twice.

Listeners (the search index) are told after each run which datasets it touched, so that what
they derive from the catalogue follows it; a listener's failure never fails a run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from catalogue.db import read_session, write_session
from catalogue.errors import CatalogueError, RegistryError
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
from catalogue.sharing.models import Agreement
from registry.history import RegistryHistory, RegistryUnreadable, registry_problem
from registry.mirror import MirrorFailed, is_local, update_mirror

__all__ = ["Indexer", "IndexReport", "Listener", "Progress"]
log = logging.getLogger(__name__)
Listener = Callable[[set[str] | None], None]
"""Told the `department/slug` keys of the datasets a run may have changed (None: all)."""


class NotARegistry(CatalogueError):
    """A git repository without what makes a data registry (catalogue.yaml, DVC)."""


class Indexer:
    def __init__(self, engine: Engine, mirrors: Path):
        self.engine = engine
        self.mirrors = mirrors
        self.listeners: list[Listener] = []

    def register(self, path_or_url: str) -> Registry:
        """The registry known by this path or URL, registering it the first time."""
        url = str(Path(path_or_url).resolve()) if is_local(path_or_url) else path_or_url
        with read_session(self.engine) as s:
            found = s.exec(select(Registry).where(Registry.url == url)).first()
        if found:
            return found
        git_path = self._git_path(url)
        history = _open(git_path)
        problem = registry_problem(git_path)
        if problem:
            raise NotARegistry(f"{path_or_url} is not a data registry: {problem} (create "
                               "one with `catalogue registry init`)")
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

    def index_registry(self, registry: Registry, progress: Progress | None = None,
                       notify: bool = True) -> IndexReport:
        if not is_local(registry.url):
            self._git_path(registry.url)
        history = _open(registry.git_path)
        report = IndexReport(registry.url)
        before = self._head(registry.id)
        try:
            IndexRun(self.engine, registry.id, history, report).until(history.head(), progress)
        finally:
            if notify:
                self._notify(lambda: self._touched(registry.id, history, before))
        if report.waited:
            self._others(registry.id, history, before, report)
        with read_session(self.engine) as s:
            report.problems = list(
                s.exec(select(Problem).where(Problem.registry_id == registry.id)
                       .order_by(Problem.dataset_key, Problem.file, Problem.line))
            )
        return report

    def _others(self, registry_id: int, history: RegistryHistory, before: str | None,
                report: IndexReport) -> None:
        """What a concurrent run indexed of the commits this one set out to read."""
        after = self._head(registry_id)
        if after is None or after == before:
            return
        report.others_commits = max(history.count(before, after) - report.commits, 0)
        shas, total = history.commits_after(before, after), 0
        with read_session(self.engine) as s:
            for start in range(0, len(shas), 500):
                total += s.exec(select(func.count()).select_from(Version).join(
                    Dataset, Dataset.id == Version.dataset_id).where(
                    Dataset.registry_id == registry_id,
                    Version.commit_sha.in_(shas[start:start + 500]))).one()
        report.others_versions = max(total - len(report.new_versions), 0)

    def head(self, registry: Registry) -> str | None:
        """The last commit of the registry's main indexed (None: nothing yet)."""
        return self._head(registry.id)

    def changed_since(self, registry: Registry, before: str | None) -> None:
        """Tell the listeners what runs with `notify=False` changed in the registry since its
        indexed head was `before` (as `index_registry` does after each run by default)."""
        history = _open(registry.git_path)
        self._notify(lambda: self._touched(registry.id, history, before))

    def reindex(self, progress: Progress | None = None) -> list[IndexReport]:
        """Forget everything indexed and rebuild it from git: the same catalogue results."""
        registries = self.registries()
        with write_session(self.engine) as s:
            for table in (LineageEdge, VersionFile, Version, Problem, Dataset, Department, Partner,
                          Agreement):
                s.exec(delete(table))
            s.exec(update(Registry).values(head_sha=None, indexed_at=None))
        reports = [self.index_registry(r, progress, notify=False) for r in registries]
        self._notify(lambda: None)
        return reports

    def _notify(self, touched: Callable[[], set[str] | None]) -> None:
        if not self.listeners:
            return
        try:
            keys = touched()
        except Exception:
            log.exception("Could not tell which datasets an index run changed")
            keys = None
        for listener in self.listeners:
            try:
                listener(keys)
            except Exception:
                log.exception("An index listener failed")

    def _head(self, registry_id: int) -> str | None:
        with read_session(self.engine) as s:
            return s.exec(select(Registry.head_sha).where(Registry.id == registry_id)).one()

    def _touched(self, registry_id: int, history: RegistryHistory,
                 before: str | None) -> set[str]:
        """The datasets whose folders the commits indexed since `before` changed; all of the
        registry's when its catalogue.yaml (department names) changed or history restarted."""
        after = self._head(registry_id)
        if after is None or after == before:
            return set()
        logged = history.log(before, after) if before and history.is_ancestor(before, after) \
            else None
        if logged is None or any(c.catalogue_changed for c in logged):
            with read_session(self.engine) as s:
                rows = s.exec(select(Dataset.department, Dataset.slug)
                              .where(Dataset.registry_id == registry_id)).all()
            return {f"{dept}/{slug}" for dept, slug in rows}
        return {f"{dept}/{slug}" for c in logged for dept, slug in c.folders}

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
