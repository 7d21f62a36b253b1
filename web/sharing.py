"""Sharing a dataset from its page: whom it is shared with, share it, revoke a share. Also
as JSON under /api/v1 for scripts with a write-scoped token."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from catalogue import browse
from catalogue.clock import LAST_DAY
from catalogue.sharing import GrantInfo, SharingError, agreements
from web.auth import actor, current_person, current_reader
from web.extensions import catalogue, session
from web.params import json_object

bp = Blueprint("sharing", __name__)

PAGE = "/datasets/<dept>/<name>/sharing"
API = "/api/v1/datasets/<dept>/<name>/grants"


@bp.get(PAGE)
@login_required
def sharing_page(dept: str, name: str) -> str:
    return _page(dept, name, errors={}, form={})


@bp.post(PAGE)
@login_required
def share(dept: str, name: str) -> Response | tuple[str, int]:
    form = {key: request.form.get(key, "").strip()
            for key in ("grantee", "from_version", "expires", "purpose", "agreement")}
    errors: dict[str, str] = {}
    try:
        options = _options(form)
    except SharingError as exc:
        errors[exc.args[1]] = exc.args[0]
    if not errors:
        try:
            grant = catalogue().sharing.share(current_person(), actor(), f"{dept}/{name}",
                                              form["grantee"], **options)
        except SharingError as exc:
            field, sep, message = str(exc).partition(": ")
            if sep and field in form:
                errors[field] = message[:1].upper() + message[1:]
            else:
                errors["grantee"] = str(exc)
        else:
            flash(f"Shared with {grant.grantee_name}." if grant.in_force else
                  f"Sharing with {grant.grantee_name} awaits a governance officer's approval.",
                  "success")
            return redirect(url_for("sharing.sharing_page", dept=dept, name=name))
    return _page(dept, name, errors=errors, form=form), 400


@bp.post(PAGE + "/revoke")
@login_required
def revoke(dept: str, name: str) -> Response:
    grantee = request.form.get("grantee", "")
    catalogue().sharing.unshare(current_person(), actor(), f"{dept}/{name}", grantee)
    flash(f"No longer shared with {request.form.get('grantee_name') or grantee}.", "success")
    return redirect(url_for("sharing.sharing_page", dept=dept, name=name))


@bp.get(API)
@login_required
def grants_json(dept: str, name: str) -> Response:
    grants = catalogue().sharing.grants(current_person(), f"{dept}/{name}")
    return jsonify(dataset=f"{dept}/{name}", grants=[_public(g) for g in grants])


@bp.post(API)
@login_required
def share_json(dept: str, name: str) -> tuple[Response, int]:
    body = json_object()
    form = {"grantee": str(body.get("grantee") or ""),
            "from_version": str(body.get("from_version") or ""),
            "expires": str(body.get("expires") or ""),
            "purpose": str(body.get("purpose") or ""),
            "agreement": str(body.get("agreement") or "")}
    try:
        grant = catalogue().sharing.share(current_person(), actor(), f"{dept}/{name}",
                                          form["grantee"], **_options(form))
    except SharingError as exc:  # the form's (message, field): the API's "field: message"
        message, field = exc.args[0], exc.args[1] if len(exc.args) > 1 else None
        prefix = f"{field}: " if field and not message.startswith(f"{field}:") else ""
        raise SharingError(prefix + message) from None
    return jsonify(_public(grant)), 201


@bp.delete(API + "/<grantee>")
@login_required
def revoke_json(dept: str, name: str, grantee: str) -> tuple[str, int]:
    catalogue().sharing.unshare(current_person(), actor(), f"{dept}/{name}", grantee)
    return "", 204


def _page(dept: str, name: str, errors: dict[str, str], form: dict[str, str]) -> str:
    with session() as s:
        detail = browse.dataset(s, current_reader(), dept, name)
    sharing = catalogue().sharing
    grants = sharing.grants(current_person(), detail.id)
    with session() as s:
        known = agreements.agreements(s)
    return render_template("sharing.html", dataset=detail, grants=grants, errors=errors,
                           form=form, grantees=sharing.grantees(),
                           agreements=[a for a in known if a.in_force])


def _options(form: dict[str, str]) -> dict:
    """The share's options from form fields; a SharingError(message, field) when one is wrong."""
    options: dict = {"from_version": None, "expires_on": None,
                     "purpose": form.get("purpose") or None,
                     "agreement": form.get("agreement") or None}
    if not form["grantee"]:
        raise SharingError("Choose whom to share it with", "grantee")
    if form["from_version"]:
        if not re.fullmatch(r"[0-9]{1,18}", form["from_version"]):
            raise SharingError("Enter a version number, such as 3", "from_version")
        options["from_version"] = int(form["from_version"])
    if form["expires"]:
        try:
            options["expires_on"] = date.fromisoformat(form["expires"])
        except ValueError:
            raise SharingError("Enter the last day as YYYY-MM-DD, for example 2027-03-31",
                               "expires") from None
        if options["expires_on"] > LAST_DAY:
            raise SharingError(f"Enter a last day up to {LAST_DAY.isoformat()}, or none for "
                               "a share with no end", "expires")
    return options


def _public(g: GrantInfo) -> dict:
    return g.public()
