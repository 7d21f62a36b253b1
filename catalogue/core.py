"""The catalogue as one object: its settings, database engine, indexer and search index, made
explicitly (never at import time) by the CLI or by the web app factory.

The search index (Whoosh, numpy) is opened on first use: a process that only indexes (the
post-receive hook's `catalogue.after_push`) records the new versions before it imports
the search package to update their search documents.

Notifications are always kept in the app; emails are queued only when an SMTP server is
configured (the Mailer imports smtplib only when it sends)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalogue.cluster.changes import ChangeFeed, Follower
from catalogue.db import make_engine, read_session
from catalogue.indexer import Indexer
from catalogue.jobs.queue import JobQueue
from catalogue.migrate import upgrade
from catalogue.notifications.service import Notifications
from catalogue.settings import Settings
from catalogue.sharing import Sharing
from catalogue.sharing.requests import AccessRequests
from registry.dvc_env import configure_dvc
from registry.storage import RegistryStorage

if TYPE_CHECKING:
    from catalogue.jobs.queue import Claimed
    from catalogue.jobs.worker import Worker
    from catalogue.notifications.mailer import Mailer
    from catalogue.releases.service import Releases
    from catalogue.search import SearchIndex
    from catalogue.tags.service import TagSuggestions


class Catalogue:
    def __init__(self, settings: Settings, background_reads: bool = True):
        """`background_reads`: read new files' column names in a thread of this process;
        a short-lived command says False and leaves them in `search.unread` for a worker."""
        self.settings = settings
        self.background_reads = background_reads
        settings.ensure()
        configure_dvc(settings.dvc_site_cache)
        self.engine: Engine = make_engine(settings.database_url)
        upgrade(self.engine)
        self.indexer = Indexer(self.engine, settings.mirrors)
        self.storage = RegistryStorage(settings.dvc_config)
        self._search: SearchIndex | None = None
        self.feed = ChangeFeed(self.engine)  # what other hosts' search indexes follow
        self._followers: dict[str, Follower] = {}
        self._open_search: SearchIndex | None = None
        self._releases: Releases | None = None
        self._tags: TagSuggestions | None = None
        self._opening = threading.RLock()  # two threads' first use must open one index, not two
        self.indexer.listeners.append(self._search_changed)
        self.jobs = JobQueue(self.engine)
        self.indexer.listeners.append(self._queue_profiles)
        self.indexer.listeners.append(self._releases_changed)
        self.notifications = Notifications(self.engine, self._mailer(), settings.base_url)
        self.sharing = Sharing(self.engine, [self._search_changed], self.notifications)
        self.access_requests = AccessRequests(self.sharing)
        self.indexer.listeners.append(self.notifications.new_versions)

    @property
    def search(self) -> SearchIndex:
        """The search index, opened (and imported) the first time it is needed."""
        with self._opening:
            if self._search is None:
                from catalogue.search import SearchIndex

                start = self.feed.latest("search")
                self._search = SearchIndex(self.settings.instance / "search", self.engine,
                                           self.storage, background_reads=self.background_reads)
                self._follow("search", self._search, start)
        return self._search

    @property
    def open_search(self) -> SearchIndex:
        """The open-data portal's search index: released versions only, as approved."""
        with self._opening:
            if self._open_search is None:
                from catalogue.opendata.documents import load_open_documents
                from catalogue.search import SearchIndex

                start = self.feed.latest("open")
                self._open_search = SearchIndex(
                    self.settings.instance / "search-open", self.engine, self.storage,
                    background_reads=self.background_reads, loader=load_open_documents,
                    columns=self.settings.instance / "search" / "columns.sqlite")
                self._follow("open", self._open_search, start)
        return self._open_search

    def _follow(self, target: str, index: SearchIndex, start: int) -> None:
        """Keep this host's index up to date with changes made on other hosts."""
        follower = self.feed.follower(target, index.folder, index.apply, start)
        index.before_read = follower.check
        self._followers[target] = follower

    def _open_changed(self, keys: set[str]) -> None:
        if keys:
            change = self.feed.record("open", keys)
            if self.open_search.datasets_changed(keys):
                self._followers["open"].advance(change)

    @property
    def releases(self) -> Releases:
        """Release requests and decisions, made the first time they are needed."""
        with self._opening:
            if self._releases is None:
                from catalogue.releases.service import Releases

                self._releases = Releases(self.engine, self.storage, self.settings.instance,
                                          notifications=self.notifications,
                                          background=self.background_reads)
                self._releases.listeners.append(self._open_changed)
        return self._releases

    @property
    def tags(self) -> TagSuggestions:
        """Suggested tags, made the first time they are needed (their extractor is imported
        then); accepting or dismissing one re-indexes its dataset for search."""
        with self._opening:
            if self._tags is None:
                from catalogue.tags.service import TagSuggestions

                self._tags = TagSuggestions(self.engine, [self._search_changed])
        return self._tags

    def _releases_changed(self, keys: set[str] | None) -> None:
        """After an index run: the release tags in git, read back (what an empty database
        needs to get its releases again; hand-made tags are reported, never released)."""
        if keys is None or keys:
            from catalogue.releases.publishing import restore_from_git

            self._open_changed(restore_from_git(self.engine, self.settings.instance))

    def _search_changed(self, keys: set[str] | None) -> None:
        if not (keys is None or keys):  # a run that changed nothing leaves Whoosh unimported
            return
        change = self.feed.record("search", keys)
        opening = self._search is None
        if opening and self.search.rebuilt_on_open:
            return  # built from the database just now, after the run's commits: up to date
        if self.search.datasets_changed(keys):
            self._followers["search"].advance(change)

    def _queue_profiles(self, keys: set[str] | None) -> None:
        """After an index run: a profile job for each new tabular file (catalogue.profiles)."""
        if keys is not None and not keys:
            return  # a run that changed nothing imports no profiling
        from catalogue.profiles.work import queue_profiles

        queue_profiles(self.engine, self.jobs, keys)

    def job_worker(self, name: str | None = None, lease_s: float | None = None) -> Worker:
        """A worker for the job queue (`catalogue worker`); the datasets whose current
        version it profiled are re-indexed for search after each batch."""
        from catalogue.jobs.worker import Worker
        from catalogue.profiles.work import ProfileJobs

        queue = self.jobs if lease_s is None else JobQueue(self.engine, lease_s=lease_s)
        return Worker(queue, [ProfileJobs(self.engine, self.storage, queue)],
                      after=self._profiled, name=name)

    def _profiled(self, jobs: list[Claimed]) -> None:
        from catalogue.profiles.store import datasets_holding

        keys = datasets_holding(self.engine, [j.payload.get("dir") or j.key for j in jobs])
        if keys:
            self._search_changed(keys)

    def _mailer(self) -> Mailer | None:
        if not self.settings.smtp_url:
            return None
        from catalogue.notifications.mailer import Mailer

        return Mailer(self.engine, self.settings.smtp_url, self.settings.mail_from)

    def wait_for_columns(self) -> None:
        """Wait for the column names this process is reading (none if search is unopened)."""
        if self._search is not None:
            self._search.wait_for_columns()

    def columns_left(self) -> int:
        """How many files' column names this process left unread (background_reads off)."""
        return len(self._search.unread) if self._search is not None else 0

    @classmethod
    def from_env(cls, instance: str | None = None, background_reads: bool = True) -> Catalogue:
        return cls(Settings.from_env(instance), background_reads)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with read_session(self.engine) as s:
            yield s

    def close(self) -> None:
        self.notifications.close()
        for follower in self._followers.values():
            follower.close()
        if self._search is not None:
            self._search.close()
        self.engine.dispose()
