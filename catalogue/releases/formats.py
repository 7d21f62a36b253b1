"""Parquet, Excel and JSON as chunks of `ScanOptions.chunk_rows` rows, each column turned into
bytes the way a CSV would spell it (`as_binary`), so that one set of detectors serves every
format. Parquet is read by batches, Excel through openpyxl's read-only mode, JSON lines line by
line; a JSON document is read whole, up to a limit. The zip and Parquet readers need to seek: a
stream that cannot is first spooled to a temporary file.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import (
    Chunk,
    NotATable,
    TableUnreadable,
    decode,
    empty_chunk,
    read_at_most,
    reason,
)

JSON_DOCUMENT_LIMIT = 64 * 1024 * 1024  # a JSON document (not lines) is read whole, up to this


def as_binary(array: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """A column's values as bytes, the way a CSV would spell them (nested values as JSON).
    Whole-number floats lose their `.0` so that a count or an NHS number stored as a float
    reads as the integer it is. None for a type that holds no text (nulls, extensions)."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_binary(kind):
        return array
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or \
            pa.types.is_large_binary(kind):
        return array.cast(pa.binary())
    if pa.types.is_floating(kind):
        finite = pc.is_finite(array)
        whole = pc.all(pc.or_kleene(pc.invert(finite), pc.equal(pc.floor(array), array)))
        if whole.as_py() is not False and pc.all(pc.less(pc.abs(array), 2.0 ** 53)).as_py() \
                is not False:
            array = pc.if_else(finite, array, None).cast(pa.int64())
    elif pa.types.is_timestamp(kind):
        midnight = pc.equal(pc.cast(array, pa.time64("us")) if kind.tz is None else
                            pc.cast(pc.local_timestamp(array), pa.time64("us")),
                            pa.scalar(0, pa.time64("us")))
        if pc.all(midnight).as_py() is not False:
            array = array.cast(pa.date32())
    elif pa.types.is_nested(kind):
        return pa.array([None if v is None else json.dumps(v, default=str).encode()
                         for v in array.to_pylist()], pa.binary())
    elif not (pa.types.is_integer(kind) or pa.types.is_date(kind) or
              pa.types.is_boolean(kind) or pa.types.is_decimal(kind) or
              pa.types.is_time(kind)):
        return None
    return array.cast(pa.string()).cast(pa.binary())


@contextmanager
def _seekable(handle: BinaryIO) -> Iterator[BinaryIO]:
    """The handle itself when it can seek, else its bytes spooled to a temporary file (the
    zip and Parquet readers jump around the file), removed afterwards."""
    try:
        seekable = handle.seekable()
    except (AttributeError, OSError, ValueError):
        seekable = False
    if seekable:
        yield handle
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(handle, spool, 1024 * 1024)
        spool.seek(0)
        yield spool


