"""What the benchmark scripts share: parameters, git, a fresh catalogue, metrics files."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from catalogue.core import Catalogue
from catalogue.db import scratch_database
from catalogue.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "params.yaml"
REGISTRY = ROOT / "benchmarks" / "out" / "registry"


def load_params(section: str) -> dict[str, Any]:
    return yaml.safe_load(PARAMS.read_text())[section]


def git(*args: str, cwd: Path, env: dict[str, str] | None = None,
        stdin: bytes | None = None) -> str:
    """Run git; raise with its output when it fails."""
    done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                          env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.decode().strip()}")
    return done.stdout.decode()


def dvc_config(remote_url: str) -> str:
    """`.dvc/config` as `dvc init` then `dvc remote add -d storage <url>` leave it."""
    return (f"[core]\n    remote = storage\n    analytics = false\n"
            f"['remote \"storage\"']\n    url = {remote_url}\n")


def storage_beside(registry: Path) -> Path:
    """Where a generated registry's DVC remote is: `<registry>-storage` beside it."""
    return registry.parent / f"{registry.name}-storage"


def commit_files(bare: Path, files: dict[str, bytes], message: str,
                 author: tuple[str, str]) -> str:
    """Commit `files` (path in the registry → content) on top of main in the bare repository
    `bare`, with plain git and no work tree (a clone of 20,000 commits would cost seconds);
    returns the new commit's sha."""
    name, email = author
    with tempfile.TemporaryDirectory(prefix="bench-commit-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index"),
               "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}
        parent = git("rev-parse", "main", cwd=bare).strip()
        git("read-tree", parent, cwd=bare, env=env)
        for path, content in files.items():
            blob = git("hash-object", "-w", "--stdin", cwd=bare, stdin=content).strip()
            git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}",
                cwd=bare, env=env)
        tree = git("write-tree", cwd=bare, env=env).strip()
        sha = git("commit-tree", tree, "-p", parent, "-m", message, cwd=bare, env=env).strip()
        git("update-ref", "refs/heads/main", sha, parent, cwd=bare)
    return sha


def move_remote(bare: Path, storage: Path, author: tuple[str, str]) -> str:
    """Give a copy of a registry a DVC remote of its own (an empty directory, `storage`) with
    one commit changing `.dvc/config`: the versions committed after it keep their bytes there,
    and the corpus's own remote (where the earlier versions' bytes are read) is never written
    to. Returns the commit's sha."""
    storage.mkdir(parents=True, exist_ok=True)
    return commit_files(bare, {".dvc/config": dvc_config(str(storage.resolve())).encode()},
                        "Move the DVC remote to this copy's own storage", author)


def copy_registry(source: Path, target: Path) -> Path:
    """A bare copy of a registry that can take new commits without touching the original."""
    git("clone", "--bare", "--no-hardlinks", "-q", str(source.resolve()), str(target),
        cwd=target.parent)
    return target


def end_processes_naming(folder: Path) -> None:
    """End the processes whose command line names `folder` (a benchmark's own temporary
    instance folder): what the catalogue's commands left running in the background for it, such
    as the detached reader of column names, which would otherwise outlive the benchmark and
    write into its deleted folder. SIGTERM, then SIGKILL after 5 s."""
    me, wanted = os.getpid(), str(folder).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != me:
            try:
                if wanted in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    for pid in found:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                break
            for _ in range(50):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.1)
            else:
                continue
            break


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """A database nobody else uses: SQLite in `folder`, or a new one on DATABASE_URL's server."""
    with scratch_database(folder, os.environ.get("DATABASE_URL"), "bench") as url:
        yield url


@contextmanager
def fresh_catalogue(folder: Path, background_reads: bool = True) -> Iterator[Catalogue]:
    """A new, empty catalogue whose instance folder is `folder`."""
    with fresh_database(folder) as url:
        catalogue = Catalogue(Settings(instance=folder, database_url=url),
                              background_reads=background_reads)
        try:
            yield catalogue
        finally:
            catalogue.close()


@contextmanager
def profiled(html: Path | None, interval: float) -> Iterator[None]:
    """Profile the block with pyinstrument when `html` is given: write the HTML report there and
    print the summary on stderr. Without it, do nothing."""
    if html is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=interval)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(profiler.output_html())
        print(profiler.output_text(show_all=False), file=sys.stderr)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by `action()`, and what it returned."""
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cpu_timed(action: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall-clock and CPU seconds taken by `action()` in this process, and what it returned.

    The CPU figure does not count time spent waiting for a busy machine's cores (or in a
    database server's process), so it tells a slow machine from slow code."""
    cpu = time.process_time()
    wall, result = timed(action)
    return wall, time.process_time() - cpu, result


def load_average() -> float:
    """The machine's one-minute load average: how busy it was when a figure was taken."""
    return round(os.getloadavg()[0], 2)


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `samples` (0 < fraction <= 1)."""
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))]


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def database_kind() -> str:
    return "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"


def write_metrics(path: Path, metrics: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"
