"""Reading pages in tests: visible text, links, scripts and attributes, with the stdlib."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

HIDDEN = {"script", "style", "head", "title"}
EXECUTABLE = {"", "module", "text/javascript", "application/javascript"}


@dataclass
class Page:
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)
    alternates: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    title: str = ""

    def hrefs(self) -> set[str]:
        return {href for href, _ in self.links}

    def link_to(self, text: str) -> str:
        for href, label in self.links:
            if label == text:
                return href
        raise AssertionError(f"no link {text!r} among {[t for _, t in self.links]}")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._stack: list[str] = []
        self._text: list[str] = []
        self._link: list[str] | None = None
        self._href = ""
        self._heading: tuple[int, list[str]] | None = None
        self._script: list[str] | None = None
        self._title: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.page.event_handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            # A data block (JSON, JSON-LD) is never run, so a CSP without inline script allows
            # it: only script that runs counts, as a file loaded or as inline script.
            runs = (values.get("type") or "").lower() in EXECUTABLE
            if runs:
                self.page.scripts.append(values)
            self._script = [] if runs else None
        elif tag == "title":
            self._title = []
        elif tag == "a":
            self._link, self._href = [], values.get("href") or ""
        elif tag == "link" and values.get("rel") == "alternate":
            self.page.alternates.append(values.get("href") or "")
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])
        if tag not in ("br", "hr", "img", "input", "link", "meta"):
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if "".join(self._script).strip():
                self.page.inline_scripts.append("".join(self._script))
            self._script = None
        elif tag == "title" and self._title is not None:
            self.page.title = " ".join("".join(self._title).split())
            self._title = None
        elif tag == "a" and self._link is not None:
            self.page.links.append((self._href, " ".join("".join(self._link).split())))
            self._link = None
        elif self._heading and tag == f"h{self._heading[0]}":
            self.page.headings.append((self._heading[0], " ".join("".join(self._heading[1])
                                                                  .split())))
            self._heading = None
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass
        self._text.append(" ")

    def handle_data(self, data: str) -> None:
        for sink in (self._script, self._title, self._link,
                     self._heading[1] if self._heading else None):
            if sink is not None:
                sink.append(data)
        if not HIDDEN & set(self._stack):
            self._text.append(data)

    def close(self) -> None:
        super().close()
        self.page.text = " ".join("".join(self._text).split())


def parse(html: str | bytes) -> Page:
    parser = _Parser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    parser.close()
    return parser.page
