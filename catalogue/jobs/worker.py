"""The worker: claims jobs one at a time, runs each kind's handler, records the outcome, and
carries on whatever a job did.

A handler's `run(job)` does the work outside any transaction and returns a function that
saves the result; the worker calls it in the transaction that marks the job done, so a job is
done exactly when its result is saved. A handler raises `JobFailed` with a plain reason for bad
input; any other exception fails the job too ("unexpected error"), with the traceback in the
log and never in the reason. While a job runs, a heartbeat thread renews its lease; a worker
killed mid-job leaves the lease to expire, and another worker (or this one restarted) takes
the job again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from catalogue.db import write_transaction
from catalogue.jobs.queue import Claimed, JobQueue

log = logging.getLogger(__name__)
IDLE_S = 1.0


class JobFailed(Exception):
    """The job cannot be done; the message says why, plainly. `retryable`: it may succeed if
    queued again later (the bytes were not pushed yet)."""

    def __init__(self, reason: str, retryable: bool = False):
        super().__init__(reason)
        self.retryable = retryable


class Handler(Protocol):
    kind: str

    def run(self, job: Claimed) -> Callable[[Any], None] | None: ...


Done = Callable[[list[Claimed]], None]


class _Lost(Exception):
    """The job's lease passed to another worker: roll back what this one would save."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class Worker:
    """`after`: told the jobs done since it was last told, when the queue runs dry and at
    least every `after_every` jobs (a search index update per batch, not per job)."""

    def __init__(self, queue: JobQueue, handlers: list[Handler], after: Done | None = None,
                 name: str | None = None, after_every: int = 200):
        self.queue = queue
        self.handlers = {h.kind: h for h in handlers}
        self.after = after
        self.name = name or worker_name()
        self.after_every = after_every
        self.done: list[Claimed] = []
        self.counts = {"done": 0, "failed": 0}
        self._current: Claimed | None = None
        self._heart: threading.Thread | None = None
        self._stopped = threading.Event()

    def run_one(self) -> bool:
        """Claim and run one job; False when there was none."""
        job = self.queue.claim(self.name, self.handlers)
        if job is None:
            self._settle()
            return False
        self._beating()
        self._current = job
        try:
            self._run(job)
        finally:
            self._current = None
        if len(self.done) >= self.after_every:
            self._settle()
        return True

    def _run(self, job: Claimed) -> None:
        started = time.perf_counter()
        try:
            save = self.handlers[job.kind].run(job)
        except JobFailed as exc:
            self._fail(job, str(exc), exc.retryable)
            return
        except Exception as exc:
            log.exception("job %s (%s %s) failed", job.id, job.kind, job.key)
            self._fail(job, f"unexpected error ({type(exc).__name__}); the worker's log has "
                            "the details")
            return
        try:
            with write_transaction(self.queue.engine) as conn:
                if save is not None:
                    save(conn)
                if not self.queue.finish(conn, job, self.name):
                    raise _Lost
        except _Lost:
            log.warning("job %s was taken over by another worker; result dropped", job.id)
            return
        except Exception as exc:
            log.exception("job %s (%s %s): its result could not be saved", job.id, job.kind,
                          job.key)
            self._fail(job, f"unexpected error saving the result ({type(exc).__name__})")
            return
        self.counts["done"] += 1
        self.done.append(job)
        log.debug("job %s (%s %s) done in %.2f s", job.id, job.kind, job.key,
                 time.perf_counter() - started)

    def _fail(self, job: Claimed, reason: str, retryable: bool = False) -> None:
        self.queue.fail(job, self.name, reason, retryable)
        self.counts["failed"] += 1
        log.info("job %s (%s %s) failed: %s", job.id, job.kind, job.key, reason)

    def _beating(self) -> None:
        """Start the heartbeat thread the first time: it renews the lease of the job in
        hand every third of a lease, for as long as the worker lives."""
        if self._heart is None:
            self._heart = threading.Thread(target=self._heartbeat, daemon=True,
                                           name="job-heartbeat")
            self._heart.start()

    def _heartbeat(self) -> None:
        while not self._stopped.wait(self.queue.lease_s / 3):
            job = self._current
            if job is None:
                continue
            try:
                self.queue.heartbeat(job, self.name)
            except Exception:
                log.exception("could not renew the lease of job %s", job.id)

    def close(self) -> None:
        """Stop the heartbeat thread."""
        self._stopped.set()
        if self._heart is not None:
            self._heart.join()
            self._heart = None

    def _settle(self) -> None:
        if not self.done or self.after is None:
            self.done = []
            return
        done, self.done = self.done, []
        try:
            self.after(done)
        except Exception:
            log.exception("after-jobs listener failed")

    def run_until(self, stop: threading.Event, idle_s: float = IDLE_S,
                  drain: bool = False) -> None:
        """Run jobs until `stop` is set (or, with `drain`, until no job of its kinds is queued
        or running: one that another worker holds may yet come back when its lease ends)."""
        while not stop.is_set():
            try:
                worked = self.run_one()
                empty = drain and not worked and not any(
                    self.queue.pending(kind) for kind in self.handlers)
            except Exception:
                log.exception("the job queue could not be read; trying again shortly")
                worked = empty = False
            if empty:
                break
            if not worked:
                stop.wait(idle_s)
        self._settle()
        self.close()
