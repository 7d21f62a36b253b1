"""Charts on the pages through HTTP: the dataset page's size and rows over versions, the
version page's column distributions and time series, each spec's data the figures of the
table beside it; masked columns get no chart."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator

import pytest
from flask import Flask

from catalogue.settings import Settings
from tests.builders import RegistryBuilder
from web import create_app
from web.auth import TEST_PRINCIPALS

KEY = "housing/temporary-accommodation"
V1 = "month,households,email\n2024-01-31,40,a.person@example.org\n2024-01-31,12,b@example.org\n"
V2 = V1 + "2024-02-29,43,c@example.org\n2024-03-31,41,d@example.org\n"
SPEC = re.compile(r'<script type="application/json" id="([^"]+)-spec">(.*?)</script>', re.S)


@pytest.fixture
def app(settings: Settings, registry: RegistryBuilder) -> Iterator[Flask]:
    registry.version(KEY, {"placements.csv": V1}, "January", title="Placements")
    registry.version(KEY, {"placements.csv": V2}, "February and March")
    app = create_app({"INSTANCE_PATH": str(settings.instance),
                      "DATABASE_URL": settings.database_url, "TESTING": True,
                      TEST_PRINCIPALS: ["*"]})
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    cat.job_worker().run_until(threading.Event(), drain=True)
    yield app
    cat.close()


def specs(page: str) -> dict[str, dict]:
    return {chart_id: json.loads(body) for chart_id, body in SPEC.findall(page)}


def test_the_dataset_page_charts_size_and_rows_over_versions(client):
    page = client.get(f"/datasets/{KEY}").get_data(as_text=True)
    versions = client.get(f"/api/v1/datasets/{KEY}/versions").get_json()["results"]
    found = specs(page)
    assert [v["bytes"] for v in found["chart-size"]["data"]["values"]] == \
        [v["size"] for v in reversed(versions)]
    assert [v["rows"] for v in found["chart-rows"]["data"]["values"]] == [2, 4]
    assert 'id="chart-rows-table"' in page and "Figures of this chart" in page
    assert 'data-chart-spec="chart-size-spec"' in page


def test_the_version_page_charts_columns_and_a_time_series(client, app):
    page = client.get(f"/datasets/{KEY}/versions/2").get_data(as_text=True)
    found = specs(page)
    series = found["profile-1-time-series"]
    assert series["data"]["values"] == [{"period": "2024-01-31", "rows": 2},
                                        {"period": "2024-02-29", "rows": 1},
                                        {"period": "2024-03-31", "rows": 1}]
    households = found["profile-1-column-2"]  # few distinct numbers: each one counted
    assert sorted((v["value"], v["count"]) for v in households["data"]["values"]) == [
        ("12", 1), ("40", 1), ("41", 1), ("43", 1)]
    emails = [chart_id for chart_id, spec in found.items()
              if "email" in json.dumps(spec.get("encoding", {}))]
    assert emails  # everyone reads the emails' most common values unmasked here...

    app.config[TEST_PRINCIPALS] = ["public", "internal", "department:finance"]
    outsider = client.get(f"/datasets/{KEY}/versions/2").get_data(as_text=True)
    masked = specs(outsider)
    assert "profile-1-time-series" in masked
    assert not [chart_id for chart_id, spec in masked.items()  # ...but not outsiders
                if "email" in json.dumps(spec.get("encoding", {}))]
    assert "a.person@example.org" not in outsider
