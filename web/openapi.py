"""The OpenAPI 3.1 description of /api/v1, generated from the app's own routes and models.

Every rule of the URL map under /api/v1 is described: its path parameters from the rule's
converters, and its query parameters, request body and answers from `OPERATIONS`, whose models
are the ones the views build their answers with (web/shapes.py, catalogue/schemas.py). pydantic
writes the JSON Schemas; a route added without an entry here is still listed, with an answer
described as any JSON object, so that the contract never silently leaves a route out.

Served at /api/v1/openapi.json, and as a reference page at /api/v1/reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from catalogue.lineage.graph import MAX_DEPTH
from catalogue.lineage.schemas import LineageGraph
from catalogue.releases.schemas import ReleaseRequestPublic
from catalogue.sharing import schemas as sharing
from web import shapes

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
bp = Blueprint("openapi", __name__, url_prefix=PREFIX)


@dataclass(frozen=True)
class Query:
    name: str
    schema: dict[str, Any]
    description: str


@dataclass(frozen=True)
class Operation:
    summary: str
    answer: type[BaseModel] | None = None  # None: no body (204)
    status: int = 200
    body: type[BaseModel] | None = None
    query: tuple[Query, ...] = ()
    signed_in: bool = False
    tag: str = "Catalogue"


PAGE = Query("page", {"type": "integer", "minimum": 1}, "The page, from 1.")
PER_PAGE = Query("per_page", {"type": "integer", "minimum": 1, "maximum": 100},
                 "Results per page (at most 100).")
DEPARTMENT = Query("department", {"type": "string"}, "Only this department's datasets.")
SEARCH = (Query("q", {"type": "string"}, "The words to look for (typos are tolerated)."),
          Query("sort", {"type": "string", "enum": ["relevance", "updated", "title"]},
                "The order of the results."),
          PAGE, PER_PAGE)

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("api.index", "GET"): Operation("The catalogue at a glance", shapes.ApiIndex),
    ("api.department_list", "GET"): Operation("Departments", shapes.DepartmentList),
    ("api.department", "GET"): Operation("A department and its datasets",
                                         shapes.DepartmentWithDatasets, query=(PAGE, PER_PAGE)),
    ("api.dataset_list", "GET"): Operation(
        "Datasets the reader may see", shapes.DatasetPage,
        query=(DEPARTMENT, Query("include_retired", {"type": "boolean"},
                                 "Include retired datasets."), PAGE, PER_PAGE)),
    ("api.dataset", "GET"): Operation("A dataset (or, discoverable only, what staff may know "
                                      "of it)", sharing.DatasetOrDiscovered),
    ("api.version_list", "GET"): Operation("A dataset's versions", shapes.VersionList),
    ("api.version", "GET"): Operation("A version, its files and lineage",
                                      shapes.VersionWithLinks),
    ("api.lineage", "GET"): Operation(
        "A dataset's lineage: its direct links and the graph around it", LineageGraph,
        query=(Query("depth", {"type": "integer", "minimum": 1, "maximum": MAX_DEPTH},
                     "Hops each way (default 3)."),
               Query("versions", {"type": "boolean"}, "Version by version."))),
    ("api.download", "GET"): Operation("A file of a version (bytes; ranges supported)",
                                       shapes.AnyObject, tag="Downloads"),
    ("search.api_search", "GET"): Operation("Search datasets", shapes.SearchAnswer,
                                            query=SEARCH, tag="Search"),
    ("search.api_suggest", "GET"): Operation(
        "Titles that complete what was typed", shapes.Suggestions, tag="Search",
        query=(Query("q", {"type": "string"}, "What was typed."),
               Query("limit", {"type": "integer", "minimum": 1, "maximum": 20},
                     "At most this many."))),
    ("open.api_datasets", "GET"): Operation("Openly released datasets", shapes.OpenDatasetPage,
                                            query=(DEPARTMENT, PAGE, PER_PAGE), tag="Open data"),
    ("open.api_dataset", "GET"): Operation("An openly released dataset",
                                           shapes.OpenDatasetWithUrls, tag="Open data"),
    ("open.api_version", "GET"): Operation("An openly released version",
                                           shapes.OpenVersionWithUrls, tag="Open data"),
    ("open.api_search", "GET"): Operation("Search the open data", shapes.SearchAnswer,
                                          query=SEARCH, tag="Open data"),
    ("sharing.grants_json", "GET"): Operation("Whom a dataset is shared with", shapes.Grants,
                                              signed_in=True, tag="Sharing"),
    ("sharing.share_json", "POST"): Operation("Share a dataset", shapes.Grant, status=201,
                                              body=shapes.ShareRequest, signed_in=True,
                                              tag="Sharing"),
    ("sharing.revoke_json", "DELETE"): Operation("Stop sharing a dataset", None, status=204,
                                                 signed_in=True, tag="Sharing"),
    ("notifications.notifications_json", "GET"): Operation(
        "Your notifications", shapes.NotificationPage, query=(PAGE, PER_PAGE),
        signed_in=True, tag="Notifications"),
    ("notifications.mark_read_json", "POST"): Operation(
        "Mark notifications read", shapes.Marked, body=shapes.MarkRead, signed_in=True,
        tag="Notifications"),
    **{("notifications.follow_json", method): Operation(
        summary, shapes.Following, signed_in=True, tag="Notifications")
       for method, summary in (("GET", "Whether you follow a dataset"),
                               ("PUT", "Follow a dataset's new versions"),
                               ("DELETE", "Stop following a dataset"))},
    ("releases.ask_json", "POST"): Operation(
        "Ask for a version's open release", ReleaseRequestPublic, status=201,
        body=shapes.ReleaseAsk, signed_in=True, tag="Releases"),
    ("releases.withdraw_json", "POST"): Operation(
        "Withdraw an open release", ReleaseRequestPublic, body=shapes.Withdrawal,
        signed_in=True, tag="Releases"),
    ("releases.queue_json", "GET"): Operation("Release requests", shapes.AnyObject,
                                              signed_in=True, tag="Releases"),
    ("releases.request_json", "GET"): Operation("A release request", ReleaseRequestPublic,
                                                signed_in=True, tag="Releases"),
    ("releases.decide_json", "POST"): Operation(
        "Approve or reject a release request", ReleaseRequestPublic,
        body=shapes.ReleaseDecision, signed_in=True, tag="Releases"),
    ("releases.recheck_json", "POST"): Operation("Run a request's checks again",
                                                 ReleaseRequestPublic, signed_in=True,
                                                 tag="Releases"),
    ("releases.publish_json", "POST"): Operation("Retry publishing an approved release",
                                                 ReleaseRequestPublic, signed_in=True,
                                                 tag="Releases"),
    ("access_requests.ask_json", "POST"): Operation(
        "Ask for access to a dataset", sharing.AccessRequestPublic, status=201,
        body=sharing.AccessAsk, signed_in=True, tag="Sharing"),
    ("access_requests.requests_json", "GET"): Operation(
        "Access requests to decide, and your own", sharing.AccessRequestLists, signed_in=True,
        tag="Sharing"),
    ("access_requests.request_json", "GET"): Operation(
        "An access request", sharing.AccessRequestPublic, signed_in=True, tag="Sharing"),
    ("access_requests.decide_json", "POST"): Operation(
        "Approve or refuse an access request", sharing.AccessRequestPublic,
        body=sharing.AccessDecision, signed_in=True, tag="Sharing"),
    ("governance.register_json", "GET"): Operation(
        "The register of shares (governance officers; ?format=csv for CSV)",
        sharing.GrantRegister, signed_in=True, tag="Sharing", query=tuple(
            Query(name, {"type": "string"}, text) for name, text in (
                ("dataset", "department/dataset"), ("department", "A department's slug"),
                ("partner", "A partner's slug"), ("agreement", "An agreement's reference"),
                ("status", "pending, in-force, expired, refused or revoked"),
                ("expires_before", "Ending on or before this day (YYYY-MM-DD)"),
                ("expires_after", "Ending on or after this day (YYYY-MM-DD)"),
                ("format", "csv for CSV")))),
    ("governance.decide_json", "POST"): Operation(
        "Approve or refuse a pending share (governance officers)", sharing.GrantPublic,
        body=sharing.GrantDecision, signed_in=True, tag="Sharing"),
    ("hooks.push", "POST"): Operation(
        "A forge's push webhook (GitHub, GitLab, Gitea), signed with the registry's secret",
        shapes.PushOutcome, body=shapes.AnyObject, tag="Webhooks"),
}
UNDESCRIBED = Operation("Not described yet", shapes.AnyObject)


def describe(operation: Operation, method: str = "GET"):
    """Describe a view where it is defined, as an alternative to an entry in `OPERATIONS`:
    `@openapi.describe(Operation("A profile", ProfilePublic))` under the route decorator."""
    def mark(view):
        view.openapi = {**getattr(view, "openapi", {}), method.upper(): operation}
        return view
    return mark


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(breakable)


def breakable(name: str) -> str:
    """A model's CamelCase name that may wrap between its words (zero-width spaces)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "\u200b", name)


