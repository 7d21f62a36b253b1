"""What the readers hand the checks: chunks of a table's rows, one column of a chunk at a
time, and the errors a reader raises, whose messages are safe to show (never a row of the file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc


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


def empty_chunk(columns: list[str], table: str | None = None) -> Chunk:
    """No rows: the header alone, so that its names are still judged."""
    return Chunk(table, columns, pa.RecordBatch.from_arrays(
        [pa.array([], pa.binary())] * len(columns), names=[f"f{i}" for i in range(len(columns))]),
        1)


def read_at_most(handle: BinaryIO, limit: int) -> bytes:
    parts, size = [], 0
    while size < limit:
        block = handle.read(limit - size)
        if not block:
            break
        parts.append(block)
        size += len(block)
    return b"".join(parts)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # a character cut by the end of the peek
            return data[:exc.start].decode("utf-8")
        return data.decode("cp1252", errors="replace")


_ROW_TEXT = re.compile(r":\s.*$", re.S)


def reason(exc: BaseException) -> str:
    """An error's message without any row text the parser may have quoted in it."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "CSV parse error" in message or "conversion error" in message.lower():
        message = _ROW_TEXT.sub("", message.split(": ", 1)[-1]) if ": " in message else message
    return message[:200]
