"""Charts: Vega-Lite specifications (valid against Vega-Lite's schema, through Altair) whose data
are the catalogue's own figures: sizes and rows of versions, columns' distributions from their
profiles, and a time series for a table with a date or year column."""

from __future__ import annotations

import threading
from datetime import datetime

import altair as alt
import pytest

from catalogue import browse
from catalogue.access import Reader
from catalogue.charts.history import VersionPoint, version_history
from catalogue.charts.specs import column_charts, distribution, time_series, version_charts

KEY = "housing/temporary-accommodation"
EVERYONE = Reader.everyone()
V1 = "month,households,ward\n2024-01-31,40,Abbey\n2024-01-31,12,Castle\n"
V2 = V1 + "2024-02-29,43,Abbey\n2024-02-29,15,Castle\n2024-03-31,41,Abbey\n"


def valid(spec: dict) -> dict:
    alt.Chart.from_dict(spec)  # raises when the spec breaks Vega-Lite's schema
    return spec


def test_size_and_rows_over_versions():
    points = [VersionPoint(1, datetime(2024, 1, 5), 1_000, None),
              VersionPoint(2, datetime(2024, 2, 5), 1_500, 30),
              VersionPoint(3, datetime(2024, 3, 5), 1_800, 42)]
    size, rows = version_charts(points)
    assert valid(size.spec)["data"]["values"] == [
        {"version": 1, "date": "2024-01-05", "bytes": 1_000},
        {"version": 2, "date": "2024-02-05", "bytes": 1_500},
        {"version": 3, "date": "2024-03-05", "bytes": 1_800}]
    assert size.spec["encoding"]["y"]["field"] == "bytes"
    assert size.rows == [[1, "2024-01-05", 1_000], [2, "2024-02-05", 1_500],
                         [3, "2024-03-05", 1_800]]
    assert [v["rows"] for v in valid(rows.spec)["data"]["values"]] == [30, 42]
    assert rows.note.startswith("1 version not profiled")
    assert version_charts(points[:1]) == [version_charts(points[:1])[0]]  # no rows: size only
    assert version_charts([]) == []


def test_distributions_time_series_and_masked_columns():
    month = {"name": "month", "type": "date", "nulls": 0, "min": "2024-01-31",
             "max": "2024-03-31", "top": [{"value": "2024-02-29", "count": 2},
                                          {"value": "2024-01-31", "count": 2},
                                          {"value": "2024-03-31", "count": 1}]}
    households = {"name": "households", "type": "integer", "nulls": 0, "min": 12, "max": 43,
                  "quantiles": {"0.25": 15.0, "0.5": 40.0, "0.75": 41.0}, "top": []}
    ward = {"name": "ward", "type": "text", "nulls": 0,
            "top": [{"value": "Abbey", "count": 3}, {"value": "Castle", "count": 2}]}
    email = {**ward, "name": "email", "masked": True}
    charts = column_charts("f1", [month, households, ward, email], rows=5)
    assert [c.id for c in charts] == ["f1-time-series", "f1-column-2", "f1-column-3"]
    series, spread, common = charts
    assert valid(series.spec)["data"]["values"] == [
        {"period": "2024-01-31", "rows": 2}, {"period": "2024-02-29", "rows": 2},
        {"period": "2024-03-31", "rows": 1}]
    assert series.spec["encoding"]["x"]["type"] == "temporal" and series.note is None
    assert valid(spread.spec)["data"]["values"] == [
        {"share": 0.0, "value": 12}, {"share": 0.25, "value": 15.0},
        {"share": 0.5, "value": 40.0}, {"share": 0.75, "value": 41.0},
        {"share": 1.0, "value": 43}]
    assert valid(common.spec)["data"]["values"] == [{"value": "Abbey", "count": 3},
                                                   {"value": "Castle", "count": 2}]
    assert common.rows == [["Abbey", 3], ["Castle", 2]]
    # a year column is a time series too; counted values short of the rows say so
    year = {"name": "financial_year", "type": "integer", "nulls": 0, "min": 2019, "max": 2024,
            "top": [{"value": 2024, "count": 9}, {"value": 2019, "count": 3}]}
    by_year = time_series("f2", [ward, year], rows=20)
    assert [v["period"] for v in valid(by_year.spec)["data"]["values"]] == [2019, 2024]
    assert by_year.spec["encoding"]["x"]["type"] == "ordinal"
    assert by_year.note == "The most common values only."
    assert time_series("f3", [households, ward], rows=5) is None
    assert distribution("x", {"name": "id", "type": "text", "top": []}) is None


@pytest.fixture
def profiled(catalogue, registry):
    registry.version(KEY, {"placements.csv": V1}, "January", title="Placements")
    registry.version(KEY, {"placements.csv": V2}, "February and March")
    registry.version(KEY, {"notes.txt": "read me\n"}, "Notes")
    catalogue.indexer.index(str(registry.path))
    catalogue.job_worker().run_until(threading.Event(), drain=True)
    return catalogue


def test_version_history_has_sizes_and_profiled_rows(profiled):
    with profiled.session() as s:
        points = version_history(s, EVERYONE, *KEY.split("/"))
        versions = {v.number: v.size for v in browse.versions(s, EVERYONE, *KEY.split("/"))}
    assert [(p.number, p.size, p.rows) for p in points] == [
        (1, versions[1], 2), (2, versions[2], 5), (3, versions[3], 5)]
    size, rows = version_charts(points)
    assert [v["bytes"] for v in size.spec["data"]["values"]] == [versions[n] for n in (1, 2, 3)]
    assert [v["rows"] for v in rows.spec["data"]["values"]] == [2, 5, 5]
    with profiled.session() as s, pytest.raises(Exception, match="No dataset"):
        version_history(s, Reader.of("public"), *KEY.split("/"))
