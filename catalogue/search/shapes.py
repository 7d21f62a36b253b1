"""What a search takes and gives back. `SearchResults.public()` is the JSON API's shape:
`{count, results: [{id, title, department, snippet, score, updated}], facets: {name: [{value,
label, count}]}, suggestion}`; the results page uses the rest too."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlmodel import SQLModel

from catalogue.search.schema import FACETS

Sort = Literal["relevance", "updated", "title"]
SORTS: tuple[Sort, ...] = ("relevance", "updated", "title")
MAX_PER_PAGE = 100


class SearchRequest(SQLModel):
    q: str = ""
    filters: dict[str, list[str]] = {}
    sort: Sort = "relevance"
    page: int = 1
    per_page: int = 20

    @classmethod
    def build(cls, q: str | None = None, filters: dict[str, list[str]] | None = None,
              sort: str | None = None, page: int | None = None,
              per_page: int | None = None) -> SearchRequest:
        """A request from loose input: unknown facets and sorts are ignored, numbers clamped."""
        clean = {name: sorted({v for v in values if v})[:50]
                 for name, values in (filters or {}).items() if name in FACETS}
        return cls(q=q or "", filters={k: v for k, v in clean.items() if v},
                   sort=sort if sort in SORTS else "relevance",  # type: ignore[arg-type]
                   page=max(page or 1, 1), per_page=min(max(per_page or 20, 1), MAX_PER_PAGE))


class SearchHit(SQLModel):
    id: str
    title: str
    department: str
    snippet: str  # HTML: the matched words in <mark>, everything else escaped
    score: float
    updated: datetime
    # For the results page, not the API:
    slug: str = ""
    department_name: str = ""
    tags: list[str] = []
    classification: str = ""
    version_count: int = 0
    problem_count: int = 0


class FacetValue(SQLModel):
    value: str
    label: str
    count: int
    selected: bool = False


class SearchResults(SQLModel):
    count: int
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = None
    request: SearchRequest
    partial: bool = False  # no dataset matched every word: these match the most words

    def public(self) -> dict[str, Any]:
        hit_fields = {"id", "title", "department", "snippet", "score", "updated"}
        return {
            "count": self.count,
            "results": [hit.model_dump(mode="json", include=hit_fields) for hit in self.results],
            "facets": {name: [v.model_dump(mode="json", include={"value", "label", "count"})
                              for v in values] for name, values in self.facets.items()},
            "suggestion": self.suggestion,
        }


class Completion(SQLModel):
    id: str
    title: str
    department: str
