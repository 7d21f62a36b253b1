"""Search follows indexing: a registry built with the real git and dvc, indexed, and searched
straight after each run; column names come from the header rows in the DVC remote."""

from __future__ import annotations

import shutil

from catalogue.access import Reader
from catalogue.search import SearchRequest
from catalogue.search.documents import SourceFile, load_documents

EVERYONE = Reader.everyone()
KEY = "housing/rough-sleeping"


def found(catalogue, q: str) -> list[str]:
    results = catalogue.search.search(EVERYONE, SearchRequest.build(q=q))
    return [hit.id for hit in results.results]


def files_of(catalogue, key: str) -> list[SourceFile]:
    [document], _ = load_documents(catalogue.engine, [key])
    return document.files


def test_each_run_is_searchable_at_once_and_column_names_follow(catalogue, registry):
    registry.version(KEY, {"counts.csv": "ward,sightings\nAbbey,3\n"}, "First count",
                     title="Rough sleeping counts", tags=["homelessness"])
    registry.metadata("housing/register", title="Housing register")
    registry.dvc_add("housing/register", {"register.csv": "band,households_waiting\nA,3\n"})
    registry.commit("The register, its data never pushed")
    shutil.rmtree(registry.path / ".dvc" / "cache")  # so its bytes are nowhere to be read
    catalogue.indexer.index(str(registry.path))

    assert found(catalogue, "rough sleeping") == [KEY]  # searchable as soon as indexed
    assert found(catalogue, "register") == ["housing/register"]
    assert catalogue.search.wait_for_columns(timeout=240)
    assert found(catalogue, "sightings") == [KEY]
    assert found(catalogue, "households_waiting") == []  # unreachable bytes: no columns
    [unreadable] = files_of(catalogue, "housing/register")
    assert catalogue.search.columns.get([unreadable.md5]) == {unreadable.md5: None}

    registry.version(KEY, {"counts.csv": "ward,headcount\nAbbey,4\n"}, "Second count")
    registry.metadata("housing/register", title="Housing waiting list")
    registry.commit("Rename the register")
    catalogue.indexer.index(str(registry.path))
    assert found(catalogue, "waiting list") == ["housing/register"]
    assert found(catalogue, "register") == []
    assert catalogue.search.wait_for_columns(timeout=240)
    assert found(catalogue, "headcount") == [KEY]
    assert found(catalogue, "sightings") == []

    shutil.rmtree(registry.path / KEY)
    registry.commit("Retire the street counts")
    catalogue.indexer.index(str(registry.path))
    assert found(catalogue, "rough sleeping") == []

    catalogue.indexer.reindex()
    assert found(catalogue, "waiting list") == ["housing/register"]
    assert found(catalogue, "rough sleeping") == []
