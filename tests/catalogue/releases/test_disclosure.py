"""Disclosure control: small counts in count-like columns warn; other small numbers don't."""

from __future__ import annotations

import pytest

from catalogue.releases.names import is_count_name


def test_counts_of_three_warn_naming_the_column(scan):
    content = ("ward,age_band,households,rate_per_1000\n"
               "Abbey,16-24,3,0.4\n"
               "Bank,16-24,120,4.1\n"
               "Castle,16-24,3,0.3\n")
    _, disclosure = scan("counts.csv", content)

    assert disclosure.name == "disclosure-control"
    assert disclosure.outcome == "warn"
    assert disclosure.evidence["small_cells"] == 2
    (column,) = disclosure.evidence["columns"]
    assert column["column"] == "households"
    assert column["small_cells"] == 2
    assert column["first_rows"] == [1, 3]
    assert "'households'" in disclosure.summary


def test_the_threshold_is_a_parameter(scan):
    content = "ward,people\nAbbey,3\nBank,7\nCastle,40\n"

    _, at_three = scan("t3.csv", content, disclosure_threshold=3)
    assert at_three.outcome == "pass", at_three.summary
    _, at_ten = scan("t10.csv", content, disclosure_threshold=10)
    assert at_ten.evidence["small_cells"] == 2
    _, off = scan("off.csv", content, disclosure_threshold=1)
    assert off.outcome == "pass"
    assert "off" in off.summary


def test_zero_is_not_a_small_count(scan):
    _, disclosure = scan("zeros.csv", "ward,cases\nAbbey,0\nBank,0\nCastle,12\n")

    assert disclosure.outcome == "pass", disclosure.summary
    assert disclosure.evidence["count_columns"] == [{"column": "cases"}]


def test_small_numbers_that_are_not_counts_pass(scan):
    content = ("ward_number,year,rank,imd_decile,rate_per_1000,ward_code\n"
               "3,2024,1,2,3.5,4\n"
               "4,2023,2,1,1.2,2\n")
    _, disclosure = scan("not-counts.csv", content)

    assert disclosure.outcome == "pass", disclosure.summary
    assert disclosure.evidence["count_columns"] == []


def test_suppression_markers_keep_a_column_a_count(scan):
    content = "ward,households\nAbbey,*\nBank,[c]\nCastle,2\nDale,1,234\n"
    _, disclosure = scan("suppressed.csv", content.replace("1,234", '"1,234"'))

    (column,) = disclosure.evidence["columns"]
    assert column["small_cells"] == 1
    assert column["suppressed_cells"] == 2
    assert column["first_rows"] == [3]


def test_a_column_with_decimals_is_not_a_count(scan):
    _, disclosure = scan("decimals.csv", "ward,total\nAbbey,2\nBank,3.5\n")

    assert disclosure.outcome == "pass", disclosure.summary
    assert disclosure.evidence["count_columns"] == []


def test_a_wide_table_of_counts_by_year(scan):
    content = "ward,2022/23,2023/24\nAbbey,14,2\nBank,25,30\n"
    _, disclosure = scan("wide.csv", content)

    assert disclosure.outcome == "warn"
    assert [c["column"] for c in disclosure.evidence["columns"]] == ["2023/24"]


@pytest.mark.parametrize("name", [
    "households", "Number of cases", "number_of_people", "total", "Count", "n", "value",
    "OBS_VALUE", "rough_sleepers_total", "2019/20", "Q1 2024", "16-64", "85+", "Aged 0 to 15",
    "females", "numPupils",
])
def test_count_names(name):
    assert is_count_name(name)


@pytest.mark.parametrize("name", [
    "ward_code", "year", "ward_number", "case_id", "rank", "rate_per_1000", "percentage",
    "house_number", "age", "month", "UPRN", "phone_number", "nhs_number", "amount_gbp",
    "imd_decile", "easting", "ward_name", "description",
])
def test_not_count_names(name):
    assert not is_count_name(name)
