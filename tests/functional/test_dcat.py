"""The DCAT-AP 3.0.1 catalogue of open releases, as harvesters read it: every serialisation
parses, it lists released versions only and lineage to released datasets only, it conforms to
the DCAT-AP shapes (pyshacl), answers 304 to a matching validator, pages with Hydra, and
loses a withdrawn version at the very next request."""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import DCTERMS, PROV, RDF, SH, Graph, Literal, URIRef

from catalogue.audit import Actor
from catalogue.opendata.dcat_cache import CatalogCache
from catalogue.opendata.dcat_terms import DCAT, HYDRA, SPDX, XSD
from catalogue.people import add_account
from tests.builders import RegistryBuilder
from tests.functional.signing import access_app, own_database

STANDARDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "standards"
BASE = "http://localhost"
KEY = "housing/rough-sleeping"
HIDDEN = "housing/tenancy-audit"  # department-only, never released
DERIVED = "public-health/rough-sleeping-health"
V1 = b"ward,month,sighting_count\nAbbey,2024-01,12\nCastle,2024-01,15\n"
V2 = V1 + b"Riverside,2024-02,9\n"
V3 = V2 + b"Westgate,2024-03,4\n"
SUMMARY = b"ward,need,people\nAbbey,Mental health,3\n"
CLI = Actor.command_line()
log = logging.getLogger(__name__)


def _registry(path: Path) -> RegistryBuilder:
    r = RegistryBuilder(path, {"housing": "Housing", "public-health": "Public Health"},
                        name="Northmere Borough Council")
    common = {"owners": ["priya.shah@northmere.gov.uk"], "contact": "housing.data@northmere.gov.uk"}
    r.version(KEY, {"counts.csv": V1}, "January count", title="Rough sleeping counts",
              description="Monthly street counts of people sleeping rough, by ward.",
              tags=["homelessness", "street count"], update_frequency="Monthly",
              temporal_coverage="April 2024 to March 2025", spatial_coverage="Northmere wards",
              **common)
    r.version(KEY, {"counts.csv": V2}, "February count")
    r.version(KEY, {"counts.csv": V3}, "March count")
    r.version(HIDDEN, {"audit.csv": b"block,tenancy_breaches\nA,12\n"}, "Audit",
              title="Tenancy audit Quarrendon", description="Breaches found by Quarrendon.",
              visibility="department", classification="OFFICIAL-SENSITIVE", **common)
    r.version(DERIVED, {"summary.csv": SUMMARY}, "Health needs summary",
              title="Health needs of people sleeping rough",
              description="Needs met by outreach health services, by ward.", tags=["health"],
              derived_from=[KEY, HIDDEN, "https://www.ons.gov.uk/"], update_frequency="Annually",
              temporal_coverage="2024", spatial_coverage="E06000099",
              **{**common, "owners": ["priya.shah@northmere.gov.uk"]})
    shutil.rmtree(r.path / ".dvc" / "cache")
    return r


@pytest.fixture(scope="module")
def dcat_registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    return _registry(tmp_path_factory.mktemp("dcat") / "registry")


