"""The CKAN Action API, as CKAN's own clients meet it: `ckanapi` (RemoteCKAN and its command
line) against the app served over real HTTP. Nobody signed in gets released datasets only, as
approved; a token gets what its person may read; bad input gets CKAN's error envelopes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError
from werkzeug.serving import make_server

from catalogue.audit import Actor
from catalogue.opendata.ckan import package_id
from catalogue.people import add_account
from catalogue.tokens import create_token
from tests.builders import RegistryBuilder
from tests.functional.signing import access_app, own_database

CLI = Actor.command_line()
ROUGH, AUDIT = "housing/rough-sleeping", "housing/tenancy-audit"
BINS, FLY, PAYROLL = "waste/bin-collections", "waste/fly-tipping", "finance/payroll"
V1 = b"ward,month,sighting_count\nAbbey,2024-01,12\nCastle,2024-01,15\n"
V2 = V1 + b"Riverside,2024-02,9\n"
DESCRIPTION = "Counts, by ward and month, aggregated from the council's own records."
HIDDEN_WORDS = ("Tenancy audit", "tenancy-audit", "Fly tipping", "fly-tipping", "Payroll",
                "payroll", "Riverside", "breaches")
AGENT = "catalogue-tests/1.0 (ckanapi)"


@dataclass
class Served:
    url: str
    token: str
    before_withdrawal: list[str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("ckan")
    registry = RegistryBuilder(folder / "registry", {"housing": "Housing", "waste": "Waste",
                                                     "finance": "Finance"})
    common = {"description": DESCRIPTION, "contact": "data@northmere.gov.uk",
              "owners": ["priya.shah@northmere.gov.uk"], "licence": "OGL-UK-3.0",
              "visibility": "internal"}
    registry.version(ROUGH, {"counts.csv": V1}, "January", title="Rough sleeping counts",
                     tags=["homelessness"], **common)
    registry.version(ROUGH, {"counts.csv": V2}, "February")
    registry.version(AUDIT, {"audit.csv": b"block,breaches\nA,12\n"}, "Audit",
                     title="Tenancy audit", tags=["tenancy"], **common)
    registry.version(BINS, {"rounds.csv": b"round,day\n1,Mon\n"}, "Rounds",
                     title="Bin collections", tags=["waste", "collections"],
                     **{**common, "licence": "CC-BY-4.0"})
    registry.version(FLY, {"reports.csv": b"ward,reports\nAbbey,3\n"}, "Reports",
                     title="Fly tipping reports", tags=["fly-tipping"], **common)
    registry.version(PAYROLL, {"pay.csv": b"grade,total\nA,100\n"}, "Pay", title="Payroll",
                     tags=["payroll"], **{**common, "visibility": "department"})
    shutil.rmtree(registry.path / ".dvc" / "cache")
    with own_database(folder) as url:
        app = access_app(folder / "instance", url)
        cat = app.extensions["catalogue"]
        cat.indexer.index(str(registry.path))
        grace = add_account(cat.engine, CLI, "grace@northmere.gov.uk", "Grace Adeyemi",
                            departments=["housing"], role="governance")
        for key, dept in ((ROUGH, "housing"), (BINS, "waste"), (FLY, "waste")):
            asker = add_account(cat.engine, CLI, f"publisher.{key.replace('/', '.')}@x.gov.uk",
                                "Publisher", departments=[dept], role="publisher")
            request = cat.releases.request(asker, CLI, key, 1, "Published monthly")
            assert cat.releases.wait_for_checks(timeout=120)
            cat.releases.decide(grace, CLI, request.id, "approve", "Aggregated counts")
        listed = app.test_client().get("/api/3/action/package_list").get_json()["result"]
        cat.releases.withdraw(grace, CLI, FLY, 1, "A report was wrong")
        assert cat.open_search.wait_for_columns(timeout=120)
        cat.wait_for_columns()
        add_account(cat.engine, CLI, "harry@northmere.gov.uk", "Harry", departments=["housing"])
        _, token = create_token(cat.engine, CLI, "harry@northmere.gov.uk")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Served(f"http://127.0.0.1:{server.server_port}", token, listed)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            cat.close()


def name(key: str) -> str:
    return key.replace("/", "--")


def ckan(served: Served, apikey: str | None = None) -> RemoteCKAN:
    return RemoteCKAN(served.url, apikey=apikey, user_agent=AGENT)


def test_the_public_lists_and_shows_released_datasets_only(served):
    api = ckan(served)
    assert api.action.package_list() == [name(ROUGH), name(BINS)]
    found = api.action.package_search()
    assert found["count"] == 2
    assert sorted(p["name"] for p in found["results"]) == sorted([name(ROUGH), name(BINS)])
    shown = api.action.package_show(id=name(ROUGH))
    assert shown["title"] == "Rough sleeping counts" and shown["version"] == "v1"
    assert shown["id"] == package_id(ROUGH)
    assert api.action.package_show(id=shown["id"])["name"] == name(ROUGH)
    assert shown["organization"]["name"] == "housing"
    assert shown["organization"]["title"] == "Housing"
    assert shown["license_id"] == "OGL-UK-3.0" and shown["private"] is False
    assert [t["name"] for t in shown["tags"]] == ["homelessness"] and shown["num_tags"] == 1
    [res] = shown["resources"]
    assert res["url"].endswith(f"/open/datasets/{ROUGH}/versions/1/files/counts.csv")
    assert res["format"] == "CSV" and res["mimetype"] == "text/csv"
    assert res["size"] == len(V1) and res["package_id"] == shown["id"]
    assert requests.get(res["url"], timeout=30).content == V1  # the release, not v2
    assert api.action.resource_show(id=res["id"])["url"] == res["url"]
    for hidden in (AUDIT, FLY, PAYROLL, "housing/nothing"):
        with pytest.raises(NotFound):
            api.action.package_show(id=name(hidden))
    with pytest.raises(NotFound):
        api.action.package_show(id=package_id(AUDIT))
    assert api.action.organization_list() == ["housing", "waste"]
    orgs = api.action.organization_list(all_fields=True)
    assert [(o["name"], o["package_count"]) for o in orgs] == [("housing", 1), ("waste", 1)]
    assert api.action.organization_show(id="waste")["title"] == "Waste"
    with pytest.raises(NotFound):
        api.action.organization_show(id="finance")
    assert api.action.tag_list() == ["collections", "homelessness", "waste"]
    assert "OGL-UK-3.0" in [lic["id"] for lic in api.action.license_list()]
    assert api.action.status_show()["ckan_version"].startswith("2.")
    assert api.action.group_list() == []
    everything = json.dumps([api.action.current_package_list_with_resources(),
                             api.action.package_search(q="tenancy payroll fly")])
    assert not any(word in everything for word in HIDDEN_WORDS)


def test_a_withdrawn_release_is_gone_at_once(served):
    assert name(FLY) in served.before_withdrawal  # listed while released, in the same app
    api = ckan(served)
    assert name(FLY) not in api.action.package_list()
    assert api.action.package_search(fq="organization:waste")["count"] == 1
    assert "fly-tipping" not in api.action.tag_list()
    with pytest.raises(NotFound):
        api.action.package_show(id=name(FLY))


def test_the_command_line_client_lists_released_datasets(served):
    ckanapi = Path(sys.executable).parent / "ckanapi"
    out = subprocess.run([str(ckanapi), "action", "package_search", "-r", served.url],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    result = json.loads(out)
    assert result["count"] == 2
    assert not any(word in out for word in HIDDEN_WORDS)
    shown = subprocess.run([str(ckanapi), "action", "package_show", f"id={name(ROUGH)}",
                            "-r", served.url],
                           capture_output=True, text=True, timeout=60, check=True).stdout
    assert json.loads(shown)["name"] == name(ROUGH)


def test_a_token_reads_what_its_person_may(served):
    api = ckan(served, apikey=served.token)
    names = api.action.package_list()
    assert name(AUDIT) in names and name(FLY) in names and name(BINS) in names
    assert name(PAYROLL) not in names  # finance's, department only
    shown = api.action.package_show(id=name(ROUGH))
    assert shown["version"] == "v2" and shown["resources"][0]["size"] == len(V2)
    assert f"/datasets/{ROUGH}/versions/2/files/counts.csv" in shown["resources"][0]["url"]
    with pytest.raises(NotFound):
        api.action.package_show(id=name(PAYROLL))
    found = api.action.package_search(q="tenancy")
    assert [p["name"] for p in found["results"]] == [name(AUDIT)]
    assert api.action.package_search(q="payroll")["count"] == 0
    bearer = requests.get(f"{served.url}/api/3/action/package_show?id={name(AUDIT)}",
                          headers={"Authorization": f"Bearer {served.token}"}, timeout=30)
    assert bearer.json()["result"]["title"] == "Tenancy audit"
    posted = requests.post(f"{served.url}/api/3/action/package_search", json={"q": "tenancy"},
                           headers={"Authorization": f"Bearer {served.token}"}, timeout=30)
    assert posted.status_code == 200, posted.text  # a read-scoped token: CKAN POSTs its reads
    assert [p["name"] for p in posted.json()["result"]["results"]] == [name(AUDIT)]
    with pytest.raises(NotAuthorized):
        ckan(served, apikey="not-a-token").action.package_list()


def test_filters_sorting_facets_and_paging(served):
    api = ckan(served)

    def names(**params) -> list[str]:
        return [p["name"] for p in api.action.package_search(**params)["results"]]

    assert names(fq="organization:waste") == [name(BINS)]
    assert names(fq="tags:homelessness") == [name(ROUGH)]
    assert names(fq='tags:"waste" AND organization:waste') == [name(BINS)]
    assert names(fq="tags:homelessness organization:waste") == []
    assert names(fq="license_id:CC-BY-4.0") == [name(BINS)]
    assert len(names(fq="res_format:CSV")) == 2 and names(fq="res_format:PDF") == []
    assert len(names(fq="metadata_modified:[2000-01-01T00:00:00Z TO *]")) == 2
    assert names(fq="metadata_modified:[2999-01-01 TO *]") == []
    assert names(sort="title_string asc") == [name(BINS), name(ROUGH)]
    assert names(sort="title_string desc") == [name(ROUGH), name(BINS)]
    first = names(rows=1, start=0, sort="title_string asc")
    second = names(rows=1, start=1, sort="title_string asc")
    assert first == [name(BINS)] and second == [name(ROUGH)]
    assert names(start=10**12) == []
    found = api.action.package_search(**{"facet.field": ["organization", "tags"]})
    assert found["facets"]["organization"] == {"housing": 1, "waste": 1}
    items = {i["name"]: i for i in found["search_facets"]["organization"]["items"]}
    assert items["housing"]["display_name"] == "Housing"
    assert set(found["facets"]["tags"]) == {"homelessness", "waste", "collections"}
    limited = api.action.package_search(**{"facet.field": '["tags"]', "facet.limit": 1})
    assert len(limited["facets"]["tags"]) == 1
    assert api.action.package_search(q="rough sleeping")["results"][0]["name"] == name(ROUGH)


@pytest.mark.parametrize(("params", "field"), [
    ({"rows": 1001}, "rows"), ({"rows": -1}, "rows"), ({"start": -5}, "start"),
    ({"rows": "many"}, "rows"), ({"fq": "organization"}, "fq"), ({"fq": "owner:x"}, "fq"),
    ({"fq": "metadata_modified:[yesterday TO *]"}, "fq"), ({"sort": "colour asc"}, "sort"),
    ({"facet.field": "{not json"}, "facet.field"),
])
def test_bad_search_input_is_a_validation_error(served, params, field):
    with pytest.raises(ValidationError) as raised:
        ckan(served).action.package_search(**params)
    assert field in raised.value.error_dict
    response = requests.get(f"{served.url}/api/3/action/package_search", params=params,
                            timeout=30)
    assert response.status_code == 409
    assert response.json()["error"]["__type"] == "Validation Error"
    assert response.json()["success"] is False


def test_errors_answer_in_ckan_shape(served):
    base = f"{served.url}/api/3/action"
    unknown = requests.get(f"{base}/package_explode", timeout=30)
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == \
        "Bad request - Action name not known: package_explode"
    missing = requests.get(f"{base}/package_show", params={"id": "nope"}, timeout=30)
    assert missing.status_code == 404
    body = missing.json()
    assert body["success"] is False and body["error"]["__type"] == "Not Found Error"
    assert body["help"].endswith("/api/3/action/help_show?name=package_show")
    for data in (b"{not json", b"[1, 2]"):
        bad = requests.post(f"{base}/package_search", data=data, timeout=30,
                            headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and bad.json()["success"] is False
        assert "JSON" in bad.json()["error"]["message"]
    short = requests.post(f"{served.url}/api/action/package_show", json={"id": name(ROUGH)},
                          timeout=30)
    assert short.status_code == 200 and short.json()["result"]["name"] == name(ROUGH)
    resource = requests.get(f"{base}/resource_show", params={"id": "x"}, timeout=30)
    assert resource.status_code == 404


def test_answers_carry_an_etag_and_answer_304(served):
    url = f"{served.url}/api/3/action/package_search?q=rough"
    first = requests.get(url, timeout=30)
    assert first.status_code == 200 and first.headers["ETag"]
    again = requests.get(url, headers={"If-None-Match": first.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    other = requests.get(f"{served.url}/api/3/action/package_search?q=bins", timeout=30)
    assert other.headers["ETag"] != first.headers["ETag"]
    since = requests.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]},
                         timeout=30)
    assert since.status_code == 304
    token = requests.get(url, headers={"Authorization": served.token}, timeout=30)
    assert token.status_code == 200 and "Last-Modified" not in token.headers
    assert token.headers["Cache-Control"] == "private, no-cache"
    assert token.json()["result"]["count"] == 1
