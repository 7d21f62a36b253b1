"""The open-data feeds (issue 11, items 2, 3, 5 and 6): schema.org JSON-LD on the open dataset
page, the sitemap, a Frictionless data package per released version (validated by frictionless
over HTTP against a served app, data included), the Atom feeds, their caching headers; nothing
unreleased in any of them, and a withdrawal gone from all of them at once."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from xml.etree import ElementTree as ET

import frictionless
import pytest
from werkzeug.serving import make_server

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.tokens import create_token
from tests.builders import RegistryBuilder
from tests.functional.signing import access_app, bearer

KEY = "housing/rough-sleeping"
HIDDEN = "housing/tenancy-audit"
SHORT = "housing/void-lets"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DESCRIPTION = ("Monthly street counts of people sleeping rough, by ward, from the outreach "
               "team; aggregated, no personal data.")
V1 = (b"ward,month,sighting_count,share,verified,counted_on\n"
      b"Abbey,2024-01,12,0.5,true,2024-01-31\nCastle,2024-01,15,1.25,false,2024-01-31\n")
V2 = V1 + b"Riverside,2024-02,9,0.75,true,2024-02-29\n"
CLI = Actor.command_line()


@pytest.fixture
def feeds(tmp_path, database_url):
    registry = RegistryBuilder(tmp_path / "registry", {"housing": "Housing"})
    common = {"contact": "housing.data@northmere.gov.uk",
              "owners": ["priya.shah@northmere.gov.uk"], "tags": ["homelessness", "wards"]}
    registry.version(KEY, {"counts.csv": V1, "notes.txt": b"Counted by the outreach team.\n"},
                     "January count", title="Rough sleeping counts", description=DESCRIPTION,
                     temporal_coverage="2024-01/2024-12", spatial_coverage="Northmere",
                     primary_key=["ward", "month"], **common)
    registry.version(KEY, {"counts.csv": V2}, "February count")
    registry.version(HIDDEN, {"audit.csv": b"block,tenancy_breaches\nA,12\n"}, "Audit",
                     title="Tenancy audit", description="Secret audit of the tenancies held "
                     "by the council, block by block.", **common)
    registry.version(SHORT, {"lets.csv": b"quarter,lets\n2024Q1,4\n"}, "First quarter",
                     title="Void lets", description="Lets.", **common)
    shutil.rmtree(registry.path / ".dvc" / "cache")
    app = access_app(tmp_path / "instance", database_url, ORGANISATION_NAME="Northmere Council")
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    priya = add_account(cat.engine, CLI, "priya.shah@northmere.gov.uk", "Priya Shah",
                        departments=["housing"], role="publisher")
    grace = add_account(cat.engine, CLI, "grace.adeyemi@northmere.gov.uk", "Grace Adeyemi",
                        departments=["housing"], role="governance")
    for key in (KEY, SHORT):
        request = cat.releases.request(priya, CLI, key, 1, "Published monthly")
        assert cat.releases.wait_for_checks(timeout=120)
        override = ["description"] if key == SHORT else None  # too short for the checks
        cat.releases.decide(grace, CLI, request.id, "approve", "Aggregated counts", override)
    token = create_token(cat.engine, CLI, "priya.shah@northmere.gov.uk", "feeds")[1]
    yield app, cat, grace, token
    cat.close()


@contextmanager
def served(app) -> Iterator[str]:
    """The app on a real HTTP server on 127.0.0.1, as tests/browser's live_server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def jsonld(client, key: str) -> dict:
    page = client.get(f"/open/datasets/{key}")
    assert page.status_code == 200
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>',
                       page.get_data(as_text=True), re.S)
    assert len(found) == 1
    return json.loads(found[0])


