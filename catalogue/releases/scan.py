"""Run the content checks over a file's bytes: one read, both answers.

`run_content_checks(handle, filename, options)` reads the stream once (a 1 GB file is not
read twice) and answers the personal-data scan and the disclosure check together;
`check_personal_data` and `check_disclosure` answer one each. Whatever the bytes, they answer:
a file that cannot be read or parsed fails both checks with the reason; a format that is not a
table (a PDF, a zip) warns on both that it was not scanned, so that a reviewer looks at it.
"""

from __future__ import annotations

import logging
from typing import Any, BinaryIO

import pyarrow as pa

from catalogue.releases.checks import (
    DISCLOSURE,
    PERSONAL_DATA,
    CheckResult,
    ScanOptions,
)
from catalogue.releases.chunks import ColumnValues, NotATable, TableUnreadable
from catalogue.releases.disclosure import DisclosureScan
from catalogue.releases.personal_data import PersonalDataScan
from catalogue.releases.tables import extension, read_chunks
from registry.storage import (
    BytesUnavailable,
    IsADirectory,
    NotInOutput,
    OutputRef,
    RegistryStorage,
)

log = logging.getLogger(__name__)

DEDUPE_MIN_ROWS = 1000
DEDUPE_MAX_SHARE = 0.5  # distinct values per cell above which a column is read cell by cell


def run_content_checks(handle: BinaryIO, filename: str,
                       options: ScanOptions | None = None) -> list[CheckResult]:
    """The personal-data scan and the disclosure check of one file, in that order.
    `handle`: the file's bytes, read once to the end; `filename`: its name or path, whose
    extension says the format (csv, tsv, xlsx, parquet, jsonl, json…)."""
    return list(_Scan(options or ScanOptions()).run(handle, filename))


def check_personal_data(handle: BinaryIO, filename: str,
                        options: ScanOptions | None = None) -> CheckResult:
    return run_content_checks(handle, filename, options)[0]


def check_disclosure(handle: BinaryIO, filename: str,
                     options: ScanOptions | None = None) -> CheckResult:
    return run_content_checks(handle, filename, options)[1]


def run_stored_checks(storage: RegistryStorage, git_path: str, rev: str, output: OutputRef,
                      member: str = "", options: ScanOptions | None = None) -> list[CheckResult]:
    """The content checks of a file as the registry's DVC remote holds it at commit `rev`
    (`member`: a file inside a directory output). Bytes that cannot be had (never pushed,
    remote down, a folder) fail both checks with the reason."""
    filename = member or output.path
    try:
        opened = storage.open_file(git_path, rev, output, member)
    except (BytesUnavailable, IsADirectory, NotInOutput) as exc:
        reason = {IsADirectory: f"{filename} is a folder, not a file",
                  NotInOutput: f"no file {filename} in the output"}.get(type(exc), str(exc))
        return list(_Scan(options or ScanOptions())._answer(extension(filename) or "unknown",
                                                            f"the bytes are unavailable: "
                                                            f"{reason}"))
    try:
        return run_content_checks(opened.handle, filename, options)
    finally:
        opened.handle.close()


class _Scan:
    def __init__(self, options: ScanOptions):
        self.options = options
        self.personal = PersonalDataScan(options.today)
        self.disclosure = DisclosureScan(options.disclosure_threshold)
        self.tables: dict[str | None, list[str]] = {}
        self.dedupe: dict[tuple[str | None, int], bool] = {}
        self.rows = 0
        self.chunks = 0

    def run(self, handle: BinaryIO, filename: str) -> tuple[CheckResult, CheckResult]:
        fmt = extension(filename) or "unknown"
        try:
            for chunk in read_chunks(handle, filename, self.options):
                self._chunk(chunk.table, chunk.columns, chunk.batch, chunk.first_row)
                self.personal.observe_unparsed(chunk.malformed)
        except NotATable as exc:
            return _not_scanned(fmt, str(exc))
        except TableUnreadable as exc:
            return self._answer(fmt, str(exc))
        except OSError as exc:
            return self._answer(fmt, f"the bytes could not be read ({exc.strerror or exc})")
        except (pa.ArrowException, UnicodeError, ValueError) as exc:
            log.warning("content scan of %s stopped", filename, exc_info=True)
            return self._answer(fmt, "the bytes could not be read or parsed "
                                     f"({type(exc).__name__})")
        except Exception as exc:  # a check answers; it never takes its caller down
            log.exception("content scan of %s failed", filename)
            return self._answer(fmt, f"the scan stopped ({type(exc).__name__})")
        return self._answer(fmt, None)

    def _chunk(self, table: str | None, columns: list[str], batch: pa.RecordBatch,
               first_row: int) -> None:
        if table not in self.tables:
            self.tables[table] = columns
            self.personal.start_table(table, columns)
            self.disclosure.start_table(table, columns)
        self.chunks += 1
        self.rows += batch.num_rows
        self.personal.add_rows(table, batch.num_rows)
        for index, name in enumerate(columns):
            raw = batch.column(index)
            if raw.null_count == len(raw):
                continue
            key = (table, index)
            column = ColumnValues.of(table, name, raw, first_row, self.dedupe.get(key, True))
            if column.counts is not None and len(raw) >= DEDUPE_MIN_ROWS:
                self.dedupe[key] = len(column.values) <= DEDUPE_MAX_SHARE * len(raw)
            self.personal.observe(index, column)
            if self.disclosure.wants(table, index):
                self.disclosure.observe(index, column)

    def _answer(self, fmt: str, error: str | None) -> tuple[CheckResult, CheckResult]:
        stats: dict[str, Any] = {
            "format": fmt, "rows_scanned": self.rows, "chunks": self.chunks,
            "column_count": sum(len(c) for c in self.tables.values())}
        if any(t is not None for t in self.tables):
            stats["sheets"] = [t for t in self.tables if t is not None]
        return (self.personal.result(stats, error), self.disclosure.result(stats, error))


def _not_scanned(fmt: str, reason: str) -> tuple[CheckResult, CheckResult]:
    evidence = {"format": fmt, "scanned": False, "reason": reason}
    return (CheckResult(PERSONAL_DATA, "warn",
                        f"Not scanned for personal data: {reason}; check it by hand", evidence),
            CheckResult(DISCLOSURE, "warn",
                        f"Not checked for small counts: {reason}; check it by hand", evidence))
