"""`columns:` and `primary_key:` in dataset.yaml, validated like the other keys."""

from __future__ import annotations

import pytest

from registry.metadata import parse_dataset_yaml
from registry.problems import FileProblems

HEAD = "title: Tenancies\nowners: [housing@council.example.gov.uk]\n"


def test_a_mapping_and_a_list_read_the_same():
    mapping = parse_dataset_yaml("d/dataset.yaml", HEAD + (
        "columns:\n  ward: Electoral ward\n  rent: {description: Weekly rent, unit: GBP}\n"
        "  notes:\nprimary_key: tenancy_id\n"))
    listed = parse_dataset_yaml("d/dataset.yaml", HEAD + (
        "columns:\n- {name: ward, description: Electoral ward}\n"
        "- {name: rent, description: Weekly rent, unit: GBP}\n- {name: notes}\n"
        "primary_key: [tenancy_id]\n"))
    assert mapping.extra == listed.extra == {
        "columns": [{"name": "ward", "description": "Electoral ward"},
                    {"name": "rent", "description": "Weekly rent", "unit": "GBP"},
                    {"name": "notes", "description": ""}],
        "primary_key": ["tenancy_id"]}


def test_no_columns_leave_no_keys():
    assert parse_dataset_yaml("d/dataset.yaml", HEAD).extra == {}


@pytest.mark.parametrize(("text", "message"), [
    ("columns: 3", "columns: Input should be a valid list"),
    ("columns:\n- {name: a}\n- {name: a}", "columns: column 'a' is described twice"),
    ("columns:\n- {description: x}", "columns.0.name is required"),
    ("columns:\n- {name: a, colour: red}", "columns.0.colour: Extra inputs are not permitted"),
    ("columns:\n- {name: ' '}", "columns.0.name: must not be blank"),
    ("primary_key: [1]", "primary_key.0: Input should be a valid string"),
])
def test_wrong_columns_are_problems_naming_the_key_and_line(text: str, message: str):
    with pytest.raises(FileProblems) as found:
        parse_dataset_yaml("d/dataset.yaml", HEAD + text + "\n")
    problems = found.value.problems
    assert message in [p.message for p in problems]
    assert all(p.line is None or p.line >= 3 for p in problems)
