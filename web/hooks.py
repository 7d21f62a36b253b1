"""Forge webhooks: `POST /api/v1/hooks/push` from GitHub, GitLab or Gitea.

Translation only: the request's headers and raw body go to `catalogue.webhooks.receive_push`,
which verifies the signature and indexes; its answer comes back as JSON.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request

from catalogue.webhooks import receive_push
from web.extensions import catalogue

bp = Blueprint("hooks", __name__, url_prefix="/api/v1/hooks")
MAX_BODY = 25 * 1024 * 1024  # GitHub's own limit for a webhook's payload


@bp.post("/push")
def push() -> Response:
    if request.content_length is not None and request.content_length > MAX_BODY:
        abort(413)
    outcome = receive_push(catalogue(), request.headers, request.get_data(cache=False),
                           request.url_root)
    return jsonify(
        registry=outcome.registry, indexed=outcome.indexed, reason=outcome.reason,
        commits=outcome.commits,
        versions=[{"dataset": v.dataset, "number": v.number, "commit_sha": v.commit_sha,
                   "url": v.url} for v in outcome.versions],
    )
