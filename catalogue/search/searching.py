"""A search over one snapshot of the index, for one reader.

The reader's permission filter is part of every step: the documents a query matches are
collected only from those the reader may read, and counts, facets, snippets and the "did you
mean" suggestion are all computed from that collection, so nothing else can show through.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from itertools import chain

from whoosh import highlight
from whoosh import query as wq

from catalogue.access import Reader
from catalogue.search.query import ParsedQuery, correct, has_readable_match, parse
from catalogue.search.schema import (
    FACETS,
    FORMAT_LABELS,
    PLAIN,
    STEMMED,
    VISIBILITY_LABELS,
    exact_title,
)
from catalogue.search.shapes import (
    Completion,
    FacetValue,
    SearchHit,
    SearchRequest,
    SearchResults,
)
from catalogue.search.snapshot import Snapshot

FACET_VALUES_SHOWN = 30
SNIPPET_CHARS = 240
COMPLETION_WORDS = 8
COMPLETION_POOL = 50  # best-scored titles among which those beginning as typed go first


class _Mark(highlight.Formatter):
    """Matched words in <mark>, all text HTML-escaped."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace))}</mark>"


_FRAGMENTER = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)


def run_search(snap: Snapshot, reader: Reader, request: SearchRequest) -> SearchResults:
    allowed = snap.allowed(reader.principals)
    parsed = parse(request.q)
    scores: dict[int, float] = {}
    partial = False
    if allowed is not None and not allowed:
        matched: AbstractSet[int] = frozenset()
    elif parsed.empty:
        matched = snap.readable(allowed)
    else:
        matched, scores, partial = _match(snap, parsed, allowed)
    kept, counts = _facet_counts(snap, matched, request.filters)
    order = _order(snap, kept, scores, request, _exact(snap, parsed, allowed))
    start = (request.page - 1) * request.per_page
    page = order[start:start + request.per_page]
    terms = parsed.highlight_terms()
    return SearchResults(
        count=len(kept),
        results=[_hit(snap, docnum, scores.get(docnum, 0.0), terms) for docnum in page],
        facets=_facets(snap, counts, request.filters),
        suggestion=parsed.suggestion(),
        request=request,
        partial=partial,
    )


def _match(snap: Snapshot, parsed: ParsedQuery, allowed: AbstractSet[int] | None,
           ) -> tuple[set[int], dict[int, float], bool]:
    """Documents matching every word; else, with misspelt words corrected; else those
    matching the most words. Scores are collected for the reader's documents only."""
    scores = _scores(snap, parsed.query(), allowed)
    if scores:
        return set(scores), scores, False
    searcher = snap.searcher
    for clause in parsed.clauses:
        if not has_readable_match(searcher, clause.query(), allowed):
            correct(searcher, clause, allowed)
    if any(clause.alternatives for clause in parsed.clauses):
        scores = _scores(snap, parsed.query(), allowed)
        if scores:
            return set(scores), scores, False
    if len(parsed.clauses) < 2:
        return set(), {}, False
    matches: Counter[int] = Counter()
    for clause in parsed.clauses:
        matches.update(d for d in searcher.docs_for_query(clause.query())
                       if allowed is None or d in allowed)
    if not matches:
        return set(), {}, False
    most = max(matches.values())
    best = {d for d, n in matches.items() if n == most}
    scores = _scores(snap, parsed.any_query(), best)
    return set(scores), scores, True


def _scores(snap: Snapshot, query: wq.Query, allowed: AbstractSet[int] | None,
            ) -> dict[int, float]:
    if allowed is not None and not allowed:
        return {}  # (an empty filter would mean "no filter" to Whoosh)
    results = snap.searcher.search(query, limit=None, filter=allowed)
    return {docnum: score for score, docnum in results.top_n}


def _exact(snap: Snapshot, parsed: ParsedQuery, allowed: AbstractSet[int] | None) -> set[int]:
    """Readable documents whose title is exactly what was typed (ignoring case and
    punctuation): these come first."""
    if parsed.empty:
        return set()
    title = exact_title(parsed.text.replace('"', " "))
    docs = snap.searcher.docs_for_query(wq.Term("title_exact", title)) if title else ()
    return {d for d in docs if allowed is None or d in allowed}


