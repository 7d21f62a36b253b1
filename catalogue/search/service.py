"""The search index of one catalogue instance: a Whoosh index in `<instance>/search/index`,
derived from the database, read by every web worker and written by whoever indexes.

- Opening: a missing index, one of an older schema, or a corrupt one is rebuilt from the
  database with a warning (one process at a time; the others wait and use its result).
- Reading: one searcher per process, reused until a writer commits; a search that trips over
  a damaged index rebuilds it and runs again, so a reader never gets a server error from it.
- Writing: writers queue on the index's lock (for up to `lock_timeout` seconds) instead of
  failing. After each indexing run the datasets it touched are re-indexed at once; column
  names not yet known are read at once in a background thread (catalogue.search.columns, by
  hash from the DVC remote), and those datasets re-indexed again. A burst of runs is read in
  one go: whatever is queued when the thread takes its next batch. A short-lived process (the
  `catalogue index` command) keeps them in `unread` instead, for a worker process to read.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import struct
import threading
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, LockError

from catalogue.access import Reader
from catalogue.errors import CatalogueError
from catalogue.models import Dataset
from catalogue.search.columns import ColumnCache, read_all, wants_columns
from catalogue.search.documents import DatasetDocument, SourceFile, load_documents
from catalogue.search.schema import INDEX_NAME, Codec, make_schema
from catalogue.search.searching import complete, run_search
from catalogue.search.shapes import Completion, SearchRequest, SearchResults
from catalogue.search.snapshot import SegmentCache, Snapshot
from registry.storage import RegistryStorage

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[int, int], None]
Loader = Callable[[Engine, Iterable[str] | None], tuple[list[DatasetDocument], set[str]]]
WHOOSH = str(Path(whoosh_index.__file__).parent)
REBUILD_MB = 512  # ~30,000 datasets' postings sorted in memory: far faster than on disk


class SearchIndexBusy(CatalogueError):
    """Another process held the index's write lock for longer than we would wait."""

    status = 503


