"""Serving the DCAT catalogue fast without ever serving it stale.

A built catalogue is kept, serialised, under a key that starts with the `Fingerprint` of the
open releases: how many versions are open, the last time one was published and the last time
one was withdrawn (two aggregate queries on the release table). A release or a withdrawal
changes it in the same transaction that makes it, so the next request after either misses the
cache and builds anew, and it is what the ETag and Last-Modified headers are made from.

The fingerprint is read before the catalogue is built, so a build can only be newer than its
key, never older: a key that is current again never holds what a withdrawal took out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from rdflib import Graph
from sqlalchemy import func
from sqlmodel import Session, select

from catalogue.access import openly_released
from catalogue.clock import aware
from catalogue.models import Registry
from catalogue.opendata.dcat import PREFIXES
from catalogue.releases.models import ReleaseRequest


@dataclass(frozen=True)
class Fingerprint:
    open_versions: int
    last_published: datetime | None
    last_withdrawn: datetime | None
    registry: str | None  # the first registry's name: the catalogue's default publisher

    @property
    def changed_at(self) -> datetime | None:
        """When the open releases last changed (None: never any)."""
        times = [t for t in (self.last_published, self.last_withdrawn) if t is not None]
        return max(times, default=None)

    def last_modified(self, now: datetime) -> datetime | None:
        """The Last-Modified to send at `now`: the second after the last change, and nothing
        until that second has begun. HTTP dates count whole seconds, so a client holding this
        date got it after every change up to it, and any later change has a later date: two
        changes in one second never look like one."""
        if self.changed_at is None:
            return None
        stamp = self.changed_at.replace(microsecond=0) + timedelta(seconds=1)
        return stamp if now >= stamp else None

    def etag(self, *more: Hashable) -> str:
        """An entity tag for this state and whatever else shapes the response."""
        text = repr((self.open_versions, self.last_published, self.last_withdrawn,
                     self.registry, *more))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def fingerprint(s: Session) -> Fingerprint:
    count, published = s.exec(select(func.count(), func.max(ReleaseRequest.published_at))
                              .where(openly_released())).one()
    withdrawn = s.exec(select(func.max(ReleaseRequest.withdrawn_at))).one()
    registry = s.exec(select(Registry.name).order_by(Registry.id).limit(1)).first()
    return Fingerprint(count, aware(published) if published else None,
                       aware(withdrawn) if withdrawn else None, registry)


MEDIA_TYPES = {"turtle": "text/turtle", "json-ld": "application/ld+json",
               "xml": "application/rdf+xml"}
"""rdflib's serialisation formats → the media types they are served as."""


def serialise(graph: Graph, kind: str) -> bytes:
    """The graph as Turtle, JSON-LD (compacted with the catalogue's prefixes) or RDF/XML."""
    if kind == "json-ld":
        context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True,
                               encoding="utf-8")
    return graph.serialize(format=kind, encoding="utf-8")


class CatalogCache:
    """The serialised catalogues (pages × formats) of one fingerprint at a time, least recently
    used first out once they hold more than `budget` bytes. Sized in bytes, not entries, so a
    harvester walking every page of a large catalogue finds them all on its next walk."""

    def __init__(self, budget: int = 64 * 1024 * 1024):
        self.budget = budget
        self._lock = threading.Lock()
        self._current: Fingerprint | None = None
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0

    def get(self, state: Fingerprint, key: Hashable, build: Callable[[], bytes]) -> bytes:
        """The body cached for `key` in this state, else `build()`'s (built unlocked: two
        requests may both build, neither waits on the other)."""
        with self._lock:
            if state != self._current:
                self._current = state
                self._entries.clear()
                self._bytes = 0
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        body = build()
        with self._lock:
            if state == self._current and key not in self._entries:
                self._entries[key] = body
                self._bytes += len(body)
                while self._bytes > self.budget and len(self._entries) > 1:
                    _, dropped = self._entries.popitem(last=False)
                    self._bytes -= len(dropped)
        return body