def test_the_open_dataset_page_carries_schema_org_dataset_json_ld(feeds):
    client = feeds[0].test_client()
    body = jsonld(client, KEY)
    assert body["@context"] == "https://schema.org/" and body["@type"] == "Dataset"
    assert body["name"] == "Rough sleeping counts"
    assert body["description"] == DESCRIPTION
    assert body["url"] == f"http://localhost/open/datasets/{KEY}"
    assert body["identifier"] == KEY
    assert body["license"].startswith("https://www.nationalarchives.gov.uk/doc/open-government")
    assert body["creator"] == {"@type": "Organization", "name": "Housing"}
    assert body["publisher"]["@type"] == "Organization" and body["publisher"]["name"]
    assert body["version"] == "1"
    assert body["dateModified"].startswith("20")
    assert body["keywords"] == ["homelessness", "wards"]
    assert body["temporalCoverage"] == "2024-01/2024-12"
    assert body["spatialCoverage"]["name"] == "Northmere"
    assert body["isAccessibleForFree"] is True
    assert body["includedInDataCatalog"] == {"@type": "DataCatalog",
                                             "name": body["includedInDataCatalog"]["name"],
                                             "url": "http://localhost/open/"}
    downloads = {d["name"]: d for d in body["distribution"]}
    assert set(downloads) == {"counts.csv", "notes.txt"}
    csv = downloads["counts.csv"]
    assert csv["@type"] == "DataDownload" and csv["encodingFormat"] == "text/csv"
    assert csv["contentUrl"] == f"http://localhost/open/datasets/{KEY}/versions/1/files/counts.csv"
    assert csv["contentSize"] == f"{len(V1)} B"
    assert client.get(csv["contentUrl"]).data == V1


def test_a_short_description_is_told_from_the_released_metadata(feeds):
    body = jsonld(feeds[0].test_client(), SHORT)
    assert 50 <= len(body["description"]) <= 5000
    assert body["description"].startswith("Void lets: Lets.")
    assert "Housing" in body["description"]


