"""One pass of the indexer over one registry: git commits in, a batch of them per transaction.

This is the hot path (20,000 commits in seconds), so it speaks SQLAlchemy Core, keeps what it
needs to decide (each dataset's current hashes, latest version, problems flag) in memory, and
touches only the rows a commit changes.

Commits are indexed in batches of consecutive commits of main (as many as `BATCH_S` seconds of
work holds, at most `BATCH_COMMITS`), one database transaction per batch:

1. begin, and claim the registry: `UPDATE registry … WHERE id = … AND head_sha = <the head this
   run loaded>`. Unless it matches one row, another run got there first (`Lost`: roll back,
   reload the state from the database, go on from its head). The claim holds the registry
   row's lock to the end of the transaction (on SQLite, BEGIN IMMEDIATE already holds the
   database's write lock), so a second run's claim waits for the first's commit and then
   finds the head moved;
2. work out each commit in order, exactly as one transaction per commit did, holding the rows
   to write in memory (`_Pending`) and writing them with one executemany per table every
   `FLUSH_COMMITS` commits and at the end (new rows get ids from `allocate_ids`). A read of the
   database that could see them writes them first, so every read sees every earlier write;
3. move `head_sha` from the head it claimed to the batch's last commit, and commit.

Why this keeps the guarantees of one transaction per commit:

- a batch's transaction writes the rows of its commits and the head that says they are there,
  atomically: the database only ever holds whole batches, so a run killed anywhere (kill -9
  mid-batch included) leaves the catalogue exactly as an uninterrupted run was after the last
  commit of its last committed batch; the next run reloads its state from the database and
  resumes there. tests/catalogue/test_runs.py stops a run inside a batch's transaction, kills
  it, and checks both that the catalogue equals an index up to its recorded head and that the
  resumed catalogue equals an uninterrupted run's;
- the rows are the ones per-commit transactions wrote: later updates of a dataset row within a
  batch merge into one (they only ever SET constants), a dataset's problems are replaced once
  with the last set, and the in-memory state (versions not yet written included) answers the
  lineage lookups as the database would have;
- two runs never both write a commit: each batch swaps the head from the value its run loaded,
  and whichever claims second fails and writes nothing (a dataset that another registry's run
  created meanwhile fails its unique constraint: `Lost` too, and after reloading it is that
  registry's). So no version is written twice, and none is lost: a run returns only once the
  recorded head is the tip it set out to reach, every commit before it written by some batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from graphlib import CycleError, TopologicalSorter

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from catalogue.db import allocate_ids, write_connection
from catalogue.errors import RegistryError
from catalogue.lineage.builder import (
    DatabaseLookup,
    VersionFiles,
    VersionRef,
    lineage_edges,
    version_with_file,
)
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
from catalogue.sharing.agreements import replace_agreements
from registry.history import (
    CommitChanges,
    CommitInfo,
    DatasetSnapshot,
    LoggedCommit,
    RegistryHistory,
)
from registry.metadata import CATALOGUE_FILE, DatasetMetadata
from registry.problems import Problem as FileProblem

Progress = Callable[[int, int], None]
DATASETS, VERSIONS, FILES = Dataset.__table__, Version.__table__, VersionFile.__table__
PROBLEMS, REGISTRIES, EDGES = Problem.__table__, Registry.__table__, LineageEdge.__table__
BATCH_S = 0.25        # work per transaction: short enough not to hold SQLite's lock for long
BATCH_COMMITS = 1000  # and at most this many commits
FLUSH_COMMITS = 200   # rows held in memory for at most this many commits, then written

# Statements built once: building them per commit costs more than running them.
_WHERE_HEAD = (REGISTRIES.c.id == bindparam("b_registry"),
               REGISTRIES.c.head_sha == bindparam("b_old"))
_WHERE_FIRST = (REGISTRIES.c.id == bindparam("b_registry"), REGISTRIES.c.head_sha.is_(None))
_CLAIM = update(REGISTRIES).where(*_WHERE_HEAD).values(indexed_at=bindparam("b_now"))
_CLAIM_FIRST = update(REGISTRIES).where(*_WHERE_FIRST).values(indexed_at=bindparam("b_now"))
_MOVE = update(REGISTRIES).where(*_WHERE_HEAD).values(
    head_sha=bindparam("b_new"), indexed_at=bindparam("b_now"))
_MOVE_FIRST = update(REGISTRIES).where(*_WHERE_FIRST).values(
    head_sha=bindparam("b_new"), indexed_at=bindparam("b_now"))
_UPDATE_DATASET = update(DATASETS).where(DATASETS.c.id == bindparam("b_dataset"))
_DELETE_PROBLEMS = delete(PROBLEMS).where(PROBLEMS.c.registry_id == bindparam("b_registry"),
                                          PROBLEMS.c.dataset_key == bindparam("b_key"))
_DELETE_REGISTRY_PROBLEMS = delete(PROBLEMS).where(
    PROBLEMS.c.registry_id == bindparam("b_registry"), PROBLEMS.c.dataset_key.is_(None))
METADATA_FIELDS = ("description", "owners", "tags", "licence", "classification",
                   "personal_data", "update_frequency", "derived_from", "temporal_coverage",
                   "spatial_coverage", "contact", "discoverable")


def _metadata_defaults() -> dict:
    """Column values for a dataset first seen without readable metadata."""
    blank = Dataset(registry_id=0, department="", slug="", title="", created_at=datetime.now(UTC),
                    updated_at=datetime.now(UTC))
    return {name: getattr(blank, name) for name in (*METADATA_FIELDS, "visibility", "extra")}


_METADATA_DEFAULTS = _metadata_defaults()


class Lost(Exception):
    """Another run indexed this commit first."""


@dataclass
class IndexReport:
    registry: str
    commits: int = 0
    new_versions: list[tuple[str, int]] | None = None
    retired: list[str] | None = None
    problems: list[Problem] | None = None
    # Another run indexed some of the same commits at the same time: this run waited for it.
    waited: bool = False
    others_commits: int = 0
    others_versions: int = 0

    def __post_init__(self) -> None:
        self.new_versions = self.new_versions or []
        self.retired = self.retired or []
        self.problems = self.problems or []


@dataclass(eq=False)
class _DatasetState:
    id: int | None  # None: inserted by the batch under way, not written yet
    registry_id: int
    version_count: int
    signature: tuple[tuple[str, str], ...]
    retired: bool
    has_problems: bool
    metadata: DatasetMetadata | None = None
    latest: VersionRef | None = None
    history: list[tuple[VersionRef, VersionFiles]] | None = None  # oldest first; None: not read


@dataclass
class _Pending:
    """The rows a batch will write, in the order its commits made them."""

    inserts: dict[str, tuple[_DatasetState, dict]] = field(default_factory=dict)
    updates: dict[str, tuple[_DatasetState, dict]] = field(default_factory=dict)
    versions: list[tuple[VersionRef, _DatasetState, dict]] = field(default_factory=list)
    files: list[tuple[VersionRef, dict]] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    problems: dict[str | None, tuple[bool, list[dict]]] = field(default_factory=dict)

    def update(self, key: str, state: _DatasetState, values: dict) -> None:
        """UPDATE the dataset SET values: merged into what is pending for it (later wins)."""
        if key in self.inserts:
            self.inserts[key][1].update(values)
        elif key in self.updates:
            self.updates[key][1].update(values)
        else:
            self.updates[key] = (state, dict(values))

    def set_problems(self, key: str | None, delete_first: bool, rows: list[dict]) -> None:
        """Replace the problems of `key`: only the last replacement of a batch is written (after
        deleting the old ones if any replacement had to)."""
        earlier = self.problems.get(key)
        self.problems[key] = (delete_first or bool(earlier and earlier[0]), rows)

    def flush(self, conn: Connection, registry_id: int) -> None:
        """Write what is pending (new rows get their ids here), and start afresh."""
        ids = allocate_ids(conn, DATASETS, len(self.inserts))
        for (state, _), dataset_id in zip(self.inserts.values(), ids, strict=True):
            state.id = dataset_id
        for group in _same_keys(self.inserts.values()):
            conn.execute(insert(DATASETS), [{**row, "id": state.id} for state, row in group])
        for group in _same_keys(self.updates.values()):
            conn.execute(_UPDATE_DATASET, [{"b_dataset": state.id, **values}
                                           for state, values in group])
        ids = allocate_ids(conn, VERSIONS, len(self.versions))
        for (ref, _, _), version_id in zip(self.versions, ids, strict=True):
            ref.id = version_id
        if self.versions:
            conn.execute(insert(VERSIONS), [{**row, "id": ref.id, "dataset_id": state.id}
                                            for ref, state, row in self.versions])
        if self.files:
            conn.execute(insert(FILES), [{**row, "version_id": ref.id} for ref, row in self.files])
        if self.edges:
            conn.execute(insert(EDGES), [
                {**row, "version_id": row["version_id"].id,
                 "upstream_version_id": row["upstream_version_id"].id
                 if row["upstream_version_id"] is not None else None}
                for row in self.edges])
        stale = [key for key, (delete_first, _) in self.problems.items() if delete_first]
        if None in stale:
            conn.execute(_DELETE_REGISTRY_PROBLEMS, {"b_registry": registry_id})
        keyed = [{"b_registry": registry_id, "b_key": key} for key in stale if key is not None]
        if keyed:
            conn.execute(_DELETE_PROBLEMS, keyed)
        rows = [row for _, found in self.problems.values() for row in found]
        if rows:
            conn.execute(insert(PROBLEMS), rows)
        self.__init__()


def _same_keys(pairs) -> list[list[tuple[_DatasetState, dict]]]:
    """(state, values) pairs grouped by the columns they set, for one executemany each."""
    groups: dict[tuple[str, ...], list] = {}
    for state, values in pairs:
        groups.setdefault(tuple(sorted(values)), []).append((state, values))
    return list(groups.values())


@dataclass
class _Done:
    """What a batch adds to the run's report once it is committed."""

    new_versions: list[tuple[str, int]] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


