"""Measure the open-data feeds with 5,000 released datasets, the way harvesters meet them.

Two steps, two pipeline stages:

- corpus:  `python -m benchmarks.bench_feeds corpus [OUT]` writes a registry of `feeds.corpus`
           datasets (the corpus generator's code and bytes, `make_registry.py`, every file in a
           DVC remote beside it), indexes it into a scratch catalogue, and releases the newest
           version of every dataset through the release service that the web pages, the API and
           the CLI call: a request by a department publisher, the automated checks (which read
           each file's bytes from the remote), approval by a governance officer, and the signed
           release tags written to the registry. The registry, tags included, is the stage's
           output: git is the record of releases, so any catalogue indexing it has them.
- measure: `python -m benchmarks.bench_feeds measure [OUT]`, on a copy of that registry:
           `catalogue index` (the CLI, which restores the releases from their tags), then
           `catalogue serve` in its own process, read over HTTP as a harvester would, anonymous:
           - DCAT-AP: every page of `/open/catalog.ttl` (Hydra paging, 100 datasets a page) on
             its first request, which builds it (uncached), and again (cached); the whole
             catalogue as one document (a second server with `CATALOGUE_DCAT_PAGE_SIZE` above
             the number of datasets), uncached then cached;
           - CKAN API: `package_search` with a mix of queries, filters (`fq` on organisation,
             tag, format, licence, modification date), facets, sorts and page sizes (10 to
             1,000 rows), and `package_show`.

The signing key of the releases is the benchmark's own (`feeds.release_key`, in params.yaml: not
a secret), given to both steps as CATALOGUE_RELEASE_KEY so the measured catalogue accepts the
tags. With DATABASE_URL set, each catalogue is a new database on that PostgreSQL server.

    python -m benchmarks.bench_feeds corpus [OUT]
    python -m benchmarks.bench_feeds measure [OUT] [--metrics PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.bench_reads import Instance, instance
from benchmarks.common import (
    ROOT,
    copy_registry,
    database_kind,
    fresh_catalogue,
    load_average,
    load_params,
    median,
    percentile,
    storage_beside,
    verdict,
    write_metrics,
)
from benchmarks.make_registry import make_registry
from benchmarks.vocabulary import DEPARTMENTS

OUT = ROOT / "benchmarks" / "out" / "feeds-registry"
METRICS = ROOT / "benchmarks" / "metrics" / "feeds.json"
PUBLISHER = "feeds.publisher@bench.example.gov.uk"
OFFICER = "feeds.officer@bench.example.gov.uk"


def params() -> dict[str, Any]:
    return load_params("feeds")


def use_release_key() -> None:
    os.environ["CATALOGUE_RELEASE_KEY"] = params()["release_key"]


# --- corpus ------------------------------------------------------------------------------------


def make_corpus(output: Path) -> None:
    """The registry, then every dataset's newest version released (see the module's doc)."""
    from catalogue import browse
    from catalogue.access import Reader
    from catalogue.audit import Actor
    from catalogue.people import add_account
    from catalogue.releases.rules import UNOVERRIDABLE

    use_release_key()
    settings = params()
    corpus = {**load_params("corpus"), **settings["corpus"]}
    start = time.perf_counter()
    commits = make_registry(output, corpus, storage_beside(output))
    print(f"{output}: {commits} commits, {corpus['datasets']} datasets in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-feeds-corpus-") as tmp, \
            fresh_catalogue(Path(tmp), background_reads=False) as cat:
        start = time.perf_counter()
        cat.indexer.index(str(output))
        print(f"indexed in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        actor = Actor.command_line()
        publisher = add_account(cat.engine, actor, PUBLISHER, "Feeds Publisher",
                                departments=DEPARTMENTS, role="publisher")
        officer = add_account(cat.engine, actor, OFFICER, "Feeds Officer",
                              departments=["finance"], role="governance")
        with cat.session() as s:
            _, listed = browse.datasets(s, Reader.everyone(), per_page=10**6)
            keys = [(d.id, d.version_count) for d in listed]
        # The open-data search index of this scratch catalogue is never read: the measured
        # catalogue builds its own from the releases it restores from git.
        cat.releases.listeners.clear()
        approvals, refused, start = [], [], time.perf_counter()
        for done, (key, number) in enumerate(keys, 1):
            asked = cat.releases.request(publisher, actor, key, number,
                                         "Counts by area for the open-data benchmark.")
            failed = [c.name for c in cat.releases.detail(officer, asked.id).checks
                      if c.outcome == "fail"]
            if set(failed) & UNOVERRIDABLE:
                refused.append(key)
            else:
                approvals.append((asked.id, failed))
            if done % 500 == 0 or done == len(keys):
                print(f"  {done}/{len(keys)} asked and checked "
                      f"({done / (time.perf_counter() - start):.1f}/s)", file=sys.stderr)

        def approve(job: tuple[str, list[str]]) -> None:
            cat.releases.decide(officer, actor, job[0], "approve",
                                "Aggregate figures; checked.", override=job[1])

        # A release writes two tags, the second dated a second after the first (GTO orders a
        # dataset's events by time): approvals of different datasets overlap those waits.
        start = time.perf_counter()
        with ThreadPoolExecutor(settings["approvers"]) as pool:
            for done, _ in enumerate(pool.map(approve, approvals), 1):
                if done % 500 == 0 or done == len(approvals):
                    print(f"  {done}/{len(approvals)} approved and tagged "
                          f"({done / (time.perf_counter() - start):.1f}/s)", file=sys.stderr)
        released = len(approvals)
    print(f"{released} datasets released, {len(refused)} refused by the checks "
          f"({', '.join(refused[:5])})", file=sys.stderr)


# --- measure -----------------------------------------------------------------------------------


def timed_get(where: Instance, path: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    body = where.get(path)
    return (time.perf_counter() - start) * 1000, body


def next_page(body: bytes) -> str | None:
    """The `hydra:next` page of a Turtle catalogue page, as a path."""
    for line in body.decode().splitlines():
        if "hydra:next " in line:
            url = line.split("<", 1)[1].split(">", 1)[0]
            parts = urllib.parse.urlsplit(url)
            return f"{parts.path}?{parts.query}"
    return None


def walk_catalog(where: Instance) -> tuple[list[float], int]:
    """Every page of /open/catalog.ttl, following hydra:next: ms per page, page count."""
    times, path = [], "/open/catalog.ttl"
    while path:
        elapsed, body = timed_get(where, path)
        times.append(elapsed)
        path = next_page(body)
    return times, len(times)


def searches(rng: random.Random, organisations: list[str], tags: list[str],
             count: int) -> list[dict[str, str]]:
    """A mix of package_search calls a harvester or a portal makes."""
    words = ["housing", "ward", "rough sleeping", "waste", "planning", "council tax", "care",
             "school", "collection", "population", "budget", "licence"]
    calls: list[dict[str, str]] = []
    for i in range(count):
        call: dict[str, str] = {}
        kind = i % 8
        if kind in (0, 1, 2):
            call["q"] = rng.choice(words)
        if kind == 3:
            call["fq"] = f"organization:{rng.choice(organisations)}"
        if kind == 4:
            call["fq"] = f"tags:{rng.choice(tags)}"
        if kind == 5:
            call["fq"] = rng.choice(["res_format:CSV", "res_format:XLSX", "license_id:OGL-UK-3.0"])
        if kind == 6:
            call["fq"] = "metadata_modified:[2020-01-01T00:00:00Z TO *]"
            call["sort"] = "metadata_modified desc"
        if kind in (1, 3, 7):
            call["facet.field"] = json.dumps(["organization", "tags", "res_format"])
            call["facet.limit"] = "20"
        call["rows"] = str(rng.choice([10, 10, 20, 50, 100]))
        if kind == 7:
            call["start"] = str(rng.randrange(0, 4000))
        calls.append(call)
    return calls


def measure(registry: Path, settings: dict[str, Any]) -> dict[str, Any]:
    use_release_key()
    figures: dict[str, Any] = {"database": database_kind()}
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as tmp:
        folder = Path(tmp)
        copy = copy_registry(registry, folder / "registry.git")
        with instance(folder / "paged") as paged, instance(folder / "whole") as whole:
            for where in (paged, whole):
                start = time.perf_counter()
                where.cli("index", str(copy))
                print(f"catalogue index (releases restored from their tags) in "
                      f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
            whole.env["CATALOGUE_DCAT_PAGE_SIZE"] = "1000000"
            paged.serve()
            whole.serve()
            names = paged.json("/api/3/action/package_list")["result"]
            figures["released_datasets"] = len(names)
            figures["load_average_start"] = load_average()

            first, pages = walk_catalog(paged)
            again, _ = walk_catalog(paged)
            figures.update(dcat_pages=pages, dcat_page_uncached_median_ms=median(first),
                           dcat_page_uncached_max_ms=max(first),
                           dcat_all_pages_uncached_s=sum(first) / 1000,
                           dcat_page_cached_median_ms=median(again),
                           dcat_page_cached_p95_ms=percentile(again, 0.95))
            elapsed, body = timed_get(whole, "/open/catalog.ttl")
            cached = [timed_get(whole, "/open/catalog.ttl")[0]
                      for _ in range(settings["cached_requests"])]
            figures.update(dcat_whole_uncached_s=elapsed / 1000,
                           dcat_whole_bytes=len(body),
                           dcat_whole_cached_median_ms=median(cached),
                           dcat_whole_cached_p95_ms=percentile(cached, 0.95))
            print(f"DCAT: {pages} pages; whole catalogue {len(body) / 1e6:.1f} MB",
                  file=sys.stderr)

            organisations = [o for o in paged.json("/api/3/action/organization_list")["result"]]
            tags = paged.json("/api/3/action/tag_list")["result"][:40]
            rng = random.Random(settings["seed"])
            calls = searches(rng, organisations, tags, settings["searches"])
            paged.get("/api/3/action/package_search?q=housing")  # warm-up
            times, found = [], 0
            for call in calls:
                elapsed, body = timed_get(
                    paged, "/api/3/action/package_search?" + urllib.parse.urlencode(call))
                times.append(elapsed)
                found += json.loads(body)["result"]["count"] > 0
            figures.update(package_search_calls=len(calls), package_search_found=found,
                           package_search_p50_ms=median(times),
                           package_search_p95_ms=percentile(times, 0.95))
            big = [timed_get(paged, "/api/3/action/package_search?rows=1000&start="
                             f"{start}")[0] for start in (0, 1000, 2000)]
            figures["package_search_1000_rows_median_ms"] = median(big)
            shows = [timed_get(paged, "/api/3/action/package_show?id=" + name)[0]
                     for name in rng.sample(names, settings["shows"])]
            figures.update(package_show_p50_ms=median(shows),
                           package_show_p95_ms=percentile(shows, 0.95))
            figures["load_average_end"] = load_average()
    return figures


def report(figures: dict[str, Any], targets: dict[str, Any]) -> None:
    print(f"{figures['released_datasets']} released datasets, {figures['database']}, "
          f"load average {figures['load_average_start']:.1f} → "
          f"{figures['load_average_end']:.1f}")
    print(f"DCAT catalog.ttl, {figures['dcat_pages']} pages of 100:")
    print(f"  a page, uncached: median {figures['dcat_page_uncached_median_ms']:.0f} ms, "
          f"slowest {figures['dcat_page_uncached_max_ms']:.0f} ms "
          f"{verdict(figures['dcat_page_uncached_max_ms'] / 1000, targets['uncached_s'])}; "
          f"all {figures['dcat_pages']} pages one after another "
          f"{figures['dcat_all_pages_uncached_s']:.1f} s")
    print(f"  a page, cached: median {figures['dcat_page_cached_median_ms']:.1f} ms, p95 "
          f"{figures['dcat_page_cached_p95_ms']:.1f} ms "
          f"{verdict(figures['dcat_page_cached_p95_ms'], targets['cached_ms'])}")
    print(f"  the whole catalogue as one document ({figures['dcat_whole_bytes'] / 1e6:.1f} MB, "
          f"not the default): uncached {figures['dcat_whole_uncached_s']:.1f} s, cached median "
          f"{figures['dcat_whole_cached_median_ms']:.0f} ms")
    print(f"CKAN package_search, {figures['package_search_calls']} calls: p50 "
          f"{figures['package_search_p50_ms']:.1f} ms "
          f"{verdict(figures['package_search_p50_ms'], targets['search_ms'])}, p95 "
          f"{figures['package_search_p95_ms']:.1f} ms "
          f"{verdict(figures['package_search_p95_ms'], targets['search_ms'])}; rows=1000: "
          f"{figures['package_search_1000_rows_median_ms']:.0f} ms")
    print(f"CKAN package_show: p50 {figures['package_show_p50_ms']:.1f} ms, p95 "
          f"{figures['package_show_p95_ms']:.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["corpus", "measure"])
    parser.add_argument("registry", nargs="?", type=Path, default=OUT)
    parser.add_argument("--metrics", type=Path, default=METRICS)
    args = parser.parse_args(argv)
    if args.step == "corpus":
        make_corpus(args.registry.resolve())
        return
    settings = params()
    figures = measure(args.registry.resolve(), settings)
    report(figures, settings["targets"])
    write_metrics(args.metrics, figures)


if __name__ == "__main__":
    main()
