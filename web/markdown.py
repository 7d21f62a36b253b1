"""Dataset descriptions: Markdown written by teams, rendered safely.

markdown-it-py with raw HTML disabled (so `<script>` stays text), then nh3 as a second line of
defence: only the tags Markdown produces, links to http(s) and mailto only. Headings are moved
down two levels so that a description's `#` never competes with the page's own headings.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = {
    "p", "br", "hr", "em", "strong", "s", "del", "code", "pre", "blockquote", "a",
    "ul", "ol", "li", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
HEADING_SHIFT = 2

_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def render(text: str | None) -> Markup:
    """HTML for a Markdown text, safe to put in a page as it is."""
    if not text or not text.strip():
        return Markup("")
    tokens = _parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
    html = _parser.renderer.render(tokens, _parser.options, {})
    return Markup(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                            link_rel="noopener noreferrer nofollow"))


def summary(text: str | None) -> str:
    """The plain text of a description's first paragraph, for lists of datasets."""
    tokens = _parser.parse(text or "")
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type == "paragraph_open" and inline.type == "inline":
            return "".join(" " if child.type in ("softbreak", "hardbreak") else child.content
                           for child in inline.children or [])
    return ""
