"""Measure page rendering: the page of the dataset with the most versions (`corpus.big_dataset`),
its JSON twin, and its full version list as HTML and JSON, each requested `pages.requests` times
through the Flask app in-process after one warm-up request. Writes a DVC metrics file and prints
median and p95 against the target.

    python -m benchmarks.bench_pages [--registry PATH] [--metrics PATH] [--profile FILE.html]

The catalogue is indexed from a copy of the registry first (not timed). With DATABASE_URL set,
it is a new database on that PostgreSQL server; otherwise a SQLite file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from benchmarks.common import (
    REGISTRY,
    ROOT,
    copy_registry,
    database_kind,
    fresh_database,
    load_params,
    median,
    percentile,
    profiled,
    timed,
    verdict,
    write_metrics,
)
from catalogue.core import Catalogue
from catalogue.settings import Settings
from web import create_app
from web.auth import TEST_PRINCIPALS

METRICS = ROOT / "benchmarks" / "metrics" / "pages.json"


def pages(key: str) -> dict[str, str]:
    """What is measured: name → URL."""
    return {
        "dataset_html": f"/datasets/{key}",
        "dataset_json": f"/api/v1/datasets/{key}",
        "versions_html": f"/datasets/{key}/versions",
        "versions_json": f"/api/v1/datasets/{key}/versions",
    }


def sample(client: FlaskClient, url: str, requests: int) -> list[float]:
    """Milliseconds per request, after a warm-up request; every response must be a 200."""
    times = []
    for attempt in range(requests + 1):
        start = time.perf_counter()
        response = client.get(url)
        body = response.get_data()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200 or not body:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        if attempt:
            times.append(elapsed)
    return times


def measure(registry: Path, requests: int, profile: Path | None) -> dict[str, Any]:
    key = load_params("corpus")["big_dataset"]
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        folder = Path(tmp)
        copy = copy_registry(registry, folder / "registry.git")
        instance = folder / "instance"
        with fresh_database(instance) as url:
            catalogue = Catalogue(Settings(instance=instance, database_url=url))
            setup, _ = timed(lambda: catalogue.indexer.index(str(copy)))
            catalogue.close()
            print(f"indexed {copy} in {setup:.1f} s (not part of the figures)", file=sys.stderr)
            app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": url,
                              "TESTING": True, TEST_PRINCIPALS: ["*"]})
            client = app.test_client()
            with profiled(profile, interval=0.001):
                samples = {name: sample(client, page, requests)
                           for name, page in pages(key).items()}
            app.extensions["catalogue"].close()
    metrics: dict[str, Any] = {"database": database_kind(), "requests": requests,
                               "dataset": key}
    for name, times in samples.items():
        metrics[name] = {"median_ms": round(median(times), 2),
                         "p95_ms": round(percentile(times, 0.95), 2)}
    return metrics


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", type=Path, default=REGISTRY)
    parser.add_argument("--metrics", type=Path, default=METRICS)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument profile of the "
                                                     "requests to this HTML file")
    args = parser.parse_args(argv)
    params = load_params("pages")
    metrics = measure(args.registry.resolve(), params["requests"], args.profile)
    write_metrics(args.metrics, metrics)
    target = params["target_median_ms"]
    print(f"pages ({metrics['database']}): {metrics['dataset']}, "
          f"{metrics['requests']} requests each after a warm-up")
    for name, url in pages(metrics["dataset"]).items():
        figures = metrics[name]
        mark = f"target median <= {target} ms   {verdict(figures['median_ms'], target)}" \
            if name == "dataset_html" else ""
        print(f"  {name:14} median {figures['median_ms']:7.1f} ms   "
              f"p95 {figures['p95_ms']:7.1f} ms   {mark}  {url}")


if __name__ == "__main__":
    main()
