"""A central registry for tests: a bare repository made by `init_central`, the catalogue's hooks
installed, a real DVC remote, and team clones driven by the real `git` and `dvc` commands."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from registry.create import init_central
from registry.hooks import install_hooks
from tests.builders import AUTHORS, WorkingCopy, sh

DEPARTMENTS = {"housing": "Housing", "public-health": "Public Health"}


def refs(git_dir: Path) -> dict[str, str]:
    """Every ref of a repository and what it points at."""
    lines = sh(["git", "for-each-ref", "--format=%(refname) %(objectname)"], git_dir).stdout
    return dict(line.split() for line in lines.splitlines())


@dataclass
class Clone(WorkingCopy):
    path: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return sh(list(args), self.path, check=check)

    def commit(self, key: str, files: dict[str, str | bytes], message: str) -> str:
        """Write files (`dir/name` into a directory output), `dvc add` them and commit the
        dataset folder (no pushes)."""
        if not (self.path / key / "dataset.yaml").exists():
            self.metadata(key)
        for name, data in files.items():
            self.write(f"{key}/{name}", data)
        tops = sorted({f"{key}/{name.split('/')[0]}" for name in files})
        self.run("dvc", "add", "-q", *tops)
        self.run("git", "add", "-A", key)
        self.run("git", "commit", "-q", "-m", message)
        return self.head()

    def head(self) -> str:
        return self.run("git", "rev-parse", "HEAD").stdout.strip()

    def push(self) -> subprocess.CompletedProcess:
        """`git push origin main`, whatever happens (the caller checks)."""
        return self.run("git", "push", "origin", "main", check=False)


@dataclass
class Central:
    path: Path
    remote: Path

    def clone(self, target: Path, who: str = "asha") -> Clone:
        sh(["git", "clone", "-q", str(self.path), str(target)], target.parent)
        name, email = AUTHORS[who]
        sh(["git", "config", "user.name", name], target)
        sh(["git", "config", "user.email", email], target)
        return Clone(target)

    def head(self) -> str:
        return sh(["git", "rev-parse", "main"], self.path).stdout.strip()


def make_central(folder: Path, site_cache: Path, *, instance: Path | None = None,
                 database_url: str | None = None, catalogue_url: str | None = None,
                 wait_seconds: float = 0.0) -> Central:
    """A central registry in `folder`, hooks installed (telling the catalogue in `instance`
    about pushes when it is given; post-receive waiting `wait_seconds` for the new versions'
    numbers, none by default, as installed)."""
    path = init_central(folder / "council.git", site_cache, departments=DEPARTMENTS)
    install_hooks(path, instance=instance, database_url=database_url,
                  catalogue_url=catalogue_url, wait_seconds=wait_seconds)
    return Central(path, folder / "council-storage")
