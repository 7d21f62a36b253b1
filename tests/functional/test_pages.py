"""The server-rendered pages, read through the Flask test client over a real indexed registry."""

from __future__ import annotations

import hashlib

import pytest

from tests.functional.conftest import BROKEN, COUNTS, DERIVED, KEY, NEEDS, RETIRED
from tests.functional.html import parse

PAGES = [
    "/",
    "/departments",
    "/departments/housing",
    "/datasets",
    f"/datasets/{KEY}",
    f"/datasets/{KEY}/versions",
    f"/datasets/{KEY}/versions/1",
    f"/datasets/{DERIVED}/versions/1",
    f"/datasets/{DERIVED}/versions/1/files/tables",
    f"/datasets/{BROKEN}",
    f"/datasets/{RETIRED}",
]


def get_page(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "text/html"
    return parse(response.data)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_accessible_branded_for_the_council_and_free_of_inline_script(
        council, client, url):
    page = get_page(client, url)
    assert page.title.endswith("– Data catalogue")
    assert [level for level, _ in page.headings][:1] == [1], page.headings
    levels = [level for level, _ in page.headings]
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), page.headings
    assert "#main-content" in page.hrefs()  # the skip link
    # JavaScript only from files, started by a file: a strict CSP can forbid inline script.
    assert page.inline_scripts == [] and page.event_handlers == []
    assert [s.get("src") for s in page.scripts] == ["/static/dist/app.mjs"]
    assert "GOV.UK" not in page.text and "Crown copyright" not in page.text


@pytest.mark.parametrize("url", PAGES)
def test_every_page_links_its_json_twin(council, client, url):
    page = get_page(client, url)
    [twin] = page.alternates
    assert twin.startswith("/api/v1/")
    assert page.link_to("View this page as JSON") == twin
    response = client.get(twin)
    assert response.status_code == 200 and response.is_json


def test_home_says_what_this_is_and_shows_counts_departments_and_recent_datasets(
        council, client):
    page = get_page(client, "/")
    assert "Find and use the council's data" in page.text
    assert "3 datasets" in page.text and "2 departments" in page.text  # retired not counted
    assert page.link_to("Housing") == "/departments/housing"
    assert page.link_to("Public Health") == "/departments/public-health"
    assert page.link_to("Rough sleeping street counts") == f"/datasets/{KEY}"
    assert "Old housing register" not in page.text


def test_departments_list_and_a_department_page(council, client):
    page = get_page(client, "/departments")
    assert page.link_to("Housing") == "/departments/housing"
    assert "Housing 2" in page.text and "Public Health 1" in page.text

    page = get_page(client, "/departments/housing")
    assert page.headings[0] == (1, "Housing")
    assert page.link_to("Rough sleeping street counts") == f"/datasets/{KEY}"
    assert page.link_to("broken") == f"/datasets/{BROKEN}"  # invalid metadata: its slug
    assert "Health needs of people sleeping rough" not in page.text


def dataset_links(page) -> list[str]:
    return [href for href in page.hrefs() if href.startswith("/datasets/")
            and href.count("/") == 3]


def test_datasets_list_is_paginated_and_filters(council, client):
    first = get_page(client, "/datasets?per_page=2")
    second = get_page(client, "/datasets?per_page=2&page=2")
    assert "Showing 1 to 2 of 3 datasets" in first.text
    assert "Showing 3 to 3 of 3 datasets" in second.text
    assert "/datasets?per_page=2&page=2" in first.hrefs()
    assert second.alternates == ["/api/v1/datasets?per_page=2&page=2"]
    shown = dataset_links(first) + dataset_links(second)
    assert sorted(shown) == sorted(f"/datasets/{k}" for k in (KEY, DERIVED, BROKEN))

    filtered = get_page(client, "/datasets?department=public-health")
    assert "Showing 1 to 1 of 1 dataset" in filtered.text
    assert dataset_links(filtered) == [f"/datasets/{DERIVED}"]

    assert f"/datasets/{RETIRED}" not in get_page(client, "/datasets").hrefs()
    with_retired = get_page(client, "/datasets?include_retired=true")
    assert with_retired.link_to("Old housing register") == f"/datasets/{RETIRED}"
    assert "Retired" in with_retired.text


def test_dataset_page_shows_its_metadata(council, client):
    page = get_page(client, f"/datasets/{KEY}")
    assert page.headings[0] == (1, "Rough sleeping street counts")
    text = page.text
    for shown in ["housing-data@council.example.gov.uk", "asha.patel@council.example.gov.uk",
                  "homelessness", "street count", "OFFICIAL", "Personal data No",
                  "Who can see it All staff", "OGL-UK-3.0", "Update frequency Monthly",
                  "April 2024 to March 2025", "Northshire wards", "Northshire Council registry",
                  "Source system CHAIN"]:
        assert shown in text, shown
    assert "mailto:housing-data@council.example.gov.uk" in page.hrefs()


