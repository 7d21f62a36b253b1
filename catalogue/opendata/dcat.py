"""The DCAT-AP 3.0.1 catalogue of what is released openly, as an rdflib graph.

One `dcat:Catalog`; per dataset with an open release, a `dcat:Dataset` for the dataset (its
newest release's metadata, `dcat:hasCurrentVersion` and the distributions of that version)
and one per released version (`dcat:isVersionOf` / `dcat:hasVersion`, `dcat:version`), each
version with a `dcat:Distribution` per file. Everything is read through
`catalogue.access.openly_released()` and from the releases' snapshots (the metadata as
approved); lineage (`prov:wasDerivedFrom`) names only datasets that are released too, since a
snapshot's `derived_from` may name datasets the public may not know exist.

Large catalogues are paged by dataset (in key order) with a `hydra:PartialCollectionView`.
The core knows no URLs: the web passes `Links` that build them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rdflib import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, BNode, Graph, Literal, URIRef
from sqlalchemy import func, tuple_
from sqlmodel import Session, select

from catalogue.access import openly_released
from catalogue.clock import aware
from catalogue.errors import NotFound
from catalogue.opendata import dcat_terms as terms
from catalogue.opendata.dcat_terms import ADMS, DCAT, DCATAP, HYDRA, SPDX, VCARD, XSD
from catalogue.releases.licences import OPEN_LICENCES
from catalogue.releases.models import ReleaseRequest

PREFIXES = {"dcat": DCAT, "dct": DCTERMS, "foaf": FOAF, "prov": PROV, "rdfs": RDFS,
            "skos": SKOS, "xsd": XSD, "spdx": SPDX, "vcard": VCARD, "hydra": HYDRA,
            "dcatap": DCATAP, "adms": ADMS}
EN = "en"


class PageNotFound(NotFound):
    def __init__(self, page: int, last: int):
        super().__init__(f"The catalogue has {last} page{'s' if last != 1 else ''}, not {page}")


@dataclass(frozen=True)
class Links:
    """The absolute URLs the catalogue points at, built by the web layer."""

    home: str  # the open-data portal's home page
    catalog: str  # the catalogue's own address (its IRI is this with #catalog)
    dataset: Callable[[str, str], str]  # (department, slug) → landing page
    version: Callable[[str, str, int], str]  # → the version's page
    download: Callable[[str, str, int, str], str]  # (…, number, path) → the file's bytes
    page: Callable[[int], str]  # page number → this serialisation's address for that page


@dataclass(frozen=True)
class CatalogInfo:
    title: str
    description: str
    publisher: str
    licence: str | None = None  # an id of catalogue.releases.licences, for the metadata
    page_size: int = 100


def released_keys(s: Session) -> tuple[dict[str, list[int]], list[datetime]]:
    """Every dataset with an open release (in key order) → its released version numbers,
    newest first; and when each open version was released. Reads four small columns, so that
    paging never loads every snapshot."""
    rows = s.exec(select(ReleaseRequest.department, ReleaseRequest.dataset,
                         ReleaseRequest.version, ReleaseRequest.published_at)
                  .where(openly_released())).all()
    found: dict[str, list[int]] = {}
    for department, slug, number, _ in sorted(rows, key=lambda r: (r[0], r[1], -r[2])):
        found.setdefault(f"{department}/{slug}", []).append(number)
    return found, [aware(r[3]) for r in rows]


def released_rows(s: Session, keys: list[str]) -> dict[str, list[ReleaseRequest]]:
    """The open releases of these datasets, newest version first."""
    if not keys:
        return {}
    pairs = [tuple(k.split("/", 1)) for k in keys]
    rows = s.exec(select(ReleaseRequest).where(
        openly_released(), tuple_(ReleaseRequest.department, ReleaseRequest.dataset).in_(pairs))
        .order_by(ReleaseRequest.version.desc())).all()
    found: dict[str, list[ReleaseRequest]] = {k: [] for k in keys}
    for row in rows:
        found[row.key].append(row)
    return found


def last_page(total: int, page_size: int) -> int:
    return max(1, -(-total // max(page_size, 1)))


def catalog_graph(s: Session, info: CatalogInfo, links: Links, page: int = 1) -> Graph:
    """Page `page` of the catalogue (the only page while it holds `info.page_size` datasets
    or fewer). Raises PageNotFound past the last page."""
    index, published = released_keys(s)
    last = last_page(len(index), info.page_size)
    if page < 1 or page > last:
        raise PageNotFound(page, last)
    keys = list(index)[(page - 1) * info.page_size:page * info.page_size]
    rows = released_rows(s, keys)
    withdrawn = s.exec(select(func.max(ReleaseRequest.withdrawn_at))).one()
    changes = [*published, *([aware(withdrawn)] if withdrawn else [])]
    builder = _Builder(info, links, set(index))
    catalog = builder.catalog(min(published, default=None), max(changes, default=None))
    for key in keys:
        if rows[key]:
            builder.graph.add((catalog, DCAT.dataset, builder.dataset(rows[key])))
    if last > 1:
        builder.view(catalog, page, last, len(index))
    return builder.graph


class _Builder:
    def __init__(self, info: CatalogInfo, links: Links, released: set[str]):
        self.info, self.links, self.released = info, links, released
        self.graph = Graph(bind_namespaces="none")
        for prefix, namespace in PREFIXES.items():
            self.graph.bind(prefix, namespace)
        self.agents: dict[str, URIRef] = {}
        self.licences: dict[str, URIRef] = {}

    def add(self, subject: Any, predicate: URIRef, value: Any) -> None:
        if value is not None:
            self.graph.add((subject, predicate, value))

    def catalog(self, first: datetime | None, latest: datetime | None) -> URIRef:
        g, info = self.graph, self.info
        node = URIRef(f"{self.links.catalog}#catalog")
        g.add((node, RDF.type, DCAT.Catalog))
        g.add((node, DCTERMS.title, Literal(info.title, lang=EN)))
        g.add((node, DCTERMS.description, Literal(info.description, lang=EN)))
        g.add((node, DCTERMS.publisher, self.agent(info.publisher)))
        g.add((node, FOAF.homepage, URIRef(self.links.home)))
        g.add((node, DCTERMS.language, terms.LANGUAGE.ENG))
        g.add((node, DCAT.themeTaxonomy, URIRef(f"{terms.AUTHORITY}data-theme")))
        self.add(node, DCTERMS.license, self.licence(info.licence))
        self.add(node, DCTERMS.issued, _when(first))
        self.add(node, DCTERMS.modified, _when(latest))
        return node

    def view(self, catalog: URIRef, page: int, last: int, total: int) -> None:
        g, here = self.graph, URIRef(self.links.page(page))
        g.add((catalog, HYDRA.view, here))
        g.add((catalog, HYDRA.totalItems, Literal(total, datatype=XSD.nonNegativeInteger)))
        g.add((here, RDF.type, HYDRA.PartialCollectionView))
        g.add((here, HYDRA.first, URIRef(self.links.page(1))))
        g.add((here, HYDRA.last, URIRef(self.links.page(last))))
        if page > 1:
            g.add((here, HYDRA.previous, URIRef(self.links.page(page - 1))))
        if page < last:
            g.add((here, HYDRA.next, URIRef(self.links.page(page + 1))))

    def agent(self, name: str) -> URIRef:
        """A publisher, once per name: a foaf:Agent of type local authority."""
        if name not in self.agents:
            node = URIRef(f"{self.links.catalog}#publisher-{_slug(name)}")
            self.graph.add((node, RDF.type, FOAF.Agent))
            self.graph.add((node, FOAF.name, Literal(name, lang=EN)))
            self.graph.add((node, DCTERMS.type, terms.PUBLISHER_TYPE.LocalAuthority))
            self.agents[name] = node
        return self.agents[name]

    def licence(self, identifier: str | None) -> URIRef | None:
        licence = OPEN_LICENCES.get(identifier or "")
        if licence is None:
            return None
        if identifier not in self.licences:
            node = URIRef(licence.url)
            self.graph.add((node, RDF.type, DCTERMS.LicenseDocument))
            self.graph.add((node, DCTERMS.title, Literal(licence.title, lang=EN)))
            for kind in terms.LICENCE_TYPES.get(licence.id, ()):
                self.graph.add((node, DCTERMS.type, terms.LICENCE_TYPE[kind]))
            self.licences[licence.id] = node
        return self.licences[licence.id]

    def dataset(self, rows: list[ReleaseRequest]) -> URIRef:
        """The dataset (as its newest release describes it) and each released version."""
        newest, oldest = rows[0], rows[-1]
        department, slug = newest.department, newest.dataset
        node = URIRef(f"{self.links.dataset(department, slug)}#dataset")
        self.describe(node, newest, self.links.dataset(department, slug), newest.key)
        g = self.graph
        g.add((node, DCTERMS.issued, _when(aware(oldest.published_at))))
        g.add((node, DCTERMS.modified, _when(aware(newest.published_at))))
        for row in rows:
            version = self.version(row)
            g.add((node, DCAT.hasVersion, version))
            g.add((version, DCAT.isVersionOf, node))
            if row is newest:
                g.add((node, DCAT.hasCurrentVersion, version))
                for distribution in g.objects(version, DCAT.distribution):
                    g.add((node, DCAT.distribution, distribution))
        return node

    def version(self, row: ReleaseRequest) -> URIRef:
        page = self.links.version(row.department, row.dataset, row.version)
        node = URIRef(f"{page}#dataset")
        self.describe(node, row, page, f"{row.key}@{row.version}")
        g, released = self.graph, _when(aware(row.published_at))
        g.add((node, DCAT.version, Literal(str(row.version))))
        g.add((node, DCTERMS.issued, released))
        g.add((node, DCTERMS.modified, released))
        message = (row.snapshot.get("version") or {}).get("message")
        self.add(node, ADMS.versionNotes, Literal(message, lang=EN) if message else None)
        for file in row.snapshot.get("files", []):
            g.add((node, DCAT.distribution, self.distribution(row, page, file)))
        return node

    def describe(self, node: URIRef, row: ReleaseRequest, landing: str, identifier: str) -> None:
        """What a dataset and its versions share, from a release's snapshot."""
        g, snap = self.graph, row.snapshot
        title = snap.get("title") or row.dataset
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.title, Literal(title, lang=EN)))
        g.add((node, DCTERMS.description,
               Literal((snap.get("description") or "").strip() or title, lang=EN)))
        g.add((node, DCTERMS.identifier, Literal(identifier)))
        g.add((node, DCAT.landingPage, URIRef(landing)))
        g.add((node, DCTERMS.publisher, self.agent(snap.get("publisher") or self.info.publisher)))
        for tag in snap.get("tags") or []:
            g.add((node, DCAT.keyword, Literal(tag, lang=EN)))
        for code in terms.themes(row.department, snap.get("tags") or []):
            g.add((node, DCAT.theme, terms.DATA_THEME[code]))
        code = terms.frequency(snap.get("update_frequency"))
        self.add(node, DCTERMS.accrualPeriodicity, terms.FREQUENCY[code] if code else None)
        self.add(node, DCAT.contactPoint, self.contact(snap.get("contact")))
        self.add(node, DCTERMS.temporal, self.temporal(snap.get("temporal_coverage")))
        self.add(node, DCTERMS.spatial, self.spatial(snap.get("spatial_coverage")))
        for upstream in snap.get("derived_from") or []:
            if upstream in self.released and upstream != row.key:  # released datasets only
                department, _, slug = upstream.partition("/")
                g.add((node, PROV.wasDerivedFrom,
                       URIRef(f"{self.links.dataset(department, slug)}#dataset")))

    def distribution(self, row: ReleaseRequest, page: str, file: dict[str, Any]) -> URIRef:
        g, path = self.graph, file["path"]
        download = self.links.download(row.department, row.dataset, row.version, path)
        node = URIRef(f"{download}#distribution")
        is_dir = file["md5"].endswith(".dir")
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(path, lang=EN)))
        g.add((node, DCTERMS.description, Literal(
            f"{'The folder' if is_dir else 'The file'} {path} of version {row.version} of "
            f"{row.snapshot.get('title') or row.dataset}, as released.", lang=EN)))
        g.add((node, DCAT.accessURL, URIRef(page)))
        self.add(node, DCTERMS.license, self.licence(row.licence))
        g.add((node, DCATAP.availability, terms.AVAILABILITY.STABLE))
        if file.get("size") is not None:
            g.add((node, DCAT.byteSize, Literal(int(file["size"]),
                                                datatype=XSD.nonNegativeInteger)))
        if is_dir:  # a folder's address lists its files; its md5 is DVC's, of the listing
            return node
        g.add((node, DCAT.downloadURL, URIRef(download)))
        kind = terms.file_format(path)
        if kind is not None:
            g.add((node, DCTERMS.format, terms.FILE_TYPE[kind.file_type]))
            if kind.media_type:
                g.add((node, DCAT.mediaType, URIRef(terms.IANA + kind.media_type)))
        checksum = BNode()
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_md5))
        g.add((checksum, SPDX.checksumValue, Literal(file["md5"], datatype=XSD.hexBinary)))
        return node

    def contact(self, contact: str | None) -> BNode | None:
        if not contact or not contact.strip():
            return None
        node, email = BNode(), terms.email_of(contact)
        self.graph.add((node, RDF.type, VCARD.Kind))
        self.graph.add((node, VCARD.fn, Literal(contact.strip())))
        self.add(node, VCARD.hasEmail, URIRef(f"mailto:{email}") if email else None)
        return node

    def temporal(self, text: str | None) -> BNode | None:
        if not text or not text.strip():
            return None
        node = BNode()
        self.graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
        self.graph.add((node, RDFS.label, Literal(text.strip(), lang=EN)))
        found = terms.period(text)
        if found is not None:
            self.graph.add((node, DCAT.startDate, Literal(found[0], datatype=XSD.date)))
            self.graph.add((node, DCAT.endDate, Literal(found[1], datatype=XSD.date)))
        return node

    def spatial(self, text: str | None) -> URIRef | BNode | None:
        if not text or not text.strip():
            return None
        iri = terms.place_iri(text)
        if iri is not None:
            return URIRef(iri)
        node = BNode()
        self.graph.add((node, RDF.type, DCTERMS.Location))
        self.graph.add((node, SKOS.prefLabel, Literal(text.strip(), lang=EN)))
        return node


def _when(moment: datetime | date | None) -> Literal | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return Literal(moment.replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
    return Literal(moment.isoformat(), datatype=XSD.date)


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "publisher"
