"""The DCAT-AP catalogue of open releases: /open/catalog.ttl, .jsonld, .rdf, and /open/catalog
by content negotiation (Turtle when the Accept header leaves the choice to us, 406 when it
names only types we cannot serve).

Every answer carries a weak ETag (the same graph may serialise its blank nodes differently
from one build to the next) and Last-Modified, both made from the open releases' fingerprint,
and answers 304 to a matching If-None-Match or If-Modified-Since; `Cache-Control: no-cache`
makes every cache ask again, so a withdrawal is seen by the next request. Settings:
`DCAT_PAGE_SIZE` (datasets per page, 100), `DCAT_CACHE_MB` (built pages kept, 64 MB),
`DCAT_LICENCE` (the catalogue's own licence, an open licence id, OGL-UK-3.0),
`ORGANISATION_NAME` (the publisher; else the registry's name).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.http import is_resource_modified

from catalogue.clock import utcnow
from catalogue.opendata.dcat import CatalogInfo, Links, catalog_graph
from catalogue.opendata.dcat_cache import (
    MEDIA_TYPES,
    CatalogCache,
    fingerprint,
    serialise,
)
from web.extensions import session

bp = Blueprint("dcat", __name__)
CACHE = "dcat_cache"
NEGOTIATED = {"text/turtle": "turtle", "application/ld+json": "json-ld",
              "application/rdf+xml": "xml", "application/json": "json-ld"}


@bp.record_once
def _setup(state) -> None:
    state.app.config.setdefault("DCAT_PAGE_SIZE", 100)
    state.app.config.setdefault("DCAT_LICENCE", "OGL-UK-3.0")
    state.app.config.setdefault("DCAT_CACHE_MB", 64)
    state.app.extensions[CACHE] = CatalogCache(
        int(float(state.app.config["DCAT_CACHE_MB"]) * 1024 * 1024))


@bp.get("/open/catalog")
def negotiated() -> Response:
    accept = request.accept_mimetypes
    best = accept.best_match(list(NEGOTIATED)) if accept.provided else "text/turtle"
    if best is None:
        return Response("Not acceptable: the catalogue is served as " +
                        ", ".join(list(NEGOTIATED)[:3]) + ".\n", status=406,
                        mimetype="text/plain", headers={"Vary": "Accept"})
    response = _catalog(NEGOTIATED[best])
    response.vary.add("Accept")
    return response


@bp.get("/open/catalog.ttl")
def turtle() -> Response:
    return _catalog("turtle")


@bp.get("/open/catalog.jsonld")
def jsonld() -> Response:
    return _catalog("json-ld")


@bp.get("/open/catalog.rdf")
def rdfxml() -> Response:
    return _catalog("xml")


def _catalog(kind: str) -> Response:
    page = request.args.get("page", 1, type=int)
    size = max(int(current_app.config["DCAT_PAGE_SIZE"]), 1)
    endpoint = request.endpoint or "dcat.turtle"
    with session() as s:
        state = fingerprint(s)
        publisher = current_app.config.get("ORGANISATION_NAME") or state.registry or \
            current_app.config["SERVICE_NAME"]
        shaped_by = (kind, endpoint, page, size, request.host_url, publisher,
                     current_app.config["DCAT_LICENCE"])
        etag, modified = state.etag(*shaped_by), state.last_modified(utcnow())
        if not is_resource_modified(request.environ, etag=f'W/"{etag}"',
                                    last_modified=modified):
            return _headers(Response(status=304), etag, modified)
        info = CatalogInfo(
            title=f"{publisher}: open data",
            description=f"Datasets {publisher} has released openly. Each version was approved "
                        "by a governance officer and is described as it was approved, with "
                        "its files to download.",
            publisher=publisher, licence=current_app.config["DCAT_LICENCE"], page_size=size)
        body = current_app.extensions[CACHE].get(
            state, shaped_by, lambda: serialise(catalog_graph(s, info, _links(endpoint), page),
                                                kind))
    response = Response(body, mimetype=MEDIA_TYPES[kind])
    if kind == "turtle":
        response.charset = "utf-8"
    return _headers(response, etag, modified)


def _headers(response: Response, etag: str, modified: datetime | None) -> Response:
    response.set_etag(etag, weak=True)
    if modified is not None:  # (werkzeug dates a None as now)
        response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.no_cache = True
    response.headers["Access-Control-Allow-Origin"] = "*"  # harvesters and browser apps
    return response


def _links(endpoint: str) -> Links:
    def dataset(dept: str, name: str) -> str:
        return url_for("open.dataset", dept=dept, name=name, _external=True)

    def version(dept: str, name: str, number: int) -> str:
        return url_for("open.version", dept=dept, name=name, number=number, _external=True)

    def download(dept: str, name: str, number: int, path: str) -> str:
        return url_for("open.download", dept=dept, name=name, number=number, path=path,
                       _external=True)

    return Links(home=url_for("open.home", _external=True),
                 catalog=url_for("dcat.negotiated", _external=True), dataset=dataset,
                 version=version, download=download,
                 page=lambda n: url_for(endpoint, page=n, _external=True))
