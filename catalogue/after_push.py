"""What the catalogue does after a push to a central registry (run by its post-receive hook as
`python -m catalogue.after_push GIT_DIR OLD NEW --instance PATH`, or by a person as
`catalogue registry notify`): index the registry, then, once the new versions are committed to
the database (and so visible in the pages and the API), update their search documents.

A burst of pushes is indexed by one run, not by one run per push queuing behind each other:

- each notify marks the registry *pending* (a file), then tries to take the registry's index
  lock (`flock`) without waiting;
- the process that holds the lock takes the mark away and indexes, and goes round again
  while a mark is there: its index run reads main's tip after taking the mark, so it picks up
  every push that marked before;
- a process that finds the lock taken leaves at once: the holder will find its mark. A holder
  that has just released the lock looks for a mark once more, so a push that marked in that
  moment is not left behind.

The search documents of the new versions (their column names read from the DVC remote, which
is slow on a large registry) are updated afterwards the same way, under a second lock and mark:
one process at a time brings them up to the indexed head from where the last one left them,
so a burst of pushes never has one slow reader per push competing for the machine.

This module imports only the standard library until it holds the lock, so a process that
leaves at once costs a few tens of milliseconds. The lock is per instance folder (one host)
on SQLite; on PostgreSQL it spans hosts: an advisory lock and a row of the database
(catalogue.cluster.locks). Index runs that meet anyway (`catalogue index`, a forge webhook)
stay correct: each commit is recorded once (catalogue.index_run), only the work is repeated.
The search documents' queue stays per host: each host keeps its own search index.

The central registry's pre-receive hook starts this process with `--ready-marker` while it
checks a push: it loads the catalogue (a second or more) in the meantime, waits for git to move
main to the pushed commit, then goes on as above; so the version is in the catalogue soon after
`git push` returns. A refused push ends it.

With `--report`, the process waits for the lock instead (its push is indexed when it gets
it), prints the versions the push made, each with a link to its page, and closes its standard
output: the post-receive hook, when installed with a wait, stops waiting there.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from catalogue.core import Catalogue
    from catalogue.models import Registry
    from catalogue.settings import Settings

LOCKS = "locks"


class WorkQueue:
    """A lock and a pending mark for one kind of work: `run` coalesces a burst of requests
    for it into as few runs as it takes."""

    def mark(self) -> None:
        raise NotImplementedError

    def take(self) -> bool:
        raise NotImplementedError

    def pending(self) -> bool:
        raise NotImplementedError

    def acquire(self, wait: bool) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Let go of what the queue holds open (nothing, for one in files)."""

    def run(self, work: Callable[[], None], wait: bool = False) -> bool:
        """Mark, then, holding the lock, do `work` once per mark taken; leave at once (or,
        with `wait`, after the holder) when another process holds it. True when this
        process did the work at least once."""
        self.mark()
        done = False
        while self.acquire(wait):
            wait = False
            try:
                while self.take():
                    work()
                    done = True
            finally:
                self.release()
            if not self.pending():
                break
        return done


class IndexQueue(WorkQueue):
    """One registry's lock and pending mark for one kind of work ("index" or "search"), in
    the instance folder (one host)."""

    def __init__(self, folder: Path, registry_url: str, kind: str = "index"):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.name = f"{kind}-{_digest(registry_url)}"
        self.lock_path = folder / f"{self.name}.lock"
        self.pending_path = folder / f"{self.name}.pending"
        self._fd: int | None = None

    def mark(self) -> None:
        """Say that main has commits to index."""
        os.close(os.open(self.pending_path, os.O_WRONLY | os.O_CREAT, 0o644))

    def take(self) -> bool:
        """Take the mark away (the caller then indexes); False when there was none."""
        try:
            self.pending_path.unlink()
        except FileNotFoundError:
            return False
        return True

    def pending(self) -> bool:
        return self.pending_path.exists()

    def acquire(self, wait: bool) -> bool:
        """Take the lock; without `wait`, False at once when another process holds it."""
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

def index_queue(settings: Settings, key: str) -> WorkQueue:
    """The queue of one registry's index runs: across hosts on PostgreSQL (an advisory lock
    and a row), else in the instance folder."""
    if settings.database_url.startswith("postgresql"):
        from catalogue.cluster.locks import DatabaseQueue

        return DatabaseQueue(settings.database_url, f"index-{_digest(key)}")
    return IndexQueue(settings.instance / LOCKS, key)


