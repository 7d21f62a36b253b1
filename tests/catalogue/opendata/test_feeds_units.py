"""Units of the open feeds: field types as Frictionless reads them, the schema.org description
bounds, Frictionless names, the schema cache, and Atom documents."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import pytest

from catalogue.opendata.atom import ATOM, Entry, feed_xml
from catalogue.opendata.datapackage import SchemaCache, field_type, package_name
from catalogue.opendata.reads import OpenDataset, OpenVersion
from catalogue.opendata.schemaorg import MAX_DESCRIPTION, MIN_DESCRIPTION, description

WHEN = datetime(2024, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(("values", "expected"), [
    ([b"1", b"-20", b"0", None, b""], "integer"),
    ([b"1", b"2.5", b"-0.25", b"1e3"], "number"),
    ([b"007", b"12"], "string"),  # a code with leading zeros stays text
    ([b"true", b"False", b"TRUE"], "boolean"),
    ([b"yes", b"no"], "string"),
    ([b"2024-01-31", b"2024-02-29"], "date"),
    ([b"2024-02-30"], "string"),  # not a day
    ([b"2024-01"], "string"),
    ([b" 12"], "string"),
    ([None, b""], "string"),
    ([b"NaN"], "string"),
])
def test_field_types_are_what_frictionless_reads(values, expected):
    assert field_type(values) == expected


def dataset(text: str, **coverage: str) -> OpenDataset:
    version = OpenVersion(number=1, released_at=WHEN, licence="OGL-UK-3.0",
                          licence_title="Open Government Licence v3.0", licence_url=None,
                          commit_sha="0" * 40, authored_at=WHEN, message="m", size=1, files=[])
    return OpenDataset(id="housing/lets", department="housing", department_name="Housing",
                       slug="lets", title="Void lets", description=text, tags=[],
                       licence="OGL-UK-3.0", latest_version=1, released_at=WHEN, publisher=None,
                       contact=None, temporal_coverage=coverage.get("temporal"),
                       spatial_coverage=coverage.get("spatial"), update_frequency=None,
                       versions=[version])


def test_a_description_in_bounds_is_the_approved_one_as_plain_text():
    text = "Lets of void council homes, by **quarter**, from the [lettings](https://x) team."
    assert description(dataset(text)) == ("Lets of void council homes, by quarter, from the "
                                          "lettings team.")


def test_column_names_keep_their_underscores_in_the_plain_text():
    text = "Counts by area.\n\n- `new_to_the_street`: not seen before.\n- long_term: _6_ counts."
    assert description(dataset(text)) == ("Counts by area. - new_to_the_street: not seen "
                                          "before. - long_term: _6_ counts.")


@pytest.mark.parametrize("text", ["", "Lets."])
def test_a_short_description_is_told_from_the_metadata(text):
    told = description(dataset(text, temporal="2024", spatial="Northmere"))
    assert MIN_DESCRIPTION <= len(told) <= MAX_DESCRIPTION
    assert told.startswith("Void lets") and "Housing" in told and "Northmere" in told
    assert "2024" in told and "Open Government Licence" in told


def test_a_long_description_is_cut_at_a_word():
    told = description(dataset("word " * 2000))
    assert len(told) <= MAX_DESCRIPTION and told.endswith("word…")


def test_package_names_are_valid_frictionless_names():
    assert package_name("housing", "Rough Sleeping") == "housing-rough-sleeping"
    assert package_name("data/Counts 2024.CSV") == "data-counts-2024.csv"
    assert package_name("???") == "data"


def test_the_schema_cache_keeps_the_most_recent():
    cache = SchemaCache(size=2)
    cache.put("a", {"fields": []})
    cache.put("b", None)
    assert cache.get("a") == (True, {"fields": []})
    cache.put("c", {"fields": []})
    assert cache.get("b") == (False, None)  # least recently used, dropped
    assert cache.get("a")[0] and cache.get("c")[0]


def test_an_atom_feed_holds_its_entries():
    data = feed_xml("urn:x", "Feed", "http://h/f.atom", "http://h/", "Council", [
        Entry("urn:e:1", "One", WHEN, "http://h/1", "first", "Asha"),
        Entry("urn:e:2", "Two", WHEN, None, "second")])
    root = ET.fromstring(data)
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.findtext(f"{{{ATOM}}}updated") == "2024-03-01T12:00:00Z"
    found = root.findall(f"{{{ATOM}}}entry")
    assert [e.findtext(f"{{{ATOM}}}id") for e in found] == ["urn:e:1", "urn:e:2"]
    assert found[0].find(f"{{{ATOM}}}link").get("href") == "http://h/1"
    assert found[1].find(f"{{{ATOM}}}link") is None
