"""Vega-Lite specifications built with Altair, each with the same figures as a table.

The data is written into the specification (`data.values`), so the page draws it without
another request; the browser renders it with vega-embed from the built assets. Altair is
imported when the first chart is built, not when the catalogue starts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from catalogue.charts.history import VersionPoint

HEIGHT = 220
YEAR_NAME = re.compile(r"(^|_|\b)(year|yr)(_|\b|$)", re.I)
FIRST_YEAR, LAST_YEAR = 1800, 2200


@dataclass(frozen=True)
class Chart:
    """A chart: its id on the page, title, Vega-Lite spec, and its figures as a table."""

    id: str
    title: str
    spec: dict[str, Any]
    headers: list[str]
    rows: list[list[Any]]
    note: str | None = None
    numeric: list[bool] = field(default_factory=list)
    """Which of the table's columns are numbers (aligned right)."""

    def cells(self) -> list[list[str]]:
        """The table's rows as text: numbers with thousands separators."""
        return [[f"{cell:,}" if isinstance(cell, int | float) and not isinstance(cell, bool)
                 else str(cell) for cell in row] for row in self.rows]


def _chart(values: list[dict[str, Any]], mark: str, x: Any, y: Any, title: str,
           **mark_options: Any) -> dict[str, Any]:
    """A spec whose data are `values`. Altair writes the chart around named data, and the
    values go in after: Altair validates data given to it against the whole schema, which
    costs milliseconds a point (the tests validate the finished specs instead)."""
    import altair as alt

    base = alt.Chart(alt.Data(name="table"), title=title)
    chart = base.mark_line(point=True, **mark_options) if mark == "line" else \
        base.mark_bar(**mark_options)
    spec = chart.encode(x=x, y=y).properties(width="container", height=HEIGHT).to_dict(
        validate=False)
    spec["data"] = {"values": values}
    return spec


def version_charts(points: list[VersionPoint]) -> list[Chart]:
    """Size over versions, and rows over versions when any version's rows are known."""
    import altair as alt

    if not points:
        return []
    version = alt.X("version:O", title="Version", axis=alt.Axis(labelAngle=0))
    sizes = [{"version": p.number, "date": p.authored_at.date().isoformat(), "bytes": p.size}
             for p in points]
    charts = [Chart(
        "chart-size", "Size of each version",
        _chart(sizes, "line", version, alt.Y("bytes:Q", title="Size (bytes)"),
               "Size of each version"),
        ["Version", "Date", "Size (bytes)"],
        [[p["version"], p["date"], p["bytes"]] for p in sizes], numeric=[True, False, True])]
    rows = [{"version": p.number, "date": p.authored_at.date().isoformat(), "rows": p.rows}
            for p in points if p.rows is not None]
    if rows:
        missing = len(points) - len(rows)
        charts.append(Chart(
            "chart-rows", "Rows in each version",
            _chart(rows, "line", version, alt.Y("rows:Q", title="Rows"),
                   "Rows in each version"),
            ["Version", "Date", "Rows"], [[p["version"], p["date"], p["rows"]] for p in rows],
            note=f"{missing} version{'s' if missing != 1 else ''} not profiled yet, or "
                 "without tables, left out." if missing else None,
            numeric=[True, False, True]))
    return charts


def column_charts(prefix: str, columns: Iterable[dict[str, Any]],
                  rows: int | None) -> list[Chart]:
    """A chart of each column's distribution in a profile (its most common values, or the
    spread of its numbers), and a time series when the table has a date or year column.
    Masked columns (personal data the reader may not see) get none."""
    charts = []
    columns = [c for c in columns if not c.get("masked")]
    series = time_series(prefix, columns, rows)
    if series is not None:
        charts.append(series)
    for n, column in enumerate(columns, 1):
        if series is not None and column["name"] == series.headers[0]:
            continue  # its values are the time series
        found = distribution(f"{prefix}-column-{n}", column)
        if found is not None:
            charts.append(found)
    return charts


def distribution(chart_id: str, column: dict[str, Any]) -> Chart | None:
    import altair as alt

    name = column["name"]
    top = [t for t in column.get("top") or [] if t.get("value") is not None]
    if len(top) >= 2:
        values = [{"value": str(t["value"]), "count": t["count"]} for t in top]
        title = f"Most common values of {name}"
        spec = _chart(values, "bar", alt.X("count:Q", title="Rows"),
                      alt.Y("value:N", title=name, sort="-x"), title)
        note = "Counted approximately." if column.get("top_approximate") else None
        return Chart(chart_id, title, spec, [name, "Rows"],
                     [[v["value"], v["count"]] for v in values], note, [False, True])
    quantiles = column.get("quantiles") or {}
    if quantiles and column.get("min") is not None:
        points = [(0.0, column["min"]), *sorted((float(q), v) for q, v in quantiles.items()),
                  (1.0, column["max"])]
        values = [{"share": q, "value": v} for q, v in points]
        title = f"Spread of {name}"
        spec = _chart(values, "line",
                      alt.X("share:Q", title="Share of rows at or below", axis=alt.Axis(
                          format="%")),
                      alt.Y("value:Q", title=name), title)
        return Chart(chart_id, title, spec, ["Share of rows at or below", name],
                     [[f"{round(q * 100)}%", v] for q, v in points],
                     "Quantiles estimated while profiling.", [True, True])
    return None


def time_series(prefix: str, columns: list[dict[str, Any]], rows: int | None) -> Chart | None:
    """Rows for each date (or year) of the table's first date or year column, from its
    counted values (a profile counts them when there are 50 or fewer)."""
    import altair as alt

    for column in columns:
        kind, name = column.get("type"), column["name"]
        temporal = kind in ("date", "datetime")
        year = kind == "integer" and bool(YEAR_NAME.search(name)) and \
            isinstance(column.get("min"), int) and \
            FIRST_YEAR <= column["min"] <= column["max"] <= LAST_YEAR
        top = [t for t in column.get("top") or [] if t.get("value") is not None]
        if not (temporal or year) or len(top) < 2:
            continue
        values = sorted(({"period": t["value"], "rows": t["count"]} for t in top),
                        key=lambda v: str(v["period"]))
        title = f"Rows for each {'year' if year else 'date'} of {name}"
        x = alt.X("period:T" if temporal else "period:O", title=name,
                  **({"axis": alt.Axis(labelAngle=0)} if year else {}))
        spec = _chart(values, "line", x, alt.Y("rows:Q", title="Rows"), title)
        counted = sum(v["rows"] for v in values)
        whole = rows is not None and counted + (column.get("nulls") or 0) >= rows
        return Chart(f"{prefix}-time-series", title, spec, [name, "Rows"],
                     [[v["period"], v["rows"]] for v in values],
                     None if whole else "The most common values only.", [False, True])
    return None
