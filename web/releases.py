"""Open releases in the browser and the JSON API: asking for a version to be released (a form
on the version page), the review queue, a request's page with its checks and the governance
officer's decision, running the checks again, publishing again, and withdrawing a release.

Every page has its JSON twin under /api/v1, and every form its JSON twin for scripts holding a
write-scoped token. The views translate only: the core (catalogue.releases) decides who may
do what and raises the errors web/errors.py turns into responses; a form's wrong field is shown
on the form itself, with the GOV.UK error summary, and what was typed is kept.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from catalogue.errors import Conflict, InvalidInput, NotFound
from catalogue.opendata.reads import open_version
from catalogue.releases.licences import OPEN_LICENCES, open_licence
from catalogue.releases.models import STATUSES, UNDECIDED
from catalogue.releases.rules import UNOVERRIDABLE, may_request
from catalogue.releases.schemas import ReleaseRequestPublic
from catalogue.releases.snapshot import LABELS
from catalogue.releases.views import age, as_seen_by, queue_order
from catalogue.schemas import DatasetDetail, VersionDetail
from web import datasets
from web.auth import actor, current_person, current_reader
from web.extensions import catalogue, session
from web.params import json_object, text

bp = Blueprint("releases", __name__)
bp.add_app_template_filter(age, "age")

VERSION = "/datasets/<dept>/<name>/versions/<int:number>"
REQUEST = "/release-requests/<request_id>"
API = "/api/v1"
STATUS_TAGS = {"checking": ("Checking", "grey"), "awaiting-review": ("Awaiting review", "blue"),
               "checks-failed": ("Checks failed", "red"), "approved": ("Approved", "green"),
               "rejected": ("Rejected", "orange"), "withdrawn": ("Withdrawn", "grey")}
OUTCOME_TAGS = {"pass": ("Pass", "green"), "warn": ("Warning", "yellow"), "fail": ("Fail", "red")}
CHECK_LABELS = {
    "classification": "Classification", "personal-data-declared": "Personal data declared",
    "licence": "Licence", "description": "Description",
    "owners-and-contact": "Owners and contact", "lineage": "Lineage",
    "data-present": "Data in the DVC remote", "personal-data": "Personal data in the files",
    "disclosure-control": "Small counts (disclosure control)", "checks": "The checks"}
R = TypeVar("R", bound=ReleaseRequestPublic)


# Asking, from the version page


@bp.post(VERSION + "/release-requests")
@login_required
def ask(dept: str, name: str, number: int) -> Response | tuple[str, int]:
    form = {"justification": request.form.get("justification", ""),
            "licence": request.form.get("licence", "")}
    try:
        asked = catalogue().releases.request(current_person(), actor(), f"{dept}/{name}", number,
                                             form["justification"], form["licence"] or None)
    except InvalidInput as exc:
        return _version_page_again(dept, name, number, {exc.field: _message(exc)}, form)
    flash(f"You asked for version {number} to be released. The checks are running.", "success")
    return redirect(url_for(".request_page", request_id=asked.id))


@bp.post(API + VERSION + "/release-requests")
@login_required
def ask_json(dept: str, name: str, number: int) -> tuple[Response, int]:
    body = _body()
    asked = catalogue().releases.request(current_person(), actor(), f"{dept}/{name}", number,
                                         _field(body, "justification"),
                                         _field(body, "licence") or None)
    response = _json(asked)
    response.headers["Location"] = url_for(".request_json", request_id=asked.id)
    return response, 201


@bp.post(VERSION + "/withdraw")
@login_required
def withdraw(dept: str, name: str, number: int) -> Response | tuple[str, int]:
    form = {"withdrawal_reason": request.form.get("reason", "")}
    try:
        catalogue().releases.withdraw(current_person(), actor(), f"{dept}/{name}", number,
                                      form["withdrawal_reason"])
    except InvalidInput as exc:
        return _version_page_again(dept, name, number, {"withdrawal-reason": _message(exc)},
                                   form)
    flash(f"Version {number} is no longer released: it has left the open data pages.",
          "success")
    return redirect(url_for("datasets.version", dept=dept, name=name, number=number))


@bp.post(API + VERSION + "/withdraw")
@login_required
def withdraw_json(dept: str, name: str, number: int) -> Response:
    withdrawn = catalogue().releases.withdraw(current_person(), actor(), f"{dept}/{name}",
                                              number, _field(_body(), "reason"))
    return _json(withdrawn)


@bp.app_template_global()
def version_release(dataset: DatasetDetail, version: VersionDetail) -> dict[str, Any]:
    """What the version page shows of its open release: whether it is released, its current
    request (for those who may see it), and the forms its reader may use."""
    person = current_person()
    key = f"{dataset.department}/{dataset.slug}"
    current = catalogue().releases.for_version(person, key, version.number) if person else None
    with session() as s:
        try:
            open_version(s, dataset.department, dataset.slug, version.number)
            released = True
        except NotFound:
            released = False
    state = g.get("release_form") or {"errors": {}, "form": {}}
    chosen = open_licence(dataset.licence)
    return {
        "released": released,
        "public_url": f"/open/datasets/{key}",
        "request": current,
        "may_request": current is None and may_request(person, dataset.department,
                                                       dataset.owners),
        "may_withdraw": released and person is not None and person.is_governance,
        "licences": list(OPEN_LICENCES.values()),
        "licence": state["form"].get("licence", chosen.id if chosen else ""),
        "status_tags": STATUS_TAGS,
        **state,
    }


# The review queue and a request's page


@bp.get("/release-requests")
@login_required
def queue_page() -> str:
    status = text("status")
    releases, person = catalogue().releases, current_person()
    everything = releases.requests(person)
    shown = releases.requests(person, status) if status else everything
    counts = {s: sum(1 for r in everything if r.status == s) for s in STATUSES}
    return render_template("release_requests.html", requests=queue_order(shown),
                           status=status, counts=counts, total=len(everything),
                           status_tags=STATUS_TAGS,
                           json_url=url_for(".queue_json", status=status))


@bp.get(API + "/release-requests")
@login_required
def queue_json() -> Response:
    found = _shown(queue_order(catalogue().releases.requests(current_person(), text("status"))))
    return jsonify(count=len(found), results=[r.model_dump(mode="json") for r in found])


@bp.get(REQUEST)
@login_required
def request_page(request_id: str) -> str:
    return _request_page(request_id, {}, {})[0]


@bp.get(API + REQUEST)
@login_required
def request_json(request_id: str) -> Response:
    return _json(catalogue().releases.detail(current_person(), request_id))


@bp.post(REQUEST + "/decision")
@login_required
def decide(request_id: str) -> Response | tuple[str, int]:
    form = {"decision": request.form.get("decision", ""),
            "reason": request.form.get("reason", ""),
            "override": request.form.getlist("override")}
    try:
        catalogue().releases.decide(current_person(), actor(), request_id, form["decision"],
                                    form["reason"], form["override"])
    except InvalidInput as exc:
        return _request_page(request_id, {exc.field: _message(exc)}, form, 400)
    except Conflict as exc:  # a failed check not overridden, or decided meanwhile
        return _request_page(request_id, {"decision": str(exc)}, form, 409)
    verb = "approved" if form["decision"] == "approve" else "rejected"
    flash(f"You {verb} the release.", "success")
    return redirect(url_for(".request_page", request_id=request_id))


@bp.post(API + REQUEST + "/decision")
@login_required
def decide_json(request_id: str) -> Response:
    body = _body()
    override = body.get("override") or []
    if not isinstance(override, list) or not all(isinstance(o, str) for o in override):
        raise InvalidInput("override", "a list of check names")
    decided = catalogue().releases.decide(current_person(), actor(), request_id,
                                          _field(body, "decision"), _field(body, "reason"),
                                          override)
    return _json(decided)


@bp.post(REQUEST + "/recheck")
@login_required
def recheck(request_id: str) -> Response:
    catalogue().releases.recheck(current_person(), actor(), request_id)
    flash("The checks are running again.", "success")
    return redirect(url_for(".request_page", request_id=request_id))


@bp.post(API + REQUEST + "/recheck")
@login_required
def recheck_json(request_id: str) -> Response:
    return _json(catalogue().releases.recheck(current_person(), actor(), request_id))


@bp.post(REQUEST + "/publish")
@login_required
def publish(request_id: str) -> Response:
    done = catalogue().releases.retry_publish(current_person(), actor(), request_id)
    if done.published:
        flash("The release is published: its tags are in the registry.", "success")
    else:
        flash(f"The release could not be published: {done.publish_error}", "info")
    return redirect(url_for(".request_page", request_id=request_id))


@bp.post(API + REQUEST + "/publish")
@login_required
def publish_json(request_id: str) -> Response:
    return _json(catalogue().releases.retry_publish(current_person(), actor(), request_id))


# Helpers


def _request_page(request_id: str, errors: dict[str, str], form: dict[str, Any],
                  status: int = 200) -> tuple[str, int]:
    detail = _shown([catalogue().releases.detail(current_person(), request_id)])[0]
    failed = [c for c in detail.checks if c.outcome == "fail"]
    return render_template(
        "release_request.html", r=detail, errors=errors, form=form,
        overridable=[c for c in failed if c.name not in UNOVERRIDABLE],
        blocked=[c for c in failed if c.name in UNOVERRIDABLE],
        may_recheck=detail.status in UNDECIDED and detail.status != "checking",
        licence=open_licence(detail.licence), labels=LABELS, status_tags=STATUS_TAGS,
        outcome_tags=OUTCOME_TAGS, check_labels=CHECK_LABELS,
        json_url=url_for(".request_json", request_id=request_id)), status


def _version_page_again(dept: str, name: str, number: int, errors: dict[str, str],
                        form: dict[str, str]) -> tuple[str, int]:
    """The version page with the form's errors, what was typed kept (version_release reads
    them from `g`)."""
    g.release_form = {"errors": errors, "form": form}
    return datasets.version(dept, name, number), 400


def _shown(found: list[R]) -> list[R]:
    """The requests as the reader may see them (no dataset it may not read named)."""
    reader = current_reader()
    with session() as s:
        return [as_seen_by(s, reader, r) for r in found]


def _json(found: ReleaseRequestPublic) -> Response:
    return jsonify(_shown([found])[0].model_dump(mode="json"))


def _body() -> dict[str, Any]:
    return json_object()


def _field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(name, "give it as text")
    return value or ""


def _message(exc: InvalidInput) -> str:
    """The core's message without its field's name (the form shows it beside the field)."""
    message = str(exc).removeprefix(f"{exc.field}: ")
    return message[:1].upper() + message[1:]
