"""One version of the search index as searches see it: an open searcher, reused by every search
until a writer commits, and what searches need in memory, as numpy arrays indexed by document
number: which documents are live, their field lengths, facet values, dates, title order and
score multipliers; per set of principals, which documents those principals may read.

A term's postings are read from Whoosh once and kept per segment (`SegmentCache`), so they
outlive the snapshot: a commit adds a small segment and marks deletions, and every older
segment's postings stay valid (a deleted document is then simply not live).
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from whoosh import query
from whoosh.searching import Searcher

from catalogue.access import EVERYTHING
from catalogue.search.schema import FACETS

QUALITY_WEIGHT = 0.3
RECENCY_WEIGHT = 0.2
RECENCY_HALF_LIFE_DAYS = 180.0
MAX_CACHED_PRINCIPAL_SETS = 1024
MAX_CACHED_POSTINGS = 4_000_000  # postings kept in memory, over all cached terms
MAX_MEMO = 4096
Postings = tuple[np.ndarray, np.ndarray]  # document numbers (int64), weights (float64)
EMPTY: Postings = (np.zeros(0, np.int64), np.zeros(0, np.float64))


def boost_factor(quality: float | None, updated: float | None, now: float) -> float:
    """1 + a share for quality + a share for recency; an unknown part adds nothing."""
    factor = 1.0
    if quality is not None and math.isfinite(quality):
        factor += QUALITY_WEIGHT * min(max(quality, 0.0), 1.0)
    if updated is not None and math.isfinite(updated):
        age_days = max(now - updated, 0.0) / 86_400
        factor += RECENCY_WEIGHT * 0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS)
    return factor


class SegmentCache:
    """Postings and field lengths per segment, read once, least recently used dropped."""

    def __init__(self) -> None:
        self.terms: OrderedDict[tuple, Postings] = OrderedDict()
        self.lengths: dict[str, np.ndarray] = {}
        self.metas: dict[str, SegmentMeta] = {}
        self.size = 0
        # Facet values by code, shared by all segments (a code never changes meaning).
        self.values: list[tuple[str, str]] = []
        self.codes: dict[tuple[str, str], int] = {}
        self.labels: dict[tuple[str, str], str] = {}

    def postings(self, segid: str, reader, field: str, text: str) -> Postings:
        key = (segid, field, text)
        found = self.terms.get(key)
        if found is not None:
            self.terms.move_to_end(key)
            return found
        ids, weights = [], []
        if (field, text) in reader:
            matcher = reader.postings(field, text)
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
        found = (np.array(ids, np.int64), np.array(weights, np.float64))
        self.terms[key] = found
        self.size += len(ids)
        while self.size > MAX_CACHED_POSTINGS and len(self.terms) > 1:
            _, (dropped, _) = self.terms.popitem(last=False)
            self.size -= len(dropped)
        return found

    def field_lengths(self, segid: str, reader, field: str) -> np.ndarray:
        key = f"{segid}/{field}"
        if key not in self.lengths:
            self.lengths[key] = np.array([reader.doc_field_length(d, field, 0)
                                          for d in range(reader.doc_count_all())], np.float64)
        return self.lengths[key]

    def meta(self, segid: str, reader) -> SegmentMeta:
        if segid not in self.metas:
            self.metas[segid] = self._read_meta(reader)
        return self.metas[segid]

    def _read_meta(self, reader) -> SegmentMeta:
        size = reader.doc_count_all()
        found = SegmentMeta(np.full(size, np.nan), np.full(size, np.nan), [""] * size)
        docs, codes = [], []
        column = reader.column_reader("meta") if reader.has_column("meta") else []
        for docnum, raw in enumerate(column):
            if not raw:
                continue
            meta = json.loads(raw)
            found.updated[docnum] = meta.get("u") or np.nan
            if meta.get("q") is not None:
                found.quality[docnum] = meta["q"]
            found.titles[docnum] = meta.get("t", "")
            for name, value in meta.get("f", []):
                pair = (name, value)
                if pair not in self.codes:
                    self.codes[pair] = len(self.values)
                    self.values.append(pair)
                docs.append(docnum)
                codes.append(self.codes[pair])
                if name == "department" and meta.get("n"):
                    self.labels[pair] = meta["n"]
        found.pair_docs = np.array(docs, np.int64)
        found.pair_codes = np.array(codes, np.int64)
        return found

    def keep(self, segids: set[str]) -> None:
        """Forget the segments no longer in the index (merged away)."""
        for key in [k for k in self.terms if k[0] not in segids]:
            self.size -= len(self.terms.pop(key)[0])
        for key in [k for k in self.lengths if k.split("/", 1)[0] not in segids]:
            del self.lengths[key]
        for segid in [k for k in self.metas if k not in segids]:
            del self.metas[segid]


@dataclass
class SegmentMeta:
    """The `meta` column of one segment, parsed: dates, quality, title keys, facet values."""

    updated: np.ndarray
    quality: np.ndarray
    titles: list[str]
    pair_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    pair_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


class Snapshot:
    def __init__(self, searcher: Searcher, cache: SegmentCache):
        self.searcher = searcher
        self.cache = cache
        reader = searcher.reader()
        self.leaves = [(leaf, offset, leaf.segment().segid) for leaf, offset in
                       reader.leaf_readers() if leaf.segment() is not None]
        cache.keep({segid for _, _, segid in self.leaves})
        self.size = reader.doc_count_all()
        self.live = np.zeros(self.size, bool)
        self.live[np.fromiter(reader.all_doc_ids(), np.int64)] = True
        self.lengths = self._concat(lambda leaf, segid: cache.field_lengths(segid, leaf, "text"))
        self.average_length = searcher.avg_field_length("text") or 1.0
        self._load_meta()
        self._day = -1
        self._allowed: dict[frozenset[str], np.ndarray | None] = {}
        self.memo: dict[object, object] = {}  # searches' own per-version results (see remember)
        self.refresh_factors()

    def _concat(self, part) -> np.ndarray:
        parts = [part(leaf, segid) for leaf, _, segid in self.leaves]
        return np.concatenate(parts) if parts else np.zeros(0)

    def _load_meta(self) -> None:
        cache = self.cache
        metas = [(cache.meta(segid, leaf), offset) for leaf, offset, segid in self.leaves]
        self.updated = np.concatenate([m.updated for m, _ in metas]) if metas else np.zeros(0)
        self.quality = np.concatenate([m.quality for m, _ in metas]) if metas else np.zeros(0)
        self.title_key = [title for m, _ in metas for title in m.titles]
        self.title_rank = np.empty(self.size, np.int64)
        self.title_rank[sorted(range(self.size), key=self.title_key.__getitem__)] = \
            np.arange(self.size)
        docs = np.concatenate([m.pair_docs + offset for m, offset in metas]) if metas \
            else np.zeros(0, np.int64)
        codes = np.concatenate([m.pair_codes for m, _ in metas]) if metas \
            else np.zeros(0, np.int64)
        live = self.live[docs]
        self.pair_docs, self.pair_codes = docs[live], codes[live]
        self.values, self.codes, self.labels = cache.values, cache.codes, cache.labels
        self.facet_index = {name: i for i, name in enumerate(FACETS)}
        self.facet_of = np.array([self.facet_index[name] for name, _ in self.values], np.int64)

    def refresh_factors(self) -> None:
        """Recency counts from today: recompute the multipliers once a day (a missing quality
        or date adds nothing; see boost_factor)."""
        now = time.time()
        if int(now // 86_400) == self._day:
            return
        self._day = int(now // 86_400)
        quality = np.nan_to_num(np.clip(self.quality, 0.0, 1.0), nan=0.0)
        age_days = np.clip(now - self.updated, 0.0, None) / 86_400
        recency = np.nan_to_num(0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS), nan=0.0)
        self.factors = 1.0 + QUALITY_WEIGHT * quality + RECENCY_WEIGHT * recency

    def remember(self, key: object, make):
        """`make()`, kept for this version of the index (a bounded number of results)."""
        if key not in self.memo:
            if len(self.memo) >= MAX_MEMO:
                self.memo.clear()
            self.memo[key] = make()
        return self.memo[key]

    def postings(self, field: str, text: str) -> Postings:
        """A term's postings over the whole index (global document numbers)."""
        parts = [self.cache.postings(segid, leaf, field, text) for leaf, _, segid in self.leaves]
        offsets = [offset for _, offset, _ in self.leaves]
        if not parts:
            return EMPTY
        return (np.concatenate([ids + offset for (ids, _), offset in
                                zip(parts, offsets, strict=True)]),
                np.concatenate([weights for _, weights in parts]))

    def docs(self, field: str, text: str) -> np.ndarray:
        mask = np.zeros(self.size, bool)
        mask[self.postings(field, text)[0]] = True
        return mask & self.live

    def query_docs(self, q: query.Query) -> np.ndarray:
        """The live documents a Whoosh query matches (phrases, prefixes), as a mask."""
        mask = np.zeros(self.size, bool)
        mask[np.fromiter(self.searcher.docs_for_query(q), np.int64)] = True
        return mask & self.live

    def allowed(self, principals: Iterable[str]) -> np.ndarray | None:
        """The documents these principals may read, as a mask (None: all of them), made the
        first time the set searches in this version of the index, then reused."""
        key = frozenset(principals)
        if EVERYTHING in key:
            return None
        if key not in self._allowed:
            if len(self._allowed) >= MAX_CACHED_PRINCIPAL_SETS:
                self._allowed.clear()
            mask = np.zeros(self.size, bool)
            for principal in key:
                mask |= self.docs("principals", principal)
            self._allowed[key] = mask
        return self._allowed[key]

    def readable(self, allowed: np.ndarray | None) -> np.ndarray:
        return self.live if allowed is None else allowed

    def close(self) -> None:
        self.searcher.close()