def _facet_counts(snap: Snapshot, matched: AbstractSet[int],
                  filters: dict[str, list[str]]) -> tuple[list[int], dict[str, Counter]]:
    """The documents that pass every filter, and the count of each facet value. A facet's
    own filter does not narrow its counts, so its other values stay visible to choose."""
    active = [(name, set(values)) for name, values in filters.items() if values]
    counts: dict[str, Counter] = {name: Counter() for name in FACETS}
    if not active:
        for (name, value), n in Counter(chain.from_iterable(
                snap.pairs[d] for d in matched)).items():
            counts[name][value] = n
        return list(matched), counts
    kept = []
    for docnum in matched:
        facets = snap.facets[docnum]
        failed = [name for name, wanted in active if wanted.isdisjoint(facets.get(name, ()))]
        if not failed:
            kept.append(docnum)
            for name, value in snap.pairs[docnum]:
                counts[name][value] += 1
        elif len(failed) == 1:
            for value in facets.get(failed[0], ()):
                counts[failed[0]][value] += 1
    return kept, counts


def _order(snap: Snapshot, docs: list[int], scores: dict[int, float], request: SearchRequest,
           exact: set[int]) -> list[int]:
    title, updated = snap.title_key, snap.updated
    if request.sort == "title":
        return sorted(docs, key=lambda d: (title[d], -updated[d], d))
    if request.sort == "updated" or not scores:
        return sorted(docs, key=lambda d: (-updated[d], title[d], d))
    return sorted(docs, key=lambda d: (d not in exact, -scores.get(d, 0.0), title[d], d))


def _facets(snap: Snapshot, counts: dict[str, Counter], filters: dict[str, list[str]],
            ) -> dict[str, list[FacetValue]]:
    out = {}
    for name in FACETS:
        selected = set(filters.get(name, ()))
        values = [FacetValue(value=v, label=_label(snap, name, v), count=n, selected=v in selected)
                  for v, n in counts[name].items() if n]
        values.sort(key=lambda f: (-f.count, f.label.casefold()))
        shown = values[:FACET_VALUES_SHOWN]
        shown += [v for v in values[FACET_VALUES_SHOWN:] if v.selected]
        shown += [FacetValue(value=v, label=_label(snap, name, v, known=False), count=0,
                             selected=True) for v in sorted(selected - set(counts[name]))]
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
        else datetime.fromtimestamp(snap.updated[docnum], UTC),
        slug=shown.get("slug", ""), department_name=shown.get("department_name", ""),
        tags=shown.get("tags", []), classification=shown.get("classification", ""),
        version_count=shown.get("version_count", 0), problem_count=shown.get("problems", 0),
    )


def snippet(stored: dict, terms: set[str]) -> str:
    """The description around the matched words, or else the matched column names, or else
    the description's beginning: HTML, the matches in <mark>."""
    description = stored.get("description") or ""
    if terms:
        found = highlight.highlight(description, terms, STEMMED, _FRAGMENTER, _Mark(), top=2)
        if found:
            return found
        columns = stored.get("columns") or ""
        found = highlight.highlight(columns, terms, STEMMED, _FRAGMENTER, _Mark(), top=1)
        if found:
            return f"Columns: {found}"
    if len(description) > SNIPPET_CHARS:
        description = description[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return html.escape(description)


def complete(snap: Snapshot, reader: Reader, text: str, limit: int) -> list[Completion]:
    """Titles the reader may read whose words start with what was typed, best first."""
    allowed = snap.allowed(reader.principals)
    words = [t.text[:24] for t in PLAIN((text or "")[:200])][:COMPLETION_WORDS]
    if not words or (allowed is not None and not allowed):
        return []
    query = wq.And([wq.Term("title_prefix", w) for w in words])
    results = snap.searcher.search(query, limit=max(limit, COMPLETION_POOL), filter=allowed)
    typed = " ".join(words)
    hits = sorted(results, key=lambda hit: (  # titles that begin as typed come first
        not exact_title(hit["title"]).startswith(typed), -hit.score))
    return [Completion(id=hit["id"], title=hit["title"],
                       department=(hit.get("display") or {}).get("department", ""))
            for hit in hits[:limit]]
