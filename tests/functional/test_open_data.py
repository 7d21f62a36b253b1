"""The open-data portal, as the public meets it: nobody signed in finds a released version,
reads it as approved and downloads it byte for byte; nothing unreleased is there, and a
withdrawn release is gone from every page, download and search at once."""

from __future__ import annotations

import shutil

import pytest

from catalogue.audit import Actor
from catalogue.people import add_account
from tests.builders import RegistryBuilder
from tests.functional.signing import access_app

KEY = "housing/rough-sleeping"
HIDDEN = "housing/tenancy-audit"
DESCRIPTION = ("Monthly street counts of people sleeping rough, by ward, from the outreach "
               "team; aggregated, no personal data.")
V1 = b"ward,month,sighting_count\nAbbey,2024-01,12\nCastle,2024-01,15\n"
V2 = V1 + b"Riverside,2024-02,9\n"
CLI = Actor.command_line()


@pytest.fixture
def portal(tmp_path, database_url):
    registry = RegistryBuilder(tmp_path / "registry", {"housing": "Housing"})
    common = {"description": DESCRIPTION, "contact": "housing.data@northmere.gov.uk",
              "owners": ["priya.shah@northmere.gov.uk"], "tags": ["homelessness"]}
    registry.version(KEY, {"counts.csv": V1}, "January count", title="Rough sleeping counts",
                     **common)
    registry.version(KEY, {"counts.csv": V2}, "February count")
    registry.version(HIDDEN, {"audit.csv": b"block,tenancy_breaches\nA,12\n"}, "Audit",
                     title="Tenancy audit", **common)
    shutil.rmtree(registry.path / ".dvc" / "cache")
    app = access_app(tmp_path / "instance", database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    priya = add_account(cat.engine, CLI, "priya.shah@northmere.gov.uk", "Priya Shah",
                        departments=["housing"], role="publisher")
    grace = add_account(cat.engine, CLI, "grace.adeyemi@northmere.gov.uk", "Grace Adeyemi",
                        departments=["housing"], role="governance")
    request = cat.releases.request(priya, CLI, KEY, 1, "Published monthly")
    assert cat.releases.wait_for_checks(timeout=120)
    cat.releases.decide(grace, CLI, request.id, "approve", "Aggregated counts")
    assert cat.open_search.wait_for_columns(timeout=120)
    yield app, cat, grace
    cat.close()


def test_the_public_finds_reads_and_downloads_a_released_version(portal):
    app, _, _ = portal
    client = app.test_client()
    home = client.get("/open/")
    assert home.status_code == 200 and b"Rough sleeping counts" in home.data
    page = client.get(f"/open/datasets/{KEY}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Open Government Licence" in text and "How to cite" in text
    assert f"/open/datasets/{KEY}/versions/1/files/counts.csv" in text
    download = client.get(f"/open/datasets/{KEY}/versions/1/files/counts.csv")
    assert download.status_code == 200 and download.data == V1
    assert download.headers["Content-Type"] == "text/csv"
    body = client.get(f"/api/v1/open/datasets/{KEY}").get_json()
    assert [v["number"] for v in body["versions"]] == [1]
    assert body["versions"][0]["files"][0]["url"].endswith("/versions/1/files/counts.csv")
    found = client.get("/api/v1/open/search?q=rough+sleeping").get_json()
    assert [r["id"] for r in found["results"]] == [KEY]
    by_column = client.get("/api/v1/open/search?q=sighting_count").get_json()
    assert [r["id"] for r in by_column["results"]] == [KEY]
    assert client.get("/open/search?q=rough").status_code == 200
    version_page = client.get(f"/open/datasets/{KEY}/versions/1").get_data(as_text=True)
    assert f"/open/datasets/{KEY}/versions/1/datapackage.json" in version_page


@pytest.mark.parametrize("path", [
    f"/open/datasets/{KEY}/versions/2",  # a later version, not released
    f"/open/datasets/{KEY}/versions/2/files/counts.csv",
    f"/open/datasets/{HIDDEN}",  # never released
    f"/open/datasets/{HIDDEN}/versions/1/files/audit.csv",
    f"/api/v1/open/datasets/{HIDDEN}",
    f"/open/datasets/{KEY}/versions/1/files/nothing.csv",
    f"/datasets/{KEY}",  # the internal catalogue stays signed-in only
])
def test_nothing_unreleased_is_reachable(portal, path):
    response = portal[0].test_client().get(path)
    assert response.status_code == 404
    assert b"Tenancy audit" not in response.data and b"tenancy_breaches" not in response.data


def test_unreleased_datasets_are_not_in_the_public_search(portal):
    client = portal[0].test_client()
    for q in ("tenancy", "tenancy_breaches", "audit"):
        assert client.get(f"/api/v1/open/search?q={q}").get_json()["count"] == 0
    facets = client.get("/api/v1/open/search").get_json()["facets"]
    assert all(v["count"] == 1 for values in facets.values() for v in values)


def test_a_withdrawn_release_is_gone_at_once(portal):
    app, cat, grace = portal
    client = app.test_client()
    assert client.get(f"/open/datasets/{KEY}/versions/1").status_code == 200
    cat.releases.withdraw(grace, CLI, KEY, 1, "A count was wrong")
    for path in (f"/open/datasets/{KEY}", f"/open/datasets/{KEY}/versions/1",
                 f"/open/datasets/{KEY}/versions/1/files/counts.csv",
                 f"/api/v1/open/datasets/{KEY}"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/v1/open/search?q=rough").get_json()["count"] == 0
    assert b"Rough sleeping counts" not in client.get("/open/").data
