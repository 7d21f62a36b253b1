"""`catalogue worker` (run background jobs: profiles) and `catalogue jobs` (their state), and
the worker that `catalogue serve` starts beside the web server."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from catalogue.cli import INSTANCE

LOG_FILE = "worker.log"


@click.command()
@INSTANCE
@click.option("--drain", is_flag=True,
              help="Stop once no job is left to run (default: wait for more).")
@click.option("--idle", default=1.0, show_default=True, type=click.FloatRange(0.05, 60),
              help="Seconds between looks at the queue when it is empty.")
@click.option("--lease", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds a job stays this worker's without a heartbeat; past them (the "
                   "worker died) another worker takes it.")
@click.option("--parent-pid", type=int, hidden=True,
              help="Stop when this process ends (the server that started the worker).")
def worker(instance: str, drain: bool, idle: float, lease: float,
           parent_pid: int | None) -> None:
    """Run background jobs (profiles of new versions' files) until stopped."""
    from catalogue.core import Catalogue

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cat = Catalogue.from_env(instance)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if parent_pid:
        threading.Thread(target=_watch_parent, args=(parent_pid, stop), daemon=True).start()
    job_worker = cat.job_worker(lease_s=lease)
    try:
        job_worker.run_until(stop, idle_s=idle, drain=drain)
    finally:
        cat.close()
    click.echo(f"{job_worker.counts['done']} job(s) done, {job_worker.counts['failed']} failed")


def _watch_parent(pid: int, stop: threading.Event) -> None:
    while not stop.wait(2.0):
        if os.getppid() != pid:
            stop.set()


@click.group()
def jobs() -> None:
    """Background jobs: how many are queued, running, done and failed; retry failed ones."""


@jobs.command("status")
@INSTANCE
def jobs_status(instance: str) -> None:
    """How many jobs are in each state, and the latest failures with their reasons."""
    from sqlmodel import select

    from catalogue.core import Catalogue
    from catalogue.jobs.models import FAILED, Job

    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        counts = cat.jobs.counts()
        click.echo(", ".join(f"{status}: {count}" for status, count in counts.items()))
        with cat.session() as s:
            failed = s.exec(select(Job).where(Job.status == FAILED)
                            .order_by(Job.finished_at.desc()).limit(20)).all()
        for job in failed:
            click.echo(f"  ! {job.kind} {job.key} ({job.payload.get('path', '')}): {job.reason}")
    finally:
        cat.close()


@jobs.command("retry")
@INSTANCE
@click.option("--all", "everything", is_flag=True,
              help="Queue every job again, done ones too (after a change to the profiler).")
def jobs_retry(instance: str, everything: bool) -> None:
    """Queue the failed jobs again."""
    from catalogue.core import Catalogue

    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        count = cat.jobs.requeue(failed_only=not everything)
    finally:
        cat.close()
    click.echo(f"{count} job(s) queued again")


@contextmanager
def background_worker(instance: str | Path, enabled: bool = True) -> Iterator[int | None]:
    """A `catalogue worker` process beside this one (a server), stopped with it; its process
    id (None when not `enabled`). Its messages go to `<instance>/worker.log`."""
    if not enabled:
        yield None
        return
    log_path = Path(instance) / LOG_FILE
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "catalogue", "worker", "--instance", str(instance),
             "--parent-pid", str(os.getpid())],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    try:
        yield child.pid
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
