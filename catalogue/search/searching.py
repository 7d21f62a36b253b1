"""A search over one snapshot of the index, for one reader.

The reader's permission filter is part of every step: the documents a query matches are
collected only from those the reader may read, and counts, facets, snippets and the "did you
mean" suggestion are all computed from that collection, so nothing else can show through.
"""

from __future__ import annotations

import heapq
from datetime import UTC, datetime

import numpy as np
from whoosh import query as wq

from catalogue.access import Reader
from catalogue.search.evaluate import exact_titles, facet_counts, match
from catalogue.search.query import parse
from catalogue.search.schema import FACETS, FORMAT_LABELS, PLAIN, VISIBILITY_LABELS
from catalogue.search.shapes import (
    Completion,
    FacetValue,
    SearchHit,
    SearchRequest,
    SearchResults,
)
from catalogue.search.snapshot import Snapshot
from catalogue.search.snippets import beginning, highlight

FACET_VALUES_SHOWN = 30
COMPLETION_WORDS = 8


def run_search(snap: Snapshot, reader: Reader, request: SearchRequest) -> SearchResults:
    allowed = snap.readable(snap.allowed(reader.principals))
    parsed = parse(request.q)
    if parsed.empty:
        matched, scores, partial = allowed, None, False
    else:
        matched, scores, partial = match(snap, parsed, allowed)
    kept, counts = facet_counts(snap, matched, request.filters)
    exact = exact_titles(snap, parsed.text, allowed) if scores is not None else None
    order = _order(snap, np.flatnonzero(kept), scores, exact, request.sort)
    start = (request.page - 1) * request.per_page
    page = order[start:start + request.per_page]
    terms = parsed.highlight_terms()
    return SearchResults(
        count=len(order),
        results=[_hit(snap, int(d), float(scores[d]) if scores is not None else 0.0, terms)
                 for d in page],
        facets=_facets(snap, counts, request.filters),
        suggestion=parsed.suggestion(),
        request=request,
        partial=partial,
    )


def _order(snap: Snapshot, docs: np.ndarray, scores: np.ndarray | None,
           exact: np.ndarray | None, sort: str) -> np.ndarray:
    """Best match: an exact title first, then by score; or newest first; or by title."""
    rank = snap.title_rank[docs]
    newest = -np.nan_to_num(snap.updated[docs], nan=-np.inf)
    if sort == "title":
        keys: tuple = (newest, rank)
    elif sort == "updated" or scores is None or exact is None:
        keys = (rank, newest)
    else:
        keys = (rank, -scores[docs], ~exact[docs])
    return docs[np.lexsort(keys)]


def _facets(snap: Snapshot, counts: np.ndarray, filters: dict[str, list[str]],
            ) -> dict[str, list[FacetValue]]:
    """Each facet's values that readable datasets have, most common first (and the values
    filtered on, even when none has them)."""
    found: dict[str, list[FacetValue]] = {name: [] for name in FACETS}
    for code in np.flatnonzero(counts):
        name, value = snap.values[code]
        found[name].append(FacetValue(value=value, label=_label(snap, name, value),
                                      count=int(counts[code]),
                                      selected=value in filters.get(name, ())))
    out = {}
    for name, values in found.items():
        values.sort(key=lambda f: (-f.count, f.label.casefold()))
        shown = values[:FACET_VALUES_SHOWN] + [v for v in values[FACET_VALUES_SHOWN:]
                                               if v.selected]
        listed = {v.value for v in values}
        shown += [FacetValue(value=v, label=_label(snap, name, v, known=False), count=0,
                             selected=True) for v in sorted(set(filters.get(name, ())) - listed)]
        out[name] = shown
    return out


def _label(snap: Snapshot, name: str, value: str, known: bool = True) -> str:
    """A facet value's label. A value no readable dataset has (a filter as typed) is shown
    as typed: its label would come from a dataset the reader may not see."""
    if name == "visibility":
        return VISIBILITY_LABELS.get(value, value)
    if name == "format":
        return FORMAT_LABELS.get(value, value.upper())
    return snap.labels.get((name, value), value) if known else value


def _hit(snap: Snapshot, docnum: int, score: float, terms: set[str]) -> SearchHit:
    stored = snap.searcher.stored_fields(docnum)
    shown = stored.get("display") or {}
    return SearchHit(
        id=stored["id"], title=stored.get("title", ""), department=shown.get("department", ""),
        snippet=snippet(stored, terms), score=round(score, 4),
        updated=datetime.fromisoformat(shown["updated"]) if shown.get("updated")
        else datetime.fromtimestamp(0, UTC),
        slug=shown.get("slug", ""), department_name=shown.get("department_name", ""),
        tags=shown.get("tags", []), classification=shown.get("classification", ""),
        version_count=shown.get("version_count", 0), problem_count=shown.get("problems", 0),
    )


def snippet(stored: dict, terms: set[str]) -> str:
    """The description around the matched words, or else the matched column names, or else
    the description's beginning: HTML, the matches in <mark>."""
    description = stored.get("description") or ""
    found = highlight(description, terms)
    if found is None:
        columns = highlight(stored.get("columns") or "", terms)
        found = f"Columns: {columns}" if columns else beginning(description)
    return found


def complete(snap: Snapshot, reader: Reader, text: str, limit: int) -> list[Completion]:
    """Titles the reader may read with the words typed, the last one perhaps unfinished:
    those that begin as typed first, then the best described and most recently updated."""
    allowed = snap.readable(snap.allowed(reader.principals))
    words = [t.text[:40] for t in PLAIN((text or "")[:200])][:COMPLETION_WORDS]
    if not words or not allowed.any():
        return []
    *whole, last = words
    found = snap.query_docs(wq.Prefix("title_words", last)) & allowed
    for word in whole:
        found &= snap.docs("title_words", word)
    typed = " ".join(words)
    titles, factors = snap.title_key, snap.factors
    best = heapq.nsmallest(limit, np.flatnonzero(found).tolist(), key=lambda d: (
        not titles[d].startswith(typed), -factors[d], len(titles[d]), d))
    out = []
    for docnum in best:
        stored = snap.searcher.stored_fields(docnum)
        out.append(Completion(id=stored["id"], title=stored.get("title", ""),
                              department=(stored.get("display") or {}).get("department", "")))
    return out
