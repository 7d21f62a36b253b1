"""`catalogue worker`, `catalogue jobs` and the worker `catalogue serve` starts beside it, as
processes of their own on a real registry."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlmodel import select

from catalogue.access import Reader
from catalogue.jobs.models import Job
from catalogue.profiles.reads import version_profile

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32)


def catalogue_cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CATALOGUE_INSTANCE=str(settings.instance),
               DATABASE_URL=settings.database_url)
    return subprocess.run([sys.executable, "-m", "catalogue", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def processes_naming(folder: Path) -> list[int]:
    wanted = str(folder).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if wanted in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_the_worker_command_profiles_what_indexing_queued(registry, settings):
    registry.version("housing/counts", {"counts.csv": b"ward,count\nAbbey,3\n",
                                        "photo.csv": PNG}, "Counts and a photo")
    assert catalogue_cli(settings, "index", str(registry.path)).returncode == 0
    assert "queued: 2" in catalogue_cli(settings, "jobs", "status").stdout
    done = catalogue_cli(settings, "worker", "--drain")
    assert done.returncode == 0, done.stderr
    assert "1 job(s) done, 1 failed" in done.stdout
    status = catalogue_cli(settings, "jobs", "status").stdout
    assert "done: 1" in status and "failed: 1" in status
    assert re.search(r"photo\.csv\): the file is not text", status)
    assert "1 job(s) queued again" in catalogue_cli(settings, "jobs", "retry").stdout


def test_serve_starts_a_worker_and_stops_it(registry, catalogue, settings):
    registry.version("housing/counts", {"counts.csv": b"ward,count\nAbbey,3\n"}, "Counts")
    catalogue.indexer.index(str(registry.path))
    assert catalogue.jobs.counts()["queued"] == 1
    env = dict(os.environ, CATALOGUE_INSTANCE=str(settings.instance),
               DATABASE_URL=settings.database_url, PYTHONUNBUFFERED="1")
    server = subprocess.Popen([sys.executable, "-m", "catalogue", "serve", "--host",
                               "127.0.0.1", "--port", "0"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: catalogue.jobs.counts()["done"] == 1)
        (worker,) = processes_naming(settings.instance)  # the server reads it from its env
        assert b"worker" in Path(f"/proc/{worker}/cmdline").read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)
    wait_for(lambda: not processes_naming(settings.instance), timeout=30)  # it followed


def test_a_worker_killed_mid_job_leaves_the_job_to_the_next_worker(registry, catalogue,
                                                                     settings, tmp_path):
    """kill -9 while it profiles a 100 MB CSV: the job is not lost; once its lease ends,
    another worker takes it and profiles it."""
    rows = 2_000_000
    big = tmp_path / "big.csv"
    pacsv.write_csv(pa.table({"id": np.arange(rows), "value": np.arange(rows) * 0.5,
                              "ward": np.array(["Abbey", "Castle", "Mill"])[np.arange(rows) % 3],
                              "ref": pa.array([f"REF-{i:012d}" for i in range(rows)])}), big)
    registry.version("housing/big", {"big.csv": big.read_bytes()}, "A big table")
    catalogue.indexer.index(str(registry.path))
    env = dict(os.environ, CATALOGUE_INSTANCE=str(settings.instance),
               DATABASE_URL=settings.database_url)
    command = [sys.executable, "-m", "catalogue", "worker", "--lease", "2"]
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: catalogue.jobs.counts()["running"] == 1)
    finally:
        first.kill()
        first.wait()
    (job,) = catalogue.jobs.jobs("profile", _keys(catalogue)).values()
    assert job.status == "running" and job.attempts == 1  # killed before it finished
    second = catalogue_cli(settings, "worker", "--drain", "--lease", "2")
    assert "1 job(s) done, 0 failed" in second.stdout, second.stderr
    (job,) = catalogue.jobs.jobs("profile", _keys(catalogue)).values()
    assert (job.status, job.attempts) == ("done", 2)
    with catalogue.session() as s:
        (file,) = version_profile(s, catalogue.jobs, Reader.everyone(), "housing", "big",
                                  1)["files"]
    assert file["rows"] == rows and file["status"] == "done"


def _keys(catalogue) -> list[str]:
    with catalogue.session() as s:
        return list(s.exec(select(Job.key)))
