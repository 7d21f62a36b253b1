"""One version of the search index as searches see it: an open searcher, reused by every search
until a writer commits, and what searches need per document, read into memory once.

Per document: its facet values, date, title sort key and quality, from the `meta` column; its
score multiplier (quality and recency, never below 1, so a missing value cannot zero a score).
Per set of principals: the documents those principals may read, computed by a query on the
documents' own principals the first time that set searches, then reused.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

from whoosh import query
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from catalogue.access import EVERYTHING

QUALITY_WEIGHT = 0.3
RECENCY_WEIGHT = 0.2
RECENCY_HALF_LIFE_DAYS = 180.0
MAX_CACHED_PRINCIPAL_SETS = 1024


class BoostedBM25F(BM25F):
    """BM25F, each document's score then multiplied by its factor (≥ 1) from `factors`."""

    use_final = True

    def __init__(self) -> None:
        super().__init__()
        self.factors: list[float] = []

    def final(self, searcher: Searcher, docnum: int, score: float) -> float:
        factors = self.factors
        return score * factors[docnum] if docnum < len(factors) else score


def boost_factor(quality: float | None, updated: float | None, now: float) -> float:
    """1 + a share for quality + a share for recency; an unknown part adds nothing."""
    factor = 1.0
    if quality is not None and math.isfinite(quality):
        factor += QUALITY_WEIGHT * min(max(quality, 0.0), 1.0)
    if updated is not None and math.isfinite(updated):
        age_days = max(now - updated, 0.0) / 86_400
        factor += RECENCY_WEIGHT * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
    return factor


class Snapshot:
    def __init__(self, searcher: Searcher, weighting: BoostedBM25F):
        self.searcher = searcher
        self.weighting = weighting
        reader = searcher.reader()
        self.live = frozenset(reader.all_doc_ids())
        size = reader.doc_count_all()
        self.facets: list[dict[str, tuple[str, ...]]] = [{}] * size
        self.pairs: list[tuple[tuple[str, str], ...]] = [()] * size
        self.updated: list[float] = [0.0] * size
        self.title_key: list[str] = [""] * size
        self.labels: dict[tuple[str, str], str] = {}
        self._quality: list[float | None] = [None] * size
        column = reader.column_reader("meta") if reader.has_column("meta") else []
        for docnum, raw in enumerate(column):
            if docnum in self.live and raw:
                self._load(docnum, json.loads(raw))
        self._day = -1
        self._allowed: dict[frozenset[str], set[int] | None] = {}
        self.cache: dict[object, object] = {}  # searches' own per-version caches
        self.refresh_factors()

    def _load(self, docnum: int, meta: dict) -> None:
        pairs = tuple((name, value) for name, value in meta.get("f", []))
        grouped: dict[str, tuple[str, ...]] = {}
        for name, value in pairs:
            grouped[name] = (*grouped.get(name, ()), value)
        self.pairs[docnum] = pairs
        self.facets[docnum] = grouped
        self.updated[docnum] = meta.get("u") or 0.0
        self.title_key[docnum] = meta.get("t", "")
        self._quality[docnum] = meta.get("q")
        department = grouped.get("department", ("",))[0]
        if meta.get("n"):
            self.labels[("department", department)] = meta["n"]

    def refresh_factors(self) -> None:
        """Recency counts from today: recompute the multipliers once a day."""
        now = time.time()
        if int(now // 86_400) == self._day:
            return
        self._day = int(now // 86_400)
        self.factors = [boost_factor(q, u or None, now)
                        for q, u in zip(self._quality, self.updated, strict=True)]
        self.weighting.factors = self.factors

    def allowed(self, principals: Iterable[str]) -> set[int] | None:
        """The documents these principals may read (None: all of them), cached per set.
        (A set, as Whoosh's filters want; never changed once made.)"""
        key = frozenset(principals)
        if EVERYTHING in key:
            return None
        if key not in self._allowed:
            if len(self._allowed) >= MAX_CACHED_PRINCIPAL_SETS:
                self._allowed.clear()
            wanted = query.Or([query.Term("principals", p) for p in sorted(key)])
            docs = set(self.searcher.docs_for_query(wanted)) if key else set()
            self._allowed[key] = docs & self.live
        return self._allowed[key]

    def readable(self, allowed: set[int] | None) -> AbstractSet[int]:
        return self.live if allowed is None else allowed

    def close(self) -> None:
        self.searcher.close()
