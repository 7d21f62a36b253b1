"""The job queue: queueing work once, claiming it safely from several workers, and never
losing it when a worker dies.

- **Queue**: `INSERT … ON CONFLICT (kind, key) DO NOTHING`, so asking twice (two index runs,
  two versions holding the same bytes) queues one job. A job that failed for a reason that
  may pass (`retryable`: bytes not pushed yet) is queued again.
- **Claim**: one statement that moves the oldest claimable job to `running` with a lease and
  returns it. On PostgreSQL the candidate is picked with `FOR UPDATE SKIP LOCKED`, so workers
  never wait on each other's rows; on SQLite the write transaction (BEGIN IMMEDIATE) holds the
  database's write lock, so the select-and-update is atomic.
- **Lease**: a running job whose `lease_until` has passed (its worker was killed, its machine
  lost) is claimable again; a live worker renews the lease (`heartbeat`) while it works. A job
  claimed `max_attempts` times without finishing fails with that reason, rather than killing
  every worker that takes it.
- **Finish**: only the worker holding the claim may finish a job (`worker` matches), so a
  worker that lost its lease cannot overwrite the result of the one that took over.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel.sql.sqltypes import UTCDateTime

from catalogue.clock import utcnow
from catalogue.db import write_transaction
from catalogue.jobs.models import DONE, FAILED, QUEUED, RUNNING, Job

JOBS = Job.__table__
LEASE_S = 60.0
MAX_ATTEMPTS = 3
REASON_LIMIT = 1000


def now() -> datetime:
    return utcnow()


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int


# Two kinds of claimable job, each found through the status index: a running one whose
# lease has passed (its worker died: retried first), else the oldest queued one.
_CLAIM = """
UPDATE job SET status = 'running', attempts = attempts + 1, worker = :worker,
       started_at = :now, lease_until = :lease, reason = NULL