class _Commits:
    """The commits to index, as git log streams them, counted for `progress`."""

    def __init__(self, logged: Iterator[LoggedCommit], total: int, progress: Progress | None):
        self.logged = logged
        self.total = total
        self.progress = progress
        self.done = 0
        self._next = next(logged, None)

    def more(self) -> bool:
        return self._next is not None

    def next(self) -> LoggedCommit:
        found, self._next = self._next, next(self.logged, None)
        assert found is not None
        self.done += 1
        if self.progress:
            self.progress(self.done, max(self.total, self.done))
        return found


class IndexRun:
    def __init__(self, engine: Engine, registry_id: int, history: RegistryHistory,
                 report: IndexReport):
        self.engine = engine
        self.registry_id = registry_id
        self.history = history
        self.report = report
        self.pending = _Pending()
        self.done = _Done()

    def until(self, tip: str | None, progress: Progress | None) -> None:
        """Index every commit of main up to `tip`, resuming after whatever is indexed."""
        while True:
            self._load()
            if tip is None or self.head == tip:
                return
            if self.head and not self.history.is_ancestor(self.head, tip):
                raise RegistryError(
                    f"main of {self.report.registry} no longer contains the indexed commit "
                    f"{self.head[:10]}: history was rewritten; run `catalogue reindex`"
                )
            total = self.history.count(self.head, tip) if progress else 0
            try:
                with self.history.logged(self.head, tip) as logged, \
                        write_connection(self.engine) as conn:
                    commits = _Commits(logged, total, progress)
                    while commits.more():
                        self._batch(conn, commits)
                return
            except Lost:
                self.report.waited = True
                continue

    def _load(self) -> None:
        self.pending = _Pending()
        with self.engine.connect() as conn:
            self.head = conn.execute(select(REGISTRIES.c.head_sha).where(
                REGISTRIES.c.id == self.registry_id)).scalar_one()
            self.departments = set(conn.execute(select(Department.__table__.c.slug)).scalars())
            flagged = set(conn.execute(select(PROBLEMS.c.dataset_key).where(
                PROBLEMS.c.registry_id == self.registry_id).distinct()).scalars())
            d = DATASETS.c
            self.datasets: dict[str, _DatasetState] = {}
            by_id: dict[int, _DatasetState] = {}
            for row in conn.execute(select(d.id, d.department, d.slug, d.registry_id,
                                           d.version_count, d.retired)):
                key = f"{row.department}/{row.slug}"
                state = _DatasetState(row.id, row.registry_id, row.version_count, (),
                                      row.retired, key in flagged)
                self.datasets[key] = by_id[row.id] = state
            latest = conn.execute(
                select(d.id, VERSIONS.c.id, FILES.c.path, FILES.c.md5)
                .join(VERSIONS, VERSIONS.c.dataset_id == d.id)
                .join(FILES, FILES.c.version_id == VERSIONS.c.id)
                .where(d.registry_id == self.registry_id, VERSIONS.c.number == d.version_count)
                .order_by(d.id, FILES.c.path)
            )
            signatures: dict[int, list[tuple[str, str]]] = {}
            for dataset_id, version_id, path, md5 in latest:
                state = by_id.get(dataset_id)
                if state is None:
                    # Made by another run between the two reads (on PostgreSQL each read sees
                    # its own moment): that run moved the head, so this run's claim on the
                    # head it read fails.
                    continue
                if state.latest is None:
                    state.latest = VersionRef(version_id)
                signatures.setdefault(dataset_id, []).append((path, md5))
        for key, state in self.datasets.items():
            if state.id in signatures:
                state.signature = tuple((f"{key}/{path}", md5) for path, md5 in
                                        signatures[state.id])

    def _batch(self, conn: Connection, commits: _Commits) -> None:
        """Index the next commits, for up to BATCH_S seconds, in one transaction."""
        self.done = _Done()
        old = {"b_registry": self.registry_id, "b_old": self.head, "b_now": datetime.now(UTC)}
        count, last = 0, self.head
        try:
            with conn.begin():
                if conn.execute(_CLAIM if self.head else _CLAIM_FIRST, old).rowcount != 1:
                    raise Lost
                started = time.monotonic()
                while commits.more() and count < BATCH_COMMITS and (
                        count == 0 or time.monotonic() - started < BATCH_S):
                    logged = commits.next()
                    self._commit(conn, self.history.changes(logged.sha, logged))
                    count, last = count + 1, logged.sha
                    if count % FLUSH_COMMITS == 0:
                        self.pending.flush(conn, self.registry_id)
                self.pending.flush(conn, self.registry_id)
                moved = conn.execute(_MOVE if self.head else _MOVE_FIRST, {
                    **old, "b_new": last, "b_now": datetime.now(UTC)})
                if moved.rowcount != 1:
                    raise Lost
        except IntegrityError:
            raise Lost from None
        self.head = last
        self.report.commits += count
        self.report.new_versions.extend(self.done.new_versions)
        self.report.retired.extend(self.done.retired)

    def _commit(self, conn: Connection, changes: CommitChanges) -> None:
        if changes.catalogue_changed:
            self._catalogue(conn, changes)
        for snap in _upstream_first(changes.datasets):
            self._dataset(conn, changes.commit, snap)

    def _catalogue(self, conn: Connection, changes: CommitChanges) -> None:
        self.pending.flush(conn, self.registry_id)  # rare: run these statements as they come
        conn.execute(_DELETE_REGISTRY_PROBLEMS, {"b_registry": self.registry_id})
        problems = list(changes.catalogue_problems)
        cat = changes.catalogue
        if cat is not None:
            conn.execute(update(REGISTRIES).where(REGISTRIES.c.id == self.registry_id)
                         .values(name=cat.name))
            for model, orgs in ((Department, cat.departments), (Partner, cat.partners)):
                table = model.__table__
                conn.execute(delete(table).where(table.c.registry_id == self.registry_id))
                taken = set(conn.execute(select(table.c.slug)).scalars())
                for org in orgs:
                    if org.slug in taken:
                        problems.append(FileProblem(CATALOGUE_FILE, (
                            f"{org.slug!r} is already declared by another registry")))
                        continue
                    taken.add(org.slug)
                    conn.execute(insert(table).values(slug=org.slug, name=org.name,
                                                      registry_id=self.registry_id))
            self.departments = set(conn.execute(select(Department.__table__.c.slug)).scalars())
            problems += replace_agreements(conn, self.registry_id, cat.agreements)
        self._set_problems(None, problems, changes.commit.sha)

    def _dataset(self, conn: Connection, commit: CommitInfo, snap: DatasetSnapshot) -> None:
        key = snap.key
        state = self.datasets.get(key)
        if state and state.registry_id != self.registry_id:
            message = f"{key} is already a dataset of another registry; this one is ignored"
            self._set_problems(key, [FileProblem(key, message)] if snap.exists else [],
                               commit.sha, foreign=True)
            return
        if not snap.exists:
            if state and not state.retired:
                self.pending.update(key, state, {"retired": True, "retired_sha": commit.sha})
                self._set_problems(key, [], commit.sha)
                state.retired = True
                self.done.retired.append(key)
            return
        values: dict = {"updated_at": commit.authored_at, "retired": False, "retired_sha": None}
        meta = snap.metadata
        if meta is not None:
            values["metadata_sha"] = commit.sha
            if state is None or meta is not state.metadata:  # the same blob parses to the same
                values.update({name: getattr(meta, name) for name in METADATA_FIELDS},
                              title=meta.title, visibility=meta.effective_visibility,
                              extra=meta.extra)
        if state is None:
            values.setdefault("title", snap.slug)
            state = _DatasetState(None, self.registry_id, 0, (), False, False, history=[])
            self.pending.inserts[key] = (state, {
                "registry_id": self.registry_id, "department": snap.department,
                "slug": snap.slug, "created_at": commit.authored_at, "version_count": 0,
                **_METADATA_DEFAULTS})
            self.datasets[key] = state
        state.metadata = meta or state.metadata
        problems = list(snap.problems)
        if snap.department not in self.departments:
            problems.append(FileProblem(
                key, f"department {snap.department!r} is not declared in {CATALOGUE_FILE}"))
        signature = tuple((o.path, o.md5) for o in snap.outputs)
        if signature and signature != state.signature:
            values["version_count"] = state.version_count + 1
        self.pending.update(key, state, values)
        state.retired = False
        if "version_count" in values:
            version = self._version(state, snap, commit, values["version_count"])
            declared = state.metadata.derived_from if state.metadata \
                else self._derived_from(conn, state)
            edges, lineage_problems = lineage_edges(_RunLookup(self, conn), version, snap,
                                                    declared)
            self.pending.edges.extend(edges)
            problems.extend(lineage_problems)
            state.signature = signature
            state.version_count = values["version_count"]
            self.done.new_versions.append((key, state.version_count))
        self._set_problems(key, problems, commit.sha)

    def _version(self, state: _DatasetState, snap: DatasetSnapshot, commit: CommitInfo,
                 number: int) -> VersionRef:
        folder = snap.key + "/"
        version = VersionRef()
        self.pending.versions.append((version, state, {
            "number": number, "commit_sha": commit.sha,
            "author_name": commit.author_name, "author_email": commit.author_email,
            "authored_at": commit.authored_at, "message": commit.message,
            "size": sum(o.size or 0 for o in snap.outputs)}))
        files = [{"path": o.path.removeprefix(folder), "md5": o.md5, "size": o.size,
                  "nfiles": o.nfiles, "source": o.source.removeprefix(folder)}
                 for o in snap.outputs]
        self.pending.files.extend((version, row) for row in files)
        state.latest = version
        if state.history is not None:
            state.history.append((version, tuple((f["path"], f["md5"]) for f in files)))
        return version

    def _derived_from(self, conn: Connection, state: _DatasetState) -> list[str]:
        """The dataset's recorded derived_from (its last good metadata's, or none)."""
        self.pending.flush(conn, self.registry_id)
        return conn.execute(select(DATASETS.c.derived_from)
                            .where(DATASETS.c.id == state.id)).scalar_one()

    def _set_problems(self, key: str | None, problems: list[FileProblem], sha: str,
                      foreign: bool = False) -> None:
        """Replace the problems recorded for one dataset (or, for None, the registry)."""
        state = self.datasets.get(key) if key and not foreign else None
        known = state.has_problems if state else True
        self.pending.set_problems(key, known, [
            {"registry_id": self.registry_id, "dataset_key": key, "file": p.file,
             "line": p.line, "message": p.message, "commit_sha": sha} for p in problems])
        if state:
            state.has_problems = bool(problems)


