"""Two hosts on one PostgreSQL database: two `catalogue serve` processes, each with an
instance folder (and so a search index) of its own, one of them gunicorn with two workers.
A push indexed on one host, a share made on the other and its revocation are visible through
both within `BOUND_S` seconds: their pages and API at once (the database), their search
through the change feed each host follows."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from tests.builders import RegistryBuilder
from tests.served import Served, run_catalogue, wait_for

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")),
    reason="two hosts share a PostgreSQL database (set DATABASE_URL)")

BOUND_S = 10.0
WORD = "zephyrine"
KEY = "housing/zephyrine-count"


def _token(env: dict[str, str], instance: Path, email: str, department: str) -> str:
    run_catalogue(env, "user", "add", email, "--name", email.split("@")[0],
                  "--department", department, "--instance", str(instance))
    return run_catalogue(env, "token", "create", email, "--instance", str(instance)).strip()


def _found(host: Served, token: str) -> list[str]:
    answer = requests.get(f"{host.url}/api/v1/search", params={"q": WORD},
                          headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return [hit["id"] for hit in answer.json()["results"]]


def _dataset_status(host: Served, token: str) -> int:
    return requests.get(f"{host.url}/api/v1/datasets/{KEY}",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


def _within_bound(hosts: list[Served], condition, what: str) -> float:
    """Wait until `condition(host)` holds on every host; the seconds it took."""
    started = time.monotonic()
    for host in hosts:
        wait_for(lambda h=host: condition(h), BOUND_S, f"{what} on {host.url}")
    return time.monotonic() - started


def test_a_push_a_share_and_a_revocation_reach_both_hosts(tmp_path, database_url):
    env = dict(os.environ, DATABASE_URL=database_url)
    host_a, host_b = tmp_path / "host-a", tmp_path / "host-b"
    registry = RegistryBuilder(tmp_path / "registry",
                               {"housing": "Housing", "public-health": "Public Health"})
    registry.version("housing/rough-sleepers", {"count.csv": "ward,count\nA,1\n"},
                     "First count", classification="OFFICIAL-SENSITIVE")
    run_catalogue(env, "index", str(registry.path), "--instance", str(host_a))
    housing = _token(env, host_a, "hana@council.example.gov.uk", "housing")
    health = _token(env, host_b, "pat@council.example.gov.uk", "public-health")

    hosts = [Served(host_a, env, workers=2), Served(host_b, env)]
    try:
        for host in hosts:
            host.wait_ready()
            assert _found(host, housing) == []  # each host's index is open, without the word
            assert _found(host, health) == []

        registry.version(KEY, {"count.csv": "ward,count\nB,2\n"}, f"The {WORD} count",
                         title=f"The {WORD} count", classification="OFFICIAL-SENSITIVE")
        run_catalogue(env, "index", str(registry.path), "--instance", str(host_a))
        took = _within_bound(hosts, lambda h: _found(h, housing) == [KEY], "the push")
        print(f"push visible on both hosts after {took:.2f} s")
        assert all(_dataset_status(h, health) == 404 for h in hosts)  # not shared yet

        run_catalogue(env, "share", KEY, "--with", "department:public-health",
                      "--instance", str(host_b))
        took = _within_bound(hosts, lambda h: _found(h, health) == [KEY], "the share")
        print(f"share visible on both hosts after {took:.2f} s")
        assert all(_dataset_status(h, health) == 200 for h in hosts)

        run_catalogue(env, "unshare", KEY, "--with", "department:public-health",
                      "--instance", str(host_a))
        took = _within_bound(hosts, lambda h: _dataset_status(h, health) == 404
                             and _found(h, health) == [], "the revocation")
        print(f"revocation visible on both hosts after {took:.2f} s")
        assert all(_found(h, housing) == [KEY] for h in hosts)  # the owners still find it
    finally:
        for host in hosts:
            host.stop()
