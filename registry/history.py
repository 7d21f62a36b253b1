"""A registry's history, read from git objects in one pass.

Only the first-parent chain of `main` counts: that is the order in which versions happened.
Each commit is compared with its first parent tree by tree, so unchanged departments and
datasets cost nothing, and each file is parsed once per blob (a dataset.yaml that did not change
between commits is not parsed again).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

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

    def changes(self, sha: str) -> CommitChanges:
        """Read what commit `sha` changed relative to its first parent."""
        commit = self.repo[sha]
        tree = commit.tree
        parent = self.repo[commit.parent_ids[0]].tree if commit.parent_ids else None
        catalogue_changed = _entry_id(tree, CATALOGUE_FILE) != _entry_id(parent, CATALOGUE_FILE)
        catalogue, catalogue_problems = (None, [])
        if catalogue_changed:
            catalogue, catalogue_problems = self.catalogue_at(sha)
        datasets = [
            self._snapshot(tree, dept, slug) for dept, slug in _changed_folders(tree, parent)
        ]
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
        yield from _changed_folders(self.repo[sha].tree, None)

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
        snap = DatasetSnapshot(department, slug, exists=False)
        folder = f"{department}/{slug}"
        try:
            subtree = tree[folder]
        except KeyError:
            return snap
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


def _entry_id(tree: pygit2.Tree | None, name: str) -> pygit2.Oid | None:
    if tree is None:
        return None
    try:
        return tree[name].id
    except KeyError:
        return None


def _subtrees(repo_tree: pygit2.Tree | None) -> dict[str, pygit2.Oid]:
    if repo_tree is None:
        return {}
    return {
        e.name: e.id for e in repo_tree if e.type_str == "tree" and not e.name.startswith(".")
    }


def _changed_folders(tree: pygit2.Tree, parent: pygit2.Tree | None) -> list[tuple[str, str]]:
    """(department, dataset) folders whose tree differs between parent and tree."""
    changed = []
    new, old = _subtrees(tree), _subtrees(parent)
    for dept in sorted(new.keys() | old.keys()):
        if new.get(dept) == old.get(dept):
            continue
        new_sets = _subtrees(tree[dept] if dept in new else None)
        old_sets = _subtrees(parent[dept] if parent is not None and dept in old else None)
        for slug in sorted(new_sets.keys() | old_sets.keys()):
            if new_sets.get(slug) != old_sets.get(slug):
                changed.append((dept, slug))
    return changed


def relpath(path: str, folder: str) -> str:
    """A registry-relative path made relative to a dataset folder."""
    return posixpath.relpath(path, folder)
