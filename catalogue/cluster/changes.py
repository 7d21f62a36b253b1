"""The change feed: how each host's search indexes stay within seconds of the database.

Every host keeps its own search indexes (Whoosh, in its instance folder), derived from the
shared database. Whatever changes a dataset's search document (an index run, a share, a
release) is written to the `change_feed` table as well as applied to the local index by the
process that made it. Every other host follows the feed:

- a read of the index (a search, a suggestion) looks, at most once a `CHECK_S` per process,
  at the feed's newest id (one indexed `max()`), and compares it with the position this host's
  index has reached (a small file beside the index);
- when it is behind, a background thread of that process takes the host's feed lock (`flock`:
  one worker per host does the work, the others keep serving) and re-indexes the datasets
  named by the changes after the position (all of them for a change of everything), then
  moves the position on. The read that noticed does not wait for it;
- the process that made a change moves its host's position on itself when nothing came
  between, so a host does not redo its own work.

Ids grow in commit order: on PostgreSQL a writer takes the table's lock (readers are not held
up by it) before it takes ids, so a change never becomes visible behind a later one that a
follower has already passed. Rows older than `RETENTION` are deleted; a host whose position
has not moved for that long rebuilds its index instead of following.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Engine

from catalogue.clock import utcnow
from catalogue.cluster.models import Change
from catalogue.db import write_transaction

log = logging.getLogger(__name__)
FEED = Change.__table__
CHECK_S = 1.0  # how often a process looks at the feed (a host is this much behind at most,
# plus the time to re-index what changed)
RETENTION = timedelta(days=7)
PRUNE_ONE_IN = 100
POSITION_FILE = "feed-position"
LOCK_FILE = "feed.lock"
Apply = Callable[[set[str] | None], None]


@dataclass(frozen=True)
class Recorded:
    """A change written to the feed: its id, and the id of the change before it (same
    target; 0 for none)."""

    previous: int
    id: int


class ChangeFeed:
    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, target: str, keys: set[str] | None) -> Recorded | None:
        """Write that these datasets' documents changed (None: every dataset)."""
        if keys is not None and not keys:
            return None
        now = utcnow()
        c = FEED.c
        rows = [{"target": target, "dataset_key": key, "at": now}
                for key in (sorted(keys) if keys is not None else [None])]
        with write_transaction(self.engine) as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"LOCK TABLE {FEED.name} IN EXCLUSIVE MODE"))
            newest = select(func.max(c.id)).where(c.target == target)
            previous = conn.execute(newest).scalar() or 0
            conn.execute(insert(FEED), rows)
            last = conn.execute(newest).scalar_one()
            if random.randrange(PRUNE_ONE_IN) == 0:
                conn.execute(delete(FEED).where(c.at < now - RETENTION))
        return Recorded(previous, last)

    def latest(self, target: str) -> int:
        """The newest change's id (0: none)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.max(FEED.c.id))
                                .where(FEED.c.target == target)).scalar() or 0

    def since(self, target: str, position: int) -> list[tuple[int, str | None]]:
        c = FEED.c
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(
                select(c.id, c.dataset_key).where(c.target == target, c.id > position)
                .order_by(c.id))]

    def follower(self, target: str, folder: Path, apply: Apply, start: int) -> Follower:
        """A follower for the index in `folder`; `start`: the feed's newest id read before the
        index was opened (where a new index's position starts: opening built it, or it
        predates the feed, from the database as it was then or later)."""
        return Follower(self, target, folder, apply, start)


class Follower:
    """Keeps one host's index of one target up to date with the feed."""

    def __init__(self, feed: ChangeFeed, target: str, folder: Path, apply: Apply, start: int,
                 check_every: float = CHECK_S):
        self.feed, self.target, self.apply = feed, target, apply
        self.check_every = check_every
        self.position_path = folder / POSITION_FILE
        self.lock_path = folder / LOCK_FILE
        self._checked_at = float("-inf")
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()
        self._closed = False
        with self._host_lock():
            if self.position() is None:
                self._write(start)

    # The host's position

    def position(self) -> int | None:
        try:
            return int(self.position_path.read_text().strip() or 0)
        except (OSError, ValueError):
            return None

    def _stale(self) -> bool:
        try:
            age = time.time() - self.position_path.stat().st_mtime
        except OSError:
            return True
        return age > RETENTION.total_seconds()

    def _write(self, position: int) -> None:
        partial = self.position_path.with_name(f"{POSITION_FILE}.{os.getpid()}.tmp")
        partial.write_text(f"{position}\n")
        partial.replace(self.position_path)

    def _host_lock(self, wait: bool = True):
        return _Flock(self.lock_path, wait)

    def advance(self, change: Recorded | None) -> None:
        """This process applied `change` to the host's index itself: move the position past
        it unless other changes came before it that the host has not taken in (or another
        process of the host is taking changes in: it may take this one in again, which is
        harmless, rather than hold up the request that made it)."""
        if change is None:
            return
        with self._host_lock(wait=False) as held:
            if held and self.position() == change.previous:
                self._write(change.id)

    # Following

    def check(self) -> None:
        """Called before reading the index: at most once a `check_every`, see whether the
        host is behind, and if so catch up in the background."""
        now = time.monotonic()
        if self._closed or now - self._checked_at < self.check_every:
            return
        self._checked_at = now
        try:
            behind = self.feed.latest(self.target) > (self.position() or 0)
        except Exception:
            log.exception("The change feed could not be read")
            return
        if behind:
            with self._mutex:
                if self._thread is None and not self._closed:
                    self._thread = threading.Thread(target=self._catch_up_thread, daemon=True,
                                                    name=f"feed-{self.target}")
                    self._thread.start()

    def _catch_up_thread(self) -> None:
        try:
            self.catch_up()
        except Exception:
            log.exception("The search index (%s) could not take in the latest changes; "
                          "it tries again on the next search", self.target)
        finally:
            with self._mutex:
                self._thread = None

    def catch_up(self, wait: bool = False) -> int:
        """Take in every change after the host's position (unless another process of this
        host is at it, or with `wait`, after it); how many changes were taken in."""
        with self._host_lock(wait) as held:
            if not held:
                return 0
            position = self.position() or 0
            changes = self.feed.since(self.target, position)
            if not changes:
                return 0
            keys = {key for _, key in changes}
            self.apply(None if None in keys or self._stale() else keys)  # type: ignore[arg-type]
            self._write(changes[-1][0])
            return len(changes)

    def close(self) -> None:
        with self._mutex:
            self._closed = True
            thread = self._thread
        if thread is not None:
            thread.join()


class _Flock:
    """An exclusive `flock` on a file; `held` is False when `wait` is off and it is taken."""

    def __init__(self, path: Path, wait: bool):
        self.path, self.wait = path, wait
        self._fd: int | None = None

    def __enter__(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if self.wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
