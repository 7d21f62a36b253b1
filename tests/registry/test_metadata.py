import pytest

from registry.metadata import parse_catalogue_yaml, parse_dataset_yaml
from registry.problems import FileProblems

PATH = "housing/rough-sleeping/dataset.yaml"


def problems_of(text: str) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        parse_dataset_yaml(PATH, text)
    return [str(p) for p in caught.value.problems]


def test_defaults_and_unknown_keys_are_kept():
    meta = parse_dataset_yaml(PATH, "title: Rough sleeping\nowners: [a@council.gov.uk]\n"
                                    "ward_source: ONS 2021\n")
    assert meta.licence == "OGL-UK-3.0"
    assert meta.classification == "OFFICIAL"
    assert meta.effective_visibility == "internal"
    assert meta.extra == {"ward_source": "ONS 2021"}


@pytest.mark.parametrize("extra", ["classification: OFFICIAL-SENSITIVE", "personal_data: true"])
def test_sensitive_data_defaults_to_department_visibility(extra):
    meta = parse_dataset_yaml(PATH, f"title: T\nowners: [a@council.gov.uk]\n{extra}\n")
    assert meta.effective_visibility == "department"


def test_explicit_visibility_wins():
    meta = parse_dataset_yaml(PATH, "title: T\nowners: [a@c.gov.uk]\npersonal_data: true\n"
                                    "visibility: internal\n")
    assert meta.effective_visibility == "internal"


def test_invalid_yaml_reports_the_line():
    [problem] = problems_of("title: T\nowners: [a@c.gov.uk\ntags: x\n")
    assert problem.startswith(f"{PATH}:3: invalid YAML")


def test_missing_title_and_owners_are_both_reported():
    problems = problems_of("description: no title\n")
    assert f"{PATH}: title is required" in problems
    assert f"{PATH}: owners is required" in problems


def test_wrong_types_are_located():
    problems = problems_of("title: T\nowners: [a@c.gov.uk]\ntags: housing\n"
                           "personal_data: 'yes'\nclassification: SECRET\n")
    assert any(p.startswith(f"{PATH}:3: tags:") for p in problems)
    assert any(p.startswith(f"{PATH}:4: personal_data:") for p in problems)
    assert any(p.startswith(f"{PATH}:5: classification:") for p in problems)


def test_owner_must_be_an_email():
    [problem] = problems_of("title: T\nowners:\n  - housing team\n")
    assert problem == f"{PATH}:3: owners.0: 'housing team' is not an email address"


def test_dates_in_coverage_are_accepted_as_text():
    meta = parse_dataset_yaml(PATH, "title: T\nowners: [a@c.gov.uk]\n"
                                    "temporal_coverage: 2024-04-01\n")
    assert meta.temporal_coverage == "2024-04-01"


def test_a_list_is_not_a_mapping():
    assert problems_of("- title\n") == [f"{PATH}:1: must be a mapping of keys to values"]


def test_catalogue_yaml():
    cat = parse_catalogue_yaml("catalogue.yaml", "name: Council\ndepartments:\n"
                               "  - {slug: housing, name: Housing}\n"
                               "partners:\n  - {slug: nhs-trust, name: NHS Trust}\n")
    assert [d.slug for d in cat.departments] == ["housing"]
    assert cat.partners[0].name == "NHS Trust"
    with pytest.raises(FileProblems) as caught:
        parse_catalogue_yaml("catalogue.yaml", "name: C\ndepartments:\n  - {slug: Bad Slug}\n")
    assert any("departments.0.slug" in str(p) for p in caught.value.problems)
