"""Column names for search: the header row of each tabular file of a dataset's current version.

The bytes are read from the registry's DVC remote by hash through `registry.storage` (one object
read per file, whatever the registry's size), which can fail (never pushed, remote down). Column
names are cached by the file's DVC hash, which names its content: a header read once is never
read again, whichever dataset, version or index rebuild asks. A file that cannot be read is
remembered for a while and tried again later; meanwhile its dataset is indexed without it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from catalogue.search.documents import SourceFile
from registry.storage import (
    BytesUnavailable,
    IsADirectory,
    NotInOutput,
    OutputRef,
    RegistryStorage,
)

log = logging.getLogger(__name__)

TABULAR = {"csv", "tsv", "xlsx", "parquet", "json", "geojson", "jsonl", "ndjson"}
HEAD_BYTES = 64 * 1024  # enough for any header row worth indexing
WHOLE_FILE_LIMIT = 64 * 1024 * 1024  # formats whose header is not at the start
RETRY_AFTER_S = 600.0
MAX_COLUMNS = 300
FILES_PER_DIRECTORY = 3
FAILURES_PER_REGISTRY = 2  # then skip that registry's other files until the next run


def wants_columns(file: SourceFile) -> bool:
    return file.is_dir or file.extension in TABULAR


class ColumnCache:
    """Column names by DVC hash, in a small SQLite file beside the index (shared by every
    process of the instance). `None` records a file that could not be read, and when."""

    def __init__(self, path: Path):
        self.path = path
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS header (md5 TEXT PRIMARY KEY, "
                       "columns TEXT, checked_at REAL NOT NULL)")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def get(self, md5s: Iterable[str]) -> dict[str, list[str] | None]:
        """What is known of these hashes: columns, or None for a recent failure to read."""
        wanted = list(dict.fromkeys(md5s))
        found: dict[str, list[str] | None] = {}
        with self._connect() as db:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for md5, columns, checked in db.execute(
                        f"SELECT md5, columns, checked_at FROM header WHERE md5 IN ({marks})",
                        chunk):
                    if columns is not None:
                        found[md5] = json.loads(columns)
                    elif time.time() - checked < RETRY_AFTER_S:
                        found[md5] = None
        return found

    def put(self, md5: str, columns: list[str] | None) -> None:
        """Record a file's columns, or (None) that it could not be read just now. A hash names
        its content, so columns once known are never replaced by a later failure to read."""
        with self._connect() as db:
            db.execute("INSERT INTO header (md5, columns, checked_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (md5) DO UPDATE SET columns = excluded.columns, "
                       "checked_at = excluded.checked_at "
                       "WHERE header.columns IS NULL OR excluded.columns IS NOT NULL",
                       (md5, None if columns is None else json.dumps(columns), time.time()))

    def forget_failures(self) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM header WHERE columns IS NULL")


def read_all(cache: ColumnCache, storage: RegistryStorage, files: list[SourceFile],
             stop: Callable[[], bool] = lambda: False,
             progress: Callable[[int, int], None] | None = None) -> set[str]:
    """Read and cache the header rows of `files`; the hashes whose columns are now known.

    Never raises for a file: one that cannot be read is cached as unreadable. After a few
    failures in a row, a registry's other files are left for a later run. A file whose columns
    another process (or thread) has cached meanwhile is not read again.
    """
    read: set[str] = set()
    failures: dict[str, int] = {}
    already = {md5 for md5, columns in cache.get(f.md5 for f in files).items()
               if columns is not None}
    for done, file in enumerate(files, 1):
        if stop():
            break
        if file.md5 in already:
            read.add(file.md5)
        elif failures.get(file.git_path, 0) < FAILURES_PER_REGISTRY:
            if _read_into(cache, storage, file):
                failures[file.git_path] = 0
                read.add(file.md5)
            else:
                failures[file.git_path] = failures.get(file.git_path, 0) + 1
        if progress:
            progress(done, len(files))
    return read


def _read_into(cache: ColumnCache, storage: RegistryStorage, file: SourceFile) -> bool:
    """Read one file's header into the cache; False when its bytes could not be read."""
    try:
        columns = _read(storage, file)
    except BytesUnavailable as exc:
        log.info("No column names for %s at %s yet: %s", file.path, file.rev[:10], exc)
        cache.put(file.md5, None)
        return False
    except Exception as exc:  # bytes that do not parse as their format says
        log.info("No column names in %s at %s: %s", file.path, file.rev[:10], exc)
        columns = []
    cache.put(file.md5, columns)
    return True


def _read(storage: RegistryStorage, file: SourceFile) -> list[str]:
    output = OutputRef(file.path, file.md5, file.source)
    if not file.is_dir:
        return _read_file(storage, file, output, "", file.extension)
    names: list[str] = []
    try:
        entries = storage.list_folder(file.git_path, file.rev, output)
    except NotInOutput:
        return []  # an empty directory
    inside = [e for e in entries if not e.is_dir and _extension(e.name) in TABULAR]
    for entry in inside[:FILES_PER_DIRECTORY]:
        names.extend(_read_file(storage, file, output, entry.name, _extension(entry.name)))
    return _clean(names)


def _read_file(storage: RegistryStorage, file: SourceFile, output: OutputRef, member: str,
               extension: str) -> list[str]:
    try:
        opened = storage.open_file(file.git_path, file.rev, output, member)
    except (IsADirectory, NotInOutput) as exc:
        raise BytesUnavailable(f"{file.path}/{member} is not a file") from exc
    with opened.handle as handle:
        return _clean(parse_header(handle, extension))


def parse_header(handle: BinaryIO, extension: str) -> list[str]:
    """The column names of a tabular file, from as few of its bytes as its format allows."""
    if extension in ("csv", "tsv"):
        text = handle.read(HEAD_BYTES).decode("utf-8-sig", errors="replace")
        first = text.split("\n", 1)[0]
        delimiter = "\t" if extension == "tsv" else max(",;\t|", key=first.count)
        return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    if extension in ("jsonl", "ndjson"):
        line = handle.read(HEAD_BYTES).split(b"\n", 1)[0]
        return _keys(json.loads(line))
    data = handle.read(WHOLE_FILE_LIMIT + 1)
    if len(data) > WHOLE_FILE_LIMIT:
        return []
    if extension == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(io.BytesIO(data)).names)
    if extension == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
        finally:
            book.close()
        return [str(value) for value in first if value is not None]
    return _keys(json.loads(data))


def _keys(data: Any) -> list[str]:
    """The field names of JSON records: a list of objects, an object holding one, or GeoJSON."""
    if isinstance(data, dict):
        if isinstance(data.get("features"), list):
            return _keys([f.get("properties") or {} for f in data["features"]
                          if isinstance(f, dict)])
        lists = [v for v in data.values() if isinstance(v, list)]
        return _keys(lists[0]) if len(lists) == 1 else list(data)
    if isinstance(data, list):
        names: dict[str, None] = {}
        for record in data[:20]:
            if isinstance(record, dict):
                names.update(dict.fromkeys(map(str, record)))
        return list(names)
    return []


def _clean(names: list[Any]) -> list[str]:
    cleaned = (str(name).strip()[:100] for name in names if name is not None)
    return list(dict.fromkeys(name for name in cleaned if name))[:MAX_COLUMNS]


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""
