"""A registry with a story, built once per session with real git and dvc, read by many tests."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.builders import RegistryBuilder, sh

RATE_SCRIPT = """import csv
rows = list(csv.DictReader(open('../../housing/homelessness/counts.csv')))
with open('rate.csv', 'w') as out:
    out.write('ward,rate\\n')
    for row in rows:
        out.write(f"{row['ward']},{int(row['households']) / 10}\\n")
"""


@dataclass
class Story:
    main: RegistryBuilder
    nhs: RegistryBuilder
    shas: dict[str, str] = field(default_factory=dict)


def build_story(root: Path) -> Story:
    nhs = RegistryBuilder(root / "nhs", {"health": "Health"}, name="NHS Trust registry")
    nhs.version("health/gp-practices", {"practices.csv": "code,name\nY001,Riverside\n"},
                "GP practices", "ben", title="GP practices")
    main = RegistryBuilder(root / "council", {"housing": "Housing",
                                               "public-health": "Public Health"})
    story = Story(main, nhs)
    story.shas["h1"] = main.version(
        "housing/homelessness", {"counts.csv": "ward,households\nA,30\nB,12\n"},
        "Homelessness counts Q1", "asha", title="Homelessness counts",
        tags=["homelessness", "housing"], description="# Counts\n\nBy **ward**.",
        ward_source="ONS 2021 wards")
    story.shas["a1"] = main.version(
        "public-health/air-quality", {"no2.csv": "site,no2\nS1,31.2\n"}, "NO2 readings", "ben")
    story.shas["h2"] = main.version(
        "housing/homelessness", {"counts.csv": "ward,households\nA,34\nB,15\n"},
        "Homelessness counts Q2", "ben")
    main.metadata("housing/homelessness", title="Homelessness counts by ward",
                  owners=["asha.patel@council.example.gov.uk"], tags=["homelessness"])
    story.shas["meta"] = main.commit("Clarify the title", "cara")
    main.metadata("public-health/homelessness-rate", title="Homelessness rate",
                  derived_from=["housing/homelessness", "https://www.ons.gov.uk/census"])
    main.write("public-health/homelessness-rate/make_rate.py", RATE_SCRIPT)
    sh(["dvc", "stage", "add", "-q", "-n", "rate", "-d", "../../housing/homelessness/counts.csv",
        "-d", "make_rate.py", "-o", "rate.csv", f"{sys.executable} make_rate.py"],
       main.path / "public-health/homelessness-rate")
    sh(["dvc", "repro", "-q"], main.path / "public-health/homelessness-rate")
    story.shas["r1"] = main.commit("Derive the homelessness rate", "cara")
    main.push()
    story.shas["h3"] = main.version(
        "housing/homelessness", {"counts.csv": "ward,households\nA,40\nB,11\n"},
        "Homelessness counts Q3", "cara")
    (main.path / "public-health/gp-practices").mkdir(parents=True)
    sh(["dvc", "import", "-q", str(nhs.path), "health/gp-practices/practices.csv",
        "-o", "public-health/gp-practices/practices.csv"], main.path)
    main.metadata("public-health/gp-practices", title="GP practices (from the NHS trust)")
    story.shas["g1"] = main.commit("Import GP practices from the NHS trust", "asha")
    main.push()
    return story


@pytest.fixture(scope="session")
def story(tmp_path_factory) -> Story:
    return build_story(tmp_path_factory.mktemp("story"))
