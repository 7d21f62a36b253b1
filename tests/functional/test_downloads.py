"""Downloads: a version's bytes streamed from the registry's DVC remote, never whole in memory."""

from __future__ import annotations

import os
import shutil

import pytest

from registry.storage import CHUNK
from tests.functional.html import parse

KEY = "public-health/air-quality"
SIZE = 5 * 1024 * 1024 + 12_345


@pytest.fixture
def big_file(registry, catalogue) -> bytes:
    """A ~5 MB random binary file as version 1, pushed to the DVC remote, and a CSV beside it."""
    data = os.urandom(SIZE)
    registry.version(KEY, {"readings.bin": data, "sites.csv": "site,ward\nA,Abbey\n"},
                     "Raw sensor readings")
    shutil.rmtree(registry.path / ".dvc" / "cache")  # served from the remote, as in production
    catalogue.indexer.index(str(registry.path))
    return data


@pytest.mark.parametrize("prefix", ["/api/v1/datasets", "/datasets"])
def test_a_big_download_streams_byte_identical(big_file, client, prefix):
    response = client.get(f"{prefix}/{KEY}/versions/1/files/readings.bin", buffered=False)
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["Content-Disposition"] == 'attachment; filename="readings.bin"'
    chunks = list(response.response)
    response.close()
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= CHUNK
    assert b"".join(chunks) == big_file


def test_a_csv_downloads_with_its_content_type(big_file, client):
    response = client.get(f"/datasets/{KEY}/versions/1/files/sites.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="sites.csv"'
    assert response.data == b"site,ward\nA,Abbey\n"


def test_the_version_page_links_each_download(big_file, client):
    page = parse(client.get(f"/datasets/{KEY}/versions/1").data)
    hrefs = {href for href in page.hrefs() if "/files/" in href}
    assert hrefs == {f"/datasets/{KEY}/versions/1/files/readings.bin",
                     f"/datasets/{KEY}/versions/1/files/sites.csv"}
    assert "5 MB" in page.text


@pytest.mark.parametrize("path", ["nothing.csv", "../../catalogue.yaml",
                                  "..%2F..%2Fcatalogue.yaml"])
def test_a_file_not_in_the_version_is_404(big_file, client, path):
    response = client.get(f"/api/v1/datasets/{KEY}/versions/1/files/{path}")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.fixture
def never_pushed(registry, catalogue) -> None:
    """A version committed to git whose bytes were never `dvc push`ed."""
    registry.metadata("housing/voids", title="Void properties")
    registry.dvc_add("housing/voids", {"voids.csv": "property,days\nP1,40\n"})
    registry.commit("Void properties, not pushed")
    shutil.rmtree(registry.path / ".dvc" / "cache")
    catalogue.indexer.index(str(registry.path))


def test_bytes_never_pushed_answer_503_as_json(never_pushed, client):
    response = client.get("/api/v1/datasets/housing/voids/versions/1/files/voids.csv")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["status"] == 503
    assert "cannot be read from the registry's DVC remote" in error["message"]
    assert "dvc push" in error["message"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_bytes_never_pushed_answer_a_503_page(never_pushed, client):
    response = client.get("/datasets/housing/voids/versions/1/files/voids.csv")
    assert response.status_code == 503 and response.mimetype == "text/html"
    page = parse(response.data)
    assert page.headings[0] == (1, "Sorry, the data is unavailable")
    assert "Was it `dvc push`ed?" in page.text
    assert "Traceback" not in page.text and "BytesUnavailable" not in page.text
