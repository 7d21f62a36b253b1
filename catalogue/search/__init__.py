"""Search across departments: one Whoosh document per dataset, filtered by the reader's
principals inside every query. `SearchIndex` (catalogue.search.service) is the implementation
of the `Search` contract below; the web and the CLI reach it as `Catalogue.search`."""

from __future__ import annotations

from typing import Protocol

from catalogue.access import Reader
from catalogue.search.service import Progress, SearchIndex, SearchIndexBusy
from catalogue.search.shapes import (
    Completion,
    FacetValue,
    SearchHit,
    SearchRequest,
    SearchResults,
)

__all__ = ["Completion", "FacetValue", "Search", "SearchHit", "SearchIndex", "SearchIndexBusy",
           "SearchRequest", "SearchResults"]


class Search(Protocol):
    def search(self, reader: Reader, request: SearchRequest) -> SearchResults: ...

    def suggest(self, reader: Reader, text: str, limit: int = 8) -> list[Completion]: ...

    def datasets_changed(self, keys: set[str] | None) -> None: ...

    def rebuild(self, progress: Progress | None = None, read_columns: bool = True) -> int: ...
