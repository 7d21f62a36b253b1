"""Search through HTTP: the results page, `GET /api/v1/search`, `GET /api/v1/suggest`, the
search box on every page, readers of other principals, and no server error on any input."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlsplit

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.functional.conftest import DERIVED, KEY
from tests.functional.html import parse
from web.auth import TEST_PRINCIPALS
from web.commands import main

HIDDEN_TITLE = "Health needs of people sleeping rough"  # DERIVED: personal data, department only
HOUSING_STAFF = ["internal", "department:housing"]
FIXTURES = HealthCheck.function_scoped_fixture  # read-only fixtures: shared by the examples


def api(client, **params) -> dict:
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200
    return response.get_json()


def test_the_results_page_has_count_snippets_filters_and_did_you_mean(client, council):
    page = parse(client.get("/search?q=rough+sleping").data)
    assert "Did you mean rough sleeping ?" in page.text
    assert page.link_to("rough sleeping") == "/search?q=rough+sleeping"
    assert page.link_to("Rough sleeping street counts") == f"/datasets/{KEY}"
    assert "2 datasets for rough sleping" in page.text
    assert "Department Housing (1) Public Health (1)" in page.text
    html = client.get("/search?q=monthly").data.decode()
    assert "A <mark>monthly</mark> count of people seen" in html
    assert page.alternates == ["/api/v1/search?q=rough+sleping"]


def test_filters_and_pages_keep_every_choice(client, council):
    first = parse(client.get("/search?department=housing&department=public-health"
                             "&per_page=1&sort=title").data)
    assert "3 datasets, filtered: 1 to 1 shown" in first.text
    assert "Selected filters" in first.text
    [next_page] = [href for href, text in first.links if text == "Next page"]
    query = parse_qs(urlsplit(next_page).query)
    assert query == {"department": ["housing", "public-health"], "per_page": ["1"],
                     "sort": ["title"], "page": ["2"]}
    second = parse(client.get(next_page).data)
    assert HIDDEN_TITLE not in first.text and HIDDEN_TITLE in second.text
    removed = first.link_to("Housing (department): remove this filter ✕")
    assert parse_qs(urlsplit(removed).query)["department"] == ["public-health"]


def test_a_search_box_on_every_page(client, council):
    for url in ("/", "/datasets", "/departments", "/departments/housing", f"/datasets/{KEY}",
                f"/datasets/{KEY}/versions", f"/datasets/{KEY}/versions/1", "/no-such-page"):
        html = client.get(url).data.decode()
        form = re.search(r'<form[^>]*role="search"[^>]*action="/search"[^>]*>(.*?)</form>', html,
                         flags=re.S)
        assert form and 'name="q"' in form.group(1), url


def test_the_api_answers_in_the_documented_shape(client, council):
    body = api(client, q="rough sleeping", per_page=1, sort="relevance")
    assert list(body) == ["count", "results", "facets", "suggestion", "restricted"]
    assert body["restricted"] == []  # discoverable datasets this reader may not read
    assert body["count"] == 2 and len(body["results"]) == 1
    [hit] = body["results"]
    assert list(hit) == ["id", "title", "department", "snippet", "score", "updated"]
    assert hit["id"] == KEY and hit["score"] > 0 and hit["updated"].startswith("20")
    assert set(body["facets"]) == {"department", "tag", "classification", "visibility",
                                   "licence", "format", "update_frequency"}
    assert {"value": "public-health", "label": "Public Health", "count": 1} in \
        body["facets"]["department"]
    assert body["suggestion"] is None
    second = api(client, q="rough sleeping", per_page=1, page=2)
    assert [r["id"] for r in second["results"]] == [DERIVED]
    folders = api(client, format="folder")
    assert [r["id"] for r in folders["results"]] == [DERIVED]
    assert api(client, q="rough sleping")["suggestion"] == "rough sleeping"


def test_suggest_completes_titles(client, council):
    response = client.get("/api/v1/suggest?q=rough+sle")
    body = response.get_json()
    assert body["query"] == "rough sle"
    assert [s["title"] for s in body["suggestions"]] == [
        "Rough sleeping street counts", "Health needs of people sleeping rough"]  # starts first
    assert body["suggestions"][0]["url"] == f"/datasets/{KEY}"
    assert client.get("/api/v1/suggest?q=").get_json()["suggestions"] == []


def test_readers_of_other_principals_see_only_what_they_may(app, client, council):
    assert HIDDEN_TITLE in str(api(client, q="health needs"))  # everyone, by default
    app.config[TEST_PRINCIPALS] = HOUSING_STAFF
    for q in ("health needs", "rough sleeping", "needs", ""):
        body = api(client, q=q, per_page=100)
        assert DERIVED not in str(body) and HIDDEN_TITLE not in str(body), q
        assert "public-health" not in str(body["facets"]), q
    page = client.get("/search?q=health+needs").data.decode()
    assert HIDDEN_TITLE not in page and "0 datasets" in parse(page).text
    assert client.get("/api/v1/suggest?q=health").get_json()["suggestions"] == []
    assert client.get(f"/datasets/{DERIVED}").status_code == 404  # the same reader everywhere
    app.config[TEST_PRINCIPALS] = ["department:public-health"]
    assert [r["id"] for r in api(client, q="health needs")["results"]] == [DERIVED]
    app.testing = False  # the hook is for tests only: outside them, nobody signed in reads
    try:               # only open data, and these datasets are not open
        assert api(client, q="rough sleeping")["count"] == 0
    finally:
        app.testing = True


@settings(max_examples=150, deadline=None, suppress_health_check=[FIXTURES])
@given(q=st.text(max_size=300), department=st.text(max_size=20), tag=st.text(max_size=20),
       sort=st.text(max_size=12), page=st.text(max_size=25), per_page=st.text(max_size=6))
def test_no_input_gives_a_server_error(client, council, q, department, tag, sort, page,
                                       per_page):
    params = {"q": q, "department": department, "tag": tag, "sort": sort, "page": page,
              "per_page": per_page}
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code < 500, response.data
    assert "count" in response.get_json()
    assert client.get("/search", query_string=params).status_code < 500
    assert client.get("/api/v1/suggest", query_string={"q": q}).status_code < 500


@settings(max_examples=40, deadline=None, suppress_health_check=[FIXTURES])
@given(q=st.sampled_from(['"', '"rough', "AND OR NOT", "*", "x" * 10_000, "\x00", "((", "a:b",
                          "rough~", "-", "\\", "🙂" * 50, "rough\x00sleeping", "' OR 1=1 --"])
       | st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=10_000))
def test_awkward_queries_answer(client, council, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200
    assert response.get_json()["count"] >= 0


def test_catalogue_search_rebuild_from_the_command_line(app, council, settings):
    search = app.extensions["catalogue"].search
    for path in search.path.glob("*.seg"):
        path.unlink()
    env = {"CATALOGUE_INSTANCE": str(settings.instance), "DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(main, ["search", "rebuild"], env={**os.environ, **env})
    assert result.exit_code == 0, result.output
    assert re.search(r"Rebuilt the search index: 3 dataset\(s\) in [\d.]+ s", result.output)
    assert api(app.test_client(), q="counts")["count"] >= 1
    assert search.wait_for_columns(timeout=240)
    assert [r["id"] for r in api(app.test_client(), q="ward")["results"]][:1] == [KEY]