def read_parquet(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    with _seekable(handle) as source:
        try:
            parquet = pq.ParquetFile(source)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise TableUnreadable(f"not a readable Parquet file ({reason(exc)})") from None
        columns = list(parquet.schema_arrow.names)
        first_row = 1
        batches = parquet.iter_batches(batch_size=options.chunk_rows,
                                       use_threads=options.threads)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                break
            except (pa.ArrowException, OSError) as exc:
                raise TableUnreadable(f"the Parquet file could not be read after row "
                                      f"{first_row - 1:,} ({reason(exc)})") from None
            yield Chunk(None, columns, _binary_batch(batch), first_row)
            first_row += batch.num_rows
        if first_row == 1:
            yield empty_chunk(columns)


def _binary_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    arrays = [as_binary(column) for column in batch.columns]
    return pa.RecordBatch.from_arrays(
        [a if a is not None else pa.nulls(batch.num_rows, pa.binary()) for a in arrays],
        names=[f"f{i}" for i in range(len(arrays))])


def _rows_batch(rows: list[list[str | None]], width: int) -> pa.RecordBatch:
    columns = [[row[i] if i < len(row) else None for row in rows] for i in range(width)]
    return pa.RecordBatch.from_arrays(
        [pa.array([v.encode("utf-8", "replace") if v is not None else None for v in column],
                  pa.binary()) for column in columns],
        names=[f"f{i}" for i in range(width)])


def _cell_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def read_excel(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
    from zipfile import BadZipFile

    import openpyxl

    with _seekable(handle) as source:
        try:
            book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except (BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
            raise TableUnreadable(f"not a readable Excel workbook ({reason(exc)})") from None
        yield from _sheets(book, options)


def _sheets(book: Any, options: ScanOptions) -> Iterator[Chunk]:
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header: list[str] | None = None
            pending: list[list[str | None]] = []
            first_row = 1
            for values in rows:
                cells = [_cell_text(v) for v in values]
                if header is None:
                    if any(cells):
                        header = [c or "" for c in cells]
                    continue
                if not any(cells):
                    continue
                pending.append(cells)
                if len(pending) >= options.chunk_rows:
                    yield Chunk(sheet.title, header, _rows_batch(pending, len(header)),
                                first_row, _overflow(pending, len(header)))
                    first_row += len(pending)
                    pending = []
            if header is not None and (pending or first_row == 1):
                yield Chunk(sheet.title, header, _rows_batch(pending, len(header)), first_row,
                            _overflow(pending, len(header)))
    finally:
        book.close()


def _overflow(rows: list[list[str | None]], width: int) -> list[str]:
    """Cells beyond the header's width, which belong to no column but are still scanned."""
    return [" ".join(c for c in row[width:] if c) for row in rows
            if len(row) > width and any(row[width:])]


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _records_chunks(records: Iterator[Any], options: ScanOptions) -> Iterator[Chunk]:
    """Chunks of JSON objects: their keys (in order of appearance) are the columns; a value
    that is not an object is scanned as malformed text."""
    columns: dict[str, int] = {}
    pending: list[dict[str, Any]] = []
    odd: list[str] = []
    first_row = 1

    def flush() -> Chunk:
        rows = [[None] * len(columns) for _ in pending]
        for row, record in zip(rows, pending, strict=True):
            for key, value in record.items():
                row[columns[key]] = _json_text(value)
        return Chunk(None, list(columns), _rows_batch(rows, len(columns)), first_row, odd[:])

    for record in records:
        if isinstance(record, dict):
            if "properties" in record and isinstance(record["properties"], dict):
                record = {**record["properties"], **{k: v for k, v in record.items()
                                                     if k not in ("properties", "geometry")}}
            for key in record:
                columns.setdefault(str(key), len(columns))
            pending.append({str(k): v for k, v in record.items()})
        else:
            odd.append(_json_text(record) or "")
        if len(pending) + len(odd) >= options.chunk_rows:
            yield flush()
            first_row += len(pending)
            pending, odd = [], []
    if pending or odd or first_row == 1:
        yield flush()


def read_json_lines(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
    def records() -> Iterator[Any]:
        for number, line in enumerate(_lines(handle), 1):
            if line.strip():
                try:
                    yield json.loads(line.decode("utf-8", "replace"))
                except json.JSONDecodeError as exc:
                    raise TableUnreadable(f"line {number:,} is not JSON ({exc.msg})") from None

    return _records_chunks(records(), options)


def _lines(handle: BinaryIO, block: int = 1024 * 1024) -> Iterator[bytes]:
    """The stream's lines, without wrapping it (a wrapper would close it when collected)."""
    rest = b""
    while data := handle.read(block):
        lines = (rest + data).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest


def read_json_document(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
    """A JSON document: an array of objects, an object holding one (`data`, `records`, a
    GeoJSON `features`), or JSON lines under a .json name. Read whole, up to a limit."""
    data = read_at_most(handle, JSON_DOCUMENT_LIMIT + 1)
    if len(data) > JSON_DOCUMENT_LIMIT:
        raise NotATable("a JSON document over 64 MiB is not scanned; JSON lines (.jsonl) "
                        "would be read in chunks")
    text = decode(data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:
            lines = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise TableUnreadable(f"not JSON ({exc.msg} at line {exc.lineno})") from None
        return _records_chunks(iter(lines), options)
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list)]
        document = lists[0] if len(lists) == 1 else [document]
    if not isinstance(document, list):
        raise NotATable("the JSON document holds no list of records")
    return _records_chunks(iter(document), options)
