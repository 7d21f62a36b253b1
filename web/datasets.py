"""A dataset's pages: the dataset, its versions, one version, and downloading a version's file."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import ContentRange, Range

from catalogue import browse
from catalogue.charts.history import version_history
from catalogue.charts.specs import version_charts
from catalogue.downloads import Download, FolderEntry, IsADirectory, list_folder, open_download
from catalogue.schemas import DatasetDetail, DiscoveredDataset
from catalogue.sharing import may_share
from catalogue.sharing.reads import record_read
from web.access_requests import restricted_page
from web.auth import actor, current_person, current_reader
from web.extensions import catalogue, session

bp = Blueprint("datasets", __name__, url_prefix="/datasets/<dept>/<name>")


@bp.get("")
def dataset(dept: str, name: str) -> str:
    reader = current_reader()
    with session() as s:
        found = browse.dataset_or_discovered(s, reader, dept, name)
        if isinstance(found, DiscoveredDataset):
            return restricted_page(found)
        detail = found
        versions = browse.versions(s, reader, dept, name,
                                   limit=current_app.config["TIMELINE_VERSIONS"])
        lineage = browse.lineage(s, reader, dept, name)
        charts = version_charts(version_history(s, reader, dept, name))
        first_readable = browse.first_version(s, reader, dept, name)
    person = current_person()
    asked = catalogue().access_requests.pending_for(person, detail.id) \
        if person and first_readable > 1 else None
    can_share = may_share(current_person(), detail.department, detail.owners)
    tag_review = catalogue().tags.review(current_person(), reader, detail.id) \
        if can_share else None  # the same people decide its tags
    return render_template("dataset.html", dataset=detail, versions=versions,
                           lineage=lineage, can_share=can_share, tag_review=tag_review,
                           version_charts=charts, first_readable=first_readable, asked=asked,
                           json_url=url_for("api.dataset", dept=dept, name=name))


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
    how_to_get = [browse.how_to_get(summary.registry_url, found.commit_sha, found.dataset, f.path,
                                    f.is_dir) for f in found.files]
    return render_template("version.html", dataset=summary, version=found, how_to_get=how_to_get,
                           json_url=url_for("api.version", dept=dept, name=name, number=number))


@bp.get("/versions/<int:number>/files/<path:path>")
def download(dept: str, name: str, number: int, path: str) -> Response | str:
    """The bytes of one file of a version, streamed from the DVC remote as they are read; for a
    directory output (or a folder in one), its listing.

    Also served under /api/v1/ (the same function): there a listing is JSON, and errors
    (a DataUnavailable is a 503) are JSON too.
    """
    reader = current_reader()
    with session() as s:
        try:
            opened = open_download(s, catalogue().storage, reader, dept, name, number, path)
        except IsADirectory:
            entries = list_folder(s, catalogue().storage, reader, dept, name, number, path)
            summary = None if _api() else browse.dataset(s, reader, dept, name)
        else:
            entries = None
    if entries is not None:
        return _folder(summary, dept, name, number, path.strip("/"), entries)
    record_read(catalogue().engine, actor(), f"{dept}/{name}", number, path)
    return file_response(opened)


def file_response(opened: Download) -> Response:
    """A file's bytes streamed as they are read from the DVC remote, saved under its name.

    A request for one range of bytes (`Range: bytes=START-END`, as a download manager resuming
    a large file sends) gets those bytes only, 206, read from that offset of the remote (on
    S3, ranged GETs of that part only); one past the end gets 416. Several ranges, or an
    If-Range, get the whole file."""
    wanted = request.range if opened.size is not None and opened.ranged else None
    if wanted is not None and len(wanted.ranges) == 1 and "If-Range" not in request.headers:
        response = _partial(opened, wanted)
    else:
        response = Response(opened.chunks, content_type=opened.content_type,
                            direct_passthrough=True)
        response.content_length = opened.size
    response.accept_ranges = "bytes"
    response.headers["Content-Disposition"] = attachment(opened.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _partial(opened: Download, wanted: Range) -> Response:
    assert opened.size is not None and opened.ranged is not None
    bounds = wanted.range_for_length(opened.size)
    if bounds is None:
        list(opened.ranged(0, 0))  # reads nothing, and closes the file
        response = Response(status=416)
        response.content_range = ContentRange("bytes", None, None, opened.size)
        return response
    start, stop = bounds
    response = Response(opened.ranged(start, stop), status=206,
                        content_type=opened.content_type, direct_passthrough=True)
    response.content_length = stop - start
    response.content_range = ContentRange("bytes", start, stop, opened.size)
    return response


def _api() -> bool:
    return request.blueprint == "api"


def _folder(summary: DatasetDetail | None, dept: str, name: str, number: int, path: str,
            entries: list[FolderEntry]) -> Response | str:
    endpoint = "api.download" if _api() else "datasets.download"
    links = [url_for(endpoint, dept=dept, name=name, number=number, path=e.path)
             for e in entries]
    if summary is None:
        return jsonify(dataset=f"{dept}/{name}", version=number, path=path, entries=[
            {"name": e.name, "path": e.path, "is_dir": e.is_dir, "md5": e.md5, "url": link}
            for e, link in zip(entries, links, strict=True)])
    return render_template("folder.html", dataset=summary, number=number, path=path,
                           entries=list(zip(entries, links, strict=True)),
                           json_url=url_for("api.download", dept=dept, name=name,
                                            number=number, path=path))


def attachment(filename: str) -> str:
    """A Content-Disposition value that saves the file under its own name, in any language."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    fallback = fallback.replace("\\", "_").replace('"', "_")
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
