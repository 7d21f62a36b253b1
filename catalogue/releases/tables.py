"""A file's bytes as a stream of column batches, in bounded memory whatever the file's size.

Delimited text (CSV, TSV) is parsed by pyarrow's streaming reader in blocks of at most 1 MiB
(it reads several ahead, and memory grows with the block), joined into chunks of
`ScanOptions.chunk_bytes`; every column as raw bytes (`binary`): no type inference that a later
block could contradict, and no decoding step that a stray cp1252 byte a million rows down could
break (the detectors' patterns are ASCII, which UTF-8, Latin-1 and cp1252 all share). A row
that cannot be split into the header's columns is not lost: its text travels with the batch so
the personal-data scan still reads it. Parquet is read by batches, Excel through openpyxl's
read-only mode and JSON lines line by line, `chunk_rows` rows at a time; each column is turned
into bytes (`as_binary`) so one set of detectors serves every format.

A stream that cannot be parsed raises `TableUnreadable`, a format that is not a table raises
`NotATable`; both carry a message safe to show (never a row of the file).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from catalogue.releases.checks import ScanOptions

DELIMITED = {"csv": ",", "tsv": "\t", "tab": "\t"}
EXCEL = {"xlsx", "xlsm"}
PARQUET = {"parquet", "pq"}
JSON_LINES = {"jsonl", "ndjson"}
JSON_DOCUMENT = {"json", "geojson"}
HEADER_LIMIT = 1024 * 1024  # the header row must end within the first MiB
READ_BLOCK = 1024 * 1024  # pyarrow's CSV block: it reads several ahead, so keep it small
JSON_DOCUMENT_LIMIT = 64 * 1024 * 1024  # a JSON document (not lines) is read whole, up to this


class TableUnreadable(Exception):
    """The bytes could not be read as the table their name says they are."""


class NotATable(Exception):
    """The file's format is not one the content checks read as a table."""


@dataclass
class Chunk:
    """Some rows of one table: `columns` names `batch`'s columns (all binary); `table` is the
    sheet's name for Excel, None otherwise; `malformed` holds the text of rows that could not
    be split into columns; `first_row` is the number of the chunk's first data row (1-based)."""

    table: str | None
    columns: list[str]
    batch: pa.RecordBatch
    first_row: int
    malformed: list[str] = field(default_factory=list)


def extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def read_chunks(handle: BinaryIO, filename: str, options: ScanOptions) -> Iterator[Chunk]:
    """The file's rows, chunk by chunk. Raises NotATable at once for a format that is not
    tabular, TableUnreadable (possibly after some chunks) for bytes that do not parse."""
    ext = extension(filename)
    if ext in DELIMITED:
        return _delimited(handle, DELIMITED[ext], ext == "csv", options)
    if ext in PARQUET:
        return _parquet(handle, options)
    if ext in EXCEL:
        return _excel(handle, options)
    if ext in JSON_LINES:
        return _json_lines(handle, options)
    if ext in JSON_DOCUMENT:
        return _json_document(handle, options)
    if ext == "xls":
        raise NotATable("Excel 97-2003 workbooks (.xls) are not read; save it as .xlsx")
    raise NotATable(f"a .{ext} file is not read as a table" if ext else
                    "a file without an extension is not read as a table")


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


# ---- delimited text -------------------------------------------------------------------------

class _Prefixed:
    """A read-only stream: the bytes already peeked, then the rest of the handle."""

    closed = False

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = head
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._rest.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)


def _delimited(handle: BinaryIO, delimiter: str, sniff: bool,
               options: ScanOptions) -> Iterator[Chunk]:
    import pyarrow.csv as pacsv

    head = _read_at_most(handle, HEADER_LIMIT)
    encoding = "utf8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        text = head.decode("utf-16", errors="ignore")
    else:
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8):]
        if b"\x00" in head:
            raise TableUnreadable("the file is not text (it holds NUL bytes)")
        text = _decode(head)
    if not text.strip():
        return
    if sniff:
        delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise TableUnreadable(f"the header row could not be read ({_reason(exc)})") from None
    header_lines = reader.line_num
    if len(head) == HEADER_LIMIT and "\n" not in text[:len(text) - 1]:
        raise TableUnreadable("no end to the header row in the first MiB")
    columns = [name.strip() for name in header]
    generated = [f"f{i}" for i in range(len(columns))]
    malformed: list[str] = []

    def invalid(row: Any) -> str:
        malformed.append(row.text or "")
        return "skip"

    stream = pacsv.open_csv(
        _Prefixed(head, handle),
        read_options=pacsv.ReadOptions(
            column_names=generated, skip_rows=header_lines,
            block_size=min(options.chunk_bytes, READ_BLOCK),
            use_threads=options.threads, encoding=encoding),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.binary() for name in generated}, check_utf8=False,
            strings_can_be_null=True, quoted_strings_can_be_null=True,
            null_values=[""]))
    first_row, pending, size = 1, [], 0
    while True:
        try:
            batch = stream.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, UnicodeError, OSError) as exc:
            raise TableUnreadable(f"the file could not be parsed after row "
                                  f"{first_row + sum(b.num_rows for b in pending) - 1:,} "
                                  f"({_reason(exc)})") from None
        pending.append(batch)
        size += batch.nbytes
        if size >= options.chunk_bytes:
            yield _joined(columns, pending, first_row, malformed)
            first_row += sum(b.num_rows for b in pending)
            pending, size = [], 0
    if pending or malformed:
        yield _joined(columns, pending or [_empty(columns).batch], first_row, malformed)
    elif first_row == 1:
        yield _empty(columns)


