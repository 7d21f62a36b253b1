"""Search: the results page, its JSON twin `GET /api/v1/search`, and `GET /api/v1/suggest`
(title completions for a search-as-you-type box). The core does the searching
(catalogue.search), for the reader of the request."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from catalogue.search import SearchRequest
from catalogue.search.schema import FACETS
from catalogue.sharing import discovery
from web.auth import current_reader
from web.extensions import catalogue, session
from web.params import Paging, paging

bp = Blueprint("search", __name__)

FACET_TITLES = {
    "department": "Department", "tag": "Tag", "classification": "Classification",
    "visibility": "Who can see it", "licence": "Licence", "format": "Format",
    "update_frequency": "Updated",
}
SORT_LABELS = {"relevance": "Best match", "updated": "Recently updated", "title": "Title A to Z"}
MAX_SUGGESTIONS = 20
RESTRICTED_FIELDS = {"id", "department", "department_name", "slug", "title", "description",
                     "tags", "version_count", "restricted"}


@bp.get("/search")
def results_page() -> str:
    pager = paging()
    found = catalogue().search.search(current_reader(), search_request(pager))
    selected = [(name, v) for name, values in found.facets.items() for v in values if v.selected]
    return render_template(
        "search.html", found=found, q=found.request.q, selected=selected, paging=pager,
        restricted=_restricted(found.request) if pager.page == 1 else [],
        facet_titles=FACET_TITLES,
        sort_labels=SORT_LABELS, page_url=page_url, without=without,
        json_url=url_for("search.api_search", **request.args.to_dict(flat=False)),
    )


@bp.get("/api/v1/search")
def api_search() -> Response:
    found = catalogue().search.search(current_reader(), search_request(paging()))
    return jsonify({**found.public(), "restricted": [
        r.model_dump(mode="json", include=RESTRICTED_FIELDS) for r in _restricted(found.request)]})


def _restricted(wanted: SearchRequest) -> list:
    """Discoverable datasets matching the search that the reader may not read, apart."""
    with session() as s:
        return discovery.find(s, current_reader(), wanted.q, wanted.filters)


@bp.get("/api/v1/suggest")
def api_suggest() -> Response:
    text = request.args.get("q", "")
    limit = min(max(request.args.get("limit", 8, type=int) or 8, 1), MAX_SUGGESTIONS)
    completions = catalogue().search.suggest(current_reader(), text, limit)
    return jsonify(query=text, suggestions=[
        {**c.model_dump(mode="json"),
         "url": url_for("datasets.dataset", dept=c.department, name=c.id.split("/", 1)[1])}
        for c in completions])


def search_request(pager: Paging, facets: Iterable[str] = FACETS) -> SearchRequest:
    """The search the query string asks for (`facets`: the filters this page offers)."""
    args = request.args
    return SearchRequest.build(
        q=args.get("q", ""), filters={name: args.getlist(name) for name in facets},
        sort=args.get("sort"), page=pager.page, per_page=pager.per_page)


def page_url(page: int) -> str:
    """This search (internal or open data) with another page, every filter kept."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for(request.endpoint, **args)


def without(name: str, value: str) -> str:
    """This search without one filter value (back to its first page)."""
    args = request.args.to_dict(flat=False)
    args[name] = [v for v in args.get(name, []) if v != value]
    args.pop("page", None)
    return url_for(request.endpoint, **args)
