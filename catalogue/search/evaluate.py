"""Evaluating a parsed query over one snapshot, with masks and score vectors over all documents.

Whoosh holds the index (analysis, terms, postings, positions, stored fields); its postings,
read once per segment (catalogue.search.snapshot), are combined here with numpy, which is what
makes counting every match, for facets, cheap. Every mask is intersected with the reader's
before anything is counted, scored or corrected.

Scores are BM25 over the weighted `text` field, a corrected word counting at most
CORRECTION_WEIGHT of the word it replaces, each document's score then multiplied by its
factor (quality and recency, never below 1).
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query as wq

from catalogue.search.query import CORRECTION_WEIGHT, Clause, ParsedQuery, correct
from catalogue.search.schema import TEXT_B, TEXT_K1, exact_title
from catalogue.search.snapshot import Snapshot


def clause_docs(snap: Snapshot, clause: Clause) -> np.ndarray:
    """The live documents a word (or one of its corrections) or a phrase is in."""
    def make() -> np.ndarray:
        if clause.phrase:
            return snap.query_docs(wq.Phrase("text", clause.stems))
        mask = np.zeros(snap.size, bool)
        for stem in _stems(clause):
            mask[snap.postings("text", stem)[0]] = True
        return mask & snap.live

    return snap.remember(("docs", clause.key), make)


def clause_scores(snap: Snapshot, clause: Clause) -> np.ndarray:
    """BM25 of a clause for every document (0 where it is absent)."""
    scores = np.zeros(snap.size)
    if clause.phrase:
        for stem in clause.stems:
            ids, values = term_scores(snap, stem)
            scores[ids] += values
        return scores * clause_docs(snap, clause)
    ids, values = term_scores(snap, clause.stems[0])
    scores[ids] = values
    for _, alternative in clause.alternatives:
        for stem in alternative:
            ids, values = term_scores(snap, stem)
            scores[ids] = np.maximum(scores[ids], values * CORRECTION_WEIGHT)
    return scores


def term_scores(snap: Snapshot, stem: str) -> tuple[np.ndarray, np.ndarray]:
    """The documents a stem is in, and its BM25 there (Whoosh's formula and idf, with the
    term frequency weighted by section: catalogue.search.schema)."""
    def make() -> tuple[np.ndarray, np.ndarray]:
        ids, weights = snap.postings("text", stem)
        idf = math.log(max(snap.size, 1) / (len(ids) + 1)) + 1
        lengths = snap.lengths[ids] / snap.average_length
        return ids, idf * weights * (TEXT_K1 + 1) / (
            weights + TEXT_K1 * (1 - TEXT_B + TEXT_B * lengths))

    return snap.remember(("bm25", stem), make)


def match(snap: Snapshot, parsed: ParsedQuery, allowed: np.ndarray,
          ) -> tuple[np.ndarray, np.ndarray, bool]:
    """The readable documents matching every word; else with misspelt words corrected; else
    those matching the most words (then `partial`). Their scores, 0 elsewhere."""
    matched = _every(snap, parsed, allowed)
    if not matched.any():
        for clause in parsed.clauses:
            if not (clause_docs(snap, clause) & allowed).any():
                correct(snap, clause, allowed)
        if any(clause.alternatives for clause in parsed.clauses):
            matched = _every(snap, parsed, allowed)
    partial = False
    if not matched.any() and len(parsed.clauses) > 1:
        counts = sum((clause_docs(snap, c) & allowed).astype(np.int64) for c in parsed.clauses)
        best = counts.max(initial=0)  # an empty index (no open data yet) has no counts
        if best:
            matched, partial = counts == best, True
    scores = sum(clause_scores(snap, c) for c in parsed.clauses)
    return matched, np.where(matched, scores * snap.factors, 0.0), partial


def _every(snap: Snapshot, parsed: ParsedQuery, allowed: np.ndarray) -> np.ndarray:
    matched = allowed.copy()
    for clause in parsed.clauses:
        matched &= clause_docs(snap, clause)
    return matched


def exact_titles(snap: Snapshot, text: str, allowed: np.ndarray) -> np.ndarray:
    """Readable documents whose title is exactly what was typed (case and punctuation
    aside)."""
    title = exact_title(text.replace('"', " "))
    return snap.docs("title_exact", title) & allowed if title else np.zeros(snap.size, bool)


def facet_counts(snap: Snapshot, matched: np.ndarray, filters: dict[str, list[str]],
                 ) -> tuple[np.ndarray, np.ndarray]:
    """The documents passing every filter, and each facet value's count (by value code). A
    facet's own filter does not narrow its counts, so its other values stay to choose from."""
    passing = {}
    for name, values in filters.items():
        codes = [snap.codes[(name, v)] for v in values if (name, v) in snap.codes]
        mask = np.zeros(snap.size, bool)
        mask[snap.pair_docs[np.isin(snap.pair_codes, codes)]] = True
        passing[name] = mask
    kept = matched.copy()
    for mask in passing.values():
        kept &= mask
    counts = _count(snap, kept)
    for name in passing:
        others = matched.copy()
        for other, mask in passing.items():
            if other != name:
                others &= mask
        own = snap.facet_of == snap.facet_index[name]
        counts[own] = _count(snap, others)[own]
    return kept, counts


def _count(snap: Snapshot, docs: np.ndarray) -> np.ndarray:
    return np.bincount(snap.pair_codes[docs[snap.pair_docs]], minlength=len(snap.values))


def _stems(clause: Clause) -> list[str]:
    return [clause.stems[0], *(s for _, alternative in clause.alternatives for s in alternative)]