@bp.get("/openapi.json")
def document_json() -> Response:
    response = jsonify(document(current_app))
    response.cache_control.no_cache = True
    return response


@bp.get("/reference")
def reference() -> str:
    doc = document(current_app)
    operations = [(path, method.upper(), op) for path, item in doc["paths"].items()
                  for method, op in item.items() if method != "parameters"]
    tags: dict[str, list] = {}
    for path, method, op in operations:
        tags.setdefault(op["tags"][0], []).append((method, path, op))
    return render_template("api_reference.html", doc=doc, tags=tags)


def document(app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.1 document of this app's /api/v1 routes (built once per app)."""
    cached = app.extensions.get("openapi")
    if cached is None:
        cached = app.extensions["openapi"] = _build(app)
    return cached


def _build(app: Flask) -> dict[str, Any]:
    models: dict[str, type[BaseModel]] = {"Error": shapes.Error}
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(PREFIX + "/") or rule.endpoint.startswith("openapi."):
            continue
        path, parameters = _path(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            view = app.view_functions.get(rule.endpoint)
            op = OPERATIONS.get((rule.endpoint, method)) or getattr(
                view, "openapi", {}).get(method, UNDESCRIBED)
            for model in (op.answer, op.body):
                if model is not None:
                    models[model.__name__] = model
            paths.setdefault(path[len(PREFIX):] or "/", {})[method.lower()] = _operation(
                rule, method, op, parameters)
    _, schemas = models_json_schema([(m, "serialization") for m in models.values()],
                                    ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{app.config['SERVICE_NAME']} API", "version": "1",
                 "description": "The JSON twin of the catalogue's pages. Anonymous readers see "
                                "open data only; send `Authorization: Bearer <token>` (made on "
                                "the API tokens page or with `catalogue token`) to read as "
                                "yourself."},
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {
            "schemas": schemas.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{}, {"bearer": []}],
    }


def _path(rule: Rule) -> tuple[str, list[dict[str, Any]]]:
    parameters = []
    for spec in re.findall(r"<([^<>]+)>", rule.rule):
        converter, _, name = spec.rpartition(":")
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if converter.startswith("int"):
            schema = {"type": "integer", "minimum": 0}
        elif not converter.startswith("path"):
            schema["pattern"] = "^[^/]+$"
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
    return path, parameters


def _operation(rule: Rule, method: str, op: Operation,
               parameters: list[dict[str, Any]]) -> dict[str, Any]:
    error = {"description": "An error, with a message naming what was wrong",
             "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
    answer: dict[str, Any] = {"description": op.summary}
    if op.answer is not None and op.status != 204:
        answer["content"] = {"application/json": {
            "schema": {"$ref": REF.format(model=op.answer.__name__)}}}
    if rule.endpoint == "api.download":
        answer["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    out: dict[str, Any] = {
        "operationId": f"{rule.endpoint}.{method.lower()}",
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": [*parameters, *({"name": q.name, "in": "query", "required": False,
                                       "schema": q.schema, "description": q.description}
                                      for q in op.query)],
        "responses": {str(op.status): answer, "4XX": error},
    }
    if op.body is not None:
        out["requestBody"] = {"required": False, "content": {"application/json": {
            "schema": {"$ref": REF.format(model=op.body.__name__)}}}}
    if op.signed_in:
        out["security"] = [{"bearer": []}]
    return out