def _joined(columns: list[str], batches: list[pa.RecordBatch], first_row: int,
            malformed: list[str]) -> Chunk:
    """The reader's small blocks as one chunk: the checks' per-chunk work is then paid once
    per `chunk_bytes`, while the reader's read-ahead (several blocks) stays small."""
    batch = batches[0] if len(batches) == 1 else \
        pa.Table.from_batches(batches).combine_chunks().to_batches()[0]
    texts = malformed[:]
    malformed.clear()
    return Chunk(None, columns, batch, first_row, texts)


def _read_at_most(handle: BinaryIO, limit: int) -> bytes:
    parts, size = [], 0
    while size < limit:
        block = handle.read(limit - size)
        if not block:
            break
        parts.append(block)
        size += len(block)
    return b"".join(parts)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a character cut by the end of the peek
            return data[:exc.start].decode("utf-8")
        return data.decode("cp1252", errors="replace")


def _sniff(text: str) -> str:
    """The delimiter of a .csv: the one of `,;|\\t` most frequent in its first line."""
    line = text.split("\n", 1)[0]
    counts = {d: line.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


_ROW_TEXT = re.compile(r":\s.*$", re.S)


def _reason(exc: BaseException) -> str:
    """An error's message without any row text the parser may have quoted in it."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "CSV parse error" in message or "conversion error" in message.lower():
        message = _ROW_TEXT.sub("", message.split(": ", 1)[-1]) if ": " in message else message
    return message[:200]


# ---- Parquet, Excel, JSON -------------------------------------------------------------------

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


def _empty(columns: list[str], table: str | None = None) -> Chunk:
    """No rows: the header alone, so that its names are still judged."""
    return Chunk(table, columns, pa.RecordBatch.from_arrays(
        [pa.array([], pa.binary())] * len(columns), names=[f"f{i}" for i in range(len(columns))]),
        1)


def _parquet(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
    import pyarrow.parquet as pq

    with _seekable(handle) as source:
        try:
            parquet = pq.ParquetFile(source)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise TableUnreadable(f"not a readable Parquet file ({_reason(exc)})") from None
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
                                      f"{first_row - 1:,} ({_reason(exc)})") from None
            yield Chunk(None, columns, _binary_batch(batch), first_row)
            first_row += batch.num_rows
        if first_row == 1:
            yield _empty(columns)


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


def _excel(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
    from zipfile import BadZipFile

    import openpyxl

    with _seekable(handle) as source:
        try:
            book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except (BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
            raise TableUnreadable(f"not a readable Excel workbook ({_reason(exc)})") from None
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


def _json_lines(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
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


def _json_document(handle: BinaryIO, options: ScanOptions) -> Iterator[Chunk]:
    """A JSON document: an array of objects, an object holding one (`data`, `records`, a
    GeoJSON `features`), or JSON lines under a .json name. Read whole, up to a limit."""
    data = _read_at_most(handle, JSON_DOCUMENT_LIMIT + 1)
    if len(data) > JSON_DOCUMENT_LIMIT:
        raise NotATable("a JSON document over 64 MiB is not scanned; JSON lines (.jsonl) "
                        "would be read in chunks")
    text = _decode(data)
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


# ---- one column of a chunk, as the checks read it -------------------------------------------

@dataclass
class ColumnValues:
    """One column of one chunk. `values` holds its non-null values, each once when
    `counts` is given (`counts[i]` cells hold `values[i]`), every cell when it is None;
    `raw` is the column as read, to find rows; `first_row` the chunk's first row number."""

    table: str | None
    name: str
    raw: pa.Array
    values: pa.Array
    counts: pa.Array | None
    first_row: int

    @classmethod
    def of(cls, table: str | None, name: str, raw: pa.Array, first_row: int,
           dedupe: bool) -> ColumnValues:
        if dedupe:
            counted = pc.value_counts(raw)
            values, counts = counted.field("values"), counted.field("counts")
            if values.null_count:
                valid = pc.is_valid(values)
                values, counts = values.filter(valid), counts.filter(valid)
            return cls(table, name, raw, values, counts, first_row)
        return cls(table, name, raw, pc.drop_null(raw) if raw.null_count else raw, None,
                   first_row)

    @property
    def cells(self) -> int:
        """How many non-null cells the column has in this chunk."""
        return len(self.values) if self.counts is None else int(pc.sum(self.counts).as_py() or 0)

    def where(self, mask: pa.Array) -> ColumnValues:
        return ColumnValues(self.table, self.name, self.raw, self.values.filter(mask),
                            None if self.counts is None else self.counts.filter(mask),
                            self.first_row)

    def total(self, mask: pa.Array | None = None) -> int:
        """Cells whose value `mask` selects (all cells without one)."""
        if mask is None:
            return self.cells
        if self.counts is None:
            return int(pc.sum(mask).as_py() or 0)
        return int(pc.sum(pc.if_else(mask, self.counts, 0)).as_py() or 0)
