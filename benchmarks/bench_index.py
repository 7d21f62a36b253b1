"""Measure indexing: the full index of the benchmark registry into a new catalogue, then the
incremental index after one new version is pushed to it with plain git, then a run with
nothing new. Writes a DVC metrics file and prints the figures against their targets.

    python -m benchmarks.bench_index [--registry PATH] [--metrics PATH] [--profile FILE.html]

The registry is copied first, so the DVC-cached corpus is never written to. With DATABASE_URL
set, the catalogue is a new database on that PostgreSQL server; otherwise a SQLite file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from benchmarks.common import (
    REGISTRY,
    ROOT,
    copy_registry,
    cpu_timed,
    database_kind,
    fresh_catalogue,
    git,
    load_average,
    load_params,
    profiled,
    timed,
    verdict,
    write_metrics,
)
from catalogue.core import Catalogue
from catalogue.models import Dataset, Version

METRICS = ROOT / "benchmarks" / "metrics" / "index.json"
PUSHER = ("Tomasz Nowak", "tomasz.nowak@northmoor.example.gov.uk")


def push_new_version(registry: Path, work: Path, key: str) -> str:
    """Clone `registry`, give dataset `key` new data (as `dvc add` would record it), commit and
    push to main; returns the new commit's sha."""
    git("clone", "-q", str(registry), str(work), cwd=work.parent)
    dvc_file = next((work / key).glob("*.dvc"))
    old = dvc_file.read_text()
    md5 = hashlib.md5(old.encode()).hexdigest()
    new = re.sub(r"md5: [0-9a-f]{32}", f"md5: {md5}", old, count=1)
    new = re.sub(r"size: (\d+)", lambda m: f"size: {int(m.group(1)) + 4096}", new, count=1)
    dvc_file.write_text(new)
    name, email = PUSHER
    git("-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q", "-a",
        "-m", f"Update {key}: benchmark increment", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


def indexed_counts(catalogue: Catalogue, key: str) -> tuple[int, int, int]:
    """Datasets, versions, and versions of `key`, as the catalogue recorded them."""
    dept, slug = key.split("/")
    with catalogue.session() as s:
        datasets = s.exec(select(func.count(Dataset.id))).one()
        versions = s.exec(select(func.count(Version.id))).one()
        big = s.exec(select(Dataset.version_count)
                     .where(Dataset.department == dept, Dataset.slug == slug)).one()
    return datasets, versions, big


def measure(registry: Path, profile: Path | None) -> dict[str, Any]:
    corpus = load_params("corpus")
    key = corpus["big_dataset"]
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        folder = Path(tmp)
        copy = copy_registry(registry, folder / "registry.git")
        commits = int(git("rev-list", "--count", "main", cwd=copy))
        with fresh_catalogue(folder / "instance") as catalogue:
            load = load_average()
            with profiled(profile, interval=0.005):
                full, full_cpu, report = cpu_timed(lambda: catalogue.indexer.index(str(copy)))
            load_after = load_average()
            datasets, versions, big = indexed_counts(catalogue, key)
            expected = (corpus["datasets"], corpus["versions"], corpus["big_dataset_versions"])
            if report.commits != commits or (datasets, versions, big) != expected:
                raise SystemExit(
                    f"the full index recorded {report.commits} commits, {datasets} datasets, "
                    f"{versions} versions, {big} of {key}; expected {commits} commits and "
                    f"{expected[0]}, {expected[1]}, {expected[2]}")

            sha = push_new_version(copy, folder / "work", key)
            incremental, report = timed(lambda: catalogue.indexer.index(str(copy)))
            if report.commits != 1 or report.new_versions != [(key, big + 1)]:
                raise SystemExit(f"the incremental index of {sha[:10]} recorded "
                                 f"{report.commits} commits and {report.new_versions}")
            noop, _ = timed(lambda: catalogue.indexer.index(str(copy)))
    return {
        "database": database_kind(),
        "commits": commits,
        "datasets": datasets,
        "versions": versions,
        "full_index_s": round(full, 3),
        "full_index_cpu_s": round(full_cpu, 3),
        "load_average_at_start": load,
        "load_average_at_end": load_after,
        "full_index_commits_per_s": round(commits / full, 1),
        "incremental_index_s": round(incremental, 4),
        "noop_index_s": round(noop, 4),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", type=Path, default=REGISTRY)
    parser.add_argument("--metrics", type=Path, default=METRICS)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile of the "
                                                     "full index to this HTML file")
    args = parser.parse_args(argv)
    targets = load_params("index")
    metrics = measure(args.registry.resolve(), args.profile)
    write_metrics(args.metrics, metrics)
    full, inc = metrics["full_index_s"], metrics["incremental_index_s"]
    # a target of the database's own (`target_full_s_postgresql`) when params.yaml sets one
    target_full = targets.get(f"target_full_s_{metrics['database']}", targets["target_full_s"])
    print(f"index ({metrics['database']}): {metrics['commits']} commits, "
          f"{metrics['datasets']} datasets, {metrics['versions']} versions")
    print(f"  full index         {full:8.2f} s   target <= {target_full} s   "
          f"{verdict(full, target_full)}  "
          f"({metrics['full_index_commits_per_s']} commits/s; CPU {metrics['full_index_cpu_s']} s; "
          f"load average {metrics['load_average_at_start']} at start, "
          f"{metrics['load_average_at_end']} at end, on {os.cpu_count()} cores)")
    print(f"  incremental index  {inc:8.3f} s   target <= {targets['target_incremental_s']} s    "
          f"{verdict(inc, targets['target_incremental_s'])}")
    print(f"  nothing new        {metrics['noop_index_s']:8.3f} s")


if __name__ == "__main__":
    main()
