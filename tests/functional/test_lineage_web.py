"""The lineage graph's page and JSON twin through HTTP: N hops, version by version, bad depths
as a 400 naming the field, and a neighbour the reader may not see left unnamed."""

from __future__ import annotations

import pytest

from tests.functional.conftest import DERIVED, KEY
from web.auth import TEST_PRINCIPALS

HOUSING_STAFF = ["public", "internal", "department:housing"]
DERIVED_TITLE = "Health needs of people sleeping rough"


def test_the_json_has_nodes_edges_and_what_depends_on_this(council, client):
    body = client.get(f"/api/v1/datasets/{KEY}/lineage").get_json()
    assert (body["dataset"], body["depth"], body["versions"]) == (KEY, 3, False)
    assert {(n["id"], n["distance"]) for n in body["nodes"]} == {(KEY, 0), (DERIVED, 1)}
    assert body["edges"] == [{"source": KEY, "target": DERIVED, "kind": "declared"}]
    assert [(d["dataset"], d["title"], d["distance"]) for d in body["depends_on_this"]] == [
        (DERIVED, DERIVED_TITLE, 1)]
    assert body["depends_on_this"][0]["owners"] == ["owner@council.example.gov.uk"]
    # the direct links, as before, for the dataset page's lists
    assert [link["dataset"] for link in body["downstream"]] == [DERIVED]

    up = client.get(f"/api/v1/datasets/{DERIVED}/lineage?depth=1&versions=1").get_json()
    assert up["versions"] is True and up["depth"] == 1
    assert {(e["source"], e["target"]) for e in up["edges"]} == {
        (f"{KEY}@3", f"{DERIVED}@1"), ("external:https://www.ons.gov.uk/", f"{DERIVED}@1")}


@pytest.mark.parametrize("depth", ["0", "-1", "11", "three", "1e3"])
def test_a_bad_depth_is_a_400_naming_the_field(council, client, depth):
    response = client.get(f"/api/v1/datasets/{KEY}/lineage", query_string={"depth": depth})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("depth: ")
    page = client.get(f"/datasets/{KEY}/lineage", query_string={"depth": depth})
    assert page.status_code == 400 and "depth: " in page.get_data(as_text=True)


def test_the_page_lists_up_and_downstream_without_javascript(council, client):
    page = client.get(f"/datasets/{DERIVED}/lineage?depth=2").get_data(as_text=True)
    assert 'id="lineage-upstream"' in page and "Rough sleeping street counts" in page
    assert "https://www.ons.gov.uk/" in page
    assert 'data-lineage-url="/api/v1/datasets/public-health/rough-sleeping-health/lineage?' \
           'depth=2"' in page
    assert '<option value="2" selected>' in page
    source = client.get(f"/datasets/{KEY}/lineage").get_data(as_text=True)
    assert 'id="dependants"' in source and DERIVED_TITLE in source
    assert "mailto:owner@council.example.gov.uk" in source
    # the dataset page links to the graph
    dataset = client.get(f"/datasets/{KEY}").get_data(as_text=True)
    assert f'href="/datasets/{KEY}/lineage"' in dataset


def test_a_neighbour_the_reader_may_not_see_is_unnamed(council, app, client):
    app.config[TEST_PRINCIPALS] = HOUSING_STAFF  # the derived dataset is public health's only
    body = client.get(f"/api/v1/datasets/{KEY}/lineage").get_json()
    assert [(n["id"], n["kind"], n["label"]) for n in body["nodes"] if n["distance"] == 1] == [
        ("restricted-1", "restricted", "Restricted dataset")]
    assert body["depends_on_this"] == [] and body["restricted_dependants"] == 1
    page = client.get(f"/datasets/{KEY}/lineage").get_data(as_text=True)
    assert "A restricted dataset" in page and "1 more restricted dataset" in page
    for text in (str(body), page):
        for secret in (DERIVED, DERIVED_TITLE, "rough-sleeping-health"):
            assert secret not in text
    assert client.get(f"/api/v1/datasets/{DERIVED}/lineage").status_code == 404
    assert client.get(f"/datasets/{DERIVED}/lineage").status_code == 404
