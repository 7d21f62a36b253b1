"""Requests for access: the restricted page of a discoverable dataset (with its request form),
asking, the requests to decide and one's own, and deciding; JSON twins under /api/v1."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from catalogue import browse
from catalogue.errors import CatalogueError, InvalidInput
from catalogue.schemas import DiscoveredDataset
from catalogue.sharing.requests import AccessRequestInfo
from web.auth import actor, current_person, current_reader
from web.extensions import catalogue, session
from web.params import json_object

bp = Blueprint("access_requests", __name__)

ASK = "/datasets/<dept>/<name>/access-requests"


def restricted_page(dataset: DiscoveredDataset, errors: dict[str, str] | None = None,
                    form: dict[str, str] | None = None) -> str:
    """A discoverable dataset's page for someone who may not read it."""
    person = current_person()
    pending = catalogue().access_requests.pending_for(person, dataset.id) if person else None
    return render_template("dataset_restricted.html", dataset=dataset, pending=pending,
                           errors=errors or {}, form=form or {},
                           json_url=url_for("api.dataset", dept=dataset.department,
                                            name=dataset.slug))


@bp.post(ASK)
@login_required
def ask(dept: str, name: str) -> Response | tuple[str, int]:
    purpose = request.form.get("purpose", "")
    try:
        catalogue().access_requests.ask(current_person(), actor(), f"{dept}/{name}", purpose)
    except CatalogueError as exc:
        if exc.status != 400:
            raise
        with session() as s:
            found = browse.discovered(s, current_reader(), dept, name)
        return restricted_page(found, _errors(exc), {"purpose": purpose}), 400
    flash("Your request was sent to the dataset's owners. You will be told of their answer.",
          "success")
    return redirect(url_for("datasets.dataset", dept=dept, name=name))


@bp.post("/api/v1" + ASK)
@login_required
def ask_json(dept: str, name: str) -> tuple[Response, int]:
    body = _body()
    made = catalogue().access_requests.ask(current_person(), actor(), f"{dept}/{name}",
                                           _text(body, "purpose"))
    return jsonify(made.public()), 201


@bp.get("/access-requests")
@login_required
def requests_page() -> str:
    person = current_person()
    service = catalogue().access_requests
    return render_template("access_requests.html", to_decide=service.to_decide(person),
                           mine=service.mine(person),
                           json_url=url_for("access_requests.requests_json"))


@bp.get("/api/v1/access-requests")
@login_required
def requests_json() -> Response:
    person = current_person()
    service = catalogue().access_requests
    return jsonify(to_decide=[r.public() for r in service.to_decide(person)],
                   mine=[r.public() for r in service.mine(person)])


@bp.get("/access-requests/<request_id>")
@login_required
def request_page(request_id: str) -> str:
    return _request_page(request_id, {}, {})


@bp.get("/api/v1/access-requests/<request_id>")
@login_required
def request_json(request_id: str) -> Response:
    return jsonify(catalogue().access_requests.get(current_person(), request_id).public())


@bp.post("/access-requests/<request_id>/decision")
@login_required
def decide(request_id: str) -> Response | tuple[str, int]:
    form = {k: request.form.get(k, "").strip() for k in ("decision", "reason", "expires",
                                                         "agreement")}
    try:
        done = catalogue().access_requests.decide(
            current_person(), actor(), request_id, form["decision"], form["reason"],
            _day(form["expires"]), form["agreement"])
    except CatalogueError as exc:
        if exc.status != 400:
            raise
        return _request_page(request_id, _errors(exc), form), 400
    flash(f"Request {done.status}. {done.requested_by} has been told.", "success")
    return redirect(url_for("access_requests.request_page", request_id=request_id))


@bp.post("/api/v1/access-requests/<request_id>/decision")
@login_required
def decide_json(request_id: str) -> Response:
    body = _body()
    done = catalogue().access_requests.decide(
        current_person(), actor(), request_id, _text(body, "decision"), _text(body, "reason"),
        _day(_text(body, "expires")), _text(body, "agreement"))
    return jsonify(done.public())


def _request_page(request_id: str, errors: dict[str, str], form: dict[str, str]) -> str:
    person = current_person()
    service = catalogue().access_requests
    found: AccessRequestInfo = service.get(person, request_id)
    return render_template("access_request.html", req=found, errors=errors, form=form,
                           may_decide=service.may_decide(person, found),
                           json_url=url_for("access_requests.request_json",
                                            request_id=request_id))


def _body() -> dict:
    return json_object()  # a 400 naming `body` when it is not a JSON object


def _text(body: dict, key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(key, "must be text")
    return value


def _day(text: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("expires", "write the last day as YYYY-MM-DD, for example "
                                      "2027-03-31") from None


def _errors(exc: CatalogueError) -> dict[str, str]:
    """A form's errors from a core error whose message begins with its field's name."""
    field, sep, message = str(exc).partition(": ")
    if sep and field.isidentifier():
        return {field: message[:1].upper() + message[1:]}
    return {"purpose": str(exc)}
