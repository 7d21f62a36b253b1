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

This module imports only the standard library until it holds the lock, so a process that
leaves at once costs a few tens of milliseconds. The lock is per instance folder (one host);
index runs that meet anyway (another host, `catalogue index`, a forge webhook) stay correct:
each commit is recorded once (catalogue.index_run), only the work is repeated.

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
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from catalogue.core import Catalogue
    from catalogue.models import Registry

LOCKS = "locks"


class IndexQueue:
    """One registry's index lock and pending mark, in the instance folder."""

    def __init__(self, folder: Path, registry_url: str):
        folder.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha1(registry_url.encode()).hexdigest()[:16]
        self.lock_path = folder / f"index-{digest}.lock"
        self.pending_path = folder / f"index-{digest}.pending"
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


def registry_key(path_or_url: str) -> str:
    """The registry's URL as the indexer records it (an absolute path for a local one)."""
    from registry.mirror import is_local

    return str(Path(path_or_url).resolve()) if is_local(path_or_url) else path_or_url


def after_push(path_or_url: str, old: str, new: str, *, instance: str | None = None,
               catalogue_url: str | None = None, report: bool = False,
               out: TextIO | None = None) -> bool:
    """Index the registry after a push of `old`..`new` to main, unless a run already under way
    will; then update the search index. With `report`, wait for the push to be indexed and
    write its versions to `out` (standard output by default, closed afterwards). True when
    this process indexed."""
    from catalogue.settings import Settings

    settings = Settings.from_env(instance)
    queue = IndexQueue(settings.instance / LOCKS, registry_key(path_or_url))
    queue.mark()
    catalogue: Catalogue | None = None
    registry: Registry | None = None
    before: str | None = None
    wait = report
    try:
        while queue.acquire(wait):
            wait = False
            try:
                if catalogue is None:
                    from catalogue.core import Catalogue

                    catalogue = Catalogue(settings)
                    registry = catalogue.indexer.register(path_or_url)
                    before = catalogue.indexer.head(registry)
                while queue.take():
                    catalogue.indexer.index_registry(registry, notify=False)
            finally:
                queue.release()
            if not queue.pending():
                break
    except Exception as exc:
        if not report:
            raise
        _report(out, [f"catalogue: could not index this push: {_reason(exc)}"])
        return False
    if catalogue is None:
        return False  # the run under way picks this push up
    if report:
        try:
            lines = _versions(catalogue, registry, old, new, catalogue_url)
        except Exception as exc:
            lines = [f"catalogue: indexed, but could not list this push's versions: "
                     f"{_reason(exc)}"]
        _report(out, lines)
    catalogue.indexer.changed_since(registry, before)  # the search documents, after
    return True


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
    args = parser.parse_args(argv)
    after_push(args.path_or_url, args.old, args.new, instance=args.instance,
               catalogue_url=args.catalogue_url, report=args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
