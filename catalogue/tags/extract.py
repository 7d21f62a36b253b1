"""Keywords for suggested tags, drawn with YAKE (an unsupervised extractor: statistics of the
text itself, no model to download) from a dataset's title, description, column names and
column descriptions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import yake

MAX_SUGGESTIONS = 8
MAX_WORDS = 2  # a tag of one or two words
_WORD = re.compile(r"[a-z][a-z0-9'&-]*")
_MARKDOWN = re.compile(r"[#>*_`|\[\]()]+|https?://\S+")


@dataclass(frozen=True)
class Text:
    """What suggestions are drawn from."""

    title: str
    description: str
    columns: tuple[tuple[str, str], ...] = ()
    """Column names with their descriptions ("" when undescribed)."""

    def joined(self) -> str:
        parts = [self.title + ".", _MARKDOWN.sub(" ", self.description)]
        for name, description in self.columns:
            words = name.replace("_", " ").replace("-", " ")
            parts.append(f"{words}: {description}." if description else f"{words}.")
        return "\n".join(part for part in parts if part.strip())

    def basis(self) -> str:
        """A fingerprint of the text: suggestions are drawn again when it changes."""
        return hashlib.sha256(self.joined().encode()).hexdigest()[:32]


def suggest(text: Text, existing: Iterable[str] = (),
            limit: int = MAX_SUGGESTIONS) -> list[tuple[str, float]]:
    """Up to `limit` tags (lower case, one or two words) with a relevance from 0 to 1, most
    relevant first; none of the `existing` tags, numbers or one-letter words."""
    source = text.joined()
    if not source.strip():
        return []
    taken = {tag.strip().lower() for tag in existing}
    extractor = yake.KeywordExtractor(lan="en", n=MAX_WORDS, top=limit * 3, dedupLim=0.7)
    found: dict[str, float] = {}
    for phrase, score in extractor.extract_keywords(source):
        tag = " ".join(_WORD.findall(phrase.lower()))
        if len(tag) < 3 or tag in taken or tag in found or tag.replace(" ", "").isdigit():
            continue
        found[tag] = round(1 / (1 + float(score)), 4)  # YAKE: lower is more relevant
        if len(found) == limit:
            break
    return list(found.items())
