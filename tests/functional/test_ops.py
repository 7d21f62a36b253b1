"""Operations: /healthz, /readyz, /metrics, the request id and the JSON logs, through HTTP.

/readyz against a database that goes away is in test_readyz_postgres.py (a stopped cluster)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from catalogue.core import Catalogue
from tests.builders import RegistryBuilder
from tests.functional.conftest import KEY
from web.ops import install_json_logging


def _samples(text: str) -> dict[tuple[str, frozenset], float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def test_healthz_is_alive_and_carries_a_request_id(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "alive"}
    generated = response.headers["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert client.get("/healthz").headers["X-Request-ID"] != generated
    given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert given.headers["X-Request-ID"] == "lb-7f3a.42"
    hostile = client.get("/healthz", headers={"X-Request-ID": "x\" onload=alert(1) " + "y" * 200})
    assert hostile.headers["X-Request-ID"] != "x" and len(hostile.headers["X-Request-ID"]) == 32


def test_readyz_reports_database_index_and_each_registry(
        client: FlaskClient, council: RegistryBuilder) -> None:
    client.get("/api/v1/search?q=rough")  # the search index exists
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["database"]["ok"] and body["search_index"]["ok"]
    assert "dataset(s)" in body["search_index"]["detail"]
    [registry] = body["registries"]
    assert registry["name"] == "Northshire Council registry"
    assert registry["head_sha"] == council.head()
    assert 0 <= registry["age_seconds"] < 600 and registry["indexed_at"]
    assert response.headers["Cache-Control"] == "no-store"


def test_metrics_count_requests_searches_and_the_catalogue(
        client: FlaskClient, council: RegistryBuilder, catalogue: Catalogue) -> None:
    before = _samples(client.get("/metrics").get_data(as_text=True))
    route = ("catalogue_http_requests_total",
             frozenset({"route": "/api/v1/datasets", "method": "GET", "status": "200"}.items()))
    for _ in range(3):
        assert client.get("/api/v1/datasets").status_code == 200
    assert client.get("/api/v1/datasets/no/such").status_code == 404
    assert client.get("/api/v1/search?q=rough").status_code == 200
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    after = _samples(response.get_data(as_text=True))
    assert after[route] - before.get(route, 0) == 3
    missing = ("catalogue_http_requests_total", frozenset(
        {"route": "/api/v1/datasets/<dept>/<name>", "method": "GET", "status": "404"}.items()))
    assert after[missing] - before.get(missing, 0) == 1
    latency = ("catalogue_http_request_duration_seconds_count",
               frozenset({"route": "/api/v1/datasets", "method": "GET"}.items()))
    assert after[latency] - before.get(latency, 0) == 3
    searches = ("catalogue_search_duration_seconds_count",
                frozenset({"scope": "catalogue"}.items()))
    assert after[searches] - before.get(searches, 0) == 1
    with catalogue.session() as s:
        from sqlmodel import func, select

        from catalogue.models import Version
        versions = s.exec(select(func.count()).select_from(Version)).one()
    assert after[("catalogue_versions_indexed", frozenset())] == versions > 0
    indexed = [v for (name, labels), v in after.items()
               if name == "catalogue_registry_last_indexed_timestamp_seconds"]
    assert len(indexed) == 1 and indexed[0] > 1.7e9
    assert ("catalogue_queue_depth", frozenset({"queue": "emails"}.items())) in after
    assert KEY not in response.get_data(as_text=True)  # counts and timings, never a dataset


def test_metrics_may_be_limited_to_some_addresses(app: Flask) -> None:
    app.config["METRICS_ALLOW"] = "10.0.0.0/8"
    assert app.test_client().get("/metrics").status_code == 404
    app.config["METRICS_ALLOW"] = "127.0.0.1, 10.0.0.0/8"
    assert app.test_client().get("/metrics").status_code == 200


def test_json_logs_carry_the_request_id(app: Flask, client: FlaskClient) -> None:
    stream = io.StringIO()
    handler = install_json_logging(stream)
    try:
        client.get("/api/v1/datasets/no/such", headers={"X-Request-ID": "trace-123"})
    finally:
        import logging
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [access] = [r for r in lines if r["logger"] == "catalogue.requests"]
    assert access["request_id"] == "trace-123" and access["status"] == 404
    assert access["route"] == "/api/v1/datasets/<dept>/<name>" and access["duration_ms"] >= 0
    assert access["level"] == "INFO" and access["time"]


def test_metrics_add_up_across_processes(tmp_path: Path, settings) -> None:
    """With PROMETHEUS_MULTIPROC_DIR (gunicorn's workers), each process's requests are counted
    in files there and any process's /metrics shows the sum."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    program = textwrap.dedent(f"""
        from web import create_app
        app = create_app({{"INSTANCE_PATH": {str(settings.instance)!r},
                          "DATABASE_URL": {settings.database_url!r}, "TESTING": True}})
        client = app.test_client()
        for _ in range(2):
            client.get("/healthz")
        print(client.get("/metrics").get_data(as_text=True))
    """)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    outputs = [subprocess.run([sys.executable, "-c", program], env=env, check=True,
                              capture_output=True, text=True, timeout=120).stdout
               for _ in range(2)]
    key = ("catalogue_http_requests_total",
           frozenset({"route": "/healthz", "method": "GET", "status": "200"}.items()))
    assert _samples(outputs[0])[key] == 2
    assert _samples(outputs[1])[key] == 4  # the first process's two and its own two