class SearchIndex:
    def __init__(self, folder: Path, engine: Engine, storage: RegistryStorage,
                 lock_timeout: float = 120.0, background_reads: bool = True,
                 loader: Loader = load_documents, columns: Path | None = None):
        """`loader` makes the documents (every dataset by default; the open-data portal's
        index is made of released versions); `columns`: the column-name cache's file, which
        several indexes of one instance may share (default: in `folder`)."""
        self.folder = folder
        self.path = folder / "index"
        self.engine = engine
        self.storage = storage
        self.loader = loader
        self.lock_timeout = lock_timeout
        self.background_reads = background_reads
        self.path.mkdir(parents=True, exist_ok=True)
        self.columns = ColumnCache(columns or folder / "columns.sqlite")
        self.unread: dict[str, SourceFile] = {}  # without background reads: left to a worker
        self._lock = threading.RLock()
        self._segments = SegmentCache()
        self._snapshot: Snapshot | None = None
        self._reads = threading.Condition()
        self._queued: dict[str, SourceFile] = {}  # waiting for the reader thread
        self._reader: threading.Thread | None = None
        self._closed = False
        self._rebuilt_generation = -1
        self.before_read: Callable[[], None] | None = None
        """Called before each search (the change feed's check, on a shared deployment)."""
        self._index = self._open()
        self.rebuilt_on_open = self._rebuilt_generation != -1
        """Opening found no usable index and built one from the database as it is now."""

    # Opening and repairing

    def _open(self) -> FileIndex:
        storage = self._storage()
        with self._exclusive(storage):
            try:
                if storage.index_exists(INDEX_NAME):
                    found = storage.open_index(INDEX_NAME)
                    found.searcher().close()
                    return found
                reason = "missing"
            except Exception as exc:  # any damage at all: the index is derived data
                reason = f"unreadable ({type(exc).__name__}: {exc})"
            return self._recreate(storage, reason)

    def _storage(self) -> FileStorage:
        """The index's folder, its files memory-mapped for reading. Whoosh never rewrites a
        file in place (it writes new segments and a new table of contents, and repairs here
        replace whole files), so a damaged file shows as an error on opening, which is
        repaired; only a file truncated in place under a reader would crash that process."""
        return FileStorage(str(self.path), supports_mmap=True)

    def _recreate(self, storage: FileStorage, reason: str) -> FileIndex:
        if self._dataset_count():
            log.warning("The search index in %s is %s: rebuilding it from the database",
                        self.path, reason)
        for item in self.path.iterdir():
            if item.name != "REBUILD_LOCK":
                shutil.rmtree(item) if item.is_dir() else item.unlink(missing_ok=True)
        created = storage.create_index(make_schema(), INDEX_NAME)
        self._index = created
        self._write_all(created, read_columns=False)
        self._rebuilt_generation = created.latest_generation()
        return created

    @contextmanager
    def _exclusive(self, storage: FileStorage) -> Iterator[None]:
        """Only one process checks, creates or repairs the index at a time."""
        lock = storage.lock("REBUILD_LOCK")
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def _repair(self, exc: BaseException, generation: int | None = None) -> None:
        """Rebuild a damaged index, unless another process already replaced the version
        (`generation`) that failed."""
        storage = self._storage()
        with self._lock, self._exclusive(storage):
            self._drop_snapshot()
            if generation is not None:
                try:
                    fresh = storage.open_index(INDEX_NAME)
                    if fresh.latest_generation() != generation:
                        self._index = fresh
                        return
                except Exception:  # still damaged, or gone
                    log.debug("The search index is still unreadable", exc_info=True)
            self._index = self._recreate(storage, f"damaged ({type(exc).__name__}: {exc})")

    def _dataset_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Dataset)
                                .where(Dataset.retired.is_(False))).scalar_one()

    # Writing

    @contextmanager
    def _writer(self, index: FileIndex | None = None, limitmb: int = 128,
                ) -> Iterator[writing.IndexWriter]:
        """A writer, waiting in line for the lock if another writer has it. `limitmb`: the
        postings (by Whoosh's estimate) sorted in memory before sorting on disk instead."""
        index = index or self._index
        options = {"codec": Codec(), "limitmb": limitmb}
        try:
            writer = index.writer(**options)
        except LockError:
            log.info("Waiting for the search index's write lock in %s", self.path)
            try:
                writer = index.writer(timeout=self.lock_timeout, delay=0.05, **options)
            except LockError:
                raise SearchIndexBusy("The search index is busy: try again shortly") from None
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise

    def _known(self, md5s: Iterable[str]) -> dict[str, list[str] | None]:
        """Column names by file: from the file's profile where there is one (every column,
        and telling types), else from its header row (`columns`)."""
        from catalogue.profiles.store import profile_columns

        wanted = list(md5s)
        return {**self.columns.get(wanted), **profile_columns(self.engine, wanted)}

    def update(self, keys: Iterable[str]) -> list[SourceFile]:
        """Re-index these datasets (removing those retired or gone); the files whose column
        names are not known yet.

        The documents are read from the database while holding the index's write lock: an
        update that read them before waiting for the lock could write what a concurrent one
        (a share made meanwhile) had already replaced."""
        keys = set(keys)
        with self._writer() as writer:
            documents, gone = self.loader(self.engine, keys)
            known = self._known(f.md5 for d in documents for f in d.files)
            with writer.searcher() as searcher:  # one for all deletions, not one each
                for key in sorted(gone | {doc.key for doc in documents}):
                    writer.delete_by_term("id", key, searcher=searcher)
            for doc in documents:
                writer.add_document(**doc.fields(_columns(doc, known)))
            writer.commit()
        return _unknown(documents, known)

    def rebuild(self, progress: Progress | None = None, read_columns: bool = True) -> int:
        """Rebuild the whole index from the database; the number of datasets indexed.
        With `read_columns`, first read the header rows not yet known (and retry those that
        could not be read before)."""
        with self._lock:
            self._drop_snapshot()
        try:
            return self._write_all(self._index, read_columns, progress)
        except SearchIndexBusy:
            raise
        except Exception as exc:
            if not _from_index(exc):
                raise
            self._repair(exc)
            return self._dataset_count()

    def _write_all(self, index: FileIndex, read_columns: bool,
                   progress: Progress | None = None) -> int:
        if read_columns:
            self.wait_for_columns()
        documents, _ = self.loader(self.engine)
        if read_columns:
            self.columns.forget_failures()
            files = _unknown(documents, self._known(f.md5 for d in documents
                                                         for f in d.files))
            read_all(self.columns, self.storage, files, progress=progress)
        with self._writer(index, limitmb=REBUILD_MB) as writer:
            documents, _ = self.loader(self.engine)  # again, under the lock (see `update`)
            known = self._known(f.md5 for d in documents for f in d.files)
            for doc in documents:
                writer.add_document(**doc.fields(_columns(doc, known)))
            writer.commit(mergetype=writing.CLEAR)
        if not read_columns:
            self._read_later(_unknown(documents, known))
        return len(documents)

    def read_missing_columns(self, progress: Progress | None = None) -> int:
        """Read every column name no document has yet (files that failed recently are left
        for later), then re-index the datasets they belong to; how many files were read."""
        documents, _ = self.loader(self.engine)
        files = _unknown(documents, self._known(f.md5 for d in documents for f in d.files))
        read = read_all(self.columns, self.storage, files, stop=lambda: self._closed,
                        progress=progress)
        keys = {f.dataset for f in files if f.md5 in read}
        if keys and not self._closed:
            self.update(keys)
        return len(read)

    def apply(self, keys: set[str] | None) -> None:
        """Re-index these datasets (None: every one), reading the column names not known yet
        afterwards; raises when the index cannot be written."""
        if keys is None:
            self.rebuild(read_columns=False)
        elif keys:
            self._read_later(self.update(keys))

    def datasets_changed(self, keys: set[str] | None) -> bool:
        """The indexer's listener: re-index what a run touched (None: everything). Never
        raises: a failure is logged, and the catalogue's own indexing stands. True when the
        index took the change in."""
        try:
            self.apply(keys)
            return True
        except SearchIndexBusy:
            log.warning("The search index was busy and is not up to date: run `catalogue "
                        "search rebuild`")
        except Exception as exc:
            if not _from_index(exc):
                log.exception("The search index could not be updated: run `catalogue search "
                              "rebuild` once the problem is fixed")
                return False
            log.warning("The search index could not be updated (%s: %s): repairing it",
                        type(exc).__name__, exc)
            try:
                self._repair(exc)
                return True
            except Exception:
                log.exception("The search index could not be repaired: run `catalogue "
                              "search rebuild`")
        return False

    def _read_later(self, files: list[SourceFile]) -> None:
        """Read these files' column names in the background thread, which starts at once and
        takes everything queued when it starts a batch (or keep them in `unread`)."""
        if not files or self._closed:
            return
        if not self.background_reads:
            self.unread.update((f.md5, f) for f in files)
            return
        with self._reads:
            self._queued.update((f.md5, f) for f in files if f.md5 not in self._queued)
            if self._reader is None:
                self._reader = threading.Thread(target=self._read_queued, daemon=True,
                                                name="search-columns")
                self._reader.start()

    def _read_queued(self) -> None:
        while True:
            with self._reads:
                batch = list(self._queued.values())
                if not batch or self._closed:
                    self._queued.clear()
                    self._reader = None
                    self._reads.notify_all()
                    return
            try:
                read = read_all(self.columns, self.storage, batch, stop=lambda: self._closed)
                keys = {f.dataset for f in batch if f.md5 in read}
                if keys and not self._closed:
                    self.update(keys)
            except Exception:
                log.exception("Column names could not be added to the search index")
            finally:
                with self._reads:
                    for file in batch:
                        self._queued.pop(file.md5, None)

    def wait_for_columns(self, timeout: float | None = None) -> bool:
        """Wait until the column names being read are in the index; False on timeout."""
        with self._reads:
            return self._reads.wait_for(lambda: self._reader is None, timeout)

    # Reading

    def search(self, reader: Reader, request: SearchRequest) -> SearchResults:
        return self._reading(lambda snap: run_search(snap, reader, request))

    def suggest(self, reader: Reader, text: str, limit: int = 8) -> list[Completion]:
        return self._reading(lambda snap: complete(snap, reader, text, limit))

    def read(self, action: Callable[[Snapshot], T]) -> T:
        """Run `action` on the current snapshot of the index, as every search does (a damaged
        index is rebuilt and the action run again): for readers of the index other than the
        catalogue's own search, such as the CKAN API's package_search."""
        return self._reading(action)

    def _reading(self, action: Callable[[Snapshot], T]) -> T:
        if self.before_read is not None:
            self.before_read()
        with self._lock:
            generation = self._index.latest_generation()
            try:
                snap = self._current()  # opening a version of the index reads its files
            except Exception as exc:
                return self._after_damage(exc, generation, action)
            generation = snap.searcher.reader().generation()
            try:
                return action(snap)
            except Exception as exc:
                if not _from_index(exc):
                    raise
                return self._after_damage(exc, generation, action)

    def _after_damage(self, exc: Exception, generation: int,
                      action: Callable[[Snapshot], T]) -> T:
        if generation == self._rebuilt_generation:
            raise exc  # damage that rebuilding did not mend: not damage after all
        log.warning("Search failed on the index in %s (%s: %s): repairing it",
                    self.path, type(exc).__name__, exc)
        self._repair(exc, generation)
        return action(self._current())

    def _current(self) -> Snapshot:
        snap = self._snapshot
        if snap is not None and snap.searcher.up_to_date():
            snap.refresh_factors()
            return snap
        # A new searcher, not `searcher.refresh()`: whoosh-reloaded 2.7.5's refresh keeps the
        # old segments' readers beside the new ones, so replaced documents would show twice.
        self._drop_snapshot()
        self._snapshot = Snapshot(self._index.searcher(), self._segments)
        return self._snapshot

    def _drop_snapshot(self) -> None:
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None

    def close(self) -> None:
        self._closed = True
        self.wait_for_columns()  # the reader stops after the file in hand
        with self._lock:
            self._drop_snapshot()


def _columns(doc: DatasetDocument, known: dict[str, list[str] | None]) -> list[str]:
    """The current version's column names, then the words of their descriptions in
    dataset.yaml (`columns:`)."""
    described = (getattr(doc.row, "extra", None) or {}).get("columns") or []
    return list(dict.fromkeys([
        *(c for f in doc.files for c in known.get(f.md5) or []),
        *(f"{c.get('name', '')} {c.get('description') or ''} {c.get('unit') or ''}".strip()
          for c in described if isinstance(c, dict))]))


def _unknown(documents: list[DatasetDocument], known: dict[str, list[str] | None],
             ) -> list[SourceFile]:
    return [f for d in documents for f in d.files if wants_columns(f) and f.md5 not in known]


def _from_index(exc: BaseException) -> bool:
    """Whether an error comes from reading the index's files (damage), not from our code."""
    if isinstance(exc, OSError | EOFError | struct.error | zlib.error | pickle.UnpicklingError):
        return True
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and frames[-1].filename.startswith(WHOOSH)
