"""Profiling one file's bytes: rows, columns, each column's statistics, a sample of rows.

The bytes are read as the release checks read them (`catalogue.releases.tables`: CSV and TSV
streamed by pyarrow's reader in blocks, Parquet by row batches, Excel through openpyxl's
read-only mode, JSON lines line by line), chunk by chunk, so a file larger than memory is
profiled in bounded memory: what is kept per column is bounded (`stats`).

A file that is not what its name says, or that does not parse, raises `Unprofilable` with a
plain reason (never a row of the file).
"""

from __future__ import annotations

import codecs
import time
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pyarrow as pa

from catalogue.profiles.stats import ColumnStats
from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import NotATable, TableUnreadable
from catalogue.releases.tables import (
    DELIMITED,
    EXCEL,
    JSON_DOCUMENT,
    JSON_LINES,
    PARQUET,
    extension,
    read_chunks,
)

SAMPLE_ROWS = 10
MAX_TABLES = 20  # sheets of a workbook profiled; the rest are named in a note
MAX_COLUMNS = 500
CHUNK_BYTES = 8 * 1024 * 1024
CHUNK_ROWS = 50_000
TABULAR = set(DELIMITED) | EXCEL | PARQUET | JSON_LINES | JSON_DOCUMENT | {"xls"}
FORMATS = {**{e: e if e != "tab" else "tsv" for e in DELIMITED}, **dict.fromkeys(EXCEL, "excel"),
           **dict.fromkeys(PARQUET, "parquet"), **dict.fromkeys(JSON_LINES, "jsonl"),
           **dict.fromkeys(JSON_DOCUMENT, "json"), "xls": "excel"}


class Unprofilable(Exception):
    """The bytes cannot be profiled as the table their name says; the message says why."""


def is_tabular(path: str) -> bool:
    return extension(path) in TABULAR