def test_the_sitemap_lists_only_open_pages(feeds):
    response = feeds[0].test_client().get("/open/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    urls = [u.findtext(f"{SITEMAP}loc") for u in root.iter(f"{SITEMAP}url")]
    base = "http://localhost/open/"
    assert urls == [base, f"{base}datasets/{KEY}", f"{base}datasets/{SHORT}",
                    f"{base}datasets/{KEY}/versions/1", f"{base}datasets/{SHORT}/versions/1"]
    assert all(u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url"))
    assert b"tenancy" not in response.data and b"versions/2" not in response.data


def test_the_data_package_describes_the_release(feeds):
    client = feeds[0].test_client()
    package = client.get(f"/open/datasets/{KEY}/versions/1/datapackage.json").get_json()
    assert package["name"] == "housing-rough-sleeping"
    assert package["title"] == "Rough sleeping counts" and package["version"] == "1"
    assert package["description"] == DESCRIPTION and package["keywords"] == ["homelessness",
                                                                               "wards"]
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    assert package["licenses"][0]["path"].startswith("https://www.nationalarchives.gov.uk/")
    assert {"title": "Housing", "role": "author"} in package["contributors"]
    assert package["created"].startswith("20")
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {"counts.csv", "notes.txt"}
    counts = resources["counts.csv"]
    assert counts["path"] == f"http://localhost/open/datasets/{KEY}/versions/1/files/counts.csv"
    assert counts["format"] == "csv" and counts["mediatype"] == "text/csv"
    assert counts["bytes"] == len(V1) and re.fullmatch(r"md5:[0-9a-f]{32}", counts["hash"])
    assert counts["schema"]["fields"] == [
        {"name": "ward", "type": "string"}, {"name": "month", "type": "string"},
        {"name": "sighting_count", "type": "integer"}, {"name": "share", "type": "number"},
        {"name": "verified", "type": "boolean"}, {"name": "counted_on", "type": "date"}]
    assert counts["schema"]["primaryKey"] == ["ward", "month"]
    assert "schema" not in resources["notes.txt"]


def test_frictionless_validates_the_served_data_package_data_included(feeds):
    app = feeds[0]
    with served(app) as base:
        for key in (KEY, SHORT):
            report = frictionless.validate(f"{base}/open/datasets/{key}/versions/1/"
                                           "datapackage.json")
            assert report.valid, report.flatten(["rowNumber", "fieldNumber", "type", "note"])
            tasks = {t.name: t for t in report.tasks}
            assert tasks and all(t.stats.get("bytes") for t in tasks.values())
        assert tasks["lets.csv"].stats["rows"] == 1


def test_frictionless_fails_a_package_whose_data_differ(feeds):
    """The validation above can fail: the same package with a wrong hash does not pass."""
    app = feeds[0]
    with served(app) as base:
        package = json.loads(app.test_client().get(
            f"/open/datasets/{KEY}/versions/1/datapackage.json").data)
        for r in package["resources"]:
            r["path"] = r["path"].replace("http://localhost", base)
        package["resources"][0]["hash"] = "md5:" + "0" * 32
        report = frictionless.Package(package).validate()
    assert not report.valid
    assert ["hash-count"] in report.flatten(["type"])


def entries(data: bytes) -> list[ET.Element]:
    root = ET.fromstring(data)
    assert root.tag == f"{ATOM}feed" and root.findtext(f"{ATOM}id")
    return root.findall(f"{ATOM}entry")


def test_the_releases_feed_lists_releases_newest_first(feeds):
    response = feeds[0].test_client().get("/open/releases.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    found = entries(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in found]
    assert titles == ["Released: Void lets, version 1",
                      "Released: Rough sleeping counts, version 1"]
    links = [e.find(f"{ATOM}link").get("href") for e in found]
    assert links[1] == f"http://localhost/open/datasets/{KEY}/versions/1"
    assert b"Tenancy" not in response.data


def test_a_withdrawal_leaves_every_feed_at_once(feeds):
    app, cat, grace, _ = feeds
    client = app.test_client()
    package = f"/open/datasets/{KEY}/versions/1/datapackage.json"
    before = {path: client.get(path) for path in ("/open/sitemap.xml", "/open/releases.atom",
                                                  package)}
    assert all(r.status_code == 200 for r in before.values())
    cat.releases.withdraw(grace, CLI, KEY, 1, "A count was wrong")
    sitemap = client.get("/open/sitemap.xml", headers={
        "If-None-Match": before["/open/sitemap.xml"].headers["ETag"]})
    assert sitemap.status_code == 200 and KEY.encode() not in sitemap.data
    assert client.get(package, headers={"If-None-Match": before[package].headers["ETag"]}) \
        .status_code == 404
    feed = client.get("/open/releases.atom", headers={
        "If-None-Match": before["/open/releases.atom"].headers["ETag"]})
    assert feed.status_code == 200
    found = entries(feed.data)
    assert [e.findtext(f"{ATOM}title") for e in found] == [
        "Withdrawn: Rough sleeping counts, version 1", "Released: Void lets, version 1"]
    withdrawn = found[0]
    assert withdrawn.find(f"{ATOM}link") is None
    assert "withdrawn" in withdrawn.findtext(f"{ATOM}summary")
    text = feed.get_data(as_text=True)
    assert "January count" not in text and "homelessness" not in text and KEY not in text
    assert "A count was wrong" not in text


@pytest.mark.parametrize("path", [
    "/open/sitemap.xml", "/open/releases.atom",
    f"/open/datasets/{KEY}/versions/1/datapackage.json"])
def test_open_feeds_answer_304_to_their_etag(feeds, path):
    client = feeds[0].test_client()
    first = client.get(path)
    assert first.status_code == 200 and first.headers["ETag"] and first.last_modified
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data
    # a date alone cannot tell two changes in one second apart: only the ETag gives a 304
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 200 and since.data == first.data


@pytest.mark.parametrize("path", [
    f"/open/datasets/{KEY}/versions/2/datapackage.json",  # released? no, a later version
    f"/open/datasets/{HIDDEN}/versions/1/datapackage.json",  # never released
    "/open/datasets/housing/nothing/versions/1/datapackage.json",
])
def test_no_data_package_for_what_is_not_released(feeds, path):
    response = feeds[0].test_client().get(path, headers={"If-None-Match": "*"})
    assert response.status_code == 404 and b"tenancy_breaches" not in response.data


def test_versions_feed_follows_who_may_read_the_dataset(feeds):
    app, _, _, token = feeds
    anonymous = app.test_client()
    hidden = anonymous.get(f"/datasets/{HIDDEN}/versions.atom")
    missing = anonymous.get("/datasets/housing/no-such-thing/versions.atom")
    assert hidden.status_code == missing.status_code == 404
    assert b"Tenancy audit" not in hidden.data
    assert hidden.data.replace(b"tenancy-audit", b"X") == \
        missing.data.replace(b"no-such-thing", b"X")
    staff = bearer(app, token)
    response = staff.get(f"/datasets/{KEY}/versions.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert "Authorization" in response.headers["Vary"]
    assert [e.findtext(f"{ATOM}title") for e in entries(response.data)] == [
        "Version 2 of Rough sleeping counts", "Version 1 of Rough sleeping counts"]
    assert [e.findtext(f"{ATOM}summary") for e in entries(response.data)] == [
        "February count", "January count"]
    internal = staff.get(f"/datasets/{HIDDEN}/versions.atom")
    assert internal.status_code == 200 and b"Tenancy audit" in internal.data
    again = staff.get(f"/datasets/{KEY}/versions.atom",
                      headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