WHERE id = (
    SELECT id FROM job WHERE {where} AND attempts < :max_attempts {kinds}
    ORDER BY id LIMIT 1 {lock}
)
RETURNING id, kind, key, payload, attempts
"""
_QUEUED = "status = 'queued'"
_EXPIRED = "status = 'running' AND lease_until < :now"


class JobQueue:
    def __init__(self, engine: Engine, lease_s: float = LEASE_S,
                 max_attempts: int = MAX_ATTEMPTS):
        self.engine = engine
        self.lease_s = lease_s
        self.max_attempts = max_attempts

    # ---- queueing ------------------------------------------------------------------------

    def enqueue(self, kind: str, jobs: Iterable[tuple[str, dict[str, Any]]],
                conn: Connection | None = None) -> int:
        """Queue each (key, payload) not queued before, and again those that failed for a
        reason that may pass; how many rows were new or re-queued."""
        rows = {key: payload for key, payload in jobs}
        if not rows:
            return 0
        if conn is None:
            with write_transaction(self.engine) as own:
                return self._enqueue(own, kind, rows)
        return self._enqueue(conn, kind, rows)

    def _enqueue(self, conn: Connection, kind: str, rows: dict[str, dict[str, Any]]) -> int:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        at = now()
        count = 0
        keys = list(rows)
        for start in range(0, len(keys), 500):
            batch = keys[start:start + 500]
            known = set(conn.execute(select(JOBS.c.key).where(
                JOBS.c.kind == kind, JOBS.c.key.in_(batch))).scalars())
            new = [key for key in batch if key not in known]
            if new:  # ON CONFLICT: another process may queue the same key meanwhile
                statement = insert(JOBS).on_conflict_do_nothing(index_elements=["kind", "key"])
                conn.execute(statement, [
                    {"kind": kind, "key": key, "payload": rows[key], "status": QUEUED,
                     "retryable": False, "attempts": 0, "queued_at": at} for key in new])
            count += len(new)
            count += conn.execute(
                update(JOBS).where(JOBS.c.kind == kind, JOBS.c.key.in_(batch),
                                   JOBS.c.status == FAILED, JOBS.c.retryable.is_(True))
                .values(status=QUEUED, attempts=0, reason=None, retryable=False,
                        queued_at=at)).rowcount
        return count

    def requeue(self, kind: str | None = None, failed_only: bool = True) -> int:
        """Queue failed jobs (or, with `failed_only` False, every job) again."""
        query = update(JOBS).values(status=QUEUED, attempts=0, reason=None, retryable=False,
                                    queued_at=now(), worker=None, lease_until=None)
        if failed_only:
            query = query.where(JOBS.c.status == FAILED)
        if kind:
            query = query.where(JOBS.c.kind == kind)
        with write_transaction(self.engine) as conn:
            return conn.execute(query).rowcount

    # ---- working ---------------------------------------------------------------------------

    def claim(self, worker: str, kinds: Iterable[str] | None = None) -> Claimed | None:
        """The next job for `worker`, now running under its lease (None: nothing to do)."""
        kinds = list(kinds or [])
        with write_transaction(self.engine) as conn:
            self._give_up_on_dead(conn)
            postgres = conn.dialect.name == "postgresql"
            names = {f"k{i}": k for i, k in enumerate(kinds)}
            at = now()
            row = None
            for where in (_EXPIRED, _QUEUED):
                statement = _CLAIM.format(
                    where=where, lock="FOR UPDATE SKIP LOCKED" if postgres else "",
                    kinds=f"AND kind IN ({', '.join(':' + n for n in names)})" if kinds else "")
                bound = text(statement).bindparams(
                    bindparam("now", type_=UTCDateTime()),
                    bindparam("lease", type_=UTCDateTime()), **names)
                row = conn.execute(bound, {
                    "worker": worker, "now": at, "lease": at + timedelta(seconds=self.lease_s),
                    "max_attempts": self.max_attempts}).first()
                if row is not None:
                    break
        if row is None:
            return None
        payload = row.payload
        if isinstance(payload, str):  # SQLite hands JSON back as text through a raw statement
            import json

            payload = json.loads(payload)
        return Claimed(row.id, row.kind, row.key, payload or {}, row.attempts)

    def _give_up_on_dead(self, conn: Connection) -> None:
        """Jobs whose worker died `max_attempts` times: failed, with that reason."""
        conn.execute(
            update(JOBS).where(JOBS.c.status == RUNNING, JOBS.c.lease_until < now(),
                               JOBS.c.attempts >= self.max_attempts)
            .values(status=FAILED, finished_at=now(), lease_until=None, retryable=False,
                    reason=f"the worker stopped while running it, {self.max_attempts} times "
                           "(it may need more memory than the worker has)"))

    def heartbeat(self, job: Claimed, worker: str) -> bool:
        """Renew the lease; False when the claim was lost (another worker took the job)."""
        with write_transaction(self.engine) as conn:
            return conn.execute(
                update(JOBS).where(JOBS.c.id == job.id, JOBS.c.worker == worker,
                                   JOBS.c.status == RUNNING)
                .values(lease_until=now() + timedelta(seconds=self.lease_s))).rowcount == 1

    def finish(self, conn: Connection, job: Claimed, worker: str) -> bool:
        """Mark the job done in `conn`'s transaction (with its result); False when the claim
        was lost, and the caller should roll back."""
        return self._end(conn, job, worker, status=DONE, reason=None, retryable=False)

    def fail(self, job: Claimed, worker: str, reason: str, retryable: bool = False) -> bool:
        with write_transaction(self.engine) as conn:
            return self._end(conn, job, worker, status=FAILED, reason=reason[:REASON_LIMIT],
                             retryable=retryable)

    def _end(self, conn: Connection, job: Claimed, worker: str, **values: Any) -> bool:
        return conn.execute(
            update(JOBS).where(JOBS.c.id == job.id, JOBS.c.worker == worker,
                               JOBS.c.status == RUNNING)
            .values(finished_at=now(), lease_until=None, **values)).rowcount == 1

    # ---- reading ---------------------------------------------------------------------------

    def jobs(self, kind: str, keys: Iterable[str]) -> dict[str, Job]:
        """The jobs of these keys (those that exist)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Job] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                for row in conn.execute(select(JOBS).where(
                        JOBS.c.kind == kind, JOBS.c.key.in_(wanted[start:start + 500]))):
                    found[row.key] = Job(**row._mapping)
        return found

    def counts(self, kind: str | None = None) -> dict[str, int]:
        """How many jobs are in each status."""
        query = select(JOBS.c.status, func.count()).group_by(JOBS.c.status)
        if kind:
            query = query.where(JOBS.c.kind == kind)
        with self.engine.connect() as conn:
            counted = dict(conn.execute(query).all())
        return {status: counted.get(status, 0) for status in (QUEUED, RUNNING, DONE, FAILED)}

    def pending(self, kind: str | None = None) -> int:
        """Jobs still to run: queued, or running (under a lease or not)."""
        counts = self.counts(kind)
        return counts[QUEUED] + counts[RUNNING]
