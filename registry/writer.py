"""Writing to a registry's working copy: the steps a team runs by hand, done for it.

`dvc add` (or `dvc repro`, or `dvc import`), `git commit` with a given author and date, then
`dvc push`. DVC runs in-process through its Python API (a `dvc` process costs about a second to
start); git runs as the `git` command, so hooks and config behave as they do for a person.

    writer = RegistryWriter(path, site_cache)
    writer.write_version("housing/rough-sleeping", {"counts.csv": data}, "March count",
                         Author("Priya Shah", "priya.shah@council.example.gov.uk"))

The pieces (`put`, `copy_in`, `write_metadata`, `track`, `reproduce`, `import_data`, `commit`,
`push`, `git_push`) are public too, for versions that are not just "these files, added", and for
`catalogue push` in a team's clone of a central registry.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
import subprocess
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from registry.dvc_env import configure_dvc, dvc_environment
from registry.metadata import DATASET_FILE, SLUG

if TYPE_CHECKING:
    from dvc.repo import Repo

Content = bytes | str


class WriteFailed(Exception):
    """A git or DVC step failed; the message says which and why."""


class NothingToCommit(WriteFailed):
    """The paths to commit hold no change since the last commit."""


class PushOutOfDate(WriteFailed):
    """The central repository's branch has commits this clone does not have: pull first."""


class PushRefused(WriteFailed):
    """The central repository refused the push (its hook said why, in `remote_lines`)."""

    def __init__(self, message: str, remote_lines: list[str]):
        super().__init__(message)
        self.remote_lines = remote_lines


class RemoteUnreachable(WriteFailed):
    """The central repository could not be reached."""


CopyProgress = Callable[[int, int], None]
COPY_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class Author:
    name: str
    email: str


