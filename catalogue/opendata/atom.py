"""Atom feeds (RFC 4287): the open releases and withdrawals, and the new versions of a dataset
a reader may read; and the state of the open releases that every open feed's cache keys on.

A withdrawal entry names the version by its title and number only: the version was public, but
nothing more of it is re-published once it is withdrawn, and its release entry leaves the feed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from sqlmodel import Session, or_, select

from catalogue import browse
from catalogue.access import Reader, openly_released
from catalogue.clock import aware
from catalogue.opendata.schemaorg import Links
from catalogue.releases.models import APPROVED, WITHDRAWN, ReleaseRequest

ATOM = "http://www.w3.org/2005/Atom"
ENTRIES = 100
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FeedState:
    """A fingerprint of every open release and withdrawal, and when the last one happened.
    It changes in the same transaction as a release or withdrawal, so a cache validated
    against it is never stale."""

    fingerprint: str
    changed: datetime


def feed_state(s: Session) -> FeedState:
    rows = s.exec(select(ReleaseRequest.id, ReleaseRequest.status, ReleaseRequest.published_at,
                         ReleaseRequest.withdrawn_at)
                  .where(ReleaseRequest.status.in_((APPROVED, WITHDRAWN)),
                         ReleaseRequest.published_at.is_not(None))
                  .order_by(ReleaseRequest.id)).all()
    digest = hashlib.sha256()
    changed = EPOCH
    for rid, status, published, withdrawn in rows:
        published, withdrawn = aware(published), aware(withdrawn)
        digest.update(f"{rid}|{status}|{published}|{withdrawn}\n".encode())
        changed = max(changed, published, withdrawn or EPOCH)
    return FeedState(digest.hexdigest()[:32], changed)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: datetime
    link: str | None
    summary: str
    author: str | None = None


def release_entries(s: Session, links: Links, limit: int = ENTRIES) -> list[Entry]:
    """Releases open now and withdrawals of once-public versions, newest first."""
    rows = s.exec(select(ReleaseRequest).where(or_(
        openly_released(),
        (ReleaseRequest.status == WITHDRAWN) & ReleaseRequest.published_at.is_not(None)))).all()
    entries = []
    for row in rows:
        title = row.snapshot.get("title", row.dataset)
        if row.status == WITHDRAWN:
            entries.append(Entry(
                f"urn:catalogue:withdrawal:{row.id}", f"Withdrawn: {title}, version {row.version}",
                aware(row.withdrawn_at), None,
                f"Version {row.version} of {title} has been withdrawn and is no longer "
                "published as open data."))
            continue
        entries.append(Entry(
            f"urn:catalogue:release:{row.id}", f"Released: {title}, version {row.version}",
            aware(row.published_at), links.version(row.department, row.dataset, row.version),
            f"Version {row.version} of {title} ({row.snapshot.get('department_name', '')}) "
            f"released under {row.licence}. {row.snapshot.get('version', {}).get('message', '')}"
            .strip(), row.snapshot.get("department_name")))
    entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return entries[:limit]


def version_entries(s: Session, reader: Reader, department: str, slug: str,
                    page_url: Callable[[int], str],
                    limit: int = ENTRIES) -> tuple[str, list[Entry]]:
    """The title of a dataset the reader may read and its versions the reader may read, newest
    first. Raises DatasetNotFound exactly as for a dataset that does not exist."""
    detail = browse.dataset(s, reader, department, slug)
    versions = browse.versions(s, reader, department, slug, limit=limit)
    return detail.title, [
        Entry(f"urn:catalogue:version:{department}/{slug}@{v.number}",
              f"Version {v.number} of {detail.title}", aware(v.authored_at),
              page_url(v.number), v.message, v.author_name)
        for v in versions]


def feed_xml(feed_id: str, title: str, self_url: str, alternate: str, author: str,
             entries: list[Entry], updated: datetime | None = None) -> bytes:
    """An Atom document; `updated` defaults to the newest entry's (or the epoch)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    when = updated or max((e.updated for e in entries), default=EPOCH)
    _text(feed, "updated", _stamp(when))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url,
                  type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=alternate, type="text/html")
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", author)
    for e in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", e.id)
        _text(entry, "title", e.title)
        _text(entry, "updated", _stamp(e.updated))
        if e.link:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=e.link,
                          type="text/html")
        if e.author:
            _text(ET.SubElement(entry, f"{{{ATOM}}}author"), "name", e.author)
        _text(entry, "summary", e.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
