"""Prometheus metrics: what the web process measures as it serves, and what the database
says at each scrape.

Measured per process (prometheus-client's metric objects, defined once here as the library
intends; with `PROMETHEUS_MULTIPROC_DIR` set before the process starts, as gunicorn's workers
need, each process writes its values to files there and a scrape adds them all up):

- `catalogue_http_requests_total{route, method, status}` and
  `catalogue_http_request_duration_seconds{route, method}`;
- `catalogue_search_duration_seconds{scope}`: searches and suggestions;
- `catalogue_index_runs_total{outcome}`: index runs this process made (webhooks, pushes).

Read from the database at each scrape (the same whichever process or host answers):
`catalogue_versions_indexed`, `catalogue_datasets_indexed`,
`catalogue_registry_last_indexed_timestamp_seconds{registry}`,
`catalogue_queue_depth{queue}` (background jobs waiting by kind, emails waiting to be sent,
release requests whose checks are running).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from catalogue.clock import aware
from catalogue.models import Dataset, Registry, Version

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10)

REQUESTS = Counter("catalogue_http_requests_total", "HTTP requests answered",
                   ["route", "method", "status"])
REQUEST_SECONDS = Histogram("catalogue_http_request_duration_seconds",
                            "Time to answer an HTTP request", ["route", "method"],
                            buckets=LATENCY_BUCKETS)
SEARCH_SECONDS = Histogram("catalogue_search_duration_seconds", "Time to answer a search",
                           ["scope"], buckets=LATENCY_BUCKETS)
INDEX_RUNS = Counter("catalogue_index_runs_total", "Index runs made by this process",
                     ["outcome"])


class DatabaseCollector(Collector):
    """Gauges read from the catalogue's database when scraped."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        versions = GaugeMetricFamily("catalogue_versions_indexed", "Versions in the catalogue")
        datasets = GaugeMetricFamily("catalogue_datasets_indexed", "Datasets in the catalogue")
        indexed = GaugeMetricFamily("catalogue_registry_last_indexed_timestamp_seconds",
                                    "When each registry's last index run ended",
                                    labels=["registry"])
        queues = GaugeMetricFamily("catalogue_queue_depth", "Work waiting", labels=["queue"])
        with self.engine.connect() as conn:
            versions.add_metric([], conn.scalar(select(func.count()).select_from(Version)))
            datasets.add_metric([], conn.scalar(select(func.count()).select_from(Dataset)))
            for name, at in conn.execute(select(Registry.name, Registry.indexed_at)):
                if at is not None:
                    indexed.add_metric([name], aware(at).timestamp())
            for queue, depth in _queues(conn):
                queues.add_metric([queue], depth)
        yield from (versions, datasets, indexed, queues)


def _queues(conn) -> Iterator[tuple[str, int]]:
    """Each queue that this database has (a table missing is a queue not there yet)."""
    from catalogue.notifications.models import OutboxEmail
    from catalogue.releases.models import ReleaseRequest

    tables = set(inspect(conn).get_table_names())
    if "job" in tables:
        from catalogue.jobs.models import QUEUED, Job

        for kind, depth in conn.execute(select(Job.kind, func.count()).where(
                Job.status == QUEUED).group_by(Job.kind)):
            yield f"jobs:{kind}", depth
    if OutboxEmail.__tablename__ in tables:
        yield "emails", conn.scalar(select(func.count()).select_from(OutboxEmail).where(
            OutboxEmail.sent_at.is_(None)))
    if ReleaseRequest.__tablename__ in tables:
        yield "release-checks", conn.scalar(select(func.count()).select_from(
            ReleaseRequest).where(ReleaseRequest.status == "checking"))


def exposition(engine: Engine) -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, REQUEST_SECONDS, SEARCH_SECONDS, INDEX_RUNS):
            registry.register(_Forward(collector))
    registry.register(DatabaseCollector(engine))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward(Collector):
    """One of this process's metrics, shown in a scrape's own registry."""

    def __init__(self, collector: Collector):
        self.collector = collector

    def collect(self):
        return self.collector.collect()
