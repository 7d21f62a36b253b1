"""`catalogue worker`, `catalogue jobs` and the worker `catalogue serve` starts beside it, as
processes of their own on a real registry."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

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
