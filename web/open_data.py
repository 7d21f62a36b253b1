"""The open-data portal at /open/: released versions only, for anyone, signed in or not.

Every page reads through catalogue.opendata (released versions, as approved) and the portal's
own search index (`Catalogue.open_search`), searched as the public: nothing that is not
released openly can be reached from here. Each page has its JSON twin under /api/v1/open/.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from catalogue.access import Reader
from catalogue.downloads import IsADirectory, folder_entries, open_file
from catalogue.opendata.reads import (
    open_count,
    open_dataset,
    open_datasets,
    open_version,
    released_bytes,
)
from catalogue.opendata.schemaorg import dataset_jsonld
from web.datasets import file_response
from web.extensions import catalogue, session
from web.open_feeds import DATAPACKAGE, WebLinks, datapackage, portal
from web.params import paging
from web.search import SORT_LABELS, page_url, search_request, without

bp = Blueprint("open", __name__)
PUBLIC = Reader.anonymous()
RECENT = 10
FACET_TITLES = {"department": "Department", "tag": "Tag", "licence": "Licence",
                "format": "Format", "update_frequency": "Updated"}


@bp.get("/open/")
def home() -> str:
    with session() as s:
        count, recent = open_datasets(s, per_page=RECENT)
    return render_template("open/home.html", count=count, recent=recent,
                           search_action=url_for("open.search_page"),
                           json_url=url_for("open.api_datasets"))


@bp.get("/open/datasets")
def dataset_list() -> str:
    pager = paging()
    with session() as s:
        count, results = open_datasets(s, department=request.args.get("department") or None,
                                       page=pager.page, per_page=pager.per_page)
    return render_template("open/datasets.html", count=count, results=results, paging=pager,
                           search_action=url_for("open.search_page"),
                           json_url=url_for("open.api_datasets", **request.args.to_dict()))


@bp.get("/open/search")
def search_page() -> str:
    pager = paging()
    found = catalogue().open_search.search(PUBLIC, search_request(pager, FACET_TITLES))
    selected = [(name, v) for name, values in found.facets.items() for v in values
                if v.selected and name in FACET_TITLES]
    return render_template("search.html", found=found, q=found.request.q,
                           selected=selected, paging=pager, facet_titles=FACET_TITLES,
                           sort_labels=SORT_LABELS, page_url=page_url, without=without,
                           search_action=url_for("open.search_page"),
                           json_url=url_for("open.api_search", **request.args.to_dict(flat=False)))


@bp.get("/open/datasets/<dept>/<name>")
def dataset(dept: str, name: str) -> str:
    with session() as s:
        found = open_dataset(s, dept, name)
    return render_template("open/dataset.html", dataset=found,
                           jsonld=dataset_jsonld(found, WebLinks(), portal()),
                           search_action=url_for("open.search_page"),
                           json_url=url_for("open.api_dataset", dept=dept, name=name))


@bp.get("/open/datasets/<dept>/<name>/versions/<int:number>")
def version(dept: str, name: str, number: int) -> str:
    with session() as s:
        found = open_dataset(s, dept, name)
        released = open_version(s, dept, name, number)
    return render_template("open/version.html", dataset=found, version=released,
                           search_action=url_for("open.search_page"),
                           json_url=url_for("open.api_version", dept=dept, name=name,
                                            number=number))


bp.add_url_rule(DATAPACKAGE, view_func=datapackage)


@bp.get("/open/datasets/<dept>/<name>/versions/<int:number>/files/<path:path>")
def download(dept: str, name: str, number: int, path: str) -> Response | str:
    """A released file's bytes, streamed by hash from the DVC remote; a folder's listing."""
    with session() as s:
        where = released_bytes(s, dept, name, number)
        found = open_dataset(s, dept, name)
    try:
        opened = open_file(catalogue().storage, where, path)
    except IsADirectory:
        entries = folder_entries(catalogue().storage, where, path)
        links = [url_for("open.download", dept=dept, name=name, number=number, path=e.path)
                 for e in entries]
        return render_template("open/folder.html", dataset=found, number=number,
                               path=path.strip("/"), entries=list(zip(entries, links,
                                                                       strict=True)),
                               search_action=url_for("open.search_page"))
    return file_response(opened)


@bp.get("/api/v1/open/datasets")
def api_datasets() -> Response:
    pager = paging()
    with session() as s:
        count, results = open_datasets(s, department=request.args.get("department") or None,
                                       page=pager.page, per_page=pager.per_page)
        total = open_count(s)
    return jsonify(count=count, total=total, page=pager.page, per_page=pager.per_page,
                   results=[_with_url(r.model_dump(mode="json")) for r in results])


@bp.get("/api/v1/open/datasets/<dept>/<name>")
def api_dataset(dept: str, name: str) -> Response:
    with session() as s:
        found = open_dataset(s, dept, name)
    body = _with_url(found.model_dump(mode="json"))
    for v in body["versions"]:
        _file_urls(dept, name, v)
    return jsonify(body)


@bp.get("/api/v1/open/datasets/<dept>/<name>/versions/<int:number>")
def api_version(dept: str, name: str, number: int) -> Response:
    with session() as s:
        released = open_version(s, dept, name, number)
    return jsonify(_file_urls(dept, name, released.model_dump(mode="json")))


@bp.get("/api/v1/open/search")
def api_search() -> Response:
    found = catalogue().open_search.search(PUBLIC, search_request(paging(), FACET_TITLES))
    return jsonify(found.public())


def _with_url(body: dict) -> dict:
    body["url"] = url_for("open.dataset", dept=body["department"], name=body["slug"],
                          _external=True)
    return body


def _file_urls(dept: str, name: str, version: dict) -> dict:
    for f in version["files"]:
        f["url"] = url_for("open.download", dept=dept, name=name, number=version["number"],
                           path=f["path"], _external=True)
    return version
