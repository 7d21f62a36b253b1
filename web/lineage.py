"""The lineage graph page: drawn in the browser from the JSON API's answer, listed in tables
for readers without JavaScript (and as the graph's text alternative)."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from catalogue import browse
from catalogue.lineage.graph import MAX_DEPTH, lineage_graph, parse_depth
from web.auth import current_reader
from web.extensions import session
from web.params import flag

bp = Blueprint("lineage", __name__, url_prefix="/datasets/<dept>/<name>/lineage")


@bp.get("")
def graph_page(dept: str, name: str) -> str:
    reader = current_reader()
    depth, versions = parse_depth(request.args.get("depth")), flag("versions")
    with session() as s:
        summary = browse.dataset(s, reader, dept, name)
        graph = lineage_graph(s, reader, dept, name, depth=depth, versions=versions)
    query = {"depth": depth, **({"versions": 1} if versions else {})}
    return render_template("lineage.html", dataset=summary, graph=graph,
                           max_depth=MAX_DEPTH,
                           json_url=url_for("api.lineage", dept=dept, name=name, **query))
