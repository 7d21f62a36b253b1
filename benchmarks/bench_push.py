"""Measure how soon a pushed version is in the catalogue: on a central registry of 2,000
datasets (a bare copy of the corpus, the catalogue's hooks installed, a local DVC remote of its
own that a first commit names in `.dvc/config`), 20 pushes from a clone, each a new version of
a dataset (what `dvc add` and `dvc push` leave, a `git commit`, then `git push`, timed);
after `git push` returns, the JSON API of a running server is polled until the version is
listed. Done twice: with the post-receive hook as installed by default ("detached": it starts
the catalogue's notify process and returns at once, printing links to the datasets' pages),
and installed with `--wait 10` ("hook_waits": it waits up to 10 s for the catalogue to list
the new versions, and prints their links).

    python -m benchmarks.bench_push [--registry PATH] [--metrics PATH] [--pushes N]

Targets (after `git push` returns): median <= 2 s, p95 <= 5 s. With DATABASE_URL set, the
catalogue is a new database on that PostgreSQL server; otherwise a SQLite file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.common import (
    REGISTRY,
    ROOT,
    copy_registry,
    database_kind,
    end_processes_naming,
    fresh_catalogue,
    git,
    load_average,
    median,
    move_remote,
    percentile,
    timed,
    verdict,
    write_metrics,
)
from registry.hooks import install_hooks
from registry.writer import Author
from web import create_app

METRICS = ROOT / "benchmarks" / "metrics" / "push.json"
TARGET_MEDIAN_S, TARGET_P95_S = 2.0, 5.0
PUSHER = Author("Tomasz Nowak", "tomasz.nowak@northmoor.example.gov.uk")
VISIBLE_WITHIN_S = 60


def serve(app) -> tuple[str, Any]:
    """The app on a free port of 127.0.0.1, served by waitress in a thread; (base URL, server)."""
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


API_HEADERS: dict[str, str] = {}  # a governance officer's token: reads every dataset


def api_reader(engine) -> None:
    """Read the API as a governance officer, with an API token, as a monitoring script would."""
    from catalogue.audit import Actor
    from catalogue.people import add_account
    from catalogue.tokens import create_token

    add_account(engine, Actor.command_line(), "bench@council.example", "Benchmark",
                departments=["finance"], role="governance")
    _, token = create_token(engine, Actor.command_line(), "bench@council.example", "bench")
    API_HEADERS["Authorization"] = f"Bearer {token}"


def newest_version(base: str, key: str) -> str | None:
    request = urllib.request.Request(f"{base}/api/v1/datasets/{key}/versions",
                                     headers=API_HEADERS)
    with urllib.request.urlopen(request, timeout=10) as r:
        results = json.load(r)["results"]
    return results[0]["commit_sha"] if results else None


def wait_visible(base: str, key: str, sha: str) -> float:
    """Seconds until the JSON API lists `sha` as the dataset's newest version."""
    start = time.perf_counter()
    while newest_version(base, key) != sha:
        if time.perf_counter() - start > VISIBLE_WITHIN_S:
            raise SystemExit(f"{key} at {sha[:10]} not visible after {VISIBLE_WITHIN_S} s")
        time.sleep(0.02)
    return time.perf_counter() - start


def dataset_keys(clone: Path, count: int) -> list[tuple[str, str]]:
    """`count` datasets spread over the registry, each with the name of its data file."""
    found = git("ls-files", "*.dvc", cwd=clone).split()
    step = max(1, len(found) // count)
    picked = found[::step][:count]
    return [("/".join(p.split("/")[:2]), p.split("/")[2].removesuffix(".dvc")) for p in picked]


def new_version(clone: Path, storage: Path, key: str, name: str, content: bytes) -> None:
    """What `dvc add` then `dvc push` leave for a new version of one file: the `.dvc` file in
    the clone (exactly as `dvc add` writes it) and the object in the DVC remote. Written
    directly: DVC reads every one of the 2,000 datasets' `.dvc` files on each command, which
    costs seconds and is not what is measured here."""
    md5 = hashlib.md5(content).hexdigest()
    target = storage / "files" / "md5" / md5[:2] / md5[2:]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    (clone / key / name).write_bytes(content)
    (clone / key / f"{name}.dvc").write_text(
        f"outs:\n- md5: {md5}\n  size: {len(content)}\n  hash: md5\n  path: {name}\n")


def run_pushes(clone: Path, storage: Path, base: str, pushes: int,
               tag: str) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"visible_s": [], "git_push_s": []}
    for i, (key, name) in enumerate(dataset_keys(clone, pushes)):
        new_version(clone, storage, key, name, f"ward,count\n{tag}-{i},{i}\n".encode() * 64)
        git("add", f"{key}/{name}.dvc", cwd=clone)
        git("commit", "-q", "-m", f"Benchmark push {tag} {i}", cwd=clone)
        sha = git("rev-parse", "HEAD", cwd=clone).strip()
        took, _ = timed(lambda: git("push", "-q", "origin", "main", cwd=clone))
        samples["git_push_s"].append(took)
        samples["visible_s"].append(wait_visible(base, key, sha))
    return samples


