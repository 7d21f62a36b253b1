"""The JSON API, version 1: the twin of every page, in the core's public shapes."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from catalogue import browse
from catalogue.lineage.graph import lineage_graph, parse_depth
from catalogue.schemas import DatasetSummary
from web import datasets, shapes
from web.auth import current_reader
from web.extensions import session
from web.params import Paging, flag, paging, text

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.add_url_rule("/datasets/<dept>/<name>/versions/<int:number>/files/<path:path>",
                endpoint="download", view_func=datasets.download)

RECENT = 6


@bp.get("/")
def index() -> Response:
    reader = current_reader()
    with session() as s:
        departments = browse.departments(s, reader)
        count, recent = browse.datasets(s, reader, per_page=RECENT)
    return jsonify(shapes.dump(shapes.ApiIndex(
        service=current_app.config["SERVICE_NAME"],
        dataset_count=count,
        department_count=len(departments),
        departments=departments,
        recently_updated=recent,
        links=shapes.ApiLinks(datasets=url_for(".dataset_list"),
                              departments=url_for(".department_list")),
    )))


@bp.get("/departments")
def department_list() -> Response:
    with session() as s:
        departments = browse.departments(s, current_reader())
    return jsonify(shapes.dump(shapes.DepartmentList(count=len(departments),
                                                     results=departments)))


@bp.get("/departments/<slug>")
def department(slug: str) -> Response:
    reader, pager = current_reader(), paging()
    with session() as s:
        found = browse.department(s, reader, slug)
        count, results = browse.datasets(s, reader, department=slug, page=pager.page,
                                         per_page=pager.per_page)
    return jsonify(shapes.dump(shapes.DepartmentWithDatasets(
        **found.model_dump(), datasets=_page(count, pager, results))))


@bp.get("/datasets")
def dataset_list() -> Response:
    reader, pager = current_reader(), paging()
    with session() as s:
        count, results = browse.datasets(s, reader, department=text("department"),
                                         include_retired=flag("include_retired"),
                                         page=pager.page, per_page=pager.per_page)
    return jsonify(shapes.dump(_page(count, pager, results)))


@bp.get("/datasets/<dept>/<name>")
def dataset(dept: str, name: str) -> Response:
    """The dataset; for a discoverable one the reader may not read, what staff may know of it
    (`restricted: true`)."""
    with session() as s:
        detail = browse.dataset_or_discovered(s, current_reader(), dept, name)
    return jsonify(detail.model_dump(mode="json"))


@bp.get("/datasets/<dept>/<name>/versions")
def version_list(dept: str, name: str) -> Response:
    with session() as s:
        versions = browse.versions(s, current_reader(), dept, name)
    return jsonify(shapes.dump(shapes.VersionList(count=len(versions), results=versions)))


@bp.get("/datasets/<dept>/<name>/versions/<int:number>")
def version(dept: str, name: str, number: int) -> Response:
    with session() as s:
        found = browse.version(s, current_reader(), dept, name, number)
    files = []
    for file in found.files:
        url = url_for(".download", dept=dept, name=name, number=number, path=file.path,
                      _external=True)
        files.append(shapes.FileWithLinks(**file.model_dump(),
                                          download_url=None if file.is_dir else url,
                                          listing_url=url if file.is_dir else None))
    return jsonify(shapes.dump(shapes.VersionWithLinks(**{**found.model_dump(),
                                                          "files": files})))


@bp.get("/datasets/<dept>/<name>/lineage")
def lineage(dept: str, name: str) -> Response:
    """The dataset's direct links and its lineage graph, `?depth=` hops each way (default 3),
    `?versions=1` version by version."""
    depth = parse_depth(request.args.get("depth"))
    with session() as s:
        found = lineage_graph(s, current_reader(), dept, name, depth=depth,
                              versions=flag("versions"))
    return jsonify(found.model_dump(mode="json"))


def _page(count: int, pager: Paging, results: list[DatasetSummary]) -> shapes.DatasetPage:
    return shapes.DatasetPage(count=count, page=pager.page, per_page=pager.per_page,
                              results=results)
