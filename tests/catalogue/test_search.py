"""The search index over datasets written straight into a real database (no registry needed):
ranking, phrases, typos, facets, sorting, paging and the permission filter."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from catalogue.access import Reader
from catalogue.core import Catalogue
from catalogue.db import write_session
from catalogue.models import Dataset, Department, Registry, Version, VersionFile
from catalogue.search import SearchRequest
from catalogue.search.snapshot import boost_factor

EVERYONE = Reader.everyone()
NOW = datetime.now(UTC)
LONG = ("A careful description of how the figures are collected, checked and published every "
        "month by the team, with the caveats a reader needs before using them in a report. ")


class Rows:
    """Datasets inserted as the indexer would leave them, then indexed for search."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        with write_session(catalogue.engine) as s:
            registry = Registry(name="Test", url="/nowhere", git_path="/nowhere")
            s.add(registry)
            s.flush()
            self.registry_id = registry.id
            s.add(Department(slug="housing", name="Housing", registry_id=registry.id))
            s.add(Department(slug="waste", name="Waste and Recycling", registry_id=registry.id))

    def add(self, key: str, title: str, columns: list[str] | None = None, **fields) -> str:
        department, slug = key.split("/")
        fields.setdefault("updated_at", NOW - timedelta(days=10))
        fields.setdefault("owners", ["someone@council.example.gov.uk"])
        fields.setdefault("metadata_sha", "a" * 40)
        with write_session(self.catalogue.engine) as s:
            dataset = Dataset(registry_id=self.registry_id, department=department, slug=slug,
                              title=title, created_at=NOW - timedelta(days=400),
                              version_count=1, **fields)
            s.add(dataset)
            s.flush()
            version = Version(dataset_id=dataset.id, number=1, commit_sha="b" * 40,
                              author_name="A", author_email="a@b.c",
                              authored_at=fields["updated_at"], message="v1")
            s.add(version)
            s.flush()
            md5 = hashlib.md5(key.encode()).hexdigest()
            s.add(VersionFile(version_id=version.id, path="data.csv", md5=md5, size=1,
                              source="data.csv.dvc"))
        self.catalogue.search.columns.put(md5, columns or [])
        return key

    def index(self) -> None:
        self.catalogue.search.datasets_changed(None)


def search(catalogue: Catalogue, q: str = "", reader: Reader = EVERYONE, **kwargs):
    filters = kwargs.pop("filters", {})
    return catalogue.search.search(reader, SearchRequest.build(q=q, filters=filters, **kwargs))


def ids(results) -> list[str]:
    return [hit.id for hit in results.results]


@pytest.fixture
def rows(catalogue: Catalogue) -> Rows:
    return Rows(catalogue)


def test_field_weights_title_then_tags_then_columns_then_description(catalogue, rows):
    common = {"tags": ["coast"], "update_frequency": "Monthly"}
    rows.add("waste/a", "Lighthouse survey", ["site", "count"], description=LONG, **common)
    rows.add("waste/b", "Coastal survey", ["site", "count"], description=LONG,
             tags=["coast", "lighthouse"], update_frequency="Monthly")
    rows.add("waste/c", "Harbour survey", ["site", "lighthouse_visits"], description=LONG,
             **common)
    rows.add("waste/d", "Beach survey", ["site", "count"],
             description=LONG + "Counted from the lighthouse.", **common)
    rows.index()
    assert ids(search(catalogue, "lighthouse")) == ["waste/a", "waste/b", "waste/c", "waste/d"]


def test_words_are_stemmed_and_column_names_split(catalogue, rows):
    rows.add("housing/applications", "Homelessness applications", ["households_assessed"])
    rows.add("housing/register", "Housing register", ["band", "bedrooms_needed"])
    rows.index()
    assert ids(search(catalogue, "homeless")) == ["housing/applications"]
    assert ids(search(catalogue, "households_assessed")) == ["housing/applications"]
    assert ids(search(catalogue, "bedroom needs")) == ["housing/register"]


def test_a_missing_value_never_zeroes_a_score(catalogue, rows):
    assert boost_factor(None, None, time.time()) == 1.0
    assert boost_factor(float("nan"), None, time.time()) == 1.0
    assert 1.0 < boost_factor(1.0, time.time(), time.time()) <= 1.5
    rows.add("waste/bare", "Skip permits register", owners=[], metadata_sha=None,
             updated_at=NOW - timedelta(days=3000))
    rows.add("waste/described", "Skip permits register", ["permit_number", "street"],
             description=LONG, tags=["skips"], update_frequency="Weekly",
             updated_at=NOW - timedelta(days=2))
    rows.index()
    found = search(catalogue, "skip permits")
    assert ids(found) == ["waste/described", "waste/bare"]
    assert all(hit.score > 0 for hit in found.results)


def test_an_exact_title_ranks_first(catalogue, rows):
    rows.add("waste/incidents", "Fly-tipping incidents and fly-tipping fines",
             ["fly_tipping_incidents"], description="Fly-tipping, fly-tipping and fly-tipping.",
             tags=["fly-tipping"])
    rows.add("waste/fly-tipping", "Fly tipping")
    rows.index()
    assert ids(search(catalogue, "fly-tipping"))[0] == "waste/fly-tipping"
    assert ids(search(catalogue, "FLY TIPPING!"))[0] == "waste/fly-tipping"


def test_every_word_first_then_the_most_words(catalogue, rows):
    rows.add("waste/both", "River flooding")
    rows.add("waste/river", "River levels")
    rows.add("waste/flood", "Flooding incidents")
    rows.index()
    found = search(catalogue, "river flooding")
    assert (ids(found), found.partial) == (["waste/both"], False)
    found = search(catalogue, "river flooding zebra")
    assert (ids(found), found.partial) == (["waste/both"], True)
    found = search(catalogue, "river zebra")
    assert (sorted(ids(found)), found.partial) == (["waste/both", "waste/river"], True)