def test_markdown_description_is_rendered_without_its_script(council, client):
    response = client.get(f"/datasets/{KEY}")
    html = response.get_data(as_text=True)
    assert "<strong>monthly</strong>" in html
    assert '<h3>Rough sleeping street counts</h3>' in html  # `#` moved below the page's h1
    assert '<a href="https://example.org/method" rel="noopener noreferrer nofollow">' in html
    assert "<script>alert" not in html and 'alert("owned")' not in parse(html).inline_scripts
    assert "&lt;script&gt;" in html  # shown as the text it is
    assert 'href="javascript:' not in html


def test_dataset_page_shows_versions_timeline(council, client):
    page = get_page(client, f"/datasets/{KEY}")
    for number, author, message, data in [(3, "Cara Jones", "Summer street count", COUNTS[2]),
                                          (2, "Ben Okafor", "Spring street count", COUNTS[1]),
                                          (1, "Asha Patel", "First street count", COUNTS[0])]:
        assert page.link_to(f"Version {number}") == f"/datasets/{KEY}/versions/{number}"
        assert f"Version {number}" in page.text and author in page.text and message in page.text
        assert f"{len(data)} bytes" in page.text
    text = page.text
    assert text.index("Version 3") < text.index("Version 2") < text.index("Version 1")


def test_a_long_history_shows_the_newest_versions_and_links_them_all(council, app, client):
    app.config["TIMELINE_VERSIONS"] = 2
    page = get_page(client, f"/datasets/{KEY}")
    assert "Version 3" in page.text and "Version 2" in page.text
    assert "First street count" not in page.text
    assert page.link_to("See all 3 versions") == f"/datasets/{KEY}/versions"


def test_dataset_page_shows_lineage_both_ways_and_how_to_get_it(council, client):
    source = get_page(client, f"/datasets/{KEY}")
    assert source.link_to("Health needs of people sleeping rough") == f"/datasets/{DERIVED}"
    derived = get_page(client, f"/datasets/{DERIVED}")
    assert derived.link_to("Rough sleeping street counts") == f"/datasets/{KEY}"
    assert derived.link_to("https://www.ons.gov.uk/") == "https://www.ons.gov.uk/"
    assert "Declared in dataset.yaml" in derived.text

    assert f"dvc get {council.path} {KEY}/counts.csv --rev " in source.text
    assert f"dvc.api.read('{KEY}/counts.csv', repo='{council.path}', rev='" in source.text


def test_problems_are_shown_prominently_with_file_line_and_message(council, client):
    page = get_page(client, f"/datasets/{BROKEN}")
    assert "Problems" in [h for _, h in page.headings]
    assert f"{BROKEN}/dataset.yaml:2" in page.text
    assert "owners" in page.text.split(f"{BROKEN}/dataset.yaml:2", 1)[1][:200]
    listing = get_page(client, "/departments/housing")
    assert "1 problem" in listing.text


def test_retired_dataset_is_clearly_marked(council, client):
    page = get_page(client, f"/datasets/{RETIRED}")
    assert "This dataset is retired" in page.text
    assert page.link_to("Version 1") == f"/datasets/{RETIRED}/versions/1"
    assert "This dataset is retired" in get_page(client, f"/datasets/{RETIRED}/versions/1").text
    assert "This dataset is retired" not in get_page(client, f"/datasets/{KEY}").text


def test_version_page_lists_files_with_size_hash_and_download(council, client):
    page = get_page(client, f"/datasets/{KEY}/versions/2")
    assert page.headings[0] == (1, "Version 2")
    assert "Spring street count" in page.text and "Ben Okafor" in page.text
    assert hashlib.md5(COUNTS[1]).hexdigest() in page.text
    assert hashlib.md5(COUNTS[0]).hexdigest() not in page.text
    assert f"{len(COUNTS[1])} bytes" in page.text
    assert page.link_to("Download counts.csv") == f"/datasets/{KEY}/versions/2/files/counts.csv"
    assert "Superseded" in page.text

    versions = get_page(client, f"/datasets/{KEY}/versions")
    assert versions.link_to("2") == f"/datasets/{KEY}/versions/2"
    assert "3 versions, newest first" in versions.text


def test_version_page_lists_a_directory_output_and_its_files(council, client):
    page = get_page(client, f"/datasets/{DERIVED}/versions/1")
    assert "tables/" in page.text and "Folder of 2 files" in page.text
    folder = page.link_to("Browse files in tables")
    assert folder == f"/datasets/{DERIVED}/versions/1/files/tables"

    listing = get_page(client, folder)
    assert listing.headings[0] == (1, "tables/")
    assert listing.link_to("Download needs.csv") == f"{folder}/needs.csv"
    assert listing.link_to("Download services.csv") == f"{folder}/services.csv"
    assert hashlib.md5(NEEDS).hexdigest() in listing.text
    assert client.get(f"{folder}/needs.csv").data == NEEDS


@pytest.mark.parametrize("url", [f"/datasets/{KEY}/versions/9", "/datasets/housing/nothing",
                                 "/departments/nowhere", "/no/such/page"])
def test_unknown_things_answer_a_404_page(council, client, url):
    page = get_page(client, url, status=404)
    assert page.headings[0] == (1, "Page not found")
    assert "Traceback" not in page.text
