"""The open-data feeds beside the portal: the sitemap of the open pages, a Frictionless data
package per released version, the Atom feed of releases and withdrawals, and the Atom feed of a
dataset's new versions for whoever may read it (API tokens included).

Every answer carries an ETag and Last-Modified and answers 304 to a matching If-None-Match. The
open feeds' ETag is the fingerprint of the open releases (`atom.feed_state`), read from the
database on each request: a release or withdrawal changes it at once, so no cache serves a
withdrawn version. They are `no-cache` (cache, but ask first) for the same reason.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, request, url_for

from catalogue.opendata import atom
from catalogue.opendata.datapackage import SchemaCache, data_package
from catalogue.opendata.reads import open_version
from catalogue.opendata.schemaorg import Portal, sitemap_entries, sitemap_xml
from web.auth import current_reader
from web.extensions import catalogue, session

bp = Blueprint("open_feeds", __name__)
SCHEMAS = "open_feeds.schemas"
ATOM_TYPE = "application/atom+xml"


@bp.record_once
def _setup(state) -> None:
    app: Flask = state.app
    app.extensions.setdefault(SCHEMAS, SchemaCache())


class WebLinks:
    """`catalogue.opendata.schemaorg.Links` as this app's absolute URLs."""

    def home(self) -> str:
        return url_for("open.home", _external=True)

    def dataset(self, department: str, slug: str) -> str:
        return url_for("open.dataset", dept=department, name=slug, _external=True)

    def version(self, department: str, slug: str, number: int) -> str:
        return url_for("open.version", dept=department, name=slug, number=number,
                       _external=True)

    def file(self, department: str, slug: str, number: int, path: str) -> str:
        return url_for("open.download", dept=department, name=slug, number=number, path=path,
                       _external=True)


def portal() -> Portal:
    """Who the portal is, as the schema.org and Atom documents name it."""
    return Portal(f"{current_app.config['SERVICE_NAME']}: open data",
                  current_app.config.get("ORGANISATION_NAME"))


@bp.get("/open/sitemap.xml")
def sitemap() -> Response:
    with session() as s:
        state = atom.feed_state(s)
        return _open_answer(state, "application/xml",
                            lambda: sitemap_xml(sitemap_entries(s, WebLinks(), state.changed)))


@bp.get("/open/releases.atom")
def releases_feed() -> Response:
    with session() as s:
        state = atom.feed_state(s)

        def build() -> bytes:
            entries = atom.release_entries(s, WebLinks())
            return atom.feed_xml(url_for("open_feeds.releases_feed", _external=True),
                                 f"{portal().name}: releases and withdrawals",
                                 url_for("open_feeds.releases_feed", _external=True),
                                 WebLinks().home(), _publisher(), entries, state.changed)
        return _open_answer(state, ATOM_TYPE, build)


DATAPACKAGE = "/open/datasets/<dept>/<name>/versions/<int:number>/datapackage.json"


def datapackage(dept: str, name: str, number: int) -> Response:
    """A released version's data package: a page of the portal, so web.open_data registers
    it on the portal's blueprint (endpoint `open.datapackage`) beside the version it
    describes."""
    with session() as s:
        open_version(s, dept, name, number)  # not released: the portal's 404, before any 304
        state = atom.feed_state(s)

        def build() -> bytes:
            package = data_package(s, catalogue().storage, dept, name, number, WebLinks(),
                                   current_app.extensions[SCHEMAS])
            return current_app.json.dumps(package, indent=2).encode()
        return _open_answer(state, "application/json", build)


@bp.get("/datasets/<dept>/<name>/versions.atom")
def versions_feed(dept: str, name: str) -> Response:
    """The versions the reader may read of a dataset the reader may read (a session or an API
    token); anyone else gets the 404 of a dataset that does not exist."""
    with session() as s:
        title, entries = atom.version_entries(
            s, current_reader(), dept, name,
            lambda n: url_for("datasets.version", dept=dept, name=name, number=n,
                              _external=True))
    self_url = url_for("open_feeds.versions_feed", dept=dept, name=name, _external=True)
    body = atom.feed_xml(self_url, f"New versions of {title}", self_url,
                         url_for("datasets.dataset", dept=dept, name=name, _external=True),
                         _publisher(), entries)
    changed = max((e.updated for e in entries), default=atom.EPOCH)
    response = _conditional(hashlib.sha256(body).hexdigest()[:32], changed, ATOM_TYPE,
                            lambda: body)
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.update(("Authorization", "Cookie"))
    return response


def _publisher() -> str:
    return current_app.config.get("ORGANISATION_NAME") or current_app.config["SERVICE_NAME"]


def _open_answer(state: atom.FeedState, mimetype: str, build: Callable[[], bytes]) -> Response:
    """A public feed whose content follows the open releases (and this host's address)."""
    tag = hashlib.sha256(f"{state.fingerprint}|{request.host_url}".encode()).hexdigest()[:32]
    response = _conditional(tag, state.changed, mimetype, build)
    response.headers["Cache-Control"] = "public, no-cache"
    return response


def _conditional(etag: str, changed: datetime, mimetype: str,
                 build: Callable[[], bytes]) -> Response:
    """304 when the request's If-None-Match holds `etag`, else the built body; both with the
    validators. If-Modified-Since alone is answered in full: an HTTP date counts whole seconds,
    so it cannot tell a release from a withdrawal made in the same second, and a 304 then
    would keep a withdrawn version in a cache."""
    response = Response(mimetype=mimetype)
    response.set_etag(etag)
    response.last_modified = changed
    if request.if_none_match.contains_weak(etag):
        response.status_code = 304
        return response
    response.set_data(build())
    return response