def _released_app(folder: Path, url: str, registry: RegistryBuilder, versions):
    app = access_app(folder / "instance", url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    priya = add_account(cat.engine, CLI, "priya.shah@northmere.gov.uk", "Priya Shah",
                        departments=["housing", "public-health"], role="publisher")
    grace = add_account(cat.engine, CLI, "grace.adeyemi@northmere.gov.uk", "Grace Adeyemi",
                        departments=["housing"], role="governance")
    asked = [cat.releases.request(priya, CLI, key, n, "Aggregated counts") for key, n in versions]
    assert cat.releases.wait_for_checks(timeout=240)
    for request in asked:
        failed = [c.name for c in cat.releases.detail(grace, request.id).checks
                  if c.outcome == "fail"]
        assert "personal-data" not in failed
        decided = cat.releases.decide(grace, CLI, request.id, "approve", "Aggregated",
                                      override=failed)
        assert decided.published
    return app, cat, grace


@pytest.fixture(scope="module")
def released(dcat_registry, tmp_path_factory):
    """KEY's versions 1 and 2 and DERIVED's version 1 released; KEY's version 3 and HIDDEN not.
    Read only: the withdrawal test has a world of its own."""
    folder = tmp_path_factory.mktemp("dcat-instance")
    with own_database(folder) as url:
        app, cat, _ = _released_app(folder, url, dcat_registry, [(KEY, 1), (KEY, 2),
                                                                  (DERIVED, 1)])
        try:
            yield app
        finally:
            cat.close()


def parsed(response, kind: str = "turtle") -> Graph:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return Graph().parse(data=response.get_data(as_text=True), format=kind, publicID=BASE)


def datasets(graph: Graph) -> dict[str, URIRef]:
    return {str(graph.value(d, DCTERMS.identifier)): d
            for d in graph.subjects(RDF.type, DCAT.Dataset)}


def dataset_iri(key: str, number: int | None = None) -> URIRef:
    tail = f"/versions/{number}" if number else ""
    return URIRef(f"{BASE}/open/datasets/{key}{tail}#dataset")


def test_every_serialisation_parses_to_the_same_catalogue(released):
    client = released.test_client()
    turtle = client.get("/open/catalog.ttl")
    assert turtle.mimetype == "text/turtle"
    sizes = {"ttl": len(parsed(turtle))}
    jsonld = client.get("/open/catalog.jsonld")
    assert jsonld.mimetype == "application/ld+json" and "@context" in jsonld.get_json()
    sizes["jsonld"] = len(parsed(jsonld, "json-ld"))
    rdfxml = client.get("/open/catalog.rdf")
    assert rdfxml.mimetype == "application/rdf+xml"
    sizes["rdf"] = len(parsed(rdfxml, "xml"))
    for accept, kind in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                         ("application/rdf+xml", "xml"), ("*/*", "turtle"),
                         ("text/html,application/xhtml+xml,*/*;q=0.8", "turtle")):
        negotiated = client.get("/open/catalog", headers={"Accept": accept})
        assert "Accept" in negotiated.headers["Vary"]
        sizes[accept] = len(parsed(negotiated, kind))
    sizes["none"] = len(parsed(client.get("/open/catalog")))  # no Accept: Turtle
    assert len(set(sizes.values())) == 1 and sizes["ttl"] > 100, sizes
    assert client.get("/open/catalog", headers={"Accept": "application/pdf"}).status_code == 406


