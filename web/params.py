"""Reading query-string parameters the same way for pages and their JSON twins."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for


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
    return Paging(max(page, 1), min(max(per_page, 1), current_app.config["MAX_PER_PAGE"]))


def text(name: str) -> str | None:
    value = request.args.get(name, "").strip()
    return value or None


def flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes", "on")


def twin(endpoint: str, **values: str) -> str:
    """The URL of this page's JSON twin, with the same query parameters."""
    return url_for(endpoint, **values, **request.args.to_dict())
