"""The audit trail, for governance officers and administrators: filtered by what, who, which
dataset and which days, and exported as CSV (`/audit.csv`, the same filters)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from flask import Blueprint, Response, render_template, request
from flask_login import login_required
from werkzeug.exceptions import Forbidden

from catalogue import audit
from catalogue.errors import InvalidInput
from web.auth import current_person, current_reader
from web.extensions import catalogue
from web.params import paging

bp = Blueprint("audit", __name__)
EXPORT_LIMIT = 100_000
CSV_COLUMNS = ("at", "actor", "action", "label", "target", "source", "detail")


@bp.get("/audit")
@login_required
def audit_page() -> str:
    _check()
    pager = paging()
    filters = _filters()
    count, entries = audit.events(catalogue().engine, page=pager.page, per_page=pager.per_page,
                                  reader=current_reader(), **filters)
    return render_template("audit.html", entries=entries, count=count, paging=pager,
                           action=filters["action"], actions=audit.ACTIONS, filters=filters,
                           export_args=request.args.to_dict())


@bp.get("/audit.csv")
@login_required
def audit_csv() -> Response:
    _check()
    _, entries = audit.events(catalogue().engine, page=1, per_page=EXPORT_LIMIT,
                              reader=current_reader(), **_filters())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([e.at.isoformat(), e.actor or "command line", e.action, e.label,
                         e.target or "", e.source or "",
                         json.dumps(e.detail, sort_keys=True, default=str)])
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'})


def _check() -> None:
    if not current_person().reads_audit:
        raise Forbidden("Only governance officers and administrators can read the audit trail")


def _filters() -> dict:
    """The trail's filters from the query string; a bad date is a 400 naming its field."""
    args = request.args
    action = args.get("action") or None
    found: dict = {"action": action if action in audit.ACTIONS else None,
                   "actor": (args.get("person") or "").strip() or None,
                   "dataset": (args.get("dataset") or "").strip() or None}
    for name, field in (("since", "from"), ("until", "to")):
        value = (args.get(field) or "").strip()
        try:
            found[name] = date.fromisoformat(value) if value else None
        except ValueError:
            raise InvalidInput(field, "write a date as YYYY-MM-DD, for example "
                                      "2026-04-01") from None
    return found
