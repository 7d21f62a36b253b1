"""Measure the lineage graph's JSON: a registry of `lineage.nodes` datasets in layers,
`lineage.hops` each way of the middle one (written with git fast-import and indexed first, not
timed), then `GET /api/v1/datasets/<middle>/lineage?depth=<hops>` through the Flask app
in-process, `lineage.requests` times after a warm-up, as a reader who sees everything and as
one who may not see a tenth of the datasets (placeholders instead). Writes a DVC metrics file
and prints median and p95 against the target.

    python -m benchmarks.bench_lineage [--metrics PATH]

With DATABASE_URL set, the database is a new one on that PostgreSQL server; else SQLite.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    ROOT,
    database_kind,
    fresh_database,
    load_average,
    load_params,
    median,
    percentile,
    timed,
    verdict,
    write_metrics,
)
from benchmarks.lineage_corpus import ROOT_KEY, layered_graph, write_lineage_registry
from catalogue.core import Catalogue
from catalogue.settings import Settings
from web import create_app
from web.auth import TEST_PRINCIPALS

METRICS = ROOT / "benchmarks" / "metrics" / "lineage.json"
READERS = {"everyone": ["*"], "staff": ["public", "internal", "department:other"]}


def sample(client, url: str, requests: int,
           nodes: int | None) -> tuple[list[float], list[float], dict]:
    """Wall-clock and CPU milliseconds per request after a warm-up (CPU time does not count
    waiting for a busy machine's cores); each answer must be a 200 (with every node, when
    `nodes` is given)."""
    times, cpu_times, body = [], [], {}
    for attempt in range(requests + 1):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        body = response.get_json()
        elapsed = (time.perf_counter() - start) * 1000
        cpu_elapsed = (time.process_time() - cpu) * 1000
        if response.status_code != 200 or (nodes is not None and len(body["nodes"]) != nodes):
            raise SystemExit(f"GET {url} answered {response.status_code} "
                             f"with {len(body.get('nodes', []))} nodes")
        if attempt:
            times.append(elapsed)
            cpu_times.append(cpu_elapsed)
    return times, cpu_times, body


def measure(params: dict[str, Any]) -> dict[str, Any]:
    sources = layered_graph(params["hops"], params["nodes"], params["fan_in"])
    hidden = frozenset(key for n, key in enumerate(sorted(sources))
                       if n % 10 == 5 and key != ROOT_KEY)
    dept, name = ROOT_KEY.split("/")
    url = f"/api/v1/datasets/{dept}/{name}/lineage?depth={params['hops']}"
    with tempfile.TemporaryDirectory(prefix="bench-lineage-") as tmp:
        folder = Path(tmp)
        registry = write_lineage_registry(folder / "registry", sources, hidden)
        instance = folder / "instance"
        with fresh_database(instance) as db:
            catalogue = Catalogue(Settings(instance=instance, database_url=db))
            setup, _ = timed(lambda: catalogue.indexer.index(str(registry)))
            catalogue.close()
            print(f"indexed {len(sources)} datasets in {setup:.1f} s (not part of the figures)")
            app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": db,
                              "TESTING": True})
            client = app.test_client()
            figures: dict[str, Any] = {}
            for reader, principals in READERS.items():
                app.config[TEST_PRINCIPALS] = principals
                times, cpu_times, body = sample(client, url, params["requests"],
                                                len(sources) if reader == "everyone" else None)
                figures[reader] = {
                    "median_ms": round(median(times), 2),
                    "cpu_median_ms": round(median(cpu_times), 2),
                    "p95_ms": round(percentile(times, 0.95), 2),
                    "nodes": len(body["nodes"]), "edges": len(body["edges"]),
                    "restricted": sum(1 for n in body["nodes"] if n["kind"] == "restricted")}
            app.extensions["catalogue"].close()
    return {"database": database_kind(), "datasets": len(sources), "hops": params["hops"],
            "requests": params["requests"], "load_average": load_average(), **figures}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metrics", type=Path, default=METRICS)
    args = parser.parse_args(argv)
    params = load_params("lineage")
    metrics = measure(params)
    write_metrics(args.metrics, metrics)
    target = params["target_median_ms"]
    print(f"lineage ({metrics['database']}): {metrics['datasets']} datasets, depth "
          f"{metrics['hops']}, {metrics['requests']} requests after a warm-up")
    for reader in READERS:
        f = metrics[reader]
        print(f"  {reader:9} median {f['median_ms']:6.1f} ms   p95 {f['p95_ms']:6.1f} ms   "
              f"CPU median {f['cpu_median_ms']:6.1f} ms   "
              f"{f['nodes']} nodes ({f['restricted']} restricted), {f['edges']} edges   "
              f"target median <= {target} ms   {verdict(f['median_ms'], target)}")


if __name__ == "__main__":
    main()
