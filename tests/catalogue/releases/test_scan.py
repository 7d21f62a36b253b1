"""Reading the bytes: chunked CSV, the other tabular formats, broken and unreadable files, and
a file read through the registry's storage as the release checks will read it."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from catalogue.releases.checks import ScanOptions
from catalogue.releases.scan import run_content_checks, run_stored_checks
from registry.storage import OutputRef, RegistryStorage
from tests.catalogue.releases.helpers import findings


def big_csv(rows: int) -> str:
    lines = ["period,ward,households,notes"]
    lines += [f"2024-{i % 12 + 1:02d},Ward {i % 40},{10 + i % 300},Figures revised"
              for i in range(rows)]
    lines[rows // 2] = "2024-01,Ward 1,3,email jane.smith@norfolk.gov.uk"  # one small count
    lines[-1] = "2024-12,Ward 9,17,call 07812 345678"
    return "\n".join(lines) + "\n"


def test_a_file_larger_than_a_chunk_is_read_in_bounded_chunks(scan):
    content = big_csv(20_000)
    assert len(content) > 40 * 16 * 1024
    personal, disclosure = scan("big.csv", content, chunk_bytes=16 * 1024)

    assert personal.evidence["chunks"] > 10
    assert personal.evidence["rows_scanned"] == 20_000
    found = findings(personal, "fail")
    assert found[("notes", "email")]["matches"] == 1
    assert found[("notes", "phone")]["matches"] == 1  # in the very last row
    assert disclosure.evidence["small_cells"] == 1
    assert disclosure.evidence["columns"][0]["first_rows"] == [10_000]

    whole, _ = scan("big-one-chunk.csv", content)
    assert whole.evidence["chunks"] == 1
    assert findings(whole) == found


def test_tab_separated_and_semicolon_separated(scan):
    tsv, _ = scan("a.tsv", "ward\tcontact\nAbbey\tjane@norfolk.gov.uk\n")
    assert findings(tsv, "fail")[("contact", "email")]["matches"] == 1
    semi, _ = scan("b.csv", "ward;contact\nAbbey;jane@norfolk.gov.uk\n")
    assert findings(semi, "fail")[("contact", "email")]["matches"] == 1


def test_rows_that_do_not_parse_are_still_scanned(scan):
    content = "ward,households\nAbbey,12\nBank,14,jane@norfolk.gov.uk\nCastle,20\n"
    personal, disclosure = scan("ragged.csv", content)

    assert personal.outcome == "fail"
    assert personal.evidence["unparsed_rows"] == 1
    assert findings(personal, "fail")[("(rows that did not parse)", "email")]["matches"] == 1
    assert "1 row could not be split into columns" in personal.summary

    clean, _ = scan("ragged-clean.csv", "ward,households\nAbbey,12\nBank,14,extra\n")
    assert clean.outcome == "warn", clean.summary


def test_bytes_that_are_not_a_csv_fail_both_checks_with_the_reason(scan):
    personal, disclosure = scan("packed.csv", gzip.compress(b"ward,households\nAbbey,3\n"))

    assert personal.outcome == "fail"
    assert disclosure.outcome == "fail"
    assert "not text" in personal.summary
    assert "not text" in disclosure.evidence["error"]


def test_a_cp1252_byte_deep_in_the_file_does_not_stop_the_scan(scan):
    content = big_csv(30_000).encode() + "Dale,Caf\xe9 \xa35,12,ok\n".encode("cp1252")
    personal, _ = scan("latin.csv", content, chunk_bytes=64 * 1024)

    assert personal.evidence["rows_scanned"] == 30_001
    assert "error" not in personal.evidence
    assert findings(personal, "fail")[("notes", "email")]["matches"] == 1


def test_a_header_without_rows_is_still_judged(scan):
    personal, disclosure = scan("header.csv", "ward,email,households\n")

    assert personal.outcome == "warn"
    assert findings(personal, "warn")[("email", "email")]["matches"] == 0
    assert disclosure.outcome == "pass"

    empty, _ = scan("empty.csv", b"")
    assert empty.outcome == "pass"
    assert empty.evidence["rows_scanned"] == 0


def test_a_closed_handle_fails_both_checks(tmp_path: Path):
    path = tmp_path / "gone.csv"
    path.write_text("ward,households\nAbbey,3\n")
    handle = path.open("rb")
    handle.close()

    personal, disclosure = run_content_checks(handle, "gone.csv")
    assert (personal.outcome, disclosure.outcome) == ("fail", "fail")
    assert "could not be read" in personal.summary


def test_a_format_that_is_not_a_table_is_not_scanned_and_says_so(scan):
    personal, disclosure = scan("report.pdf", b"%PDF-1.7 jane@norfolk.gov.uk")

    assert (personal.outcome, disclosure.outcome) == ("warn", "warn")
    assert personal.evidence["scanned"] is False
    assert "check it by hand" in personal.summary


def test_parquet_by_batches(tmp_path: Path, scan):
    table = pa.table({
        "ward": [f"Ward {i}" for i in range(1000)],
        "households": pa.array([3 if i == 500 else 40 + i for i in range(1000)], pa.int64()),
        "nhs": pa.array([9434765919 if i == 999 else None for i in range(1000)], pa.float64()),
        "dob": pa.array([datetime(1980, 1, 2) if i == 7 else None for i in range(1000)]),
    })
    pq.write_table(table, tmp_path / "w.parquet", row_group_size=100)
    personal, disclosure = scan("t.parquet", (tmp_path / "w.parquet").read_bytes(),
                                chunk_rows=250)

    assert personal.evidence["chunks"] == 4
    found = findings(personal, "fail")
    assert found[("nhs", "nhs_number")]["matches"] == 1
    assert found[("dob", "date_of_birth")]["sample"] == "198*-**-**"
    assert disclosure.evidence["columns"][0]["first_rows"] == [501]


def test_a_truncated_parquet_file_fails_with_the_reason(tmp_path: Path, scan):
    pq.write_table(pa.table({"households": [1, 2, 3]}), tmp_path / "w.parquet")
    personal, _ = scan("cut.parquet", (tmp_path / "w.parquet").read_bytes()[:-20])

    assert personal.outcome == "fail"
    assert "not a readable Parquet file" in personal.summary


def test_excel_sheets_are_scanned_each(tmp_path: Path, scan):
    book = openpyxl.Workbook()
    summary = book.active
    summary.title = "Summary"
    summary.append(["ward", "households"])
    summary.append(["Abbey", 2])
    contacts = book.create_sheet("Contacts")
    contacts.append(["officer", "Email"])
    contacts.append(["J Smith", "jane.smith@norfolk.gov.uk"])
    contacts.append(["Born", datetime(1975, 6, 1)])
    book.save(tmp_path / "w.xlsx")
    personal, disclosure = scan("w.xlsx", (tmp_path / "w.xlsx").read_bytes())

    assert personal.evidence["sheets"] == ["Summary", "Contacts"]
    email = [f for f in personal.evidence["findings"] if f["kind"] == "email"]
    assert email[0]["sheet"] == "Contacts" and email[0]["matches"] == 1
    assert disclosure.evidence["columns"] == [
        {"sheet": "Summary", "column": "households", "small_cells": 1, "cells": 1,
         "suppressed_cells": 0, "first_rows": [1]}]

    with subprocess.Popen(["cat", str(tmp_path / "w.xlsx")], stdout=subprocess.PIPE) as cat:
        assert cat.stdout is not None and not cat.stdout.seekable()
        piped, _ = run_content_checks(cat.stdout, "w.xlsx")  # spooled to a temporary file
    assert piped.to_dict() == personal.to_dict()

    broken, _ = scan("broken.xlsx", b"PK\x03\x04 not really a workbook")
    assert broken.outcome == "fail"
    assert "not a readable Excel workbook" in broken.summary


def test_json_lines_and_json_documents(scan):
    lines = "\n".join(json.dumps({"ward": f"W{i}", "people": i + 10,
                                  "contact": "jane@norfolk.gov.uk" if i == 5 else None})
                      for i in range(30))
    personal, _ = scan("a.jsonl", lines, chunk_rows=10)
    assert personal.evidence["chunks"] == 3
    assert findings(personal, "fail")[("contact", "email")]["matches"] == 1

    document = json.dumps({"data": [{"ward": "A", "ni": "AB123456C"}]})
    personal, _ = scan("b.json", document)
    assert findings(personal, "fail")[("ni", "ni_number")]["matches"] == 1

    broken, _ = scan("c.jsonl", '{"ward": "A"}\n{"ward": \n')
    assert broken.outcome == "fail"
    assert "line 2 is not JSON" in broken.summary


def _output(registry, key: str, name: str) -> OutputRef:
    dvc = registry.path / key / f"{name}.dvc"
    md5 = yaml.safe_load(dvc.read_text())["outs"][0]["md5"]
    return OutputRef(f"{key}/{name}", md5, f"{key}/{name}.dvc")


def test_a_version_read_through_the_registry_storage(registry):
    """The bytes as the release checks will get them: RegistryStorage.open_file(...).handle."""
    content = "ward,contact,households\nAbbey,jane.smith@norfolk.gov.uk,3\n"
    sha = registry.version("housing/contacts", {"contacts.csv": content}, "Contacts",
                           personal_data=False)
    output = _output(registry, "housing/contacts", "contacts.csv")

    opened = RegistryStorage().open_file(str(registry.path), sha, output)
    try:
        personal, disclosure = run_content_checks(opened.handle, "contacts.csv", ScanOptions())
    finally:
        opened.handle.close()
    assert personal.outcome == "fail"
    assert disclosure.outcome == "warn"

    stored = run_stored_checks(RegistryStorage(), str(registry.path), sha, output)
    assert [r.to_dict() for r in stored] == [personal.to_dict(), disclosure.to_dict()]


def test_bytes_missing_from_the_remote_fail_both_checks_with_the_reason(registry):
    sha = registry.version("housing/voids", {"voids.csv": "property,days\nP1,40\n"}, "Voids")
    shutil.rmtree(registry.remote)
    registry.remote.mkdir()

    personal, disclosure = run_stored_checks(RegistryStorage(), str(registry.path), sha,
                                             _output(registry, "housing/voids", "voids.csv"))
    assert (personal.outcome, disclosure.outcome) == ("fail", "fail")
    assert personal.summary.startswith("The file could not be scanned: the bytes are "
                                       "unavailable")
    assert personal.evidence["rows_scanned"] == 0
