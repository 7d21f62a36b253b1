"""The register of shares (governance officers): every grant with its status, filtered, as a
page, as JSON (`GET /api/v1/grants`) and as CSV; and deciding grants that await approval
(`POST /api/v1/grants/<id>/decision`, or the page's form)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from catalogue.errors import InvalidInput
from catalogue.sharing.register import RegisterFilter, register, to_csv
from catalogue.sharing.rules import SHOWN_STATES
from web.auth import actor, current_person
from web.extensions import catalogue
from web.params import json_object

bp = Blueprint("governance", __name__)
PAGE = "/governance/shares"


@bp.get(PAGE)
@login_required
def register_page() -> str | Response:
    where = RegisterFilter.parse(request.args)
    grants = register(catalogue().engine, current_person(), where)
    if request.args.get("format") == "csv":
        return _csv(grants)
    return render_template("register.html", grants=grants, where=where, states=SHOWN_STATES,
                           args=request.args.to_dict(),
                           json_url=url_for("governance.register_json", **request.args))


@bp.get("/api/v1/grants")
@login_required
def register_json() -> Response:
    where = RegisterFilter.parse(request.args)
    grants = register(catalogue().engine, current_person(), where)
    if request.args.get("format") == "csv" or \
            request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        return _csv(grants)
    return jsonify(count=len(grants), results=[g.public() for g in grants])


@bp.post("/api/v1/grants/<grant_id>/decision")
@login_required
def decide_json(grant_id: str) -> Response:
    body = json_object()
    if not body:
        raise InvalidInput("body", "send a JSON object with decision and reason")
    decision, reason = body.get("decision"), body.get("reason")
    if not isinstance(decision, str):
        raise InvalidInput("decision", "choose approve or refuse")
    if reason is not None and not isinstance(reason, str):
        raise InvalidInput("reason", "must be text")
    done = catalogue().sharing.decide(current_person(), actor(), grant_id, decision, reason)
    return jsonify(done.public())


@bp.post(PAGE + "/<grant_id>/decision")
@login_required
def decide(grant_id: str) -> Response:
    done = catalogue().sharing.decide(current_person(), actor(), grant_id,
                                      request.form.get("decision", ""),
                                      request.form.get("reason", ""))
    flash(f"Share of {done.dataset} with {done.grantee_name}: {done.status}.", "success")
    return redirect(url_for("governance.register_page", status="pending"))


def _csv(grants) -> Response:
    return Response(to_csv(grants), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="shares.csv"'})
