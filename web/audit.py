"""The audit trail, for governance officers and administrators."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from werkzeug.exceptions import Forbidden

from catalogue import audit
from web.auth import current_person, current_reader
from web.extensions import catalogue
from web.params import paging

bp = Blueprint("audit", __name__)


@bp.get("/audit")
@login_required
def audit_page() -> str:
    person = current_person()
    if not person.reads_audit:
        raise Forbidden("Only governance officers and administrators can read the audit trail")
    pager = paging()
    action = request.args.get("action") or None
    if action not in audit.ACTIONS:
        action = None
    count, entries = audit.events(catalogue().engine, action=action, page=pager.page,
                                  per_page=pager.per_page, reader=current_reader())
    return render_template("audit.html", entries=entries, count=count, paging=pager,
                           action=action, actions=audit.ACTIONS)
