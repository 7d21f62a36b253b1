"""schema.org `Dataset` JSON-LD for an open dataset's page (Google's Dataset rich results), the
sitemap of the open pages, and the addresses every open-data feed links to.

Everything here is built from what `catalogue.opendata.reads` returns: released versions, as
approved. The core knows no URLs of the web app, so callers hand in a `Links`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from xml.etree import ElementTree as ET

from sqlmodel import Session, select

from catalogue.access import openly_released
from catalogue.clock import aware
from catalogue.downloads import content_type
from catalogue.opendata.reads import OpenDataset
from catalogue.releases.models import ReleaseRequest

MIN_DESCRIPTION = 50
MAX_DESCRIPTION = 5000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


class Links(Protocol):
    """The public addresses of the open pages and files (absolute URLs)."""

    def home(self) -> str: ...
    def dataset(self, department: str, slug: str) -> str: ...
    def version(self, department: str, slug: str, number: int) -> str: ...
    def file(self, department: str, slug: str, number: int, path: str) -> str: ...


@dataclass(frozen=True)
class Portal:
    """Who publishes the open-data portal: its name, and the council's (None: unnamed)."""

    name: str
    organisation: str | None = None


def dataset_jsonld(dataset: OpenDataset, links: Links, portal: Portal) -> dict[str, Any]:
    """The schema.org Dataset of `dataset` as released (its latest released version first)."""
    latest = dataset.versions[0]
    publisher = dataset.publisher or portal.organisation or dataset.department_name
    body: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": dataset.title,
        "description": description(dataset),
        "url": links.dataset(dataset.department, dataset.slug),
        "identifier": dataset.id,
        "license": latest.licence_url or latest.licence,
        "creator": {"@type": "Organization", "name": dataset.department_name},
        "publisher": {"@type": "Organization", "name": publisher},
        "version": str(latest.number),
        "datePublished": dataset.versions[-1].released_at.isoformat(),
        "dateModified": latest.released_at.isoformat(),
        "keywords": dataset.tags,
        "isAccessibleForFree": True,
        "includedInDataCatalog": {"@type": "DataCatalog", "name": portal.name,
                                  "url": links.home()},
        "distribution": [
            {"@type": "DataDownload", "name": f.path,
             "contentUrl": links.file(dataset.department, dataset.slug, latest.number, f.path),
             "encodingFormat": content_type(f.path),
             **({"contentSize": f"{f.size} B"} if f.size is not None else {})}
            for f in latest.files if not f.is_dir],
    }
    if dataset.temporal_coverage:
        body["temporalCoverage"] = dataset.temporal_coverage
    if dataset.spatial_coverage:
        body["spatialCoverage"] = {"@type": "Place", "name": dataset.spatial_coverage}
    return body


def description(dataset: OpenDataset) -> str:
    """The approved description when it is within Google's 50–5,000 characters; a shorter one
    is told in a sentence of the title, department and coverage (all released metadata), a
    longer one is cut at a word."""
    text = _plain(dataset.description)
    if len(text) < MIN_DESCRIPTION:
        parts = [f"{dataset.title}: {text}" if text else f"{dataset.title}."]
        parts.append(f"Open data published by {dataset.department_name}")
        if dataset.temporal_coverage:
            parts[-1] += f", covering {dataset.temporal_coverage}"
        if dataset.spatial_coverage:
            parts[-1] += f", for {dataset.spatial_coverage}"
        parts[-1] += f", released under the {dataset.versions[0].licence_title}."
        text = " ".join(p if p.endswith(".") else p + "." for p in parts)
    if len(text) > MAX_DESCRIPTION:
        cut = text[:MAX_DESCRIPTION - 1]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
    return text


def _plain(markdown: str) -> str:
    """Markdown as one line of text: rich results show the description as plain text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown or "")
    text = re.sub(r"(?m)^\s{0,3}(#{1,6}|>)\s*", "", text)  # headings, quotes
    text = re.sub(r"`|\*\*|__(?=\S)|(?<=\S)__", "", text)  # code, strong emphasis
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)  # *emphasis*
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: datetime


def sitemap_entries(s: Session, links: Links, changed: datetime) -> list[SitemapEntry]:
    """The open pages: the portal's home (last modified `changed`, the last release or
    withdrawal), each dataset with a release, each released version (only versions
    `openly_released()` now), with when each last changed."""
    rows = s.exec(select(ReleaseRequest.department, ReleaseRequest.dataset,
                         ReleaseRequest.version, ReleaseRequest.published_at)
                  .where(openly_released())
                  .order_by(ReleaseRequest.department, ReleaseRequest.dataset,
                            ReleaseRequest.version)).all()
    datasets: dict[tuple[str, str], datetime] = {}
    versions = []
    for department, slug, number, published in rows:
        when = aware(published)
        key = (department, slug)
        datasets[key] = max(when, datasets.get(key, when))
        versions.append(SitemapEntry(links.version(department, slug, number), when))
    entries = [SitemapEntry(links.dataset(d, n), when) for (d, n), when in datasets.items()]
    return [SitemapEntry(links.home(), changed), *entries, *versions]


def sitemap_xml(entries: list[SitemapEntry]) -> bytes:
    urlset = ET.Element("urlset", xmlns=SITEMAP_NS)
    for entry in entries:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = entry.url
        ET.SubElement(url, "lastmod").text = entry.lastmod.isoformat(timespec="seconds")
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
