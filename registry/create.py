"""Creating a registry: git on `main`, DVC initialised with a `storage` remote, a catalogue.yaml
and a README telling a team how to add a dataset."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from registry.dvc_env import dvc_environment
from registry.metadata import CATALOGUE_FILE

README = """# {name}

A data registry: datasets kept in git, their bytes in DVC (remote `storage`: {remote}).
The council's data catalogue indexes every version pushed to `main`.

## Add a dataset

    mkdir -p <department>/<dataset>
    cp my-data.csv <department>/<dataset>/
    cat > <department>/<dataset>/dataset.yaml <<'YAML'
    title: What the data is
    owners: [you@council.gov.uk]
    description: |
      What it holds, where it comes from, what to watch out for.
    tags: [housing]
    YAML
    dvc add <department>/<dataset>/my-data.csv
    git add <department>/<dataset>
    git commit -m "Add <dataset>"
    dvc push
    git push

Or, in one command that checks the metadata first and does all four:

    catalogue push <department>/<dataset> my-data.csv -m "Add <dataset>" --metadata dataset.yaml

Departments are listed in `catalogue.yaml`. A new version is a commit that changes the data
(`dvc add` again after editing the file); editing only `dataset.yaml` revises the metadata.
"""


class CreateFailed(Exception):
    """A git or dvc command failed while creating a registry; the message has its output."""


def run(args: list[str], cwd: Path, site_cache: Path, **kwargs) -> str:
    """Run git or dvc in `cwd`, with DVC's analytics off; raise CreateFailed with its output.

    `dvc` is this interpreter's DVC, so it works whether or not a virtualenv is activated.
    """
    if args[0] == "dvc":
        args = [sys.executable, "-m", "dvc", *args[1:]]
    done = subprocess.run(args, cwd=cwd, env=dvc_environment(site_cache), capture_output=True,
                          text=True, **kwargs)
    if done.returncode != 0:
        raise CreateFailed(f"`{' '.join(args)}` failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def init_registry(
    path: Path,
    site_cache: Path,
    *,
    name: str | None = None,
    remote: str | None = None,
    departments: dict[str, str] | None = None,
    partners: dict[str, str] | None = None,
    author: tuple[str, str] = ("Data Catalogue", "catalogue@localhost"),
    agreements: list[dict] | None = None,
) -> Path:
    """Create a registry at `path` (which must not exist or be empty); returns its path.
    `agreements`: information-sharing agreements for its catalogue.yaml
    (`{reference, title, partner, expires}`).

    The default remote is a directory beside it, `<path>-storage`, written as an absolute path
    so that every clone of the registry reaches the same remote.
    """
    path = path.resolve()
    if path.exists() and any(path.iterdir()):
        raise CreateFailed(f"{path} already exists and is not empty")
    path.mkdir(parents=True, exist_ok=True)
    remote = remote or str(path.parent / f"{path.name}-storage")
    if "://" not in remote:
        Path(remote).mkdir(parents=True, exist_ok=True)
    name = name or path.name
    run(["git", "init", "-q", "-b", "main"], path, site_cache)
    run(["dvc", "init", "-q"], path, site_cache)
    run(["dvc", "config", "core.analytics", "false"], path, site_cache)
    run(["dvc", "remote", "add", "-d", "storage", remote], path, site_cache)
    catalogue = {
        "name": name,
        "departments": [{"slug": s, "name": n} for s, n in (departments or {}).items()],
    }
    if partners:
        catalogue["partners"] = [{"slug": s, "name": n} for s, n in partners.items()]
    if agreements:
        catalogue["agreements"] = agreements
    (path / CATALOGUE_FILE).write_text(yaml.safe_dump(catalogue, sort_keys=False))
    (path / "README.md").write_text(README.format(name=name, remote=remote))
    run(["git", "add", "-A"], path, site_cache)
    run(["git", "-c", f"user.name={author[0]}", "-c", f"user.email={author[1]}",
         "commit", "-q", "-m", f"Create registry {name}"], path, site_cache)
    return path


def init_central(
    path: Path,
    site_cache: Path,
    *,
    name: str | None = None,
    remote: str | None = None,
    departments: dict[str, str] | None = None,
    partners: dict[str, str] | None = None,
) -> Path:
    """Create a central registry at `path`: a bare repository that teams clone and push to,
    whose `main` already holds catalogue.yaml, the README and DVC's config. Returns its path.

    The default DVC remote is a directory beside it (`council.git` → `council-storage`).
    History on `main` can only grow: git refuses deletions and non-fast-forward updates (and
    the catalogue's pre-receive hook, once installed, says why).
    """
    path = path.resolve()
    if path.exists() and any(path.iterdir()):
        raise CreateFailed(f"{path} already exists and is not empty")
    stem = path.name.removesuffix(".git")
    remote = remote or str(path.parent / f"{stem}-storage")
    with tempfile.TemporaryDirectory(prefix="registry-seed-") as tmp:
        seed = init_registry(Path(tmp) / stem, site_cache, name=name or stem, remote=remote,
                             departments=departments, partners=partners)
        run(["git", "clone", "-q", "--bare", str(seed), str(path)], Path(tmp), site_cache)
    run(["git", "remote", "remove", "origin"], path, site_cache)
    run(["git", "config", "receive.denyNonFastForwards", "true"], path, site_cache)
    run(["git", "config", "receive.denyDeletes", "true"], path, site_cache)
    return path
