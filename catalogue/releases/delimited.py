"""CSV and TSV, streamed: pyarrow's reader in blocks of at most 1 MiB (it reads several ahead,
and memory grows with the block), joined into chunks of `ScanOptions.chunk_bytes`.

Every column is read as raw bytes (`binary`): no type inference that a later block could
contradict, and no decoding step that a stray cp1252 byte a million rows down could break (the
detectors' patterns are ASCII, which UTF-8, Latin-1 and cp1252 share; UTF-16 is transcoded). The
header is read first (with the csv module, so quoted names work) to learn the columns and, for
a .csv, the delimiter. A row that cannot be split into the header's columns is not lost: its
text travels with the chunk so that the personal-data scan still reads it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from typing import Any, BinaryIO

import pyarrow as pa

from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import (
    Chunk,
    TableUnreadable,
    decode,
    empty_chunk,
    read_at_most,
    reason,
)

HEADER_LIMIT = 1024 * 1024  # the header row must end within the first MiB
READ_BLOCK = 1024 * 1024  # pyarrow's CSV block: it reads several ahead, so keep it small


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


def read_delimited(handle: BinaryIO, delimiter: str, sniff: bool,
               options: ScanOptions) -> Iterator[Chunk]:
    import pyarrow.csv as pacsv

    head = read_at_most(handle, HEADER_LIMIT)
    encoding = "utf8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        text = head.decode("utf-16", errors="ignore")
    else:
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8):]
        if b"\x00" in head:
            raise TableUnreadable("the file is not text (it holds NUL bytes)")
        text = decode(head)
    if not text.strip():
        return
    if sniff:
        delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (csv.Error, StopIteration) as exc:
        raise TableUnreadable(f"the header row could not be read ({reason(exc)})") from None
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
                                  f"({reason(exc)})") from None
        pending.append(batch)
        size += batch.nbytes
        if size >= options.chunk_bytes:
            yield _joined(columns, pending, first_row, malformed)
            first_row += sum(b.num_rows for b in pending)
            pending, size = [], 0
    if pending or malformed:
        yield _joined(columns, pending or [empty_chunk(columns).batch], first_row, malformed)
    elif first_row == 1:
        yield empty_chunk(columns)


def _joined(columns: list[str], batches: list[pa.RecordBatch], first_row: int,
            malformed: list[str]) -> Chunk:
    """The reader's small blocks as one chunk: the checks' per-chunk work is then paid once
    per `chunk_bytes`, while the reader's read-ahead (several blocks) stays small."""
    batch = batches[0] if len(batches) == 1 else \
        pa.Table.from_batches(batches).combine_chunks().to_batches()[0]
    texts = malformed[:]
    malformed.clear()
    return Chunk(None, columns, batch, first_row, texts)


def _sniff(text: str) -> str:
    """The delimiter of a .csv: the one of `,;|\\t` most frequent in its first line."""
    line = text.split("\n", 1)[0]
    counts = {d: line.count(d) for d in ",;\t|"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","