class _RunLookup:
    """Lineage's questions, answered from the run's memory for its own registry's datasets
    (whose latest versions and histories it keeps, written or not) and from the database, once
    what is pending is written, for any other."""

    def __init__(self, run: IndexRun, conn: Connection):
        self.run = run
        self.conn = conn

    def _own(self, key: str) -> _DatasetState | None:
        state = self.run.datasets.get(key)
        return state if state is not None and state.registry_id == self.run.registry_id \
            else None

    def _database(self) -> DatabaseLookup:
        self.run.pending.flush(self.conn, self.run.registry_id)
        return DatabaseLookup(self.conn)

    def has_dataset(self, key: str) -> bool:
        return key in self.run.datasets or self._database().has_dataset(key)

    def latest_version(self, key: str) -> VersionRef | None:
        state = self._own(key)
        return state.latest if state is not None else self._database().latest_version(key)

    def version_with_file(self, key: str, path: str, md5: str | None) -> VersionRef | None:
        state = self._own(key)
        if state is None:
            return self._database().version_with_file(key, path, md5)
        if state.history is None:
            database = self._database()
            assert state.id is not None  # a dataset inserted by this run starts with a history
            state.history = database.history(state.id)
        return version_with_file(state.history, path, md5)


def _upstream_first(snaps: list[DatasetSnapshot]) -> list[DatasetSnapshot]:
    """Order a commit's datasets so a pipeline's inputs get their new versions before it."""
    if len(snaps) < 2:
        return snaps
    by_key = {snap.key: snap for snap in snaps}
    graph = {}
    for snap in snaps:
        upstream = {"/".join(dep.path.split("/")[:2]) for c in snap.contents
                    for dep in c.dependencies if not dep.repo_url}
        graph[snap.key] = (upstream & by_key.keys()) - {snap.key}
    try:
        return [by_key[key] for key in TopologicalSorter(graph).static_order()]
    except CycleError:
        return snaps
