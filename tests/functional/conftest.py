"""Fixtures for functional tests: the web app on the test's own database and instance folder,
its test client, and a council registry (built once per module with the real git and dvc, then
indexed into each test's fresh database)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from catalogue.core import Catalogue
from catalogue.settings import Settings
from tests.builders import RegistryBuilder, sh
from web import create_app
from web.auth import TEST_PRINCIPALS

KEY = "housing/rough-sleeping"
DERIVED = "public-health/rough-sleeping-health"
BROKEN = "housing/broken"
RETIRED = "housing/old-register"
COUNTS = [
    b"ward,count\nAbbey,3\nCastle,5\n",
    b"ward,count\nAbbey,4\nCastle,2\nRiverside,1\n",
    b"ward,count\nAbbey,2\nCastle,2\nRiverside,3\nWestgate,1\n",
]
NEEDS = b"need,people\nMental health,12\n"
DESCRIPTION = """# Rough sleeping street counts

A **monthly** count of people seen sleeping rough, by ward.

<script>alert("owned")</script>

See [the method](https://example.org/method) and [this](javascript:alert(1)).
"""


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The web app on the test's own instance folder and database (those of `catalogue`)."""
    app = create_app({
        "INSTANCE_PATH": str(settings.instance),
        "DATABASE_URL": settings.database_url,
        "TESTING": True,
        TEST_PRINCIPALS: ["*"],  # reads everything; the access tests sign people in
    })
    yield app
    app.extensions["catalogue"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def council_registry(tmp_path_factory: pytest.TempPathFactory) -> RegistryBuilder:
    """A registry with history, lineage, a problem and a retired dataset. Tests only read it."""
    r = RegistryBuilder(tmp_path_factory.mktemp("council") / "registry",
                        {"housing": "Housing", "public-health": "Public Health"},
                        name="Northshire Council registry")
    r.version(KEY, {"counts.csv": COUNTS[0]}, "First street count", author="asha",
              title="Rough sleeping street counts", description=DESCRIPTION,
              owners=["housing-data@council.example.gov.uk", "asha.patel@council.example.gov.uk"],
              tags=["homelessness", "street count"], update_frequency="Monthly",
              temporal_coverage="April 2024 to March 2025", spatial_coverage="Northshire wards",
              contact="housing-data@council.example.gov.uk", source_system="CHAIN")
    r.version(KEY, {"counts.csv": COUNTS[1]}, "Spring street count", author="ben")
    r.version(KEY, {"counts.csv": COUNTS[2]}, "Summer street count", author="cara")

    r.metadata(DERIVED, title="Health needs of people sleeping rough",
               derived_from=[KEY, "https://www.ons.gov.uk/"],
               classification="OFFICIAL-SENSITIVE", personal_data=True)
    r.write(f"{DERIVED}/tables/needs.csv", NEEDS)
    r.write(f"{DERIVED}/tables/services.csv", "service,visits\nGP,40\n")
    sh(["dvc", "add", "-q", f"{DERIVED}/tables"], r.path)
    r.commit("Health needs tables", "cara")
    r.push()

    r.write(f"{BROKEN}/dataset.yaml", "title: Broken register\nowners: not-a-list\n")
    r.dvc_add(BROKEN, {"data.csv": "a\n1\n"})
    r.commit("A register with bad metadata", "ben")
    r.push()

    r.version(RETIRED, {"register.csv": "x\n1\n"}, "Old register", title="Old housing register")
    shutil.rmtree(r.path / RETIRED)
    r.commit("Retire the old register", "cara")
    return r


@pytest.fixture
def council(council_registry: RegistryBuilder, catalogue: Catalogue) -> RegistryBuilder:
    """The council registry, indexed into this test's database."""
    catalogue.indexer.index(str(council_registry.path))
    return council_registry
