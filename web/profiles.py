"""Profiles, previews and comparisons: the JSON API's views and the compare page. The version
page shows its profile through `version_profile` (web/datasets.py)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from catalogue import browse
from catalogue.errors import InvalidInput
from catalogue.profiles.compare import compare, parse_version
from catalogue.profiles.preview import parse_rows, preview
from catalogue.profiles.reads import version_profile
from catalogue.sharing.reads import record_read
from web.auth import actor, current_reader
from web.extensions import catalogue, session

api = Blueprint("profiles_api", __name__, url_prefix="/api/v1/datasets/<dept>/<name>")
pages = Blueprint("profiles", __name__, url_prefix="/datasets/<dept>/<name>")


@pages.app_template_global()
def version_profile_of(department: str, slug: str, number: int) -> dict:
    """The version page's profile section (the same answer as the profile's JSON)."""
    with session() as s:
        return version_profile(s, catalogue().jobs, current_reader(), department, slug, number)


@api.get("/versions/<int:number>/profile")
def profile(dept: str, name: str, number: int) -> Response:
    with session() as s:
        found = version_profile(s, catalogue().jobs, current_reader(), dept, name, number)
    return jsonify(found)


@api.get("/versions/<int:number>/preview")
def preview_rows(dept: str, name: str, number: int) -> Response:
    rows = parse_rows(request.args.get("rows"))
    with session() as s:
        found = preview(s, catalogue().storage, current_reader(), dept, name, number,
                        request.args.get("path"), rows)
    record_read(catalogue().engine, actor(), f"{dept}/{name}", number,
                request.args.get("path") or "", kind="preview")
    return jsonify(found)


@api.get("/compare")
def compare_json(dept: str, name: str) -> Response:
    with session() as s:
        old, new = _versions(s, dept, name)
        found = compare(s, catalogue().storage, catalogue().jobs, current_reader(), dept,
                        name, old, new)
    return jsonify(found)


@pages.get("/compare")
def compare_page(dept: str, name: str) -> str:
    reader = current_reader()
    with session() as s:
        dataset = browse.dataset(s, reader, dept, name)
        versions = browse.versions(s, reader, dept, name)
        old, new = _versions(s, dept, name)
        found = compare(s, catalogue().storage, catalogue().jobs, reader, dept, name, old, new)
    return render_template(
        "compare.html", dataset=dataset, versions=versions, comparison=found,
        json_url=url_for("profiles_api.compare_json", dept=dept, name=name,
                         **{"from": old, "to": new}))


def _versions(s, dept: str, name: str) -> tuple[int, int]:
    """`from` and `to`; by default the current version against the one before it."""
    old = parse_version(request.args.get("from"), "from")
    new = parse_version(request.args.get("to"), "to")
    if old is None or new is None:
        latest = browse.versions(s, current_reader(), dept, name, limit=2)
        if new is None:
            new = latest[0].number if latest else 1
        if old is None:
            old = new - 1
        if old < 1:
            raise InvalidInput("from", "the dataset has one version: there is nothing to "
                                       "compare it with")
    return old, new
