"""The JSON API: every page's twin, in the core's public shapes, and errors as JSON."""

from __future__ import annotations

import hashlib

import pytest

from catalogue import browse
from catalogue.access import Reader
from tests.functional.conftest import BROKEN, COUNTS, DERIVED, KEY, NEEDS, RETIRED


def get_json(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/json"
    return response.get_json()


def test_index_has_counts_departments_and_recent_datasets(council, client):
    body = get_json(client, "/api/v1/")
    assert body["dataset_count"] == 3 and body["department_count"] == 2
    assert [d["slug"] for d in body["departments"]] == ["housing", "public-health"]
    assert {d["id"] for d in body["recently_updated"]} == {KEY, DERIVED, BROKEN}


def test_datasets_are_paginated_and_filtered(council, client):
    first = get_json(client, "/api/v1/datasets?per_page=2")
    second = get_json(client, "/api/v1/datasets?per_page=2&page=2")
    assert (first["count"], first["page"], first["per_page"]) == (3, 1, 2)
    assert (second["count"], second["page"], len(second["results"])) == (3, 2, 1)
    ids = [d["id"] for d in first["results"] + second["results"]]
    assert sorted(ids) == sorted([KEY, DERIVED, BROKEN])

    housing = get_json(client, "/api/v1/datasets?department=housing")
    assert {d["id"] for d in housing["results"]} == {KEY, BROKEN}
    with_retired = get_json(client, "/api/v1/datasets?include_retired=true&department=housing")
    assert {d["id"]: d["retired"] for d in with_retired["results"]} == {
        KEY: False, BROKEN: False, RETIRED: True}


def test_bad_paging_values_are_clamped_not_errors(council, client):
    body = get_json(client, "/api/v1/datasets?page=zero&per_page=100000")
    assert (body["page"], body["per_page"]) == (1, 100)
    assert get_json(client, "/api/v1/datasets?page=-3")["page"] == 1


def test_dataset_is_the_core_shape_the_page_renders(council, client, catalogue):
    body = get_json(client, f"/api/v1/datasets/{KEY}")
    with catalogue.session() as s:
        expected = browse.dataset(s, Reader.everyone(), *KEY.split("/")).model_dump(mode="json")
    assert body == expected
    assert body["title"] == "Rough sleeping street counts"
    assert body["extra"] == {"source_system": "CHAIN"}
    assert body["current_version"]["number"] == 3
    assert body["how_to_get"][0]["dvc_get"].startswith(f"dvc get {council.path} {KEY}/counts.csv")


def test_problems_are_in_the_api(council, client):
    body = get_json(client, f"/api/v1/datasets/{BROKEN}")
    assert body["problem_count"] == len(body["problems"]) >= 1
    problem = body["problems"][0]
    assert problem["file"] == f"{BROKEN}/dataset.yaml" and problem["line"] == 2
    assert "owners" in problem["message"]


def test_versions_newest_first(council, client):
    body = get_json(client, f"/api/v1/datasets/{KEY}/versions")
    assert body["count"] == 3
    assert [(v["number"], v["author_name"], v["message"], v["size"]) for v in body["results"]] == [
        (3, "Cara Jones", "Summer street count", len(COUNTS[2])),
        (2, "Ben Okafor", "Spring street count", len(COUNTS[1])),
        (1, "Asha Patel", "First street count", len(COUNTS[0])),
    ]


def test_version_has_files_with_hashes_and_download_urls(council, client):
    body = get_json(client, f"/api/v1/datasets/{KEY}/versions/1")
    assert body["number"] == 1 and body["dataset"] == KEY
    [file] = body["files"]
    assert file["path"] == "counts.csv" and file["md5"] == hashlib.md5(COUNTS[0]).hexdigest()
    assert file["download_url"] == (
        f"http://localhost/api/v1/datasets/{KEY}/versions/1/files/counts.csv")
    assert client.get(file["download_url"]).data == COUNTS[0]

    derived = get_json(client, f"/api/v1/datasets/{DERIVED}/versions/1")
    [folder] = derived["files"]
    assert (folder["path"], folder["is_dir"], folder["nfiles"]) == ("tables", True, 2)
    assert folder["download_url"] is None
    listing = get_json(client, folder["listing_url"])
    assert (listing["dataset"], listing["version"], listing["path"]) == (DERIVED, 1, "tables")
    assert [(e["name"], e["is_dir"]) for e in listing["entries"]] == [
        ("needs.csv", False), ("services.csv", False)]
    needs = listing["entries"][0]
    assert needs["url"] == f"/api/v1/datasets/{DERIVED}/versions/1/files/tables/needs.csv"
    assert client.get(needs["url"]).data == NEEDS


def test_lineage_up_and_downstream(council, client):
    down = get_json(client, f"/api/v1/datasets/{KEY}/lineage")
    assert down["dataset"] == KEY and down["upstream"] == []
    assert [(link["dataset"], link["kind"]) for link in down["downstream"]] == [
        (DERIVED, "declared")]
    up = get_json(client, f"/api/v1/datasets/{DERIVED}/lineage")
    assert {(link["dataset"], link["ref"]) for link in up["upstream"]} == {
        (KEY, None), (None, "https://www.ons.gov.uk/")}


def test_departments_and_a_department_with_its_datasets(council, client):
    body = get_json(client, "/api/v1/departments")
    assert body["count"] == 2
    assert {d["slug"]: d["dataset_count"] for d in body["results"]} == {
        "housing": 2, "public-health": 1}
    housing = get_json(client, "/api/v1/departments/housing")
    assert (housing["slug"], housing["name"], housing["dataset_count"]) == (
        "housing", "Housing", 2)
    assert housing["datasets"]["count"] == 2
    assert {d["id"] for d in housing["datasets"]["results"]} == {KEY, BROKEN}


@pytest.mark.parametrize("url, message", [
    (f"/api/v1/datasets/{KEY}/versions/7", f"Dataset {KEY} has no version 7"),
    ("/api/v1/datasets/housing/nothing", "No dataset housing/nothing"),
    ("/api/v1/datasets/housing/nothing/lineage", "No dataset housing/nothing"),
    ("/api/v1/departments/nowhere", "No department nowhere"),
    ("/api/v1/no-such-thing", None),
])
def test_unknown_things_answer_json_404(council, client, url, message):
    body = get_json(client, url, status=404)
    assert set(body) == {"error"} and body["error"]["status"] == 404
    if message:
        assert body["error"]["message"] == message


def test_wrong_method_answers_json_405(council, client):
    response = client.post("/api/v1/datasets")
    assert response.status_code == 405 and response.get_json()["error"]["status"] == 405
