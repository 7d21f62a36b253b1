"""Reading dataset.yaml's words into the vocabularies DCAT-AP points at: coverage periods,
places, formats, frequencies, themes and contacts. What cannot be read is left as words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from catalogue.opendata.dcat_cache import CatalogCache, Fingerprint
from catalogue.opendata.dcat_terms import (
    email_of,
    file_format,
    frequency,
    period,
    place_iri,
    themes,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("April 2024 to March 2025", (date(2024, 4, 1), date(2025, 3, 31))),
    ("2024", (date(2024, 1, 1), date(2024, 12, 31))),
    ("2024-01 to 2024-06", (date(2024, 1, 1), date(2024, 6, 30))),
    ("2023-04-01/2024-03-31", (date(2023, 4, 1), date(2024, 3, 31))),
    ("Feb 2024", (date(2024, 2, 1), date(2024, 2, 29))),
    ("2019 – 2021", (date(2019, 1, 1), date(2021, 12, 31))),
])
def test_a_coverage_in_words_reads_as_a_period(text, expected):
    assert period(text) == expected


@pytest.mark.parametrize("text", [None, "", "since records began", "2025 to 2024",
                                  "2024-13", "2024-02-30", "Smarch 2024", "2020 to 2021 to 2022"])
def test_what_is_not_a_period_stays_words(text):
    assert period(text) is None


def test_places_formats_frequencies_themes_and_contacts():
    assert place_iri("E06000099") == \
        "http://statistics.data.gov.uk/id/statistical-geography/E06000099"
    assert place_iri("https://www.geonames.org/2643743") == "https://www.geonames.org/2643743"
    assert place_iri("Northmere wards") is None
    csv = file_format("tables/counts.CSV")
    assert csv is not None and (csv.file_type, csv.media_type) == ("CSV", "text/csv")
    assert file_format("README") is None and file_format("data.unknown") is None
    assert frequency(" Monthly ") == "MONTHLY" and frequency("now and then") is None
    assert themes("housing", ["Rough sleeping"]) == ["SOCI"]
    assert themes("public-health", ["budget"]) == ["ECON", "HEAL"]
    assert themes("misc", []) == []
    assert email_of("Housing data <housing.data@northmere.gov.uk>") == \
        "housing.data@northmere.gov.uk"
    assert email_of("mailto:a@b.gov.uk") == "a@b.gov.uk"
    assert email_of("The housing team") is None


def test_last_modified_is_never_the_second_of_a_change_still_under_way():
    changed = datetime(2026, 3, 2, 10, 0, 0, 300_000, tzinfo=UTC)
    state = Fingerprint(3, changed, None, "Northmere Borough Council")
    assert state.last_modified(changed + timedelta(milliseconds=500)) is None
    after = state.last_modified(changed + timedelta(seconds=2))
    assert after == datetime(2026, 3, 2, 10, 0, 1, tzinfo=UTC)
    later = Fingerprint(3, changed, changed + timedelta(milliseconds=600), "Northmere")
    assert later.last_modified(changed + timedelta(seconds=2)) == after  # same second: the
    assert later.etag() != state.etag()  # date cannot tell them apart, the entity tag does
    assert Fingerprint(0, None, None, None).last_modified(changed) is None


def test_the_cache_keeps_pages_within_its_byte_budget_least_recently_used_out():
    cache = CatalogCache(budget=25)
    state = Fingerprint(3, datetime(2025, 3, 1, tzinfo=UTC), None, "Northmere")
    built: list[str] = []

    def page(name: str, size: int = 10):
        def build() -> bytes:
            built.append(name)
            return name.encode().ljust(size, b".")
        return build

    for name in ("p1", "p2"):
        cache.get(state, name, page(name))
    cache.get(state, "p1", page("p1"))  # p1 used last: p2 goes first
    cache.get(state, "p3", page("p3"))  # 30 bytes > 25
    assert built == ["p1", "p2", "p3"]
    cache.get(state, "p1", page("p1"))
    cache.get(state, "p2", page("p2"))
    assert built == ["p1", "p2", "p3", "p2"]
    cache.get(state, "big", page("big", 100))  # larger than the budget: kept alone
    cache.get(state, "big", page("big", 100))
    assert built[-1:] == ["big"] and built.count("big") == 1
    later = Fingerprint(4, datetime(2025, 3, 2, tzinfo=UTC), None, "Northmere")
    cache.get(later, "big", page("big", 100))  # a release or withdrawal: built anew
    assert built.count("big") == 2