@dataclass
class _Table:
    name: str | None
    columns: list[ColumnStats]
    rows: int = 0
    malformed: int = 0
    sample: list[list[Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "rows": self.rows, "unparsed_rows": self.malformed,
                "columns": [c.to_dict() for c in self.columns],
                "sample": {"columns": [c.name for c in self.columns], "rows": self.sample}}


@dataclass
class Profile:
    format: str
    rows: int
    encoding: str | None
    tables: list[dict[str, Any]]
    notes: list[str]
    size: int
    seconds: float

    @property
    def columns(self) -> list[dict[str, Any]]:
        return self.tables[0]["columns"] if self.tables else []


class _Counted:
    """A read-only stream that counts its bytes and keeps the first few (byte-order marks)."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.size = 0
        self.head = b""

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        if len(self.head) < 4:
            self.head += data[:4 - len(self.head)]
        self.size += len(data)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.handle.close()

    @property
    def closed(self) -> bool:
        return self.handle.closed


def profile_stream(handle: BinaryIO, filename: str, chunk_bytes: int = CHUNK_BYTES,
                   threads: bool = True) -> Profile:
    """Profile the bytes of `filename`. Raises Unprofilable."""
    started = time.perf_counter()
    ext = extension(filename)
    if ext not in TABULAR:
        raise Unprofilable(f"a .{ext} file is not a table" if ext else
                           "a file without an extension is not read as a table")
    native = _parquet_types(handle) if ext in PARQUET else {}
    binary = ext in PARQUET or ext in EXCEL
    counted = _Counted(handle)
    source: Any = handle if binary else counted  # the zip and Parquet readers seek
    options = ScanOptions(chunk_bytes=chunk_bytes, chunk_rows=CHUNK_ROWS, threads=threads)
    tables: list[_Table] = []
    notes: list[str] = []
    skipped: list[str] = []
    try:
        for chunk in read_chunks(source, filename, options):
            table = tables[-1] if tables and tables[-1].name == chunk.table else None
            if table is None:
                if len(tables) >= MAX_TABLES:
                    if chunk.table not in skipped:
                        skipped.append(str(chunk.table))
                    continue
                table = _Table(chunk.table, [ColumnStats(_name(n, i), native.get(n))
                                             for i, n in enumerate(chunk.columns[:MAX_COLUMNS])])
                tables.append(table)
            _observe(table, chunk.batch, len(chunk.malformed))
    except (TableUnreadable, NotATable) as exc:
        raise Unprofilable(str(exc)) from None
    encoding = _encoding(ext, counted.head, tables)
    size = _size(handle) if binary else counted.size
    if size == 0:
        notes.append("the file is empty")
    elif not tables:
        notes.append("the file holds no rows and no header")
    for table in tables:
        if table.malformed:
            where = f" of sheet {table.name}" if table.name else ""
            notes.append(f"{table.malformed:,} rows{where} could not be split into the header's "
                         f"columns and are left out of the statistics")
        if len(table.columns) == MAX_COLUMNS:
            notes.append(f"only the first {MAX_COLUMNS} columns are profiled")
    if skipped:
        notes.append(f"only the first {MAX_TABLES} sheets are profiled; not: "
                     + ", ".join(skipped[:20]))
    if encoding == "cp1252":
        notes.append("the text is not UTF-8: it was read as Windows-1252 (cp1252)")
    rows = sum(t.rows for t in tables)
    return Profile(FORMATS[ext], rows, encoding, [t.to_dict() for t in tables], notes,
                   size, round(time.perf_counter() - started, 3))


def _size(handle: BinaryIO) -> int:
    try:
        return handle.seek(0, 2)
    except (OSError, ValueError, AttributeError):
        return 0


def _observe(table: _Table, batch: pa.RecordBatch, malformed: int) -> None:
    table.rows += batch.num_rows
    table.malformed += malformed
    width = len(table.columns)
    for index, stats in enumerate(table.columns):
        if index < batch.num_columns:
            stats.observe(batch.column(index))
    if len(table.sample) < SAMPLE_ROWS and batch.num_rows:
        wanted = min(SAMPLE_ROWS - len(table.sample), batch.num_rows)
        part = batch.slice(0, wanted)
        columns = [_texts(part.column(i)) if i < part.num_columns else [None] * wanted
                   for i in range(width)]
        table.sample.extend([list(row) for row in zip(*columns, strict=True)] if columns
                            else [[] for _ in range(wanted)])


def _texts(raw: pa.Array) -> list[str | None]:
    return [None if v is None else v.decode("utf-8", "replace")[:200] if isinstance(v, bytes)
            else str(v) for v in raw.to_pylist()]


def _name(name: str, index: int) -> str:
    return name if name.strip() else f"(column {index + 1})"


def _encoding(ext: str, head: bytes, tables: list[_Table]) -> str | None:
    """The text encoding the bytes were read in; None for binary formats."""
    if ext in PARQUET or ext in EXCEL or ext == "xls":
        return None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if any(c.fell_back for t in tables for c in t.columns):
        return "cp1252"
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


_NATIVE = (
    (pa.types.is_boolean, "boolean"), (pa.types.is_integer, "integer"),
    (pa.types.is_floating, "number"), (pa.types.is_decimal, "number"),
    (pa.types.is_date, "date"), (pa.types.is_timestamp, "datetime"),
    (pa.types.is_nested, "nested"), (pa.types.is_string, "text"),
    (pa.types.is_large_string, "text"),
)


def _parquet_types(handle: BinaryIO) -> dict[str, str]:
    """A Parquet file's own column types (from its footer), when the stream can seek."""
    try:
        if not handle.seekable():
            return {}
        import pyarrow.parquet as pq

        schema = pq.ParquetFile(handle).schema_arrow
        handle.seek(0)
    except (pa.ArrowException, OSError, ValueError):
        try:
            handle.seek(0)
        except (OSError, ValueError):
            pass
        return {}
    types: dict[str, str] = {}
    for item in schema:
        kind = item.type
        if pa.types.is_dictionary(kind):
            kind = kind.value_type
        types[item.name] = next((name for test, name in _NATIVE if test(kind)), "text")
    return types
