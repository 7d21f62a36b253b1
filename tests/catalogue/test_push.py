"""`catalogue push` in a team's clone of a central registry: checks first, then dvc add, commit
as the user, dvc push, git push; every failure says what next, and a re-run completes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalogue.cli import main
from registry.remote_store import object_paths
from tests.builders import AUTHORS, sh
from tests.central import Central, make_central, refs

META = "title: Rough sleeping counts\nowners: [asha.patel@council.example.gov.uk]\n"


@pytest.fixture(scope="module")
def central(tmp_path_factory, dvc_site_cache) -> Central:
    return make_central(tmp_path_factory.mktemp("central"), dvc_site_cache)


@pytest.fixture(autouse=True)
def keep_dvc_environment(monkeypatch):
    """The writer points DVC's site cache at the clone's; put the tests' back afterwards."""
    monkeypatch.setenv("DVC_SITE_CACHE_DIR", os.environ["DVC_SITE_CACHE_DIR"])


def push(clone: Path, *args: str):
    return CliRunner().invoke(main, ["push", "-C", str(clone), *args])


def in_remote(central: Central, content: bytes) -> bool:
    md5 = hashlib.md5(content).hexdigest()
    return any((central.remote / p).exists() for p in object_paths(md5))


def test_a_new_dataset_is_published_as_the_user(central, tmp_path):
    clone = central.clone(tmp_path / "clone", who="ben")
    (tmp_path / "meta.yaml").write_text(META)
    (tmp_path / "counts.csv").write_bytes(b"ward,count\nAbbey,3\n")
    (tmp_path / "wards").mkdir()
    (tmp_path / "wards" / "abbey.csv").write_bytes(b"street,count\nHigh St,2\n")
    result = push(clone.path, "housing/rough-sleeping", str(tmp_path / "counts.csv"),
                  str(tmp_path / "wards"), "-m", "First street count",
                  "--metadata", str(tmp_path / "meta.yaml"))
    assert result.exit_code == 0, result.output
    assert "Pushed housing/rough-sleeping" in result.output
    assert central.head() == clone.head()
    log = sh(["git", "log", "-1", "--format=%an|%ae|%cn|%s"], central.path).stdout.strip()
    assert log == f"{AUTHORS['ben'][0]}|{AUTHORS['ben'][1]}|{AUTHORS['ben'][0]}|First street count"
    changed = sh(["git", "show", "--name-only", "--format=", "main"], central.path).stdout.split()
    assert sorted(changed) == ["housing/rough-sleeping/.gitignore",
                               "housing/rough-sleeping/counts.csv.dvc",
                               "housing/rough-sleeping/dataset.yaml",
                               "housing/rough-sleeping/wards.dvc"]
    assert in_remote(central, b"ward,count\nAbbey,3\n")
    assert in_remote(central, b"street,count\nHigh St,2\n")


def test_invalid_metadata_is_refused_before_anything_is_touched(central, tmp_path):
    clone = central.clone(tmp_path / "clone")
    before = refs(central.path)
    (tmp_path / "bad.yaml").write_text("title: Air\nowners: nobody\n")
    (tmp_path / "no2.csv").write_text("site,no2\nS1,31\n")
    result = push(clone.path, "public-health/air", str(tmp_path / "no2.csv"), "-m", "NO2",
                  "--metadata", str(tmp_path / "bad.yaml"))
    assert result.exit_code == 1
    assert "owners: Input should be a valid list" in result.output
    assert "nothing was changed" in result.output
    assert clone.run("git", "status", "--porcelain").stdout == ""
    assert not (clone.path / "public-health").exists()

    result = push(clone.path, "public-health/air", str(tmp_path / "no2.csv"), "-m", "NO2")
    assert result.exit_code == 1 and "--metadata FILE" in result.output
    result = push(clone.path, "finance/air", str(tmp_path / "no2.csv"), "-m", "NO2",
                  "--metadata", str(tmp_path / "bad.yaml"))
    assert result.exit_code == 1 and "'finance' is not declared" in result.output
    assert clone.run("git", "status", "--porcelain").stdout == ""
    assert refs(central.path) == before


def test_an_unreachable_dvc_remote_stops_before_git_push_and_a_rerun_completes(
        central, tmp_path):
    clone = central.clone(tmp_path / "clone", who="cara")
    before = refs(central.path)
    (tmp_path / "blocked").write_text("a file, so no remote can be made under it")
    clone.run("dvc", "remote", "modify", "--local", "storage", "url",
              str(tmp_path / "blocked" / "storage"))
    (tmp_path / "meta.yaml").write_text(META.replace("Rough sleeping counts", "Hostels"))
    data = tmp_path / "beds.csv"
    data.write_bytes(b"hostel,beds\nNorth,12\n")
    args = ["housing/hostels", str(data), "-m", "Hostel beds",
            "--metadata", str(tmp_path / "meta.yaml")]

    result = push(clone.path, *args)
    assert result.exit_code == 1
    assert "could not be uploaded to the DVC remote" in result.output
    assert "run the same command again" in result.output
    assert refs(central.path) == before
    committed = clone.head()
    assert committed != before["refs/heads/main"]

    (clone.path / ".dvc" / "config.local").unlink()
    result = push(clone.path, *args)
    assert result.exit_code == 0, result.output
    assert "nothing new to commit" in result.output
    assert central.head() == committed
    assert in_remote(central, b"hostel,beds\nNorth,12\n")


def test_losing_the_race_says_pull_and_a_rerun_completes(central, tmp_path):
    first = central.clone(tmp_path / "first", who="asha")
    second = central.clone(tmp_path / "second", who="ben")
    (tmp_path / "meta.yaml").write_text(META)
    for name, content in (("a.csv", b"x\n1\n"), ("b.csv", b"x\n2\n")):
        (tmp_path / name).write_bytes(content)
    won = push(first.path, "public-health/a", str(tmp_path / "a.csv"), "-m", "A",
               "--metadata", str(tmp_path / "meta.yaml"))
    assert won.exit_code == 0, won.output
    args = ["public-health/b", str(tmp_path / "b.csv"), "-m", "B",
            "--metadata", str(tmp_path / "meta.yaml")]
    lost = push(second.path, *args)
    assert lost.exit_code == 1
    assert "someone else pushed to main first" in lost.output
    assert "git pull --rebase" in lost.output
    assert central.head() == first.head()

    second.run("git", "pull", "-q", "--rebase")
    again = push(second.path, *args)
    assert again.exit_code == 0, again.output
    subjects = sh(["git", "log", "-2", "--format=%s"], central.path).stdout.split()
    assert subjects == ["B", "A"]
