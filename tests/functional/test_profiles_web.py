"""Profiles, previews and comparison through HTTP, on a real registry with its DVC remote:
index, run the worker until the queue is empty, then read what readers see."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from catalogue.jobs.models import Job
from tests.builders import RegistryBuilder, sh
from web.auth import TEST_PRINCIPALS

KEY = "housing/tenancies"
COPY = "housing/tenancies-copy"
BROKEN = "housing/odd-files"
UNPUSHED = "housing/unpushed"
TABLES = "public-health/tables"
V1 = (b"tenancy_id,ward,rent,contact_email\n"
      b"T1,Abbey,100,jane.smith@example.com\n"
      b"T2,Castle,120,tom.jones@example.com\n"
      b"T4,Abbey,90,amira.khan@example.com\n")
V2 = (b"tenancy_id,ward,rent,contact_email,start_date\n"
      b"T2,Castle,125,tom.jones@example.com,2024-04-01\n"
      b"T3,Mill,110,li.wei@example.com,2024-05-01\n"
      b"T4,Abbey,90,amira.khan@example.com,2023-01-01\n")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
OUTSIDER = ["public", "internal", "department:public-health"]
MEMBER = ["public", "internal", "department:housing"]


@pytest.fixture(scope="module")
def profiled_registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    r = RegistryBuilder(tmp_path_factory.mktemp("profiles") / "registry",
                        {"housing": "Housing", "public-health": "Public Health"})
    r.version(KEY, {"tenancies.csv": V1}, "First tenancies",
              title="Council tenancies", visibility="internal", primary_key="tenancy_id",
              columns={"tenancy_id": "The tenancy's reference",
                       "rent": {"description": "Weekly rent", "unit": "GBP"},
                       "ward": "Electoral ward of the home"})
    r.version(KEY, {"tenancies.csv": V2}, "Start dates; a new tenancy, one ended, a rent rise")
    r.version(COPY, {"tenancies.csv": V2}, "The same bytes in another dataset",
              visibility="internal")
    r.version(BROKEN, {"picture.csv": PNG, "notes.txt": b"hello\n"}, "Odd files")
    r.write(f"{TABLES}/tables/needs.csv", "need,people\nHousing,12\n")
    r.write(f"{TABLES}/tables/services.csv", "service,visits\nGP,40\n")
    r.metadata(TABLES)
    sh(["dvc", "add", "-q", f"{TABLES}/tables"], r.path)
    r.commit("Tables in a folder")
    r.push()
    r.metadata(UNPUSHED)
    r.dvc_add(UNPUSHED, {"later.csv": b"a,b\n1,2\n"})
    r.commit("Committed, never pushed")
    return r


@pytest.fixture
def app(app: Flask, profiled_registry: RegistryBuilder) -> Iterator[Flask]:
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(profiled_registry.path))
    worker = cat.job_worker()
    worker.run_until(threading.Event(), drain=True)
    yield app


def as_reader(app: Flask, principals: list[str]) -> FlaskClient:
    app.config[TEST_PRINCIPALS] = principals
    return app.test_client()


def profile_of(client: FlaskClient, key: str, number: int) -> dict:
    response = client.get(f"/api/v1/datasets/{key}/versions/{number}/profile")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_every_tabular_file_is_profiled_with_its_columns_described(client: FlaskClient):
    body = profile_of(client, KEY, 2)
    (file,) = body["files"]
    assert (file["status"], file["rows"], file["encoding"], file["format"]) == \
        ("done", 3, "utf-8", "csv")
    columns = {c["name"]: c for c in file["columns"]}
    assert {n: c["type"] for n, c in columns.items()} == {
        "tenancy_id": "text", "ward": "text", "rent": "integer", "contact_email": "text",
        "start_date": "date"}
    assert (columns["rent"]["min"], columns["rent"]["max"], columns["rent"]["unit"]) == \
        (90, 125, "GBP")
    assert (columns["start_date"]["min"], columns["start_date"]["max"]) == \
        ("2023-01-01", "2024-05-01")
    assert columns["ward"]["description"] == "Electoral ward of the home"
    assert [n for n, c in columns.items() if not c["described"]] == \
        ["contact_email", "start_date"]
    assert body["primary_key"] == ["tenancy_id"] and body["masked"] is False


def test_the_same_bytes_are_profiled_once(app: Flask, client: FlaskClient):
    md5 = profile_of(client, KEY, 2)["files"][0]["md5"]
    assert profile_of(client, COPY, 1)["files"][0]["md5"] == md5
    assert profile_of(client, COPY, 1)["files"][0]["status"] == "done"
    with app.extensions["catalogue"].engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Job.__table__)
                            .where(Job.__table__.c.key == md5)).scalar() == 1


def test_bad_files_fail_plainly_and_the_worker_carries_on(client: FlaskClient):
    files = {f["path"]: f for f in profile_of(client, BROKEN, 1)["files"]}
    assert files["picture.csv"]["status"] == "failed"
    assert "not text" in files["picture.csv"]["reason"]
    assert files["notes.txt"]["status"] == "not-tabular"
    (unpushed,) = profile_of(client, UNPUSHED, 1)["files"]
    assert unpushed["status"] == "failed" and "dvc push" in unpushed["reason"]
    assert profile_of(client, TABLES, 1)["files"][0]["status"] == "done"


def test_a_folders_tables_are_profiled_one_by_one(client: FlaskClient):
    files = {f["path"]: f for f in profile_of(client, TABLES, 1)["files"]}
    assert set(files) == {"tables/needs.csv", "tables/services.csv"}
    assert files["tables/needs.csv"]["rows"] == 1
    assert [c["name"] for c in files["tables/services.csv"]["columns"]] == ["service", "visits"]


def test_values_are_masked_outside_the_department(app: Flask):
    outsider = as_reader(app, OUTSIDER)
    body = profile_of(outsider, KEY, 1)
    assert body["masked"] is True
    file = body["files"][0]
    emails = {c["name"]: c for c in file["columns"]}["contact_email"]
    assert emails["masked"] is True
    assert all("jane.smith" not in t["value"] for t in emails["top"])
    assert "contact_email" in file["sample"]["masked"]
    assert "jane.smith@example.com" not in str(body)
    member = as_reader(app, MEMBER)
    assert "jane.smith@example.com" in str(profile_of(member, KEY, 1))


def test_the_preview_is_masked_unless_the_reader_is_in_the_department(app: Flask):
    url = f"/api/v1/datasets/{KEY}/versions/1/preview?path=tenancies.csv&rows=2"
    outsider = as_reader(app, OUTSIDER).get(url).get_json()
    assert outsider["columns"] == ["tenancy_id", "ward", "rent", "contact_email"]
    assert len(outsider["rows"]) == 2 and outsider["masked"] == ["contact_email"]
    assert outsider["rows"][0][3] == "j***@e***.com"
    member = as_reader(app, MEMBER).get(url).get_json()
    assert member["rows"][0] == ["T1", "Abbey", "100", "jane.smith@example.com"]
    assert member["masked"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("", "path"), ("path=tenancies.csv&rows=abc", "rows"), ("path=tenancies.csv&rows=0", "rows"),
    ("path=tenancies.csv&rows=101", "rows"), ("path=../../etc/passwd.csv", None)])
def test_preview_bad_input_is_a_clear_4xx(client: FlaskClient, query: str, field: str | None):
    response = client.get(f"/api/v1/datasets/{KEY}/versions/1/preview?{query}")
    assert 400 <= response.status_code < 500
    if field:
        assert response.get_json()["error"]["message"].startswith(f"{field}:")


def test_preview_of_a_folder_or_a_broken_file_says_why(client: FlaskClient):
    folder = client.get(f"/api/v1/datasets/{TABLES}/versions/1/preview?path=tables")
    assert folder.status_code == 400
    assert folder.get_json()["error"]["message"] == \
        "path: tables is not a table (CSV, TSV, Excel, Parquet or JSON)"
    broken = client.get(f"/api/v1/datasets/{BROKEN}/versions/1/preview?path=picture.csv")
    assert broken.status_code == 400 and "not text" in broken.get_json()["error"]["message"]
    inner = client.get(f"/api/v1/datasets/{TABLES}/versions/1/preview?path=tables/needs.csv")
    assert inner.status_code == 200 and inner.get_json()["rows"] == [["Housing", "12"]]


def test_compare_shows_the_added_column_and_the_changed_rows(app: Flask, client: FlaskClient):
    body = client.get(f"/api/v1/datasets/{KEY}/compare?from=1&to=2").get_json()
    (file,) = body["files"]
    assert file["change"] == "changed"
    assert file["schema"] == {"added": ["start_date"], "removed": [], "retyped": []}
    assert file["rows"] == {"from": 3, "to": 3, "change": 0}
    rent = {c["name"]: c for c in file["columns"]}["rent"]
    assert (rent["from"]["max"], rent["to"]["max"]) == (120, 125)
    keyed = file["rows_by_key"]
    assert (keyed["added"], keyed["removed"], keyed["changed"]) == (1, 1, 1)
    assert keyed["samples"]["added"]["rows"][0][0] == "T3"
    assert keyed["samples"]["removed"]["rows"][0][0] == "T1"
    assert keyed["samples"]["changed"]["rows"][0][:3] == ["T2", "Castle", "125"]
    outsider = as_reader(app, OUTSIDER).get(f"/api/v1/datasets/{KEY}/compare?from=1&to=2")
    assert "li.wei@example.com" not in outsider.get_data(as_text=True)


@pytest.mark.parametrize(("query", "field"), [
    ("from=x&to=2", "from"), ("from=1&to=1", "to"), ("from=1&to=99999999999", "to")])
def test_compare_bad_input_is_a_clear_4xx(client: FlaskClient, query: str, field: str):
    response = client.get(f"/api/v1/datasets/{KEY}/compare?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith(f"{field}:")
    assert client.get(f"/api/v1/datasets/{KEY}/compare?from=1&to=7").status_code == 404


def test_the_pages_show_the_profile_and_the_comparison(client: FlaskClient):
    page = client.get(f"/datasets/{KEY}/versions/2").get_data(as_text=True)
    assert "What the data holds" in page and "Not described" in page
    assert "Weekly rent" in page and "2023-01-01 to 2024-05-01" in page
    timeline = client.get(f"/datasets/{KEY}").get_data(as_text=True)
    assert f"/datasets/{KEY}/compare?from=1&amp;to=2" in timeline
    compared = client.get(f"/datasets/{KEY}/compare?from=1&to=2")
    assert compared.status_code == 200
    text = compared.get_data(as_text=True)
    assert "Columns added" in text and "start_date" in text and "1 row added" in text
    broken = client.get(f"/datasets/{BROKEN}/versions/1").get_data(as_text=True)
    assert "Could not be profiled" in broken


def test_search_finds_a_dataset_by_a_column_description(client: FlaskClient):
    found = client.get("/api/v1/search?q=weekly+rent").get_json()
    assert KEY in [r["id"] for r in found["results"]]
