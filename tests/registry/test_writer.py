"""The registry writer: what it commits is what plain `git` and the stock `dvc` command see."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from registry.create import init_registry
from registry.dvc_env import dvc_environment
from registry.history import RegistryHistory
from registry.writer import Author, NothingToCommit, RegistryWriter

PRIYA = Author("Priya Shah", "priya.shah@council.example.gov.uk")
TOM = Author("Tom Gallagher", "tom.gallagher@council.example.gov.uk")
BST = timezone(timedelta(hours=1))
KEY = "housing/rough-sleeping"
META = {"title": "Rough sleeping counts", "owners": [PRIYA.email],
        "description": "Monthly street counts.\n\n## Source\n- Outreach team\n"}


@pytest.fixture
def site_cache(tmp_path: Path) -> Path:
    return tmp_path / "dvc-site-cache"


def make_registry(path: Path, site_cache: Path) -> Path:
    return init_registry(path, site_cache, departments={"housing": "Housing"})


@pytest.fixture
def registry(tmp_path: Path, site_cache: Path) -> Path:
    return make_registry(tmp_path / "registry", site_cache)


@pytest.fixture
def writer(registry: Path, site_cache: Path):
    with RegistryWriter(registry, site_cache) as w:
        yield w


def run(args: list[str], cwd: Path, site_cache: Path) -> str:
    done = subprocess.run(args, cwd=cwd, env=dvc_environment(site_cache), capture_output=True,
                          text=True)
    assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
    return done.stdout


def clone_and_pull(registry: Path, target: Path, site_cache: Path, rev: str | None = None) -> Path:
    """A fresh git clone (with an empty DVC cache) and `dvc pull`: bytes only from remotes."""
    run(["git", "clone", "-q", str(registry), str(target)], registry.parent, site_cache)
    if rev:
        run(["git", "checkout", "-q", rev], target, site_cache)
    run(["dvc", "pull", "-q"], target, site_cache)
    return target


def test_a_version_is_committed_once_by_its_author_at_its_date(writer, registry, site_cache):
    when = datetime(2026, 6, 5, 10, 30, tzinfo=BST)
    sha = writer.write_version(KEY, {"counts.csv": "area,people\nTown centre,9\n"},
                               "Add May street count", PRIYA, when=when, metadata=META)

    log = run(["git", "log", "-1", "--format=%H%n%an%n%ae%n%aI%n%cn%n%cI%n%B"], registry,
              site_cache).splitlines()
    assert log[:7] == [sha, PRIYA.name, PRIYA.email, "2026-06-05T10:30:00+01:00", PRIYA.name,
                       "2026-06-05T10:30:00+01:00", "Add May street count"]
    changed = run(["git", "show", "--name-only", "--format=", sha], registry, site_cache).split()
    assert sorted(changed) == [f"{KEY}/.gitignore", f"{KEY}/counts.csv.dvc", f"{KEY}/dataset.yaml"]
    assert run(["git", "status", "--porcelain"], registry, site_cache) == ""
    assert yaml.safe_load((registry / KEY / "dataset.yaml").read_text()) == META
    assert "description: |" in (registry / KEY / "dataset.yaml").read_text()

    snap = RegistryHistory(str(registry)).snapshot(sha, "housing", "rough-sleeping")
    assert snap.problems == []
    assert [o.path for o in snap.outputs] == [f"{KEY}/counts.csv"]

    with pytest.raises(NothingToCommit):
        writer.write_version(KEY, {"counts.csv": "area,people\nTown centre,9\n"}, "Again", TOM)
    assert writer.head() == sha


def test_every_versions_bytes_reach_the_remote(writer, registry, site_cache, tmp_path):
    first = writer.write_version(KEY, {"counts.csv": "area,people\nTown centre,9\n"},
                                 "Add April count", PRIYA, metadata=META)
    writer.write_version(KEY, {"counts.csv": "area,people\nTown centre,11\nHarbour,2\n"},
                         "Add May count", TOM, when=datetime.now(UTC))
    assert "in sync" in run(["dvc", "status", "-c"], registry, site_cache)

    latest = clone_and_pull(registry, tmp_path / "latest", site_cache)
    assert (latest / KEY / "counts.csv").read_text() == "area,people\nTown centre,11\nHarbour,2\n"
    older = clone_and_pull(registry, tmp_path / "older", site_cache, rev=first)
    assert (older / KEY / "counts.csv").read_text() == "area,people\nTown centre,9\n"
    authors = run(["git", "log", "--format=%an", "--", KEY], registry, site_cache).split("\n")
    assert authors[:2] == [TOM.name, PRIYA.name]


def test_a_directory_output_holds_exactly_the_files_of_its_version(writer, registry, site_cache,
                                                                   tmp_path):
    key = "housing/air"
    writer.write_version(key, {"readings/a.csv": "x\n1\n", "readings/b.csv": "x\n2\n"},
                         "Two sites", PRIYA, metadata={**META, "title": "Air"})
    writer.write_version(key, {"readings/a.csv": "x\n1\n", "readings/c.csv": "x\n3\n"},
                         "Site b closed, site c opened", TOM)

    dvc_file = yaml.safe_load((registry / key / "readings.dvc").read_text())
    assert dvc_file["outs"][0]["nfiles"] == 2
    pulled = clone_and_pull(registry, tmp_path / "clone", site_cache)
    assert sorted(p.name for p in (pulled / key / "readings").iterdir()) == ["a.csv", "c.csv"]


def test_paths_outside_a_dataset_folder_are_refused(tmp_path, site_cache):
    (tmp_path / "working-copy" / ".dvc").mkdir(parents=True)
    writer = RegistryWriter(tmp_path / "working-copy", site_cache)
    for key in ("housing", "housing/a/b", "../housing/x", "Housing/X"):
        with pytest.raises(ValueError, match="dataset key"):
            writer.put(key, {"a.csv": "x"})
    for name in ("../other/a.csv", "/etc/passwd", "."):
        with pytest.raises(ValueError, match="inside the folder"):
            writer.put(KEY, {name: "x"})


def test_an_import_and_a_pipeline_record_their_sources(writer, registry, site_cache, tmp_path):
    partner = make_registry(tmp_path / "partner", site_cache)
    with RegistryWriter(partner, site_cache) as other:
        source = other.write_version("housing/counts", {"counts.csv": "a\nx\n"}, "Counts", TOM,
                                     metadata={**META, "title": "Counts"})

    dvc_file = writer.import_data(str(partner), "housing/counts/counts.csv",
                                  "housing/imported/counts.csv")
    writer.put("housing/shouted", {
        "dvc.yaml": "stages:\n  upper:\n    cmd: tr a-z A-Z < ../imported/counts.csv > out.csv\n"
                    "    deps:\n    - ../imported/counts.csv\n    outs:\n    - out.csv\n"})
    writer.reproduce("housing/shouted/dvc.yaml")
    writer.commit("Import counts and shout them", PRIYA, ["housing/imported", "housing/shouted"])
    writer.push([dvc_file, "housing/shouted/dvc.yaml"])

    imported = yaml.safe_load((registry / dvc_file).read_text())
    assert imported["deps"][0]["repo"] == {"url": str(partner), "rev_lock": source}
    lock = yaml.safe_load((registry / "housing/shouted/dvc.lock").read_text())
    assert lock["stages"]["upper"]["deps"][0]["md5"] == imported["outs"][0]["md5"]
    pulled = clone_and_pull(registry, tmp_path / "clone", site_cache)
    assert (pulled / "housing/shouted/out.csv").read_text() == "A\nX\n"
    assert (pulled / "housing/imported/counts.csv").read_text() == "a\nx\n"
