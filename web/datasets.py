"""A dataset's pages: the dataset, its versions, one version, and downloading a version's file."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, url_for

from catalogue import browse
from catalogue.downloads import open_download
from web.auth import current_reader
from web.extensions import session

bp = Blueprint("datasets", __name__, url_prefix="/datasets/<dept>/<name>")


@bp.get("")
def dataset(dept: str, name: str) -> str:
    reader = current_reader()
    with session() as s:
        detail = browse.dataset(s, reader, dept, name)
        versions = browse.versions(s, reader, dept, name,
                                   limit=current_app.config["TIMELINE_VERSIONS"])
        lineage = browse.lineage(s, reader, dept, name)
    return render_template("dataset.html", dataset=detail, versions=versions,
                           lineage=lineage, json_url=url_for("api.dataset", dept=dept, name=name))


@bp.get("/versions")
def version_list(dept: str, name: str) -> str:
    reader = current_reader()
    with session() as s:
        summary = browse.dataset(s, reader, dept, name)
        versions = browse.versions(s, reader, dept, name)
    return render_template("versions.html", dataset=summary, versions=versions,
                           json_url=url_for("api.version_list", dept=dept, name=name))


@bp.get("/versions/<int:number>")
def version(dept: str, name: str, number: int) -> str:
    reader = current_reader()
    with session() as s:
        summary = browse.dataset(s, reader, dept, name)
        found = browse.version(s, reader, dept, name, number)
    how_to_get = [browse.how_to_get(summary.registry_url, found.commit_sha, found.dataset, f.path)
                  for f in found.files]
    return render_template("version.html", dataset=summary, version=found, how_to_get=how_to_get,
                           json_url=url_for("api.version", dept=dept, name=name, number=number))


@bp.get("/versions/<int:number>/files/<path:path>")
def download(dept: str, name: str, number: int, path: str) -> Response:
    """The bytes of one file of a version, streamed from the DVC remote as they are read.

    Also served under /api/v1/ (the same function); a DataUnavailable becomes a 503 there
    as JSON and here as a page.
    """
    with session() as s:
        opened = open_download(s, current_reader(), dept, name, number, path)
    response = Response(opened.chunks, content_type=opened.content_type,
                        direct_passthrough=True)
    response.content_length = opened.size
    response.headers["Content-Disposition"] = attachment(opened.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def attachment(filename: str) -> str:
    """A Content-Disposition value that saves the file under its own name, in any language."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    fallback = fallback.replace("\\", "_").replace('"', "_")
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
