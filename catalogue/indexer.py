"""Indexing: bringing the catalogue's record of a registry up to its git history.

One database transaction per registry commit, guarded by a compare-and-swap on the registry's
`head_sha`: a run killed mid-way leaves the catalogue at the last whole commit and the next run
resumes there, and two runs racing over one registry never record a commit twice (the loser of a
swap reloads and carries on from where the winner got to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from catalogue.db import read_session, write_session
from catalogue.errors import RegistryError
from catalogue.lineage_builder import lineage_edges
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
from registry.history import CommitChanges, DatasetSnapshot, RegistryHistory, RegistryUnreadable
from registry.metadata import CATALOGUE_FILE
from registry.mirror import MirrorFailed, is_local, update_mirror
from registry.problems import Problem as FileProblem

Progress = Callable[[int, int], None]


class _Lost(Exception):
    """Another run indexed this commit first."""


@dataclass
class IndexReport:
    registry: str
    commits: int = 0
    new_versions: list[tuple[str, int]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _DatasetState:
    id: int
    registry_id: int
    version_count: int
    signature: tuple[tuple[str, str], ...]
    retired: bool


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
            pass
        with read_session(self.engine) as s:
            return s.exec(select(Registry).where(Registry.url == url)).one()

    def registries(self) -> list[Registry]:
        with read_session(self.engine) as s:
            return list(s.exec(select(Registry).order_by(Registry.id)))

    def index(self, path_or_url: str, progress: Progress | None = None) -> IndexReport:
        return self.index_registry(self.register(path_or_url), progress)

    def index_registry(self, registry: Registry, progress: Progress | None = None) -> IndexReport:
        if not is_local(registry.url):
            self._git_path(registry.url)
        history = _open(registry.git_path)
        report = IndexReport(registry.url)
        run = _Run(self.engine, registry.id, history, report)
        run.until(history.head(), progress)
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


class _Run:
    """One pass of the indexer over one registry."""

    def __init__(self, engine: Engine, registry_id: int, history: RegistryHistory,
                 report: IndexReport):
        self.engine = engine
        self.registry_id = registry_id
        self.history = history
        self.report = report

    def until(self, tip: str | None, progress: Progress | None) -> None:
        while True:
            self._load()
            if tip is None or self.head == tip:
                return
            if self.head and not self.history.is_ancestor(self.head, tip):
                raise RegistryError(
                    f"main of {self.report.registry} no longer contains the indexed commit "
                    f"{self.head[:10]}: history was rewritten; run `catalogue reindex`"
                )
            commits = self.history.commits_after(self.head, tip)
            try:
                for done, sha in enumerate(commits, 1):
                    self._commit(self.history.changes(sha))
                    if progress:
                        progress(done, len(commits))
                return
            except _Lost:
                continue

    def _load(self) -> None:
        with read_session(self.engine) as s:
            self.head = s.get(Registry, self.registry_id).head_sha
            self.departments = set(s.exec(select(Department.slug)))
            rows = s.exec(select(Dataset.id, Dataset.department, Dataset.slug,
                                 Dataset.registry_id, Dataset.version_count, Dataset.retired))
            self.datasets: dict[str, _DatasetState] = {
                f"{d}/{sl}": _DatasetState(i, r, n, (), ret) for i, d, sl, r, n, ret in rows
            }
            latest = s.exec(
                select(Dataset.department, Dataset.slug, VersionFile.path, VersionFile.md5)
                .join(Version, Version.dataset_id == Dataset.id)
                .join(VersionFile, VersionFile.version_id == Version.id)
                .where(Version.number == Dataset.version_count)
                .order_by(VersionFile.path)
            )
            signatures: dict[str, list[tuple[str, str]]] = {}
            for dept, slug, path, md5 in latest:
                signatures.setdefault(f"{dept}/{slug}", []).append((path, md5))
        for key, sig in signatures.items():
            self.datasets[key].signature = tuple(sig)

    def _commit(self, changes: CommitChanges) -> None:
        sha = changes.commit.sha
        try:
            with write_session(self.engine) as s:
                swapped = s.exec(
                    update(Registry)
                    .where(Registry.id == self.registry_id)
                    .where(Registry.head_sha == self.head if self.head else
                           Registry.head_sha.is_(None))
                    .values(head_sha=sha, indexed_at=datetime.now(UTC))
                )
                if swapped.rowcount != 1:
                    raise _Lost
                if changes.catalogue_changed:
                    self._catalogue(s, changes)
                for snap in _upstream_first(changes.datasets):
                    self._dataset(s, changes, snap)
        except _Lost:
            raise
        except IntegrityError:
            raise _Lost from None
        self.head = sha
        self.report.commits += 1

    def _catalogue(self, s: Session, changes: CommitChanges) -> None:
        s.exec(delete(Problem).where(Problem.registry_id == self.registry_id)
               .where(Problem.file == CATALOGUE_FILE))
        for p in changes.catalogue_problems:
            s.add(_problem(self.registry_id, None, p, changes.commit.sha))
        cat = changes.catalogue
        if cat is None:
            return
        s.exec(update(Registry).where(Registry.id == self.registry_id).values(name=cat.name))
        for model, orgs in ((Department, cat.departments), (Partner, cat.partners)):
            s.exec(delete(model).where(model.registry_id == self.registry_id))
            s.flush()
            taken = set(s.exec(select(model.slug)))
            for org in orgs:
                if org.slug in taken:
                    s.add(_problem(self.registry_id, None, _p(
                        CATALOGUE_FILE, f"{org.slug!r} is already declared by another registry"),
                        changes.commit.sha))
                    continue
                taken.add(org.slug)
                s.add(model(slug=org.slug, name=org.name, registry_id=self.registry_id))
        s.flush()
        self.departments = set(s.exec(select(Department.slug)))

    def _dataset(self, s: Session, changes: CommitChanges, snap: DatasetSnapshot) -> None:
        commit = changes.commit
        key = snap.key
        state = self.datasets.get(key)
        if state and state.registry_id != self.registry_id:
            s.exec(delete(Problem).where(Problem.registry_id == self.registry_id)
                   .where(Problem.dataset_key == key))
            if snap.exists:
                s.add(_problem(self.registry_id, key, _p(
                    key, f"{key} is already a dataset of another registry; this one is ignored"),
                    commit.sha))
            return
        if not snap.exists:
            if state and not state.retired:
                s.exec(update(Dataset).where(Dataset.id == state.id)
                       .values(retired=True, retired_sha=commit.sha))
                s.exec(delete(Problem).where(Problem.dataset_key == key))
                state.retired = True
                self.report.retired.append(key)
            return
        dataset = s.get(Dataset, state.id) if state else Dataset(
            registry_id=self.registry_id, department=snap.department, slug=snap.slug,
            title=snap.slug, created_at=commit.authored_at, updated_at=commit.authored_at,
        )
        meta = snap.metadata
        if meta is not None:
            dataset.title = meta.title
            for name in ("description", "owners", "tags", "licence", "classification",
                         "personal_data", "update_frequency", "derived_from",
                         "temporal_coverage", "spatial_coverage", "contact"):
                setattr(dataset, name, getattr(meta, name))
            dataset.visibility = meta.effective_visibility
            dataset.extra = meta.extra
            dataset.metadata_sha = commit.sha
        dataset.retired = False
        dataset.retired_sha = None
        dataset.updated_at = commit.authored_at
        s.add(dataset)
        s.flush()
        if state is None:
            state = _DatasetState(dataset.id, self.registry_id, 0, (), False)
            self.datasets[key] = state
        state.retired = False

        problems = list(snap.problems)
        if snap.department not in self.departments:
            problems.append(_p(f"{key}", f"department {snap.department!r} is not declared in "
                                         f"{CATALOGUE_FILE}"))
        signature = tuple((o.path, o.md5) for o in snap.outputs)
        if signature and signature != state.signature:
            version = self._version(s, dataset, snap, commit)
            edges, lineage_problems = lineage_edges(s, version, dataset, snap)
            s.add_all(edges)
            problems.extend(lineage_problems)
            state.signature = signature
            state.version_count = version.number
            self.report.new_versions.append((key, version.number))
        s.exec(delete(Problem).where(Problem.dataset_key == key)
               .where(Problem.registry_id == self.registry_id))
        for p in problems:
            s.add(_problem(self.registry_id, key, p, commit.sha))

    def _version(self, s: Session, dataset: Dataset, snap: DatasetSnapshot, commit) -> Version:
        folder = snap.key + "/"
        version = Version(
            dataset_id=dataset.id, number=dataset.version_count + 1, commit_sha=commit.sha,
            author_name=commit.author_name, author_email=commit.author_email,
            authored_at=commit.authored_at, message=commit.message,
            size=sum(o.size or 0 for o in snap.outputs),
        )
        s.add(version)
        dataset.version_count = version.number
        s.add(dataset)
        s.flush()
        s.add_all(
            VersionFile(version_id=version.id, path=o.path.removeprefix(folder), md5=o.md5,
                        size=o.size, nfiles=o.nfiles, source=o.source.removeprefix(folder))
            for o in snap.outputs
        )
        return version


def _upstream_first(snaps: list[DatasetSnapshot]) -> list[DatasetSnapshot]:
    """Order a commit's datasets so a pipeline's inputs get their new versions before it."""
    by_key = {snap.key: snap for snap in snaps}
    graph = {
        snap.key: {dep.path.split("/", 2)[0] + "/" + dep.path.split("/", 2)[1]
                   for c in snap.contents for dep in c.dependencies
                   if not dep.repo_url and dep.path.count("/") >= 2} & by_key.keys() - {snap.key}
        for snap in snaps
    }
    try:
        return [by_key[key] for key in TopologicalSorter(graph).static_order()]
    except CycleError:
        return snaps


def _p(file: str, message: str) -> FileProblem:
    return FileProblem(file, message)


def _problem(registry_id: int, key: str | None, p: FileProblem, sha: str) -> Problem:
    return Problem(registry_id=registry_id, dataset_key=key, file=p.file, line=p.line,
                   message=p.message, commit_sha=sha)
