"""Search over the demo registries (built once per session with the real git and dvc): a judged
set of queries people type, and readers of different principals who must see nothing else."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from catalogue import browse
from catalogue.access import Reader, dataset_principals
from catalogue.core import Catalogue
from catalogue.demo.council import COUNCIL
from catalogue.demo.nhs import NHS
from catalogue.search import SearchRequest
from catalogue.search.documents import load_documents
from catalogue.search.schema import PLAIN
from catalogue.settings import Settings, normalise_database_url

EVERYONE = Reader.everyone()
HOUSING_STAFF = Reader.of("internal", "department:housing")
CHILDRENS_SERVICES = Reader.of("department:childrens-services")
PARTNER = Reader.of("partner:riverbank-nhs")
# The words of the API's own shape, which every answer contains.
STRUCTURE = ["count", "results", "facets", "suggestion", "value", "label", "snippet", "score",
             "updated", "title", "department", "tag", "classification", "visibility", "licence",
             "format", "update_frequency", "query", "suggestions"]

# (what people type, the dataset they want in the top 3, what the query exercises)
JUDGED = [
    ("homeless", "housing/homelessness-applications", "stemming: homelessness"),
    ("recycled waste", "waste/recycling-rates", "stemming: recycling"),
    ("care homes fees", "adult-social-care/care-home-placements", "stemming: plurals"),
    ("rough sleping", "housing/rough-sleeping-counts", "a typo"),
    ("safegarding", "adult-social-care/safeguarding-concerns", "a typo"),
    ("air qualty monitoring", "public-health/air-quality-monitoring", "a typo"),
    ("tempory accommodation", "housing/temporary-accommodation", "a typo"),
    ("households_assessed", "housing/homelessness-applications", "a column name"),
    ("new_to_the_street", "housing/rough-sleeping-counts", "a column name"),
    ("distance_from_home_km", "childrens-services/children-in-care", "a column name"),
    ("no2_ugm3", "public-health/air-quality-monitoring", "a column in a directory output"),
    ("supplier_name", "finance/spend-over-500", "a column of a CSV"),
    ("days_to_decision", "planning/planning-applications", "a column of a Parquet file"),
    ("collection_rate_pct", "finance/council-tax-collection", "a column of an Excel file"),
    ("Oliver Bennett", "planning/tree-preservation-orders", "an owner's name"),
    ("Margaret Okonkwo", "adult-social-care/safeguarding-concerns", "an owner's name"),
    ("Claire Robinson", "waste/fly-tipping", "an owner's name"),
    ('"street count"', "housing/rough-sleeping-counts", "a phrase"),
    ('"tree preservation"', "planning/tree-preservation-orders", "a phrase"),
    ('"bed and breakfast"', "housing/temporary-accommodation", "a phrase in a description"),
    ("SEND EHCP", "childrens-services/ehcp-plans", "acronyms in tags"),
    ("children in care placements", "childrens-services/children-in-care", "all words"),
    ("fly tipping fines", "waste/fly-tipping", "most words"),
]


@pytest.fixture(scope="module")
def demo(demo_registries: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    """A catalogue that indexed the demo registries, column names read."""
    folder = tmp_path_factory.mktemp("search-demo-instance")
    with _database(folder) as url:
        cat = Catalogue(Settings(instance=folder / "instance", database_url=url))
        try:
            for spec in (NHS, COUNCIL):  # the partner first, as `catalogue demo` does
                cat.indexer.index(str(demo_registries / spec.folder))
            assert cat.search.wait_for_columns(timeout=600)
            yield cat
        finally:
            cat.close()


def search(cat: Catalogue, q: str, reader: Reader = EVERYONE, **kwargs):
    return cat.search.search(reader, SearchRequest.build(q=q, **kwargs))


@pytest.mark.parametrize(("query", "expected", "kind"), JUDGED,
                         ids=[f"{kind}: {query}" for query, _, kind in JUDGED])
def test_judged_queries_find_the_dataset_in_the_top_three(demo, query, expected, kind):
    top = [hit.id for hit in search(demo, query).results[:3]]
    assert expected in top, f"{kind}: {query!r} gave {top}"


def test_an_exact_title_comes_first_and_typos_get_a_suggestion(demo):
    assert search(demo, "Spend over £500").results[0].id == "finance/spend-over-500"
    assert search(demo, "household waste tonages").suggestion == "household waste tonnages"
    assert search(demo, "household waste tonnages").suggestion is None


def _markers(cat: Catalogue, reader: Reader) -> tuple[set[str], set[str], set[str]]:
    """What only the datasets hidden from `reader` contain (ids, titles, tags, column names),
    the keys of those datasets, and the words of those the reader may see."""
    documents, _ = load_documents(cat.engine)
    known = cat.search.columns.get(f.md5 for d in documents for f in d.files)
    seen: list[str] = list(STRUCTURE)
    hidden: dict[str, list[str]] = {}
    for doc in documents:
        columns = [c for f in doc.files for c in known.get(f.md5) or []]
        if reader.principals & dataset_principals(doc.row.department, doc.row.visibility):
            seen += [doc.key, doc.fields(columns)["spell"]]
        else:
            hidden[doc.key] = [doc.key, doc.row.title, *doc.row.tags, *columns]
    visible = " ".join(seen).lower()
    markers = {w.lower() for words in hidden.values() for w in words
               if len(w) > 3 and w.lower() not in visible}
    return markers, set(hidden), words_of(visible)


def words_of(text: str) -> set[str]:
    return {token.text for token in PLAIN(text)}


@pytest.mark.parametrize("reader", [HOUSING_STAFF, CHILDRENS_SERVICES, PARTNER],
                         ids=["housing staff", "children's services", "partner"])
def test_a_reader_sees_nothing_hidden_in_results_counts_facets_snippets_or_suggestions(
        demo, reader):
    markers, hidden, visible_words = _markers(demo, reader)
    assert hidden and markers  # something is hidden from each of these readers
    with demo.session() as s:
        listed = browse.datasets(s, reader, per_page=1000)[1]
        departments = {d.slug: d.dataset_count for d in browse.departments(s, reader)}
    readable = {d.id for d in listed if not d.restricted}
    for d in listed:  # discoverable ones, listed restricted: not in the search index's counts
        departments[d.department] -= d.restricted
    assert not readable & hidden
    sample = sorted(markers, key=lambda m: (len(m), m))[::max(len(markers) // 12, 1)][:12]
    queries = ["", "children in care", "safeguarding", "child_ref", "ethnicity", "looked after",
               "safegarding", "chlidren", "section_42_enquiries", *sample,
               *(word[:-1] for word in sample if len(word) > 6)]
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(m)}(?!\w)" for m in markers))
    for q in queries:
        for filters in ({}, {"department": ["childrens-services"],
                             "tag": ["looked after children", "safeguarding"]}):
            found = search(demo, q, reader, filters=filters, per_page=100)
            assert {hit.id for hit in found.results} <= readable, (q, filters)
            assert found.count == len(found.results)
            answer = found.public()
            for name, typed in filters.items():  # the filters as typed are echoed: not a leak
                answer["facets"][name] = [v for v in answer["facets"][name]
                                          if v["count"] or v["value"] not in typed]
            suggestion = answer.pop("suggestion")
            completions = [c.model_dump() for c in demo.search.suggest(reader, q[:6] or "c", 20)]
            leaks = pattern.findall(json.dumps([answer, completions]).lower())
            assert not leaks, (q, filters, leaks)
            corrected = words_of(suggestion or "") - words_of(q)
            assert corrected <= visible_words, (q, suggestion)  # corrections readers can see
    everything = search(demo, "", reader, per_page=100)
    assert {hit.id for hit in everything.results} == readable
    assert {f.value: f.count for f in everything.facets["department"]} == {
        slug: n for slug, n in departments.items() if n}


def test_readers_see_their_own_department_only_data(demo):
    assert "childrens-services/children-in-care" in [
        hit.id for hit in search(demo, "children in care", CHILDRENS_SERVICES).results]
    assert "childrens-services/children-in-care" not in [
        hit.id for hit in search(demo, "children in care", HOUSING_STAFF).results]
    assert search(demo, "", PARTNER).count == 0


class _database:
    """A database for one module: a SQLite file in `folder`, or a new PostgreSQL database
    when DATABASE_URL names a server (dropped afterwards)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.server = os.environ.get("DATABASE_URL")
        self.name = f"test_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> str:
        if not self.server:
            return f"sqlite:///{self.folder / 'catalogue.sqlite'}"
        base = normalise_database_url(self.server)
        self.admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return base.rsplit("/", 1)[0] + f"/{self.name}"

    def __exit__(self, *exc: object) -> None:
        if self.server:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self.admin.dispose()
