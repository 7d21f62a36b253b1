"""A registry's history, read from git objects in one pass.

Only the first-parent chain of `main` counts: that is the order in which versions happened.
Each commit is compared with its first parent tree by tree, so unchanged departments and
datasets cost nothing, and each file is parsed once per blob (a dataset.yaml that did not change
between commits is not parsed again).
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

import pygit2

from registry.dvcfiles import DvcContents, Output, parse_dvc_file, parse_dvc_lock
from registry.metadata import (
    CATALOGUE_FILE,
    DATASET_FILE,
    CatalogueFile,
    DatasetMetadata,
    parse_catalogue_yaml,
    parse_dataset_yaml,
)
from registry.problems import FileProblems, Problem

BRANCH = "main"
LOCK_FILE = "dvc.lock"
PIPELINE_FILE = "dvc.yaml"


class RegistryUnreadable(Exception):
    """The path is not a git repository, or it has no `main` branch."""


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    author_name: str
    author_email: str
    authored_at: datetime
    message: str


@dataclass
class DatasetSnapshot:
    """A dataset folder as it stands at one commit."""

    department: str
    slug: str
    exists: bool
    metadata: DatasetMetadata | None = None
    outputs: tuple[Output, ...] = ()
    contents: tuple[DvcContents, ...] = ()
    problems: list[Problem] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.department}/{self.slug}"


@dataclass(frozen=True)
class LoggedCommit:
    """A commit of main as `git log` lists it: which dataset folders it touched, and the tree
    each of them has at that commit (None: gone, or not a folder any more)."""

    sha: str
    folders: list[tuple[str, str]]
    catalogue_changed: bool
    trees: dict[tuple[str, str], str | None] = field(default_factory=dict, compare=False)


@dataclass
class CommitChanges:
    """What one commit on main changed: the catalogue.yaml (if it changed) and dataset folders."""

    commit: CommitInfo
    catalogue: CatalogueFile | None
    catalogue_problems: list[Problem]
    catalogue_changed: bool
    datasets: list[DatasetSnapshot]


def _is_dataset_file(name: str) -> bool:
    return name in (DATASET_FILE, LOCK_FILE, PIPELINE_FILE) or name.endswith(".dvc")


class RegistryHistory:
    """Reads one registry's git repository (bare or not) without checking anything out."""

    def __init__(self, git_path: str, branch: str = BRANCH):
        try:
            self.repo = pygit2.Repository(git_path)
        except (pygit2.GitError, KeyError) as exc:
            raise RegistryUnreadable(f"{git_path} is not a git repository") from exc
        self.branch = branch
        self._parsed: dict[tuple[str, str], object] = {}
        self._subtrees = _Subtrees(self.repo)

    def head(self) -> str | None:
        """The sha at the tip of main, or None for a registry with no commits yet."""
        ref = self.repo.references.get(f"refs/heads/{self.branch}")
        return str(ref.peel(pygit2.Commit).id) if ref is not None else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        if ancestor == descendant:
            return True
        try:
            return self.repo.descendant_of(descendant, ancestor)
        except (pygit2.GitError, ValueError, KeyError):
            return False

    def has_commit(self, sha: str) -> bool:
        """Whether `sha` (a full 40-hex id) names a commit of this repository."""
        if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{40}", sha):
            return False
        try:
            return isinstance(self.repo.get(sha), pygit2.Commit)
        except (pygit2.GitError, ValueError, KeyError):
            return False

    def merge_base(self, one: str, other: str) -> str | None:
        """The best common ancestor of two commits (None: unrelated histories)."""
        try:
            found = self.repo.merge_base(one, other)
        except (pygit2.GitError, ValueError, KeyError):
            return None
        return str(found) if found is not None else None

    def wait_for_main(self, old: str, new: str, timeout: float) -> bool:
        """Wait until main is `new` or a descendant of it (a push accepted); False when it
        moves elsewhere or `timeout` seconds pass first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                head = self.head()
            except (pygit2.GitError, KeyError):
                head = None
            if head == new:
                return True
            if head is not None and head != old:
                return self.is_ancestor(new, head)
            time.sleep(0.02)  # polling a ref git is about to move: there is nothing to wait on
        return False

    def commits_after(self, since: str | None, until: str | None = None) -> list[str]:
        """First-parent commits of main after `since` (exclusive), oldest first."""
        tip = until or self.head()
        if tip is None:
            return []
        chain = []
        commit = self.repo[tip]
        while True:
            sha = str(commit.id)
            if sha == since:
                break
            chain.append(sha)
            if not commit.parent_ids:
                break
            commit = self.repo[commit.parent_ids[0]]
        chain.reverse()
        return chain

    def log(self, since: str | None, tip: str) -> list[LoggedCommit]:
        """The first-parent commits after `since` up to `tip`, oldest first, with what each
        changed, from one `git log` stream: far cheaper than comparing trees commit by commit
        when catching up on thousands of commits."""
        with self.logged(since, tip) as commits:
            return list(commits)

    def count(self, since: str | None, tip: str) -> int:
        """How many first-parent commits there are after `since` up to `tip`."""
        span = f"{since}..{tip}" if since else tip
        done = subprocess.run(["git", "-C", self.repo.path, "rev-list", "--count",
                               "--first-parent", span, "--"], capture_output=True, check=False)
        if done.returncode != 0:
            raise RegistryUnreadable(done.stderr.decode("utf-8", "replace").strip())
        return int(done.stdout)

    @contextmanager
    def logged(self, since: str | None, tip: str) -> Iterator[Iterator[LoggedCommit]]:
        """`log`, as it streams out of `git log`, oldest first: the caller works on the first
        commits while git still works out what the later ones changed. Leaving the block stops
        git."""
        span = f"{since}..{tip}" if since else tip
        with tempfile.TemporaryFile() as errors:  # a file, not a pipe nobody reads yet
            process = subprocess.Popen(
                ["git", "-C", self.repo.path, "log", "--reverse", "--first-parent",
                 "--diff-merges=first-parent", "--raw", "-t", "--no-abbrev", "--no-renames",
                 "-z", "--format=%x01%H", span, "--"],
                stdout=subprocess.PIPE, stderr=errors)
            assert process.stdout is not None
            try:
                yield self._read_log(process, errors)
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
                process.stdout.close()

    @staticmethod
    def _read_log(process: subprocess.Popen, errors: IO[bytes]) -> Iterator[LoggedCommit]:
        assert process.stdout is not None
        pending = b""  # after the last \x01 read: a commit still coming, or the last one
        while data := process.stdout.read1(1 << 16):
            *complete, pending = (pending + data).split(b"\x01")
            for chunk in complete:
                if chunk:
                    yield _logged_commit(chunk)
        if pending:
            yield _logged_commit(pending)
        if process.wait() != 0:
            errors.seek(0)
            raise RegistryUnreadable(errors.read().decode("utf-8", "replace").strip())

    def commit_info(self, sha: str) -> CommitInfo:
        commit = self.repo[sha]
        author = commit.author
        return CommitInfo(
            sha=sha,
            author_name=author.name,
            author_email=author.email,
            authored_at=datetime.fromtimestamp(author.time, UTC),
            message=commit.message.strip(),
        )

    def changes(self, sha: str, logged: LoggedCommit | None = None) -> CommitChanges:
        """Read what commit `sha` changed relative to its first parent (what changed is taken
        from `logged` when given, else found by comparing trees)."""
        commit = self.repo[sha]
        tree = commit.tree
        trees: dict[tuple[str, str], str | None] = {}
        if logged is None:
            parent = self.repo[commit.parent_ids[0]].tree if commit.parent_ids else None
            folders = self._subtrees.changed(tree, parent)
            catalogue_changed = (_entry_id(tree, CATALOGUE_FILE)
                                 != _entry_id(parent, CATALOGUE_FILE))
        else:
            folders, catalogue_changed = logged.folders, logged.catalogue_changed
            trees = logged.trees
        catalogue, catalogue_problems = (None, [])
        if catalogue_changed:
            catalogue, catalogue_problems = self.catalogue_at(sha)
        datasets = []
        for dept, slug in folders:
            if (dept, slug) in trees:  # the folder's tree, as git log gave it: no path walk
                tree_id = trees[dept, slug]
                datasets.append(self._folder_snapshot(
                    self.repo[tree_id] if tree_id else None, dept, slug))
            else:
                datasets.append(self._snapshot(tree, dept, slug))
        return CommitChanges(
            self.commit_info(sha), catalogue, catalogue_problems, catalogue_changed, datasets
        )

    def catalogue_at(self, sha: str) -> tuple[CatalogueFile | None, list[Problem]]:
        blob_id = _entry_id(self.repo[sha].tree, CATALOGUE_FILE)
        if blob_id is None:
            return None, [Problem(CATALOGUE_FILE, "the registry has no catalogue.yaml")]
        try:
            return self._parse(blob_id, CATALOGUE_FILE, parse_catalogue_yaml), []
        except FileProblems as exc:
            return None, exc.problems

    def dataset_keys(self, sha: str) -> Iterator[tuple[str, str]]:
        """Every dataset folder present at a commit."""
        yield from self._subtrees.changed(self.repo[sha].tree, None)

    def snapshot(self, sha: str, department: str, slug: str) -> DatasetSnapshot:
        return self._snapshot(self.repo[sha].tree, department, slug)

    def read_blob(self, sha: str, path: str) -> bytes | None:
        try:
            entry = self.repo[sha].tree[path]
        except KeyError:
            return None
        obj = self.repo[entry.id]
        return obj.data if isinstance(obj, pygit2.Blob) else None

    def _parse(self, blob_id: pygit2.Oid, path: str, parser):
        key = (str(blob_id), path)
        if key not in self._parsed:
            try:
                text = self.repo[blob_id].data.decode("utf-8")
            except UnicodeDecodeError:
                self._parsed[key] = FileProblems([Problem(path, "is not UTF-8 text")])
            else:
                try:
                    self._parsed[key] = parser(path, text)
                except FileProblems as exc:
                    self._parsed[key] = exc
        result = self._parsed[key]
        if isinstance(result, FileProblems):
            raise result
        return result

    def _snapshot(self, tree: pygit2.Tree, department: str, slug: str) -> DatasetSnapshot:
        try:
            subtree = tree[f"{department}/{slug}"]
        except KeyError:
            subtree = None
        return self._folder_snapshot(subtree, department, slug)

    def _folder_snapshot(self, subtree: pygit2.Object | None, department: str,
                         slug: str) -> DatasetSnapshot:
        """The dataset in folder `subtree` (None, or not a tree: there is no such folder)."""
        snap = DatasetSnapshot(department, slug, exists=False)
        folder = f"{department}/{slug}"
        if not isinstance(subtree, pygit2.Tree):
            return snap
        entries = {e.name: e for e in subtree if e.type_str == "blob"}
        if not any(_is_dataset_file(name) for name in entries):
            return snap
        snap.exists = True
        if DATASET_FILE in entries:
            try:
                snap.metadata = self._parse(
                    entries[DATASET_FILE].id, f"{folder}/{DATASET_FILE}", parse_dataset_yaml
                )
            except FileProblems as exc:
                snap.problems.extend(exc.problems)
        else:
            snap.problems.append(
                Problem(f"{folder}/{DATASET_FILE}", "missing: every dataset needs a dataset.yaml")
            )
        contents = []
        for name in sorted(entries):
            path = f"{folder}/{name}"
            parser = parse_dvc_file if name.endswith(".dvc") else None
            if name == LOCK_FILE:
                parser = parse_dvc_lock
            if parser is None:
                continue
            try:
                contents.append(self._parse(entries[name].id, path, parser))
            except FileProblems as exc:
                snap.problems.extend(exc.problems)
        if PIPELINE_FILE in entries and LOCK_FILE not in entries:
            snap.problems.append(
                Problem(f"{folder}/{PIPELINE_FILE}", "has no dvc.lock: run `dvc repro` and commit")
            )
        snap.contents = tuple(contents)
        snap.outputs = tuple(sorted({o.path: o for c in contents for o in c.outputs}.values(),
                                    key=lambda o: o.path))
        unreadable = any(p.file.endswith((".dvc", LOCK_FILE)) for p in snap.problems)
        if not snap.outputs and not unreadable:
            snap.problems.append(
                Problem(folder, "has no data: add a file with `dvc add` (no .dvc file or dvc.lock)")
            )
        for out in snap.outputs:
            if not out.path.startswith(folder + "/"):
                snap.problems.append(
                    Problem(out.source, f"output {out.path} lies outside the dataset folder")
                )
        return snap


_TREE_MODE = b"040000"


def _logged_commit(chunk: bytes) -> LoggedCommit:
    """One commit of `git log -z --raw -t --format=%x01%H`, without its leading \\x01: the sha,
    then for each changed path ":<old mode> <new mode> <old id> <new id> <status>\\0<path>\\0"
    (trees included, with -t)."""
    sha = chunk[:40].decode()
    fields = chunk[40:].lstrip(b"\0\n").split(b"\0")
    folders: set[tuple[str, str]] = set()
    trees: dict[tuple[str, str], str | None] = {}
    catalogue_changed = False
    for meta, raw in zip(fields[0::2], fields[1::2], strict=False):
        path = raw.decode("utf-8", "replace")
        parts = path.split("/")
        if path == CATALOGUE_FILE:
            catalogue_changed = True
        elif len(parts) >= 2 and not parts[0].startswith(".") and not parts[1].startswith("."):
            if len(parts) >= 3:
                folders.add((parts[0], parts[1]))
            else:
                old_mode, new_mode, _, new_id, _ = meta[1:].split(b" ")
                if _TREE_MODE in (old_mode, new_mode):
                    trees[parts[0], parts[1]] = new_id.decode() if new_mode == _TREE_MODE \
                        else None
    return LoggedCommit(sha, sorted(folders), catalogue_changed, trees)


def registry_problem(git_path: str) -> str | None:
    """Why the git repository at `git_path` is not a data registry (None: it is one): a
    registry's main holds catalogue.yaml from its first commit, and DVC's config."""
    history = RegistryHistory(git_path)  # RegistryUnreadable: not a git repository at all
    head = history.head()
    if head is None:
        return f"it has no commits on {history.branch}"
    tree = history.repo[head].tree
    missing = [name for name, found in (
        (CATALOGUE_FILE, _entry_id(tree, CATALOGUE_FILE) is not None),
        ("DVC (.dvc/config)", _entry_id(tree, ".dvc") is not None)) if not found]
    if CATALOGUE_FILE in missing:
        return f"{' and '.join(missing)} missing on {history.branch}"
    return None


def _entry_id(tree: pygit2.Tree | None, name: str) -> pygit2.Oid | None:
    if tree is None:
        return None
    try:
        return tree[name].id
    except KeyError:
        return None


# A git tree object is a run of entries "<mode> <name>\0<20-byte id>". Comparing two trees as
# sets of raw entries finds what changed in C, without a Python object per entry.
_TREE_ENTRY = re.compile(rb"[0-7]+ [^\0]+\0.{20}", re.S)
_FOLDER = b"40000 "


class _Subtrees:
    """Finds the dataset folders a commit changed by comparing raw tree objects."""

    def __init__(self, repo: pygit2.Repository):
        self.odb = repo.odb

    def _entries(self, tree_id: pygit2.Oid | None) -> set[bytes]:
        return set(_TREE_ENTRY.findall(self.odb.read(tree_id)[1])) if tree_id else set()

    def changed(self, tree: pygit2.Tree, parent: pygit2.Tree | None) -> list[tuple[str, str]]:
        """(department, dataset) folders whose tree differs between parent and tree."""
        new = self._entries(tree.id)
        old = self._entries(parent.id if parent is not None else None)
        changed = set()
        for dept in _folder_names(new ^ old):
            new_sets = self._entries(_child(new, dept))
            old_sets = self._entries(_child(old, dept))
            changed.update((dept, slug) for slug in _folder_names(new_sets ^ old_sets))
        return sorted(changed)


def _folder_names(entries: set[bytes]) -> set[str]:
    """The names of the folders among raw tree entries, hidden ones (.dvc, .git…) left out."""
    names = {e[len(_FOLDER):-21].decode("utf-8", "replace") for e in entries
             if e.startswith(_FOLDER)}
    return {n for n in names if n and not n.startswith(".")}


def _child(entries: set[bytes], name: str) -> pygit2.Oid | None:
    prefix = _FOLDER + name.encode() + b"\0"
    for entry in entries:
        if entry.startswith(prefix) and len(entry) == len(prefix) + 20:
            return pygit2.Oid(raw=entry[-20:])
    return None
