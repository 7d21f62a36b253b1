"""The job queue on a real database (SQLite, or PostgreSQL with DATABASE_URL): each job
queued once, claimed by one worker, retried after its worker dies, failed plainly, and the
worker carries on."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import update

from catalogue.jobs.models import Job
from catalogue.jobs.queue import JobQueue, now
from catalogue.jobs.worker import JobFailed, Worker


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def expire_leases(queue: JobQueue) -> None:
    """What time does to a dead worker's lease, without waiting for it."""
    with queue.engine.begin() as conn:
        conn.execute(update(Job.__table__).where(Job.__table__.c.status == "running")
                     .values(lease_until=now() - timedelta(seconds=1)))


class Recorder:
    kind = "test"

    def __init__(self, fail: dict[str, Exception] | None = None):
        self.ran: list[str] = []
        self.fail = fail or {}

    def run(self, job):
        self.ran.append(job.key)
        if job.key in self.fail:
            raise self.fail[job.key]
        return None


def test_a_job_is_queued_once_however_often_it_is_asked_for(catalogue):
    queue = JobQueue(catalogue.engine)
    assert queue.enqueue("test", [("a", {}), ("b", {})]) == 2
    assert queue.enqueue("test", [("a", {"x": 1}), ("b", {})]) == 0
    assert queue.counts("test") == {"queued": 2, "running": 0, "done": 0, "failed": 0}


def test_concurrent_workers_never_claim_the_same_job(catalogue):
    queue = JobQueue(catalogue.engine)
    queue.enqueue("test", [(f"k{i}", {}) for i in range(40)])
    claimed: list[str] = []
    lock = threading.Lock()

    def claim_all(name: str) -> None:
        while (job := queue.claim(name)) is not None:
            with lock:
                claimed.append(job.key)

    threads = [threading.Thread(target=claim_all, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(f"k{i}" for i in range(40))


def test_a_dead_workers_job_is_claimed_again_once_its_lease_expires(catalogue):
    queue = JobQueue(catalogue.engine, lease_s=30)
    queue.enqueue("test", [("a", {})])
    first = queue.claim("dead-worker")
    assert first is not None and first.attempts == 1
    assert queue.claim("other") is None  # still leased
    expire_leases(queue)
    recorder = Recorder()
    worker = Worker(queue, [recorder], name="other")
    assert worker.run_one() is True
    assert recorder.ran == ["a"]
    job = queue.jobs("test", ["a"])["a"]
    assert (job.status, job.attempts, job.worker) == ("done", 2, "other")
    # the dead worker, back, cannot overwrite the result
    assert queue.fail(first, "dead-worker", "late") is False
    assert queue.jobs("test", ["a"])["a"].status == "done"


def test_a_job_that_kills_its_worker_every_time_fails_with_that_reason(catalogue):
    queue = JobQueue(catalogue.engine, max_attempts=3)
    queue.enqueue("test", [("poison", {}), ("fine", {})])
    for attempt in range(3):
        assert queue.claim(f"w{attempt}").key == "poison"
        expire_leases(queue)
    job = queue.claim("w4")
    assert job is not None and job.key == "fine"
    poison = queue.jobs("test", ["poison"])["poison"]
    assert poison.status == "failed" and "3 times" in poison.reason


def test_the_heartbeat_keeps_a_long_job_leased(catalogue):
    queue = JobQueue(catalogue.engine, lease_s=0.6)
    queue.enqueue("test", [("slow", {})])
    started = threading.Event()
    release = threading.Event()

    class Slow:
        kind = "test"

        def run(self, job):
            started.set()
            assert release.wait(20)
            return None

    worker = Worker(queue, [Slow()], name="busy")
    thread = threading.Thread(target=worker.run_one)
    thread.start()
    assert started.wait(20)
    leased = queue.jobs("test", ["slow"])["slow"].lease_until
    wait_for(lambda: queue.jobs("test", ["slow"])["slow"].lease_until > leased)
    assert queue.claim("thief") is None
    release.set()
    thread.join()
    assert queue.jobs("test", ["slow"])["slow"].status == "done"


def test_the_worker_fails_a_bad_job_plainly_and_carries_on(catalogue):
    queue = JobQueue(catalogue.engine)
    queue.enqueue("test", [("bad", {}), ("bug", {}), ("good", {})])
    recorder = Recorder({"bad": JobFailed("the file is not text"),
                         "bug": ZeroDivisionError("secret detail")})
    done: list[str] = []
    worker = Worker(queue, [recorder], after=lambda jobs: done.extend(j.key for j in jobs))
    worker.run_until(threading.Event(), drain=True)
    jobs = queue.jobs("test", ["bad", "bug", "good"])
    assert (jobs["bad"].status, jobs["bad"].reason) == ("failed", "the file is not text")
    assert jobs["bug"].status == "failed"
    assert "ZeroDivisionError" in jobs["bug"].reason and "secret" not in jobs["bug"].reason
    assert jobs["good"].status == "done" and done == ["good"]
    assert worker.counts == {"done": 1, "failed": 2}


def test_a_retryable_failure_is_queued_again_by_the_next_request(catalogue):
    queue = JobQueue(catalogue.engine)
    queue.enqueue("test", [("later", {}), ("never", {})])
    worker = Worker(queue, [Recorder({"later": JobFailed("not pushed", retryable=True),
                                      "never": JobFailed("not a table")})])
    worker.run_until(threading.Event(), drain=True)
    assert queue.enqueue("test", [("later", {}), ("never", {})]) == 1
    jobs = queue.jobs("test", ["later", "never"])
    assert (jobs["later"].status, jobs["never"].status) == ("queued", "failed")
    assert queue.requeue("test") == 1
    assert queue.jobs("test", ["never"])["never"].status == "queued"
