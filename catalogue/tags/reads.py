"""Accepted tags for search documents (no extractor imported here: search imports this)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Connection

from catalogue.tags.models import ACCEPTED, TagSuggestion

TAGS = TagSuggestion.__table__


def accepted_tags(conn: Connection, keys: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Accepted tags by dataset key, oldest first; every dataset's when `keys` is None."""
    query = select(TAGS.c.department, TAGS.c.dataset, TAGS.c.tag).where(
        TAGS.c.status == ACCEPTED, TAGS.c.tag != "").order_by(TAGS.c.id)
    wanted = None if keys is None else set(keys)
    found: dict[str, list[str]] = {}
    for department, dataset, tag in conn.execute(query):
        key = f"{department}/{dataset}"
        if wanted is None or key in wanted:
            found.setdefault(key, []).append(tag)
    return found
