"""Profiles (issue 12): the worker profiling a 1 GB CSV with real bytes in a DVC remote
(targets: at least 40 MB/s, at most 600 MB peak RSS), and the worker's backlog after indexing
the 2,000-dataset corpus, drained in how long.

    python -m benchmarks.bench_profiles [--only big|backlog] [--workers N] [--metrics PATH]

Everything as an operator runs it: `catalogue index` and `catalogue worker --drain` as
processes of their own, on a fresh database (SQLite in a temporary instance folder, or a new
PostgreSQL database when DATABASE_URL is set).

- **big**: a registry of one dataset whose file is `benchmarks/out/scan/big.csv` (the
  `scan-corpus` stage's 1 GiB CSV), its bytes in the registry's local DVC remote as `dvc push`
  leaves them (hard-linked when the file system allows), its `.dvc` file committed with git.
  `catalogue index`, then one `catalogue worker --drain`: the worker's peak RSS is its own
  (`os.wait4` gives that child's rusage, not the other children's), the profile's own time
  (read from the database) gives the throughput, the worker's wall time is beside it.
- **backlog**: `catalogue index` of the corpus (`benchmarks/out/registry`: 20,000 versions,
  every file's bytes in its remote), how many profile jobs it queued, then `--workers` worker
  processes until none is left: the drain's wall time, jobs per second, the slowest worker's
  peak RSS, and how many jobs failed (none should).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    REGISTRY,
    ROOT,
    database_kind,
    dvc_config,
    fresh_database,
    git,
    load_average,
    load_params,
    write_metrics,
)

METRICS = ROOT / "benchmarks" / "metrics" / "profiles.json"
BIG_CSV = ROOT / "benchmarks" / "out" / "scan" / "big.csv"
KEY = "housing/street-count-archive"


def catalogue(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "catalogue", *args], env=env,
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"catalogue {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def workers(count: int, instance: Path, env: dict[str, str]) -> tuple[float, list[float]]:
    """Run `count` `catalogue worker --drain` processes to the end: wall seconds, and each
    one's peak RSS in MB (from its own rusage)."""
    logs = [instance.parent / f"worker-{i}.log" for i in range(count)]
    started = time.perf_counter()
    children = []
    for log in logs:
        with log.open("wb") as out:  # a file, not a pipe: a full pipe would stop the worker
            children.append(subprocess.Popen(
                [sys.executable, "-m", "catalogue", "worker", "--drain", "--instance",
                 str(instance)], env=env, cwd=ROOT, stdout=out, stderr=out))
    peaks = []
    for child, log in zip(children, logs, strict=True):
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"catalogue worker failed:\n{log.read_text()[-4000:]}")
        peaks.append(round(usage.ru_maxrss / 1024, 1))  # kilobytes on Linux
    return time.perf_counter() - started, peaks


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        while block := handle.read(8 * 1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def big_registry(folder: Path, source: Path) -> Path:
    """A registry whose one dataset holds `source`, its bytes in the registry's DVC remote."""
    registry, storage = folder / "registry", folder / "registry-storage"
    registry.mkdir(parents=True)
    md5, size = _md5(source), source.stat().st_size
    target = storage / "files" / "md5" / md5[:2] / md5[2:]
    target.parent.mkdir(parents=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    files = {
        ".dvc/config": dvc_config(str(storage.resolve())),
        "catalogue.yaml": "name: Profiles benchmark\ndepartments:\n"
                          "- slug: housing\n  name: Housing\n",
        f"{KEY}/dataset.yaml": "title: Street count archive\nowners:\n"
                               "- housing-data@council.example.gov.uk\n",
        f"{KEY}/big.csv.dvc": f"outs:\n- md5: {md5}\n  size: {size}\n  hash: md5\n"
                              "  path: big.csv\n",
        f"{KEY}/.gitignore": "/big.csv\n",
    }
    for path, text in files.items():
        (registry / path).parent.mkdir(parents=True, exist_ok=True)
        (registry / path).write_text(text)
    author = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.gov.uk",
              "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.gov.uk"}
    git("init", "-q", "-b", "main", cwd=registry)
    git("add", "-A", cwd=registry)
    git("commit", "-q", "-m", "The street count archive", cwd=registry, env=author)
    return registry


def _read_profile(database_url: str) -> dict[str, Any]:
    from sqlalchemy import create_engine, select

    from catalogue.jobs.models import Job
    from catalogue.profiles.models import FileProfile

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            job = conn.execute(select(Job.__table__)).first()
            profile = conn.execute(select(FileProfile.__table__)).first()
    finally:
        engine.dispose()
    return {"job": job._asdict() if job else None, "profile": profile._asdict() if profile
            else None}


def measure_big(params: dict[str, Any]) -> dict[str, Any]:
    if not BIG_CSV.exists():
        raise SystemExit(f"{BIG_CSV} is missing: run `dvc repro scan-corpus` first")
    with tempfile.TemporaryDirectory(prefix="bench-profiles-", dir=BIG_CSV.parent) as tmp:
        folder = Path(tmp)
        registry = big_registry(folder, BIG_CSV)
        with fresh_database(folder) as url:
            env = {**os.environ, "DATABASE_URL": url, "CATALOGUE_NO_WORKER": "1"}
            instance = folder / "instance"
            catalogue("index", str(registry), "--instance", str(instance), env=env)
            load_start = load_average()
            wall, peaks = workers(1, instance, env)
            found = _read_profile(url)
    job, profile = found["job"], found["profile"]
    if job is None or job["status"] != "done" or profile is None:
        raise SystemExit(f"the big file was not profiled: {job}")
    size = profile["size"]
    return {
        "big_file_mb": round(size / 1e6, 1),
        "big_rows": profile["rows"],
        "big_profile_s": round(profile["seconds"], 2),
        "big_worker_wall_s": round(wall, 2),
        "big_throughput_mb_s": round(size / 1e6 / profile["seconds"], 1),
        "big_peak_rss_mb": peaks[0],
        "big_target_mb_s": params["target_mb_s"],
        "big_target_peak_mb": params["target_peak_mb"],
        "big_load_average_at_start": load_start,
    }


def measure_backlog(params: dict[str, Any], count: int) -> dict[str, Any]:
    from sqlalchemy import create_engine, func, select

    from catalogue.jobs.models import Job

    with tempfile.TemporaryDirectory(prefix="bench-backlog-") as tmp:
        folder = Path(tmp)
        with fresh_database(folder) as url:
            env = {**os.environ, "DATABASE_URL": url, "CATALOGUE_NO_WORKER": "1"}
            instance = folder / "instance"
            started = time.perf_counter()
            catalogue("index", str(REGISTRY), "--instance", str(instance), env=env)
            index_s = time.perf_counter() - started
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    queued = conn.execute(select(func.count()).select_from(Job.__table__)).scalar()
                load_start = load_average()
                wall, peaks = workers(count, instance, env)
                with engine.connect() as conn:
                    states = dict(conn.execute(select(Job.status, func.count())
                                               .group_by(Job.status)).all())
            finally:
                engine.dispose()
    return {
        "backlog_index_s": round(index_s, 2),
        "backlog_jobs": queued,
        "backlog_workers": count,
        "backlog_drain_s": round(wall, 1),
        "backlog_jobs_per_s": round(queued / wall, 1),
        "backlog_done": states.get("done", 0),
        "backlog_failed": states.get("failed", 0),
        "backlog_peak_rss_mb": max(peaks),
        "backlog_load_average_at_start": load_start,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["big", "backlog"])
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes draining the backlog (default: params.yaml)")
    parser.add_argument("--metrics", type=Path, default=METRICS)
    args = parser.parse_args(argv)
    params = load_params("profiles")
    metrics: dict[str, Any] = {"database": database_kind()}
    if args.only in (None, "big"):
        metrics.update(measure_big(params))
        print(f"1 GB CSV: {metrics['big_file_mb']:,} MB, {metrics['big_rows']:,} rows profiled "
              f"in {metrics['big_profile_s']} s: {metrics['big_throughput_mb_s']} MB/s (target "
              f"≥ {params['target_mb_s']}), worker peak RSS {metrics['big_peak_rss_mb']} MB "
              f"(target ≤ {params['target_peak_mb']}); load {metrics['big_load_average_at_start']}")
    if args.only in (None, "backlog"):
        metrics.update(measure_backlog(params, args.workers or params["workers"]))
        print(f"backlog: {metrics['backlog_jobs']:,} jobs after indexing in "
              f"{metrics['backlog_index_s']} s, drained by {metrics['backlog_workers']} "
              f"worker(s) in {metrics['backlog_drain_s']} s ({metrics['backlog_jobs_per_s']}/s), "
              f"{metrics['backlog_failed']} failed, peak RSS {metrics['backlog_peak_rss_mb']} MB; "
              f"load {metrics['backlog_load_average_at_start']}")
    write_metrics(args.metrics, metrics)


if __name__ == "__main__":
    main()
