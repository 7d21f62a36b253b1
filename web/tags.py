"""Suggested tags: the owners' accept and dismiss forms, and the suggestions as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from catalogue.errors import Forbidden
from catalogue.tags.schemas import TagReviewPublic, public
from catalogue.tags.service import TagReview
from web import openapi
from web.auth import actor, current_person, current_reader
from web.extensions import catalogue
from web.openapi import Operation

bp = Blueprint("tags", __name__, url_prefix="/datasets/<dept>/<name>/tags")
api = Blueprint("tags_api", __name__, url_prefix="/api/v1/datasets/<dept>/<name>")


@bp.post("/accept")
def accept(dept: str, name: str) -> BaseResponse:
    return _decide(dept, name, "accept")


@bp.post("/dismiss")
def dismiss(dept: str, name: str) -> BaseResponse:
    return _decide(dept, name, "dismiss")


def _decide(dept: str, name: str, decision: str) -> BaseResponse:
    catalogue().tags.decide(current_person(), current_reader(), actor(), f"{dept}/{name}",
                            request.form.get("tag", ""), decision)
    return redirect(url_for("datasets.dataset", dept=dept, name=name) + "#suggested-tags")


@api.get("/suggested-tags")
@openapi.describe(Operation("A dataset's suggested tags, for those who decide them",
                            TagReviewPublic, signed_in=True, tag="Suggested tags"))
def suggested(dept: str, name: str) -> Response:
    """For the people who may decide them (the owners, publishers, governance): 403 for others."""
    review = catalogue().tags.review(current_person(), current_reader(), f"{dept}/{name}")
    if review is None:
        raise Forbidden("Only the dataset's owners, its department's publishers and "
                        "governance officers see its suggested tags")
    return jsonify(as_json(review))


def as_json(review: TagReview) -> dict:
    return public(review).model_dump(mode="json")
