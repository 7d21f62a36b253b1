"""The first rows of a version's table, read from the DVC remote for a reader who may read the
version (`downloads`, hence `access`), masked unless the reader is in the dataset's department
(`masking`). Only the first block of the file is read, whatever its size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlmodel import Session

from catalogue import browse
from catalogue.access import Reader
from catalogue.downloads import IsADirectory, open_download
from catalogue.errors import InvalidInput
from catalogue.profiles.masking import mask_rows, sees_unmasked
from catalogue.profiles.profiler import is_tabular
from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import NotATable, TableUnreadable
from catalogue.releases.tables import read_chunks
from registry.storage import RegistryStorage

DEFAULT_ROWS = 10
MAX_ROWS = 100
MAX_COLUMNS = 100
CELL = 200


class _Chunks:
    """A read-only stream over a download's chunks (closed with it)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._buffer = b""
        self.closed = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            block = next(self._chunks, None)
            if block is None:
                break
            self._buffer += block
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self.closed = True


def parse_rows(value: str | None) -> int:
    if value is None or value == "":
        return DEFAULT_ROWS
    try:
        rows = int(value)
    except ValueError:
        raise InvalidInput("rows", f"must be a whole number from 1 to {MAX_ROWS}") from None
    if not 1 <= rows <= MAX_ROWS:
        raise InvalidInput("rows", f"must be a whole number from 1 to {MAX_ROWS}")
    return rows


def preview(s: Session, storage: RegistryStorage, reader: Reader, department: str, slug: str,
            number: int, path: str | None, rows: int = DEFAULT_ROWS) -> dict[str, Any]:
    """`{path, columns, rows, masked: [column…]}` of the first `rows` rows (the first sheet).
    Raises InvalidInput naming `path` for a folder or a file that is not a readable table."""
    dataset, _ = browse.readable_version(s, reader, department, slug, number)  # 404 first
    if not path:
        raise InvalidInput("path", "give the path of a file of the version, such as data.csv")
    if not is_tabular(path):
        raise InvalidInput("path", f"{path} is not a table (CSV, TSV, Excel, Parquet or JSON)")
    try:
        opened = open_download(s, storage, reader, department, slug, number, path)
    except IsADirectory:
        raise InvalidInput("path", f"{path} is a folder: give a file in it") from None
    handle = _Chunks(opened.chunks)
    options = ScanOptions(chunk_rows=rows, chunk_bytes=1024 * 1024, threads=False)
    try:
        chunk = next(iter(read_chunks(handle, path, options)), None)
    except (NotATable, TableUnreadable) as exc:
        raise InvalidInput("path", f"{path} cannot be read as a table: {exc}") from None
    finally:
        handle.close()
    if chunk is None:
        return {"path": path, "columns": [], "rows": [], "masked": []}
    columns = [str(c) for c in chunk.columns[:MAX_COLUMNS]]
    table = chunk.batch.slice(0, rows)
    values = [[_text(v) for v in table.column(i).to_pylist()] if i < table.num_columns
              else [None] * table.num_rows for i in range(len(columns))]
    found = [list(row) for row in zip(*values, strict=True)] if values else []
    if sees_unmasked(reader, dataset.department, dataset.owners):
        return {"path": path, "columns": columns, "rows": found, "masked": []}
    masked_rows, masked = mask_rows(columns, found)
    return {"path": path, "columns": columns, "rows": masked_rows, "masked": masked}


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text if len(text) <= CELL else text[:CELL - 1] + "…"
