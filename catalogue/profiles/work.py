"""The profile jobs: queued after each index run, run by the job worker.

A job's key is the bytes' md5, so the same bytes are profiled once whichever dataset, version
or path holds them. Its payload says only how to name the file (its path, for the format)
and, for a file inside a directory output, the directory's md5 and the file's path in it; where
to read the bytes is looked up when the job runs, from any version that holds them (a
`catalogue reindex` renumbers rows, never md5s).

A directory output's job reads its manifest, queues a job for each tabular file in it, and
records the list (`FileProfile.members`).
"""

from __future__ import annotations

import logging
import posixpath
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.engine import Connection, Engine

from catalogue.jobs.queue import Claimed, JobQueue, now
from catalogue.jobs.worker import JobFailed
from catalogue.models import Dataset, Registry, Version, VersionFile
from catalogue.profiles.models import FileProfile
from catalogue.profiles.profiler import Profile, Unprofilable, is_tabular, profile_stream
from registry.storage import (
    BytesUnavailable,
    IsADirectory,
    NotInOutput,
    OutputRef,
    RegistryStorage,
)

log = logging.getLogger(__name__)
KIND = "profile"
MEMBERS = 1000  # tabular files of one directory output profiled at most
PROFILES = FileProfile.__table__
D, V, F, R = Dataset.__table__.c, Version.__table__.c, VersionFile.__table__.c, \
    Registry.__table__.c


def wants_profile(path: str, md5: str) -> bool:
    return md5.endswith(".dir") or is_tabular(path)


def queue_profiles(engine: Engine, queue: JobQueue, keys: set[str] | None) -> int:
    """Queue a profile of every tabular file (and directory) of these datasets' versions that
    has none yet (every dataset's when `keys` is None); how many jobs were queued."""
    if keys is not None and not keys:
        return 0
    query = (select(D.department, D.slug, F.md5, F.path).select_from(VersionFile.__table__)
             .join(Version.__table__, V.id == F.version_id)
             .join(Dataset.__table__, D.id == V.dataset_id))
    if keys is not None and len(keys) <= 500:
        query = query.where(tuple_(D.department, D.slug).in_(
            [tuple(key.split("/", 1)) for key in keys]))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    jobs = {r.md5: {"path": posixpath.basename(r.path)} for r in rows
            if wants_profile(r.path, r.md5)
            and (keys is None or f"{r.department}/{r.slug}" in keys)}
    return queue.enqueue(KIND, jobs.items())


@dataclass(frozen=True)
class _Location:
    git_path: str
    rev: str
    output: OutputRef
    member: str
    filename: str


class ProfileJobs:
    """The worker's handler for `profile` jobs."""

    kind = KIND

    def __init__(self, engine: Engine, storage: RegistryStorage, queue: JobQueue,
                 chunk_bytes: int | None = None):
        self.engine = engine
        self.storage = storage
        self.queue = queue
        self.chunk_bytes = chunk_bytes

    def run(self, job: Claimed) -> Any:
        """Profile the job's bytes; a function that saves the result in the transaction that
        marks the job done. Raises JobFailed with a plain reason."""
        where = self._locate(job)
        if where.output.is_dir and not where.member:
            members = self._members(where)
            return lambda conn: self._save_directory(conn, job.key, members)
        try:
            opened = self.storage.open_file(where.git_path, where.rev, where.output,
                                            where.member)
        except BytesUnavailable as exc:
            log.info("profile %s: %s", job.key, exc)
            raise JobFailed(f"the bytes of {where.filename} are not in the registry's DVC "
                            "remote (was it `dvc push`ed?)", retryable=True) from None
        except (IsADirectory, NotInOutput):
            raise JobFailed(f"{where.filename} is not a file of its output") from None
        try:
            with opened.handle as handle:
                kwargs = {"chunk_bytes": self.chunk_bytes} if self.chunk_bytes else {}
                profile = profile_stream(handle, where.filename, **kwargs)
        except Unprofilable as exc:
            raise JobFailed(str(exc)) from None
        except MemoryError:
            raise JobFailed("the file needs more memory to profile than the worker has") \
                from None
        return lambda conn: self._save(conn, job.key, profile)

    def _locate(self, job: Claimed) -> _Location:
        directory = job.payload.get("dir")
        md5 = directory or job.key
        with self.engine.connect() as conn:
            row = conn.execute(
                select(R.git_path, V.commit_sha, D.department, D.slug, F.path, F.source)
                .select_from(VersionFile.__table__)
                .join(Version.__table__, V.id == F.version_id)
                .join(Dataset.__table__, D.id == V.dataset_id)
                .join(Registry.__table__, R.id == D.registry_id)
                .where(F.md5 == md5).order_by(V.id.desc()).limit(1)).first()
        if row is None:
            raise JobFailed("no version in the catalogue holds these bytes any more")
        folder = f"{row.department}/{row.slug}/"
        output = OutputRef(folder + row.path, md5, folder + row.source)
        member = job.payload.get("member", "") if directory else ""
        name = member or row.path
        return _Location(row.git_path, row.commit_sha, output, member,
                         job.payload.get("path") or posixpath.basename(name))

    def _members(self, where: _Location) -> dict[str, str]:
        """The tabular files of a directory output (path → md5), at most MEMBERS."""
        try:
            listing = self.storage.member_hashes(where.git_path, where.rev, where.output)
        except BytesUnavailable:
            raise JobFailed("the directory's list of files is not in the registry's DVC remote "
                            "(was it `dvc push`ed?)", retryable=True) from None
        except NotInOutput:
            return {}
        tabular = sorted(path for path in listing if is_tabular(path))
        return {path: listing[path] for path in tabular[:MEMBERS]}

    def _save(self, conn: Connection, md5: str, profile: Profile) -> None:
        conn.execute(delete(PROFILES).where(PROFILES.c.md5 == md5))
        conn.execute(insert(PROFILES).values(
            md5=md5, format=profile.format, rows=profile.rows, encoding=profile.encoding,
            tables=profile.tables, members={}, notes=profile.notes, size=profile.size,
            seconds=profile.seconds, profiled_at=now()))

    def _save_directory(self, conn: Connection, md5: str, members: dict[str, str]) -> None:
        conn.execute(delete(PROFILES).where(PROFILES.c.md5 == md5))
        conn.execute(insert(PROFILES).values(
            md5=md5, format="directory", rows=None, encoding=None, tables=[], members=members,
            notes=[] if len(members) < MEMBERS else [f"only {MEMBERS} files are profiled"],
            size=None, seconds=0.0, profiled_at=now()))
        jobs = [(member_md5, {"dir": md5, "member": path, "path": posixpath.basename(path)})
                for path, member_md5 in members.items() if member_md5]
        self.queue.enqueue(KIND, jobs, conn=conn)
