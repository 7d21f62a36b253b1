"""What people type, parsed: words, "quoted phrases", and corrections of misspelt words.

Nothing typed is syntax: `AND`, `*`, `(`, a lone quote or a NUL byte are just text, so no input
can fail to parse. Each word is one term of the index's weighted `text` (where a title counts
more than tags, tags more than columns, columns more than a description); a phrase matches its
words next to each other in one section of it (catalogue.search.evaluate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from catalogue.search.schema import PLAIN, STEMMED
from catalogue.search.snapshot import Snapshot

MAX_CHARS = 1_000  # of a query; the rest is ignored
MAX_TERMS = 24  # words and phrases
TYPO_MIN_LENGTH = 5  # shorter words must be typed right
TYPO_MAX_LENGTH = 30  # longer "words" are not words
CORRECTION_WEIGHT = 0.7  # a corrected word counts less than one typed right
ALTERNATIVES = 3
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
PART = re.compile(r'"([^"]*)"?|([^"]+)')


def stems(text: str) -> list[str]:
    return [token.text for token in STEMMED(text)]


@dataclass
class Clause:
    """One word, or one phrase, of a query."""

    words: list[str]  # as typed, lower case
    stems: list[str]
    phrase: bool
    alternatives: list[tuple[str, list[str]]] = field(default_factory=list)  # (word, stems)

    @property
    def text(self) -> str:
        return f'"{" ".join(self.words)}"' if self.phrase else self.words[0]

    @property
    def corrected_text(self) -> str:
        return self.alternatives[0][0] if self.alternatives else self.text

    @property
    def key(self) -> tuple:
        return (self.phrase, tuple(self.stems), tuple(w for w, _ in self.alternatives))

    def highlight_terms(self) -> set[str]:
        return {*self.stems, *(s for _, alt in self.alternatives for s in alt)}


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause]

    @property
    def empty(self) -> bool:
        return not self.clauses

    def highlight_terms(self) -> set[str]:
        return {stem for c in self.clauses for stem in c.highlight_terms()}

    def suggestion(self) -> str | None:
        """The query with each misspelt word replaced by its likeliest correction."""
        if not any(c.alternatives for c in self.clauses):
            return None
        return " ".join(c.corrected_text for c in self.clauses)


def parse(text: str) -> ParsedQuery:
    """Words and phrases of a query; stop words, punctuation and control characters dropped."""
    text = (text or "")[:MAX_CHARS].translate(QUOTES)
    clauses: list[Clause] = []
    for match in PART.finditer(text):
        quoted, loose = match.group(1), match.group(2)
        if quoted is not None:
            words = [t.text for t in PLAIN(quoted)]
            phrase_stems = stems(quoted)
            if len(phrase_stems) > 1:
                clauses.append(Clause(words, phrase_stems, phrase=True))
                continue
            loose = quoted
        for token in PLAIN(loose or ""):
            word_stems = stems(token.text)
            if word_stems:
                clauses.append(Clause([token.text], word_stems[:1], phrase=False))
    unique = {(c.phrase, tuple(c.stems)): c for c in clauses}
    return ParsedQuery(text, list(unique.values())[:MAX_TERMS])


def correct(snap: Snapshot, clause: Clause, allowed: np.ndarray) -> None:
    """Give a misspelt word its likeliest corrections: words of the index within one edit (two
    for long words) that readable documents contain, most common among them first. A word that
    only documents the reader may not see contain is never offered."""
    if clause.phrase or not TYPO_MIN_LENGTH <= len(clause.words[0]) <= TYPO_MAX_LENGTH:
        return
    word = clause.words[0]
    maxdist = 1 if len(word) < 8 else 2
    candidates: set[str] = set()
    for leaf, _, _ in snap.leaves:
        candidates.update(leaf.terms_within("spell", word, maxdist, prefix=1))
    candidates.discard(word)
    scored = []
    for candidate in candidates:
        readable = int(np.count_nonzero(snap.docs("spell", candidate) & allowed))
        candidate_stems = stems(candidate)
        if readable and candidate_stems:
            scored.append((_distance(word, candidate), -readable, candidate, candidate_stems))
    scored.sort()
    clause.alternatives = [(c, s) for _, _, c, s in scored[:ALTERNATIVES]]


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (small words only)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
