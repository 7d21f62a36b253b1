"""A person's notifications (a page, and its JSON twin), marking them read, and following a
dataset from its page.

JSON, for scripts (a write-scoped token, or a session with its CSRF token):
- `GET /api/v1/notifications?page=&per_page=`: `{count, unread, page, per_page, results}`,
  newest first; each result `{id, at, kind, subject, body, link, url, read, read_at}`.
- `POST /api/v1/notifications/read` with `{"ids": [1, 2]}` (or no ids: all of them):
  `{marked, unread}`; an id that is not the caller's is 404 and marks nothing.
- `GET /api/v1/datasets/<dept>/<name>/follow`: `{dataset, following}`; `PUT` follows and
  `DELETE` unfollows, answering the same shape. A dataset the caller may not read is 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from catalogue.notifications.service import NotificationInfo
from catalogue.people import Person
from web.auth import current_person
from web.errors import error_response
from web.extensions import catalogue
from web.params import MAX_INT, json_object, paging

bp = Blueprint("notifications", __name__)

API = "/api/v1/notifications"
FOLLOW = "/datasets/<dept>/<name>"
FOLLOW_API = "/api/v1/datasets/<dept>/<name>/follow"


@bp.app_context_processor
def _header() -> dict[str, Any]:
    """The unread count the header shows beside a signed-in person's name."""
    person = current_person()
    return {"unread_notifications":
            catalogue().notifications.unread_count(person) if person else None}


@bp.app_template_global()
def is_following(key: str) -> bool | None:
    """Whether the signed-in person follows this dataset (None: nobody signed in)."""
    person = current_person()
    return catalogue().notifications.follows(person, key) if person else None


@bp.get("/notifications")
@login_required
def notifications_page() -> str:
    person, pager = _me(), paging()
    count, items = catalogue().notifications.inbox(person, pager.page, pager.per_page)
    return render_template("notifications.html", count=count, paging=pager,
                           items=[(n, n.link if _internal(n.link) else None) for n in items],
                           unread=catalogue().notifications.unread_count(person),
                           json_url=url_for("notifications.notifications_json",
                                            **request.args.to_dict()))


@bp.post("/notifications/read")
@login_required
def mark_all_read() -> Response:
    marked = catalogue().notifications.mark_read(_me(), None)
    flash("All your notifications are marked as read." if marked
          else "You had no unread notifications.", "success")
    return redirect(url_for("notifications.notifications_page"))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Response:
    catalogue().notifications.mark_read(_me(), [notification_id])
    page = request.form.get("page", type=int)
    return redirect(url_for("notifications.notifications_page",
                            page=page if page and page > 1 else None))


@bp.get(API)
@login_required
def notifications_json() -> Response:
    person, pager = _me(), paging()
    count, items = catalogue().notifications.inbox(person, pager.page, pager.per_page)
    return jsonify(count=count, unread=catalogue().notifications.unread_count(person),
                   page=pager.page, per_page=pager.per_page,
                   results=[_public(n) for n in items])


@bp.post(API + "/read")
@login_required
def mark_read_json() -> Response | tuple[Response | str, int]:
    ids = json_object().get("ids")
    if ids is not None and (not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_INT for i in ids)):
        return error_response(400, "ids: give a list of notification ids, or none for all")
    person = _me()
    marked = catalogue().notifications.mark_read(person, ids)
    return jsonify(marked=marked, unread=catalogue().notifications.unread_count(person))


@bp.post(FOLLOW + "/follow")
@login_required
def follow(dept: str, name: str) -> Response:
    catalogue().notifications.follow(_me(), f"{dept}/{name}")
    flash(f"You are following {dept}/{name}: you will be told of its new versions.",
          "success")
    return redirect(url_for("datasets.dataset", dept=dept, name=name))


@bp.post(FOLLOW + "/unfollow")
@login_required
def unfollow(dept: str, name: str) -> Response:
    catalogue().notifications.unfollow(_me(), f"{dept}/{name}")
    flash(f"You no longer follow {dept}/{name}.", "success")
    return redirect(url_for("datasets.dataset", dept=dept, name=name))


@bp.route(FOLLOW_API, methods=["GET", "PUT", "DELETE"])
@login_required
def follow_json(dept: str, name: str) -> Response:
    key, notifications = f"{dept}/{name}", catalogue().notifications
    if request.method == "PUT":
        notifications.follow(_me(), key)
        following = True
    elif request.method == "DELETE":
        notifications.unfollow(_me(), key)
        following = False
    else:
        following = notifications.follows(_me(), key)
    return jsonify(dataset=key, following=following)


def _me() -> Person:
    person = current_person()
    assert person is not None  # login_required
    return person


def _internal(link: str | None) -> bool:
    """A link to a page of the catalogue (never another site's, whatever was stored)."""
    return bool(link) and link.startswith("/") and not link.startswith("//") \
        and "\\" not in link


def _public(n: NotificationInfo) -> dict[str, Any]:
    return {"id": n.id, "at": n.at.isoformat(), "kind": n.kind, "subject": n.subject,
            "body": n.body, "link": n.link if _internal(n.link) else None,
            "url": request.host_url.rstrip("/") + n.link if _internal(n.link) else None,
            "read": n.read, "read_at": n.read_at.isoformat() if n.read_at else None}
