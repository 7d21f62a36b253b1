"""Snippets: the passage of a text with the most matched words, the matches in <mark>.

Words are found and stemmed exactly as the index's analyzer does (catalogue.search.schema),
but without building tokens, which is what it costs to highlight twenty results per search.
All text is HTML-escaped; the only markup is <mark>.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from whoosh.lang.porter import stem

from catalogue.search.schema import WORD

SNIPPET_CHARS = 240
LEAD_CHARS = 60  # of context before the first match shown
SCAN_CHARS = 20_000  # of a long text, the part searched for matches
_WORDS = re.compile(WORD)


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return stem(word.lower())


def highlight(text: str, terms: set[str] | frozenset[str],
              length: int = SNIPPET_CHARS) -> str | None:
    """The best passage of `text` about `length` characters long, as HTML; None when no
    word of the text stems to one of `terms`."""
    if not terms or not text:
        return None
    spans = [(m.start(), m.end()) for m in _WORDS.finditer(text, 0, SCAN_CHARS)
             if _stem(m.group()) in terms]
    if not spans:
        return None
    best, most, last = 0, 0, 0
    for first, (start, _) in enumerate(spans):  # the window holding the most matches
        while last < len(spans) and spans[last][1] <= start + length - LEAD_CHARS:
            last += 1
        if last - first > most:
            best, most = first, last - first
    start = _word_start(text, max(spans[best][0] - LEAD_CHARS, 0))
    end = _word_end(text, start + length)
    out = ["… "] if start > 0 else []
    cursor = start
    for span_start, span_end in spans[best:best + most]:
        if span_end > end:
            break
        out.append(html.escape(text[cursor:span_start]))
        out.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    out.append(html.escape(text[cursor:end]))
    if end < len(text):
        out.append(" …")
    return "".join(out)


def beginning(text: str, length: int = SNIPPET_CHARS) -> str:
    """The start of a text, cut at a word, as HTML."""
    if len(text) <= length:
        return html.escape(text)
    return html.escape(text[:_word_end(text, length)]) + " …"


def _word_start(text: str, position: int) -> int:
    """`position`, moved forward to the start of a word if it falls inside one."""
    if position <= 0:
        return 0
    space = text.find(" ", position)
    return space + 1 if 0 <= space < position + 20 else position


def _word_end(text: str, position: int) -> int:
    """`position`, moved back to the end of a word if it falls inside one."""
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", 0, position)
    return space if space > position - 20 else position
