"""Charts on the pages: the Vega-Lite specifications the core builds, for the templates
(`web/templates/_chart.html` draws one, with its figures as a table)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from catalogue.charts.specs import Chart, column_charts

bp = Blueprint("charts", __name__)


@bp.app_template_global()
def profile_charts(prefix: str, file: dict[str, Any]) -> list[Chart]:
    """Charts of a profiled file (an entry of the version profile's `files`), as the reader
    may see it: masked columns get none."""
    if file.get("status") != "done":
        return []
    return column_charts(prefix, file.get("columns") or [], file.get("rows"))