def test_phrases_match_words_next_to_each_other(catalogue, rows):
    rows.add("housing/counts", "Street count of rough sleepers")
    rows.add("housing/other", "Count of the street lights")
    rows.index()
    assert ids(search(catalogue, '"street count"')) == ["housing/counts"]
    assert ids(search(catalogue, '"street count')) == ["housing/counts"]  # quote left open
    assert sorted(ids(search(catalogue, "street count"))) == ["housing/counts", "housing/other"]


def test_typos_in_longer_words_are_forgiven_and_corrected(catalogue, rows):
    rows.add("housing/rough", "Rough sleeping counts")
    rows.add("waste/tonnage", "Household waste tonnages")
    rows.index()
    found = search(catalogue, "rough sleping")
    assert ids(found) == ["housing/rough"]
    assert found.suggestion == "rough sleeping"
    assert ids(search(catalogue, "houshold")) == ["waste/tonnage"]
    assert search(catalogue, "rogh").count == 0  # short words must be typed right
    assert search(catalogue, "rough sleeping").suggestion is None


def test_nothing_typed_is_syntax(catalogue, rows):
    rows.add("waste/bins", "Missed bins")
    rows.index()
    for text in ['"', '"missed', "AND OR NOT", "*", "bins)", "\x00bins", "missed AND", "é" * 5000,
                 "bins " * 3000, "(((", "title:bins", "bins~2", "-bins", "\ufffd"]:
        found = search(catalogue, text)
        assert found.count >= 0
    assert ids(search(catalogue, "missed AND bins")) == ["waste/bins"]
    assert ids(search(catalogue, "\x00bins")) == ["waste/bins"]


def test_facets_filters_counts_sorting_and_pages(catalogue, rows):
    for i in range(7):
        rows.add(f"housing/h{i}", f"Housing list {i}", tags=["lists", "housing"] if i % 2
                 else ["lists"], updated_at=NOW - timedelta(days=i), update_frequency="Monthly")
    for i in range(3):
        rows.add(f"waste/w{i}", f"Waste list {i}", tags=["lists"], classification="OFFICIAL",
                 updated_at=NOW - timedelta(days=20 + i))
    rows.index()
    found = search(catalogue, "list", filters={"department": ["housing"]})
    assert found.count == 7
    departments = {f.value: (f.count, f.selected) for f in found.facets["department"]}
    assert departments == {"housing": (7, True), "waste": (3, False)}  # its own filter aside
    assert {f.value: f.count for f in found.facets["tag"]} == {"lists": 7, "housing": 3}
    assert [f.label for f in found.facets["department"]] == ["Housing", "Waste and Recycling"]
    both = search(catalogue, "list", filters={"department": ["housing", "waste"],
                                              "tag": ["housing"]})
    assert sorted(ids(both)) == ["housing/h1", "housing/h3", "housing/h5"]
    newest = search(catalogue, "", sort="updated", per_page=4)
    assert ids(newest) == ["housing/h0", "housing/h1", "housing/h2", "housing/h3"]
    by_title = search(catalogue, "list", sort="title", per_page=100)
    assert ids(by_title) == [f"housing/h{i}" for i in range(7)] + [f"waste/w{i}" for i in range(3)]
    pages = [ids(search(catalogue, "list", per_page=4, page=n)) for n in (1, 2, 3, 4)]
    assert [len(p) for p in pages] == [4, 4, 2, 0]
    assert len({key for page in pages for key in page}) == 10
    assert search(catalogue, "list", per_page=4, page=4).count == 10
    unknown = search(catalogue, "list", filters={"licence": ["nope"]})
    assert unknown.count == 0
    assert [(f.value, f.count, f.selected) for f in unknown.facets["licence"]] == [
        ("OGL-UK-3.0", 10, False), ("nope", 0, True)]


def test_only_what_the_reader_may_read_counts(catalogue, rows):
    rows.add("housing/open-list", "Allotment waiting list", visibility="internal",
             tags=["allotments"])
    rows.add("housing/secret-list", "Allotment tenants list", visibility="department",
             tags=["allotments", "tenancy-secret"], description="Tenants by plot: zanzibarite.")
    rows.add("waste/depot", "Depot allotment of vehicles", visibility="department")
    rows.index()
    housing = Reader.of("department:housing")
    staff = Reader.of("internal", "department:waste")
    partner = Reader.of("partner:nhs")
    assert sorted(ids(search(catalogue, "allotment", housing))) == [
        "housing/open-list", "housing/secret-list"]
    assert sorted(ids(search(catalogue, "allotment", staff))) == ["housing/open-list",
                                                                  "waste/depot"]
    hidden = ("secret-list", "tenants list", "tenancy-secret", "zanzibarite", "by plot")
    for reader in (staff, partner):
        for q in ("allotment tenants", "tenancy secret", "zanzibarite", "zanzibrite", "plot", ""):
            seen = (json.dumps(search(catalogue, q, reader).public())
                    + str(catalogue.search.suggest(reader, q or "allotment t"))).lower()
            assert not [marker for marker in hidden if marker in seen], (reader, q)
    nothing = search(catalogue, "", partner)
    assert (nothing.count, nothing.results, catalogue.search.suggest(partner, "allot")) == (
        0, [], [])
    assert all(values == [] for values in nothing.facets.values())
    assert search(catalogue, "zanzibrite", housing).suggestion == "zanzibarite"
    assert search(catalogue, "zanzibrite", staff).suggestion is None