def summary(samples: dict[str, list[float]]) -> dict[str, float]:
    out = {}
    for name, values in samples.items():
        out[f"{name}_median"] = round(median(values), 3)
        out[f"{name}_p95"] = round(percentile(values, 0.95), 3)
        out[f"{name}_max"] = round(max(values), 3)
    return out


def measure(registry: Path, pushes: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-push-", ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        central = copy_registry(registry, folder / "central.git")
        storage = folder / "storage"  # the pushes' bytes; the corpus's remote is not written
        move_remote(central, storage, (PUSHER.name, PUSHER.email))
        with fresh_catalogue(folder / "instance") as catalogue:
            settings = catalogue.settings
            full, report = timed(lambda: catalogue.indexer.index(str(central)))
            app = create_app({"INSTANCE_PATH": str(settings.instance),
                              "DATABASE_URL": settings.database_url})
            api_reader(catalogue.engine)
            base, server = serve(app)
            try:
                clone = folder / "clone"
                git("clone", "-q", str(central), str(clone), cwd=folder)
                git("config", "user.name", PUSHER.name, cwd=clone)
                git("config", "user.email", PUSHER.email, cwd=clone)
                load = load_average()
                results = {}
                for mode, wait in (("detached", 0.0), ("hook_waits", 10.0)):
                    install_hooks(central, remote=str(storage), catalogue_url=base,
                                  instance=settings.instance,
                                  database_url=settings.database_url, wait_seconds=wait)
                    results[mode] = summary(run_pushes(clone, storage, base, pushes, mode))
            finally:
                server.close()
                app.extensions["catalogue"].close()
                end_processes_naming(settings.instance)  # the hooks' detached column reader
    return {"database": database_kind(), "initial_index_commits": report.commits,
            "initial_index_s": round(full, 1), "pushes": pushes,
            "load_average_at_start": load,
            **{f"{mode}_{k}": v for mode, figures in results.items()
               for k, v in figures.items()}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", type=Path, default=REGISTRY)
    parser.add_argument("--metrics", type=Path, default=METRICS)
    parser.add_argument("--pushes", type=int, default=20)
    args = parser.parse_args(argv)
    metrics = measure(args.registry.resolve(), args.pushes)
    write_metrics(args.metrics, metrics)
    print(f"push ({metrics['database']}): {args.pushes} pushes to a central registry of 2,000 "
          f"datasets; load average {metrics['load_average_at_start']} on {os.cpu_count()} cores")
    for mode, label in (("detached", "post-receive does not wait (the default)"),
                        ("hook_waits", "post-receive installed with --wait 10")):
        med, p95 = metrics[f"{mode}_visible_s_median"], metrics[f"{mode}_visible_s_p95"]
        print(f"  {label}:")
        print(f"    visible after git push returns: median {med:6.3f} s (target <= "
              f"{TARGET_MEDIAN_S} s) {verdict(med, TARGET_MEDIAN_S)}; p95 {p95:6.3f} s "
              f"(target <= {TARGET_P95_S} s) {verdict(p95, TARGET_P95_S)}")
        print(f"    git push itself (hooks included): median "
              f"{metrics[f'{mode}_git_push_s_median']:6.3f} s; p95 "
              f"{metrics[f'{mode}_git_push_s_p95']:6.3f} s")


if __name__ == "__main__":
    main()
