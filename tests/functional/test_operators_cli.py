"""The operators' command line: `catalogue registry list`, `catalogue search QUERY`,
`catalogue doctor`, and `catalogue index` refusing what is no registry without creating
anything."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalogue.audit import Actor
from catalogue.cli import main
from catalogue.core import Catalogue
from catalogue.indexer import NotARegistry
from catalogue.people import add_account
from catalogue.settings import Settings
from tests.builders import RegistryBuilder, sh
from tests.functional.conftest import BROKEN, DERIVED, KEY


def run(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--instance", str(settings.instance)],
                              env={"DATABASE_URL": settings.database_url})


def test_index_of_a_missing_path_creates_nothing(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    result = CliRunner().invoke(main, ["index", str(tmp_path / "nowhere"), "--instance",
                                       str(instance)])
    assert result.exit_code == 2
    assert "no such folder" in result.output
    assert not instance.exists()


def test_index_of_a_git_repository_that_is_no_registry_refuses_it(
        tmp_path: Path, catalogue: Catalogue) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    sh(["git", "init", "-q", "-b", "main"], plain)
    (plain / "notes.txt").write_text("not data\n")
    sh(["git", "add", "notes.txt"], plain)
    sh(["git", "-c", "user.name=a", "-c", "user.email=a@b.c", "commit", "-qm", "notes"], plain)
    instance = tmp_path / "other-instance"
    result = CliRunner().invoke(main, ["index", str(plain), "--instance", str(instance)])
    assert result.exit_code == 2
    assert "is not a data registry: catalogue.yaml and DVC (.dvc/config) missing on main" \
        in result.output
    assert not instance.exists()
    with pytest.raises(NotARegistry, match="catalogue.yaml and DVC"):
        catalogue.indexer.index(str(plain))
    assert catalogue.indexer.registries() == []
    empty = tmp_path / "empty"
    empty.mkdir()
    sh(["git", "init", "-q", "-b", "main"], empty)
    result = CliRunner().invoke(main, ["index", str(empty), "--instance", str(instance)])
    assert result.exit_code == 2 and "it has no commits on main" in result.output
    assert not instance.exists()


def test_registry_list(council: RegistryBuilder, settings: Settings) -> None:
    result = run(settings, "registry", "list")
    assert result.exit_code == 0, result.output
    header, line = result.output.splitlines()
    assert header.split()[:2] == ["NAME", "LAST"]
    assert line.startswith("Northshire Council registry"[:24])
    assert council.head()[:10] in line and "s ago" in line
    [found] = json.loads(run(settings, "registry", "list", "--json").output)
    assert found["head_sha"] == council.head() and found["age_seconds"] >= 0
    assert found["datasets"] == 3  # rough sleeping, its derived dataset, the broken one
    assert found["problems"] >= 1  # BROKEN's owners: not-a-list
    assert BROKEN.split("/")[1] not in line


def test_search_from_the_command_line(council: RegistryBuilder, settings: Settings,
                                      catalogue: Catalogue) -> None:
    table = run(settings, "search", "rough", "sleeping")
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split()[:2] == ["DATASET", "SCORE"]
    assert KEY in table.output and DERIVED in table.output
    as_json = json.loads(run(settings, "search", "rough", "--json").output)
    assert {r["id"] for r in as_json["results"]} >= {KEY, DERIVED}
    assert set(as_json) == {"count", "results", "facets", "suggestion"}
    add_account(catalogue.engine, Actor.command_line(), "hal@council.example.gov.uk", "Hal",
                departments=["housing"])
    as_housing = json.loads(run(settings, "search", "rough", "--json", "--as",
                                "hal@council.example.gov.uk").output)
    assert KEY in {r["id"] for r in as_housing["results"]}
    assert DERIVED not in {r["id"] for r in as_housing["results"]}  # public health's, sensitive
    nothing = run(settings, "search", "zzzqqq")
    assert nothing.exit_code == 0 and "No dataset matches 'zzzqqq'" in nothing.output
    rebuilt = run(settings, "search", "rebuild", "--cached-columns")
    assert rebuilt.exit_code == 0 and "Rebuilt the search index" in rebuilt.output


def test_doctor_on_a_sound_instance_and_a_broken_one(tmp_path: Path,
                                                     registry: RegistryBuilder,
                                                     catalogue: Catalogue,
                                                     settings: Settings) -> None:
    registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count")
    catalogue.indexer.index(str(registry.path))
    sound = run(settings, "doctor")
    assert sound.exit_code == 0, sound.output
    assert "[ok  ] database:" in sound.output and "[ok  ] migrations: at" in sound.output
    assert f"DVC remote: {registry.remote} reachable" in sound.output
    assert "Nothing failed." in sound.output

    registry.version(KEY, {"counts.csv": "ward,count\nAbbey,4\n"}, "Second count")
    shutil.move(registry.remote, tmp_path / "moved-away")
    broken = run(settings, "doctor")
    assert broken.exit_code == 1
    assert "[FAIL]" in broken.output and "DVC remote" in broken.output
    assert "fix: check the remote's URL" in broken.output
    assert "1 commit(s) not indexed yet" in broken.output
    assert f"fix: run `catalogue index {registry.path}`" in broken.output

    nowhere = CliRunner().invoke(main, ["doctor", "--instance", str(tmp_path / "none")])
    assert nowhere.exit_code == 1 and "[FAIL] instance folder" in nowhere.output
    assert not (tmp_path / "none").exists()