def _digest(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def registry_key(path_or_url: str) -> str:
    """The registry's URL as the indexer records it (an absolute path for a local one)."""
    from registry.mirror import is_local

    return str(Path(path_or_url).resolve()) if is_local(path_or_url) else path_or_url


def after_push(path_or_url: str, old: str, new: str, *, instance: str | None = None,
               catalogue_url: str | None = None, report: bool = False,
               out: TextIO | None = None, catalogue: Catalogue | None = None) -> bool:
    """Index the registry after a push of `old`..`new` to main, unless a run already under way
    will; then update the search index. With `report`, wait for the push to be indexed and
    write its versions to `out` (standard output by default, closed afterwards). True when
    this process indexed."""
    from catalogue.settings import Settings

    settings = Settings.from_env(instance)
    key = registry_key(path_or_url)
    state: dict = {}

    def open_catalogue() -> None:
        if not state:
            from catalogue.core import Catalogue

            made = catalogue or Catalogue(settings)
            state["catalogue"] = made
            state["registry"] = made.indexer.register(path_or_url)
            state["before"] = made.indexer.head(state["registry"])

    def index() -> None:
        open_catalogue()
        state["catalogue"].indexer.index_registry(state["registry"], notify=False)

    try:
        queue = index_queue(settings, key)
        try:
            indexed = queue.run(index, wait=report)
        finally:
            queue.close()
        if report:
            open_catalogue()  # the run this one waited for may have taken its mark
    except Exception as exc:
        if not report:
            raise
        _report(out, [f"catalogue: could not index this push: {_reason(exc)}"])
        return False
    if not state:
        return False  # the run under way picks this push up
    catalogue, registry = state["catalogue"], state["registry"]
    if report:
        try:
            lines = _versions(catalogue, registry, old, new, catalogue_url)
        except Exception as exc:
            lines = [f"catalogue: indexed, but could not list this push's versions: "
                     f"{_reason(exc)}"]
        _report(out, lines)
    if indexed:
        search = IndexQueue(settings.instance / LOCKS, key, "search")
        search.run(lambda: _update_search(catalogue, registry, search, state["before"]))
    catalogue.close()
    return indexed


def ready_for_push(path_or_url: str, old: str, new: str, *, marker: Path,
                   instance: str | None = None, catalogue_url: str | None = None,
                   timeout: float = 300.0) -> bool:
    """Started by pre-receive while git checks a push: load the catalogue (the slow part of
    starting), wait for main to become `new` (the push accepted), then index as after_push
    does. Leaves without indexing if the push is refused (pre-receive then ends this process)
    or main moves elsewhere. `marker` (written by pre-receive) tells post-receive that this
    process is there; it is removed on leaving."""
    try:
        from catalogue.core import Catalogue
        from catalogue.settings import Settings

        catalogue = Catalogue(Settings.from_env(instance))
        from registry.history import RegistryHistory

        if not RegistryHistory(path_or_url).wait_for_main(old, new, timeout):
            return False
        return after_push(path_or_url, old, new, instance=instance,
                          catalogue_url=catalogue_url, catalogue=catalogue)
    finally:
        marker.unlink(missing_ok=True)


def _update_search(catalogue: Catalogue, registry: Registry, queue: IndexQueue,
                   before: str | None) -> None:
    """Bring the search documents (column names included) up to the indexed head, from
    where the last such update left them (or from `before`, this process's starting head)."""
    done = queue.folder / f"{queue.name}.head"
    head = catalogue.indexer.head(registry)
    since = done.read_text().strip() if done.exists() else before
    catalogue.indexer.changed_since(registry, since or None)
    catalogue.wait_for_columns()
    partial = done.with_suffix(".tmp")
    partial.write_text(f"{head or ''}\n")
    partial.replace(done)


def _versions(catalogue: Catalogue, registry: Registry, old: str, new: str,
              catalogue_url: str | None) -> list[str]:
    """The versions the push made, once its commits are indexed."""
    from catalogue.notify import ZERO, describe, pushed_commits, versions_of
    from registry.history import RegistryHistory

    if not new or new == ZERO:
        return describe([])
    head = catalogue.indexer.head(registry)
    if head is None or (head != new and
                        not RegistryHistory(registry.git_path).is_ancestor(new, head)):
        return ["catalogue: still indexing this push; its versions will appear shortly"]
    shas = pushed_commits(registry.git_path, old, new)
    return describe(versions_of(catalogue.engine, registry.id, shas, catalogue_url))


def _reason(exc: Exception) -> str:
    from catalogue.errors import CatalogueError

    return str(exc) if isinstance(exc, CatalogueError) else f"{type(exc).__name__}: {exc}"


def _report(out: TextIO | None, lines: list[str]) -> None:
    """Write the lines, then close standard output (the hook stops waiting there)."""
    stream = out or sys.stdout
    try:
        stream.write("\n".join(lines) + "\n")
        stream.flush()
    except BrokenPipeError:
        pass  # the hook stopped waiting; the catalogue is up to date all the same
    if out is None:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # closes the hook's pipe: it stops waiting
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalogue.after_push",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("path_or_url")
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--instance")
    parser.add_argument("--catalogue-url")
    parser.add_argument("--report", action="store_true",
                        help="wait for this push to be indexed and print its versions")
    parser.add_argument("--ready-marker", type=Path,
                        help="started by pre-receive: load the catalogue, wait for main to "
                             "become NEW, then index (removing this file on leaving)")
    args = parser.parse_args(argv)
    if args.ready_marker:
        ready_for_push(args.path_or_url, args.old, args.new, marker=args.ready_marker,
                       instance=args.instance, catalogue_url=args.catalogue_url)
        return 0
    after_push(args.path_or_url, args.old, args.new, instance=args.instance,
               catalogue_url=args.catalogue_url, report=args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
