"""The central registry's door: what its pre-receive hook lets in, what it refuses and how the
pusher is told, with real clones, the real `git` and `dvc` commands and a real DVC remote."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
import yaml

from registry.hooks import CONFIG_FILE, HOOKS
from registry.remote_store import object_paths
from tests.builders import sh
from tests.central import Central, make_central, refs

KEY = "housing/rough-sleeping"


@pytest.fixture(scope="module")
def central(tmp_path_factory, dvc_site_cache) -> Central:
    """A central registry (hooks installed, no catalogue told) with one good version on main."""
    folder = tmp_path_factory.mktemp("central")
    central = make_central(folder, dvc_site_cache)
    clone = central.clone(folder / "first")
    clone.commit(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count")
    clone.run("dvc", "push", "-q")
    assert clone.push().returncode == 0
    return central


@pytest.fixture
def clone(central: Central, tmp_path: Path):
    return central.clone(tmp_path / "clone", who="ben")


def refused(central: Central, clone, before: dict[str, str]) -> str:
    """Push, expect a refusal, check the central registry did not move; what the pusher saw."""
    done = clone.push()
    assert done.returncode != 0, done.stderr
    assert "pre-receive hook declined" in done.stderr
    assert "remote: catalogue: push to main refused" in done.stderr
    assert refs(central.path) == before
    return done.stderr


def test_a_central_registry_is_bare_seeded_and_guarded(central):
    assert sh(["git", "rev-parse", "--is-bare-repository"], central.path).stdout.strip() == "true"
    tree = sh(["git", "ls-tree", "-r", "--name-only", "main"], central.path).stdout.split()
    assert {"catalogue.yaml", "README.md", ".dvc/config"} <= set(tree)
    dvc_config = sh(["git", "show", "main:.dvc/config"], central.path).stdout
    assert str(central.remote) in dvc_config
    config = yaml.safe_load((central.path / CONFIG_FILE).read_text())
    assert config["remote"] == str(central.remote) and config["python"] == sys.executable
    for name in HOOKS:
        script = central.path / "hooks" / name
        assert os.access(script, os.X_OK)
        assert sys.executable in script.read_text()
    assert sh(["git", "config", "receive.denyNonFastForwards"], central.path).stdout.strip() == \
        "true"


def test_plain_dvc_add_commit_push_and_git_push_is_accepted(central, clone):
    sha = clone.commit(KEY, {"counts.csv": "ward,count\nAbbey,4\nCastle,1\n"}, "Second count")
    clone.run("dvc", "push", "-q")
    done = clone.push()
    assert done.returncode == 0, done.stderr
    assert central.head() == sha


def test_an_invalid_dataset_yaml_is_refused_with_file_and_reason(central, clone):
    before = refs(central.path)
    clone.write(f"{KEY}/dataset.yaml", "title: Rough sleeping\nowners: nobody\n")
    clone.run("git", "commit", "-q", "-am", "Break the metadata")
    said = refused(central, clone, before)
    assert f"{KEY}/dataset.yaml:2: owners: Input should be a valid list" in said


def test_a_garbage_dvc_file_is_refused_with_file_and_reason(central, clone):
    before = refs(central.path)
    clone.write("housing/garbage/dataset.yaml", "title: Garbage\nowners: [a@council.gov.uk]\n")
    clone.write("housing/garbage/data.csv.dvc", "this is: [not a dvc file\n")
    clone.run("git", "add", "-A")
    clone.run("git", "commit", "-q", "-m", "Garbage")
    said = refused(central, clone, before)
    assert "housing/garbage/data.csv.dvc:" in said and "invalid YAML" in said


def test_data_never_dvc_pushed_is_refused(central, clone):
    before = refs(central.path)
    clone.commit(KEY, {"counts.csv": "ward,count\nAbbey,99\n"}, "Forgot dvc push")
    said = refused(central, clone, before)
    assert f"{KEY}/counts.csv.dvc: {KEY}/counts.csv: its data" in said
    assert f"is not in the DVC remote {central.remote}" in said
    clone.run("dvc", "push", "-q")
    assert clone.push().returncode == 0, "a re-run after dvc push completes"


def test_a_directory_with_a_file_missing_from_the_remote_is_refused(central, clone):
    before = refs(central.path)
    key = "public-health/clinics"
    clone.commit(key, {"sites/a.csv": "x\n1\n", "sites/b.csv": "x\n2\n"}, "Clinic sites")
    clone.run("dvc", "push", "-q")
    md5 = hashlib.md5(b"x\n2\n").hexdigest()
    (central.remote / object_paths(md5)[0]).unlink()
    said = refused(central, clone, before)
    assert f"{key}/sites/b.csv: this file of the directory is not in the DVC remote" in said, said
    assert f"{key}/sites/a.csv" not in said


def test_rewriting_or_deleting_main_is_refused(central, clone):
    before = refs(central.path)
    clone.run("git", "reset", "-q", "--hard", "HEAD~1")
    clone.run("git", "commit", "-q", "--allow-empty", "-m", "Rewritten")
    done = clone.run("git", "push", "--force", "origin", "main", check=False)
    assert done.returncode != 0
    assert "rewriting the history of main is refused" in done.stderr
    done = clone.run("git", "push", "origin", ":main", check=False)
    assert done.returncode != 0
    assert refs(central.path) == before


def test_an_import_keeps_its_bytes_in_its_source_and_is_accepted(central, clone):
    key = "public-health/counts-copy"
    clone.metadata(key)
    (clone.path / key).mkdir(parents=True, exist_ok=True)
    clone.run("dvc", "import", "-q", str(central.path), f"{KEY}/counts.csv",
              "-o", f"{key}/counts.csv")
    clone.run("git", "add", "-A")
    clone.run("git", "commit", "-q", "-m", "Import the counts")
    done = clone.push()
    assert done.returncode == 0, done.stderr


def test_the_commands_create_a_central_registry_and_install_its_hooks(tmp_path):
    from click.testing import CliRunner

    from catalogue.cli import main

    path = tmp_path / "council.git"
    runner = CliRunner()
    made = runner.invoke(main, ["registry", "init", "--bare", str(path), "--department",
                                "housing=Housing", "--instance", str(tmp_path / "instance")])
    assert made.exit_code == 0, made.output
    assert f"catalogue registry install-hooks {path}" in made.output
    assert (tmp_path / "council-storage").is_dir()
    installed = runner.invoke(main, ["registry", "install-hooks", str(path), "--no-tell",
                                     "--catalogue-url", "https://catalogue.council.example/",
                                     "--instance", str(tmp_path / "instance")])
    assert installed.exit_code == 0, installed.output
    config = yaml.safe_load((path / CONFIG_FILE).read_text())
    assert config["catalogue_url"] == "https://catalogue.council.example"
    assert config["instance"] is None and config["remote"] == str(tmp_path / "council-storage")
    again = runner.invoke(main, ["registry", "init", "--bare", str(path)])
    assert again.exit_code == 1 and "already exists and is not empty" in again.output
