"""Reading query-string parameters the same way for pages and their JSON twins."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_PAGE = 1_000_000  # far past any real page; keeps OFFSET within the database's integers
MAX_INT = 2**31 - 1  # the largest INTEGER column value (32 bits on PostgreSQL)


class BoundedInt(IntegerConverter):
    """`<int:…>` in every route: a number past the INTEGER columns is a 404, not an overflow in the
    database."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's own name)
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    def last_page(self, count: int) -> int:
        return max(1, -(-count // self.per_page))


def paging() -> Paging:
    """`?page=&per_page=`, clamped to sensible values (never an error for a bad number)."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", current_app.config["PER_PAGE"], type=int) or 1
    return Paging(min(max(page, 1), MAX_PAGE),
                  min(max(per_page, 1), current_app.config["MAX_PER_PAGE"]))


def text(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


def flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes", "on")


def twin(endpoint: str, **values: str) -> str:
    """The URL of this page's JSON twin, with the same query parameters."""
    return url_for(endpoint, **values, **request.args.to_dict())


def json_object() -> dict[str, Any]:
    """The request's JSON body, which must be an object: {} when there is no body, a 400 naming
    `body` when it is not JSON (nested past the parser's depth included) or not an object."""
    data = request.get_data(cache=True)
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        raise BadRequest("body: not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest(f"body: give a JSON object, not {type(body).__name__}")
    return body
