"""Fixtures shared by every test: a fresh database (SQLite, or PostgreSQL when DATABASE_URL is
set), a catalogue on it, and registries built with the real git and dvc."""

from __future__ import annotations

import os
import sys  # noqa: E402
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from catalogue.core import Catalogue
from catalogue.db import scratch_database
from catalogue.settings import Settings
from tests.builders import RegistryBuilder

# The `dvc` and `catalogue` commands of this interpreter's environment, even when not activated.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="session", autouse=True)
def dvc_site_cache(tmp_path_factory) -> Path:
    """DVC's site cache for every dvc the tests run, in the tests' own temporary folder."""
    folder = tmp_path_factory.mktemp("dvc-site-cache")
    os.environ["DVC_SITE_CACHE_DIR"] = str(folder)
    os.environ["DVC_NO_ANALYTICS"] = "1"
    return folder


@pytest.fixture(scope="session")
def demo_registries(tmp_path_factory: pytest.TempPathFactory, dvc_site_cache: Path) -> Path:
    """The demo's two registries and their DVC remotes, built once for the whole session
    (index them into a test's catalogue: `NHS` first, then `COUNCIL`)."""
    from catalogue.demo.build import build_demo

    root = tmp_path_factory.mktemp("demo") / "demo"
    build_demo(root, dvc_site_cache, lambda line: None)
    return root


@pytest.fixture
def make_database_url(tmp_path: Path) -> Iterator:
    """Makes databases of this test's own: SQLite files, or new PostgreSQL databases."""
    with ExitStack() as stack:
        yield lambda: stack.enter_context(
            scratch_database(tmp_path, os.environ.get("DATABASE_URL"), "test"))


@pytest.fixture
def database_url(make_database_url) -> str:
    """A database of its own for one test: a SQLite file, or a new PostgreSQL database."""
    return make_database_url()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(instance=tmp_path / "instance", database_url=database_url)


@pytest.fixture
def catalogue(settings: Settings) -> Iterator[Catalogue]:
    cat = Catalogue(settings)
    yield cat
    cat.close()


@pytest.fixture
def registry(tmp_path: Path) -> RegistryBuilder:
    """An empty registry (catalogue.yaml only) with departments housing and public-health."""
    return RegistryBuilder(tmp_path / "registry",
                           {"housing": "Housing", "public-health": "Public Health"})