def test_it_lists_released_versions_only_with_their_files(released):
    client = released.test_client()
    body = client.get("/open/catalog.ttl").get_data(as_text=True)
    graph = parsed(client.get("/open/catalog.ttl"))
    found = datasets(graph)
    assert set(found) == {KEY, f"{KEY}@1", f"{KEY}@2", DERIVED, f"{DERIVED}@1"}
    for hidden in ("tenancy-audit", "Quarrendon", "March count", "/versions/3"):
        assert hidden not in body
    catalog = graph.value(None, RDF.type, DCAT.Catalog, any=False) or \
        next(graph.subjects(RDF.type, DCAT.Catalog))
    assert set(graph.objects(catalog, DCAT.dataset)) == {dataset_iri(KEY), dataset_iri(DERIVED)}
    publisher = graph.value(catalog, DCTERMS.publisher)
    assert str(graph.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))) == \
        "Northmere Borough Council"

    dataset = dataset_iri(KEY)
    assert set(graph.objects(dataset, DCAT.hasVersion)) == {dataset_iri(KEY, 1),
                                                            dataset_iri(KEY, 2)}
    assert graph.value(dataset, DCAT.hasCurrentVersion) == dataset_iri(KEY, 2)
    assert graph.value(dataset_iri(KEY, 1), DCAT.isVersionOf) == dataset
    assert graph.value(dataset_iri(KEY, 1), DCAT.version) == Literal("1")
    assert graph.value(dataset, DCAT.landingPage) == URIRef(f"{BASE}/open/datasets/{KEY}")
    assert {str(k) for k in graph.objects(dataset, DCAT.keyword)} == {"homelessness",
                                                                     "street count"}
    period = graph.value(dataset, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2024-04-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2025-03-31", datatype=XSD.date)
    contact = graph.value(dataset, DCAT.contactPoint)
    assert graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == \
        URIRef("mailto:housing.data@northmere.gov.uk")

    for number, data in ((1, V1), (2, V2)):
        [file] = graph.objects(dataset_iri(KEY, number), DCAT.distribution)
        download = str(graph.value(file, DCAT.downloadURL))
        assert download == f"{BASE}/open/datasets/{KEY}/versions/{number}/files/counts.csv"
        assert client.get(download).data == data  # the URL serves exactly these bytes
        assert graph.value(file, DCAT.accessURL) == \
            URIRef(f"{BASE}/open/datasets/{KEY}/versions/{number}")
        assert graph.value(file, DCAT.byteSize) == Literal(len(data),
                                                           datatype=XSD.nonNegativeInteger)
        checksum = graph.value(file, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_md5
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.md5(data).hexdigest()
        assert graph.value(file, DCAT.mediaType) == \
            URIRef("https://www.iana.org/assignments/media-types/text/csv")
        assert graph.value(file, DCTERMS.license) == URIRef(
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")


def test_lineage_names_released_datasets_only(released):
    client = released.test_client()
    graph = parsed(client.get("/open/catalog.ttl"))
    for node in (dataset_iri(DERIVED), dataset_iri(DERIVED, 1)):
        assert set(graph.objects(node, PROV.wasDerivedFrom)) == {dataset_iri(KEY)}
    every = {o for o in graph.objects(None, PROV.wasDerivedFrom)}
    assert every == {dataset_iri(KEY)}
    for path in ("/open/catalog.ttl", "/open/catalog.jsonld", "/open/catalog.rdf"):
        assert "tenancy-audit" not in client.get(path).get_data(as_text=True), path


def _shacl(data: Graph, shapes: str) -> tuple[bool, Graph]:
    conforms, report, _ = validate(data, shacl_graph=str(STANDARDS / shapes),
                                   shacl_graph_format="turtle", inference="none",
                                   allow_warnings=True)
    return conforms, report


def test_it_conforms_to_the_dcat_ap_shapes(released):
    data = parsed(released.test_client().get("/open/catalog.ttl"))
    conforms, report = _shacl(data, "dcat-ap-3.0.1-shapes.ttl")
    violations = list(report.subjects(SH.resultSeverity, SH.Violation))
    assert conforms and violations == [], report.serialize(format="turtle")[:3000]

    _, recommended = _shacl(data, "dcat-ap-3.0.1-shapes-recommended.ttl")
    results = list(recommended.subjects(RDF.type, SH.ValidationResult))
    missing = Counter(
        (data.qname(next(data.objects(recommended.value(r, SH.focusNode), RDF.type))),
         data.qname(recommended.value(r, SH.resultPath))) for r in results)
    log.info("DCAT-AP recommended shapes: %d warnings: %s", len(results), dict(missing))
    # What the registry does not hold: the council's area (for the catalogue) and coordinates
    # of places named in words. Every recommended property whose data exist is there.
    assert set(missing) <= {("dcat:Catalog", "dct:spatial"), ("dct:Location", "dcat:bbox"),
                            ("dct:Location", "dcat:centroid")}, missing
    assert not recommended.value(None, SH.resultSeverity, SH.Violation)


def test_validators_answer_304_and_the_cache_is_fast(released):
    client = released.test_client()
    released.extensions["dcat_cache"] = CatalogCache()  # an empty one: the first request builds
    started = time.perf_counter()
    first = client.get("/open/catalog.ttl")
    uncached = time.perf_counter() - started
    etag, modified = first.headers["ETag"], first.headers.get("Last-Modified")
    assert etag.startswith('W/"') and "no-cache" in first.headers["Cache-Control"]
    cached = []
    for _ in range(3):
        started = time.perf_counter()
        again = client.get("/open/catalog.ttl")
        cached.append(time.perf_counter() - started)
        assert again.data == first.data and again.headers["ETag"] == etag
    log.info("catalog.ttl: %.1f ms uncached, %.1f ms cached", uncached * 1000,
             min(cached) * 1000)
    assert min(cached) < 0.05, cached

    not_modified = client.get("/open/catalog.ttl", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == etag
    if modified is not None:  # absent while the last release is under a second old
        since = client.get("/open/catalog.ttl", headers={"If-Modified-Since": modified})
        assert since.status_code == 304 and since.data == b""  # (werkzeug's 304s carry no
        # Last-Modified: RFC 9110 lists it among the headers a 304 need not repeat)
        earlier = "Mon, 01 Jan 2024 00:00:00 GMT"
        assert client.get("/open/catalog.ttl", headers={"If-Modified-Since": earlier}
                          ).status_code == 200
    other = client.get("/open/catalog.ttl", headers={"If-None-Match": 'W/"other"'})
    assert other.status_code == 200 and other.data == first.data
    # another serialisation of the same state is another entity
    assert client.get("/open/catalog.jsonld").headers["ETag"] != etag
    assert client.get("/open/catalog.jsonld", headers={"If-None-Match": etag}).status_code == 200


@pytest.fixture
def small_pages(released) -> Iterator:
    released.config["DCAT_PAGE_SIZE"] = 1
    try:
        yield released
    finally:
        released.config["DCAT_PAGE_SIZE"] = 100


def test_a_large_catalogue_is_paged_with_hydra(small_pages):
    client = small_pages.test_client()
    whole = client.get("/open/catalog.ttl")
    first = parsed(whole)
    view = URIRef(f"{BASE}/open/catalog.ttl?page=1")
    assert (view, RDF.type, HYDRA.PartialCollectionView) in first
    assert first.value(view, HYDRA.first) == view
    assert first.value(view, HYDRA.next) == URIRef(f"{BASE}/open/catalog.ttl?page=2")
    assert first.value(view, HYDRA.last) == URIRef(f"{BASE}/open/catalog.ttl?page=2")
    assert first.value(view, HYDRA.previous) is None
    second = parsed(client.get(str(first.value(view, HYDRA.next))))
    view2 = URIRef(f"{BASE}/open/catalog.ttl?page=2")
    assert second.value(view2, HYDRA.next) is None and second.value(view2, HYDRA.previous) == view
    pages = [set(g.objects(None, DCAT.dataset)) for g in (first, second)]
    assert pages == [{dataset_iri(KEY)}, {dataset_iri(DERIVED)}]  # in key order
    assert client.get("/open/catalog.ttl?page=3").status_code == 404
    assert client.get("/open/catalog.ttl?page=2").headers["ETag"] != whole.headers["ETag"]


@pytest.fixture
def withdrawable(dcat_registry, tmp_path):
    with own_database(tmp_path) as url:
        app, cat, grace = _released_app(tmp_path, url, dcat_registry, [(KEY, 1), (KEY, 2)])
        try:
            yield app, cat, grace
        finally:
            cat.close()


def test_a_withdrawn_version_leaves_the_catalogue_at_once(withdrawable):
    app, cat, grace = withdrawable
    client = app.test_client()
    before = client.get("/open/catalog.ttl")
    assert f"{KEY}@2" in datasets(parsed(before))
    assert client.get("/open/catalog.ttl").data == before.data  # cached now
    cat.releases.withdraw(grace, CLI, KEY, 2, "A count was wrong")
    after = client.get("/open/catalog.ttl", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    graph = parsed(after)
    assert set(datasets(graph)) == {KEY, f"{KEY}@1"}
    assert graph.value(dataset_iri(KEY), DCAT.hasCurrentVersion) == dataset_iri(KEY, 1)
    assert "/versions/2" not in after.get_data(as_text=True)
    jsonld = client.get("/open/catalog.jsonld").get_data(as_text=True)
    assert "/versions/2" not in jsonld and "/versions/1" in jsonld
    cat.releases.withdraw(grace, CLI, KEY, 1, "Withdrawn too")
    empty = parsed(client.get("/open/catalog.ttl"))
    assert datasets(empty) == {} and len(list(empty.subjects(RDF.type, DCAT.Catalog))) == 1
