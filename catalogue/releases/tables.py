"""A file's bytes as a stream of chunks of rows, in bounded memory whatever the file's size:
`read_chunks` picks the reader by the file's extension (`delimited` for CSV and TSV, `formats`
for Parquet, Excel and JSON). A stream that cannot be parsed raises `TableUnreadable`, a format
that is not a table raises `NotATable` (both in `chunks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import Chunk, NotATable
from catalogue.releases.delimited import read_delimited
from catalogue.releases.formats import (
    read_excel,
    read_json_document,
    read_json_lines,
    read_parquet,
)

DELIMITED = {"csv": ",", "tsv": "\t", "tab": "\t"}
EXCEL = {"xlsx", "xlsm"}
PARQUET = {"parquet", "pq"}
JSON_LINES = {"jsonl", "ndjson"}
JSON_DOCUMENT = {"json", "geojson"}


def extension(filename: str) -> str:
    name = filename.rsplit("/", 1)[-1].lower()
    return name.rsplit(".", 1)[-1] if "." in name else ""


def read_chunks(handle: BinaryIO, filename: str, options: ScanOptions) -> Iterator[Chunk]:
    """The file's rows, chunk by chunk. Raises NotATable at once for a format that is not
    tabular, TableUnreadable (possibly after some chunks) for bytes that do not parse."""
    ext = extension(filename)
    if ext in DELIMITED:
        return read_delimited(handle, DELIMITED[ext], ext == "csv", options)
    if ext in PARQUET:
        return read_parquet(handle, options)
    if ext in EXCEL:
        return read_excel(handle, options)
    if ext in JSON_LINES:
        return read_json_lines(handle, options)
    if ext in JSON_DOCUMENT:
        return read_json_document(handle, options)
    if ext == "xls":
        raise NotATable("Excel 97-2003 workbooks (.xls) are not read; save it as .xlsx")
    raise NotATable(f"a .{ext} file is not read as a table" if ext else
                    "a file without an extension is not read as a table")
