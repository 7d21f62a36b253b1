"""What a central registry checks before it accepts a push (its pre-receive hook).

A push to `main` is refused, and the central repository left as it was, when:

- it deletes `main`, or rewrites its history (a force-push that is not a fast-forward);
- one of its new commits leaves a dataset folder with problems — `dataset.yaml`, `.dvc` files,
  `dvc.lock` — as the indexer reads them (`RegistryHistory`: the same parsers, the same rules),
  a `catalogue.yaml` that does not parse, or a dataset in a department it does not declare;
- a DVC output that a new commit introduces is not in the registry's DVC remote: the object for
  a file, the manifest and every listed file for a directory. Imported outputs (`dvc import`)
  keep their bytes in the remote of the registry they come from, and outputs with
  `cache: false` have none, so neither is looked for.

A pushed tag that GTO reads as an event of a dataset (`housing/x@v1.0.0`, `housing/x#open#1`,
`registry.tag_names.release_shaped`) is refused too, created, moved or deleted: release tags
are the record of governance decisions, written by the catalogue into the central repository
itself. Other branches and tags are not checked: only `main` is indexed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator

import pygit2
import yaml
from pygit2.enums import SortMode

from registry.dvcfiles import DvcContents, Output
from registry.history import BRANCH, LOCK_FILE, DatasetSnapshot, RegistryHistory
from registry.metadata import CATALOGUE_FILE
from registry.problems import Problem
from registry.refupdates import ZERO, RefUpdate, parse_updates
from registry.remote_store import ObjectStore, RemoteUnreadable, missing_files
from registry.tag_names import TAGS, release_shaped

RELEASE_TAG_REFUSED = ("release tags are written by the catalogue when a governance officer "
                       "approves a release; they cannot be pushed (remove it from your clone: "
                       "git tag -d '{name}')")
RELEASE_TAG_KEPT = ("release tags are the record of governance decisions, written by the "
                    "catalogue; they cannot be deleted or moved by a push")

__all__ = ["ZERO", "RefUpdate", "check_push", "open_pushed", "parse_updates", "refusal"]


def open_pushed(git_dir: str, quarantine: str | None) -> RegistryHistory:
    """The registry's history, able to read the objects of a push not yet accepted (git keeps
    them in a quarantine directory until the pre-receive hook has said yes)."""
    history = RegistryHistory(git_dir)
    if quarantine:
        history.repo.odb.add_disk_alternate(quarantine)
    return history


def check_push(history: RegistryHistory, updates: Iterable[RefUpdate], store: ObjectStore,
               branch: str = BRANCH) -> list[Problem]:
    """Every reason to refuse this push (none: accept it)."""
    problems: list[Problem] = []
    for update in updates:
        if update.ref.startswith(TAGS) and release_shaped(update.ref):
            reason = RELEASE_TAG_REFUSED if update.creates else RELEASE_TAG_KEPT
            problems.append(Problem(update.ref, reason.format(name=update.ref[len(TAGS):])))
            continue
        if update.ref != f"refs/heads/{branch}":
            continue
        if update.deletes:
            problems.append(Problem(update.ref, f"deleting {branch} is refused: its commits are "
                                                "the record of every version"))
        elif not update.creates and not history.is_ancestor(update.old, update.new):
            problems.append(Problem(update.ref, (
                f"rewriting the history of {branch} is refused (this push would drop commits "
                f"already there): run `git pull --rebase`, then push again without --force")))
        else:
            problems.extend(_Checker(history, store).check(update))
    return problems


class _Checker:
    def __init__(self, history: RegistryHistory, store: ObjectStore):
        self.history = history
        self.store = store
        self.looked: set[str] = set()
        self.seen: set[tuple[str, str]] = set()
        self.problems: list[Problem] = []

    def check(self, update: RefUpdate) -> list[Problem]:
        for sha in self._new_commits(update):
            self._commit(sha)
        return self.problems

    def _new_commits(self, update: RefUpdate) -> Iterator[str]:
        """The commits this update brings, oldest first (merged side branches included)."""
        repo = self.history.repo
        walker = repo.walk(update.new, SortMode.TOPOLOGICAL | SortMode.REVERSE)
        if update.creates:
            for name in repo.references:
                ref = repo.references.get(name)
                target = ref.resolve().target if ref is not None else None
                if isinstance(target, pygit2.Oid) and isinstance(repo.get(target), pygit2.Commit):
                    walker.hide(target)
        else:
            walker.hide(update.old)
        for commit in walker:
            yield str(commit.id)

    def _add(self, problem: Problem, sha: str) -> None:
        if (problem.file, problem.message) in self.seen:
            return
        self.seen.add((problem.file, problem.message))
        self.problems.append(Problem(problem.file, f"{problem.message} (commit {sha[:10]})",
                                     problem.line))

    def _commit(self, sha: str) -> None:
        changes = self.history.changes(sha)
        for problem in changes.catalogue_problems:
            self._add(problem, sha)
        catalogue = changes.catalogue or self.history.catalogue_at(sha)[0]
        declared = {d.slug for d in catalogue.departments} if catalogue else None
        parents = self.history.repo[sha].parent_ids
        for snap in changes.datasets:
            if not snap.exists:
                continue
            for problem in snap.problems:
                self._add(problem, sha)
            if declared is not None and snap.department not in declared:
                self._add(Problem(snap.key, f"department {snap.department!r} is not declared "
                                            f"in {CATALOGUE_FILE}"), sha)
            before = set()
            if parents:
                old = self.history.snapshot(str(parents[0]), snap.department, snap.slug)
                before = {(o.path, o.md5) for o in old.outputs}
            for out in self._stored_outputs(sha, snap):
                if (out.path, out.md5) not in before:
                    self._data(out, sha)

    def _stored_outputs(self, sha: str, snap: DatasetSnapshot) -> Iterator[Output]:
        for contents in snap.contents:
            if _imported(contents) or not contents.outputs:
                continue
            uncached = self._uncached(sha, contents.outputs[0].source)
            for out in contents.outputs:
                if out.path not in uncached:
                    yield out

    def _uncached(self, sha: str, source: str) -> set[str]:
        """Outputs that DVC keeps no copy of (`cache: false`, `push: false`)."""
        raw = self.history.read_blob(sha, source) or b""
        if b"cache: false" not in raw and b"push: false" not in raw:
            return set()
        data = yaml.safe_load(raw)
        groups = ([data.get("outs")] if not source.endswith(LOCK_FILE)
                  else [s.get("outs") for s in (data.get("stages") or {}).values()
                        if isinstance(s, dict)])
        folder = posixpath.dirname(source)
        return {posixpath.normpath(posixpath.join(folder, str(o.get("path"))))
                for outs in groups for o in outs or []
                if isinstance(o, dict) and (o.get("cache") is False or o.get("push") is False)}

    def _data(self, out: Output, sha: str) -> None:
        if out.md5 in self.looked:
            return
        self.looked.add(out.md5)
        try:
            missing = missing_files(self.store, out.md5)
        except RemoteUnreadable as exc:
            self._add(Problem(out.source, f"{out.path}: cannot check its data: {exc}"), sha)
            return
        if missing is None:
            return
        hint = "run `dvc push` (or `dvc push --all-commits`), then `git push` again"
        if not missing:
            self._add(Problem(out.source, f"{out.path}: its data (md5 {out.md5}) is not in the "
                                          f"DVC remote {self.store.url}: {hint}"), sha)
        for name in missing:
            self._add(Problem(out.source, f"{out.path}/{name}: this file of the directory is not "
                                          f"in the DVC remote {self.store.url}: {hint}"), sha)


def _imported(contents: DvcContents) -> bool:
    return any(dep.repo_url for dep in contents.dependencies)


def refusal(problems: list[Problem], branch: str = BRANCH) -> str:
    """What the pusher reads in `git push`'s output (each line shown after `remote:`)."""
    tags_only = all(p.file.startswith(TAGS) for p in problems)
    lines = [f"catalogue: push{'' if tags_only else f' to {branch}'} refused; the central "
             "registry is unchanged.", f"catalogue: {len(problems)} problem(s):"]
    lines += [f"catalogue:   {p}" for p in problems]
    lines.append("catalogue: " + ("push again without them." if tags_only else
                                  "fix them in your clone, commit, and push again."))
    return "\n".join(lines) + "\n"