class RegistryWriter:
    """A registry working copy (a git + DVC checkout of `main`) that versions are written into.

    Every DVC call runs with analytics off and DVC's site cache in `site_cache`.
    """

    def __init__(self, path: Path, site_cache: Path):
        self.path = Path(path).resolve()
        self.site_cache = Path(site_cache)
        if not (self.path / ".dvc").is_dir():
            raise WriteFailed(f"{self.path} is not a DVC registry (it has no .dvc folder)")
        configure_dvc(self.site_cache)
        self._repo: Repo | None = None

    def close(self) -> None:
        """Close DVC's repository (its state databases); the writer reopens it if used again."""
        if self._repo is not None:
            self._repo.close()
            self._repo = None

    def __enter__(self) -> RegistryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Files

    def put(self, dataset: str, files: Mapping[str, Content]) -> list[str]:
        """Write `files` (names relative to the dataset folder) into `<department>/<dataset>/`.

        A name with a slash writes into a directory, which is replaced as a whole: the
        directory holds exactly the files given. Returns the registry-relative paths of the
        top-level entries written (what `track` takes).
        """
        folder = self._folder(dataset)
        tops: dict[str, None] = {}
        for name in files:
            tops.setdefault(self._inside(dataset, name).split("/", 1)[0], None)
        for top in tops:
            target = self.path / folder / top
            if target.is_dir() and any("/" in n and n.split("/", 1)[0] == top for n in files):
                shutil.rmtree(target)
        for name, content in files.items():
            target = self.path / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                target.write_bytes(content)
        return [f"{folder}/{top}" for top in tops]

    def copy_in(self, dataset: str, sources: Sequence[Path],
                progress: CopyProgress | None = None) -> list[str]:
        """Copy files or directories into the dataset folder under their own names, streaming
        (never a whole file in memory) and calling `progress(bytes_done, bytes_total)`. A source
        already in its place is left as it is; a directory replaces the one there. Returns the
        registry-relative paths (what `track` takes)."""
        folder = self._folder(dataset)
        plan = [(Path(src), self.path / folder / self._inside(dataset, Path(src).name))
                for src in sources]
        moving = [(src, dst) for src, dst in plan if src.resolve() != dst.resolve()]
        total = sum(_size(src) for src, _ in moving)
        done = 0
        for src, dst in moving:
            dst.parent.mkdir(parents=True, exist_ok=True)
            if dst.is_dir():
                shutil.rmtree(dst)
            files = sorted(p for p in src.rglob("*") if p.is_file()) if src.is_dir() else [src]
            for file in files:
                target = dst / file.relative_to(src) if src.is_dir() else dst
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(file, "rb") as reader, open(target, "wb") as writer:
                    while block := reader.read(COPY_CHUNK):
                        writer.write(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
        return [f"{folder}/{dst.name}" for _, dst in plan]

    def write_metadata(self, dataset: str, metadata: Mapping[str, Any]) -> str:
        """Write the dataset's `dataset.yaml` (multi-line text as YAML block scalars)."""
        text = yaml.dump(dict(metadata), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                         width=100)
        return self.put(dataset, {DATASET_FILE: text})[0]

    # DVC

    def track(self, paths: Sequence[str]) -> list[str]:
        """`dvc add` files or directories (registry-relative); returns their `.dvc` files."""
        with self._dvc() as repo:
            try:
                repo.add([str(self.path / p) for p in paths])
            except Exception as exc:  # DVC raises many kinds; say which step failed
                raise WriteFailed(f"dvc add {' '.join(paths)} failed: {exc}") from exc
        return [f"{p}.dvc" for p in paths]

    def reproduce(self, pipeline: str) -> None:
        """`dvc repro` a `dvc.yaml` (registry-relative), so `dvc.lock` records deps and outs.

        Stage commands run through the shell with this process's environment.
        """
        with self._dvc() as repo:
            try:
                repo.reproduce(str(self.path / pipeline))
            except Exception as exc:
                raise WriteFailed(f"dvc repro {pipeline} failed: {exc}") from exc

    def import_data(self, url: str, path: str, out: str, rev: str | None = None) -> str:
        """`dvc import URL PATH -o OUT`: another registry's output, with its locked revision.

        Returns the `.dvc` file written (registry-relative).
        """
        (self.path / out).parent.mkdir(parents=True, exist_ok=True)
        with self._dvc() as repo:
            try:
                repo.imp(url, path, out=str(self.path / out), rev=rev)
            except Exception as exc:
                raise WriteFailed(f"dvc import {url} {path} failed: {exc}") from exc
        return f"{out}.dvc"

    def push(self, targets: Sequence[str] | None = None, revs: Sequence[str] = ()) -> int:
        """`dvc push` the outputs of `targets` (`.dvc` files, `dvc.yaml`s or outputs,
        registry-relative), or of the whole working copy, and of the commits `revs` too;
        returns how many files were sent. On a terminal, DVC draws its progress bars.

        As with the `dvc` command, an imported output is not pushed: its bytes stay in the
        remote of the registry it was imported from, which `dvc pull` reads."""
        if targets is not None and not targets:
            return 0
        with self._dvc() as repo:
            try:
                return repo.push(
                    targets=None if targets is None else [str(self.path / t) for t in targets],
                    revs=list(revs) or None,
                )
            except Exception as exc:
                raise WriteFailed(f"dvc push failed: {exc}") from exc

    # git

    def commit(self, message: str, author: Author, paths: Sequence[str],
               when: datetime | None = None, committer: Author | None = None) -> str:
        """Stage `paths` (registry-relative; additions, edits and removals) and commit them
        on the current branch as `author` at `when` (default: now); returns the new sha."""
        committer = committer or author
        stamp = git_date(when or datetime.now(UTC))
        env = {
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email, "GIT_COMMITTER_DATE": stamp,
        }
        self._git(["add", "-A", "--", *paths])
        if not self._git(["status", "--porcelain", "--", *paths]).strip():
            raise NothingToCommit(f"nothing to commit in {', '.join(paths)}")
        self._git(["commit", "-q", "-m", message, "--", *paths], env)
        return self.head()

    def head(self) -> str:
        return self._git(["rev-parse", "HEAD"]).strip()

    def branch(self) -> str | None:
        """The branch checked out, or None on a detached HEAD (or mid-rebase)."""
        return self._git(["branch", "--show-current"]).strip() or None

    def identity(self) -> Author:
        """The user's git identity (`user.name`, `user.email`), as `git commit` would use it."""
        values = []
        for key in ("user.name", "user.email"):
            done = subprocess.run(["git", "config", key], cwd=self.path, capture_output=True,
                                  text=True, env=dvc_environment(self.site_cache))
            if not done.stdout.strip():
                example = "Your Name" if key == "user.name" else "you@example.gov.uk"
                raise WriteFailed(f"git does not know who you are: run "
                                  f"`git config --global {key} \"{example}\"`")
            values.append(done.stdout.strip())
        return Author(*values)

    def unpushed(self, remote: str = "origin", branch: str = "main") -> list[str]:
        """Commits of HEAD that `remote`'s `branch` did not have when last fetched, oldest
        first (every commit of HEAD when there is no such branch yet)."""
        tracking = f"refs/remotes/{remote}/{branch}"
        known = subprocess.run(["git", "rev-parse", "-q", "--verify", tracking], cwd=self.path,
                               capture_output=True, env=dvc_environment(self.site_cache))
        spec = ["HEAD", "--not", tracking] if known.returncode == 0 else ["HEAD"]
        return self._git(["rev-list", "--reverse", *spec]).split()

    def git_push(self, remote: str = "origin", branch: str = "main") -> list[str]:
        """`git push remote HEAD:branch`; returns what the remote's hooks said. Raises
        PushOutOfDate, PushRefused or RemoteUnreachable, each saying what the remote said."""
        done = subprocess.run(["git", "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}"],
                              cwd=self.path, env=dvc_environment(self.site_cache),
                              capture_output=True, text=True)
        remote_lines = [ln.removeprefix("remote:").strip() for ln in done.stderr.splitlines()
                        if ln.startswith("remote:")]
        status = next((ln.split("\t") for ln in done.stdout.splitlines()
                       if ln.startswith(("!", " ", "*", "=", "+")) and "\t" in ln), None)
        if done.returncode == 0 and status and status[0] != "!":
            return remote_lines
        summary = status[2] if status and len(status) > 2 else ""
        if status is None:
            errors = [ln.removeprefix("fatal:").strip() for ln in done.stderr.splitlines()
                      if ln.startswith(("fatal:", "error:", "ssh:"))]
            raise RemoteUnreachable(f"could not reach {remote}: "
                                    f"{'; '.join(errors) or done.stderr.strip()}")
        if "fetch first" in summary or "non-fast-forward" in summary or "failed to" in summary \
                or "cannot lock" in summary:
            raise PushOutOfDate(f"{remote} has commits on {branch} that this clone does not "
                                f"have ({summary.strip('[] ')})")
        raise PushRefused(f"{remote} refused the push ({summary.strip('[] ')})", remote_lines)

    # The whole of a simple version

    def write_version(
        self, dataset: str, files: Mapping[str, Content], message: str, author: Author, *,
        when: datetime | None = None, metadata: Mapping[str, Any] | None = None,
        push: bool = True,
    ) -> str:
        """Write a dataset's data files (and its metadata, when given), `dvc add` them,
        commit the dataset folder, and `dvc push` the new bytes; returns the commit sha."""
        outputs = self.put(dataset, files)
        if metadata is not None:
            self.write_metadata(dataset, metadata)
        dvc_files = self.track(outputs)
        sha = self.commit(message, author, [self._folder(dataset)], when)
        if push:
            self.push(dvc_files)
        return sha

    # Internals

    @contextmanager
    def _dvc(self) -> Iterator[Repo]:
        """DVC's Repo for one operation, with its hints and progress bars silenced.

        The Repo stays open between operations (DVC re-reads the working copy and git at the
        start of each one, so commits made in between are seen). DVC's API, like its CLI,
        expects to run inside the repository (the run cache resolves paths against the working
        directory), so this changes directory for the call: a writer is for one thread of a
        command-line process, not for a web worker. DVC's own deprecation warnings (about the
        libraries it uses) are silenced.
        """
        from dvc.repo import Repo  # DVC is slow to import; only writing needs it

        log = logging.getLogger("dvc")
        level, cwd = log.level, os.getcwd()
        log.setLevel(logging.WARNING)
        os.chdir(self.path)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"dvc\.")
                if self._repo is None:
                    self._repo = Repo(str(self.path))
                    self._repo.scm_context.quiet = True
                yield self._repo
        finally:
            os.chdir(cwd)
            log.setLevel(level)

    def _git(self, args: list[str], env: dict[str, str] | None = None) -> str:
        full_env = dvc_environment(self.site_cache)
        full_env.update(env or {})
        done = subprocess.run(["git", *args], cwd=self.path, env=full_env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise WriteFailed(f"git {args[0]} failed: {(done.stderr or done.stdout).strip()}")
        return done.stdout

    @staticmethod
    def _folder(dataset: str) -> str:
        return dataset_folder(dataset)

    @staticmethod
    def _inside(dataset: str, name: str) -> str:
        normal = posixpath.normpath(name)
        if normal.startswith(("/", "../")) or normal in (".", "..") or "\\" in name:
            raise ValueError(f"{name!r} is not a path inside the folder of {dataset}")
        return normal


def dataset_folder(dataset: str) -> str:
    """The registry-relative folder of a dataset key; ValueError if it is not one."""
    parts = dataset.split("/")
    if len(parts) != 2 or not all(SLUG.match(p) for p in parts):
        raise ValueError(f"{dataset!r} is not a dataset key: write department/dataset")
    return dataset


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def git_date(when: datetime) -> str:
    """Git's raw date format (`@<epoch> +hhmm`): exact, and keeps the author's UTC offset."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    offset = int(when.utcoffset().total_seconds() // 60)
    sign = "+" if offset >= 0 else "-"
    return f"@{int(when.timestamp())} {sign}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"


class _Dumper(yaml.SafeDumper):
    """YAML as a person writes it: multi-line strings (Markdown) as `|` blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
