"""Comparing two versions of a dataset: files added, removed and changed; for each table in
both, columns added, removed and retyped, row counts, and each column's statistics side by
side, from the two versions' profiles (no bytes are read for these).

When dataset.yaml declares `primary_key`, a changed table's rows are compared by that key:
rows added, removed and changed, with a sample of each (masked as the profile is). That reads
both files whole, so only tables up to `ROW_DIFF_LIMIT` bytes each are compared this way.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlmodel import Session

from catalogue import browse
from catalogue.access import Reader
from catalogue.errors import InvalidInput
from catalogue.jobs.queue import JobQueue
from catalogue.profiles.masking import mask_column, mask_rows, sees_unmasked
from catalogue.profiles.models import FileProfile
from catalogue.profiles.reads import Entry, entries, primary_key
from catalogue.profiles.work import KIND
from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import NotATable, TableUnreadable
from catalogue.releases.tables import read_chunks
from registry.storage import (
    BytesUnavailable,
    IsADirectory,
    NotInOutput,
    OutputRef,
    RegistryStorage,
)

ROW_DIFF_LIMIT = 64 * 1024 * 1024
SAMPLES = 5
STATS = ("type", "nulls", "distinct", "min", "max", "mean")


def parse_version(value: str | None, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise InvalidInput(field, "must be a version number, such as 3") from None
    if not 1 <= number < 2 ** 31:
        raise InvalidInput(field, "must be a version number, such as 3")
    return number


def compare(s: Session, storage: RegistryStorage, queue: JobQueue, reader: Reader,
            department: str, slug: str, old: int, new: int) -> dict[str, Any]:
    """Version `old` against version `new`."""
    if old == new:
        raise InvalidInput("to", "choose two different versions")
    dataset, before = browse.readable_version(s, reader, department, slug, old)
    _, after = browse.readable_version(s, reader, department, slug, new)
    old_entries, profiles = entries(s, before.id)
    new_entries, profiles = entries(s, after.id, profiles)
    jobs = queue.jobs(KIND, [e.md5 for e in old_entries + new_entries])
    olds = {e.path: e for e in old_entries}
    news = {e.path: e for e in new_entries}
    unmasked = sees_unmasked(reader, dataset.department, dataset.owners)
    key = primary_key(dataset)
    registry, _, _ = browse.version_file(s, reader, department, slug, new)
    files = []
    for path in sorted(olds.keys() | news.keys()):
        a, b = olds.get(path), news.get(path)
        change = "added" if a is None else "removed" if b is None else \
            "unchanged" if a.md5 == b.md5 else "changed"
        entry: dict[str, Any] = {"path": path, "change": change,
                                 "from_md5": a.md5 if a else None, "to_md5": b.md5 if b else None}
        if change in ("changed", "unchanged"):
            entry.update(_tables(profiles.get(a.md5), profiles.get(b.md5), jobs, a, b,
                                 unmasked))
            if change == "changed" and key and entry.get("status") == "done":
                where = (registry.git_path, before.commit_sha, after.commit_sha,
                         f"{department}/{slug}/")
                entry["rows_by_key"] = _row_diff(s, storage, where, a, b, key, unmasked)
        files.append(entry)
    return {"dataset": dataset.key, "from": old, "to": new, "primary_key": key,
            "masked": not unmasked, "files": files}


def _tables(old: FileProfile | None, new: FileProfile | None, jobs: dict,
            a: Entry, b: Entry, unmasked: bool) -> dict[str, Any]:
    if old is None or new is None or not old.tables or not new.tables:
        waiting = [jobs[e.md5].status if e.md5 in jobs else "not-queued"
                   for e, p in ((a, old), (b, new)) if p is None]
        return {"status": waiting[0] if waiting else "done", "schema": None, "rows": None,
                "columns": []}
    first, second = old.tables[0], new.tables[0]
    shown = (lambda c: c) if unmasked else mask_column
    before = {c["name"]: shown(c) for c in first["columns"]}
    after = {c["name"]: shown(c) for c in second["columns"]}
    return {
        "status": "done",
        "rows": {"from": first["rows"], "to": second["rows"],
                 "change": second["rows"] - first["rows"]},
        "schema": {
            "added": [n for n in after if n not in before],
            "removed": [n for n in before if n not in after],
            "retyped": [{"name": n, "from": before[n]["type"], "to": after[n]["type"]}
                        for n in after if n in before and before[n]["type"] != after[n]["type"]],
        },
        "columns": [{"name": n,
                     "from": {k: before[n].get(k) for k in STATS} if n in before else None,
                     "to": {k: after[n].get(k) for k in STATS} if n in after else None}
                    for n in dict.fromkeys([*before, *after])],
    }


def _row_diff(s: Session, storage: RegistryStorage, where: tuple[str, str, str, str],
              a: Entry, b: Entry, key: list[str], unmasked: bool) -> dict[str, Any]:
    """Rows added, removed and changed between two tables, matched by `key`."""
    git_path, old_rev, new_rev, folder = where
    try:
        old = _read_table(storage, git_path, old_rev, folder, a)
        new = _read_table(storage, git_path, new_rev, folder, b)
    except _Skip as exc:
        return {"status": "skipped", "reason": str(exc)}
    for table in (old, new):
        twice = sorted({n for n in table.column_names if table.column_names.count(n) > 1})
        if twice:
            return {"status": "skipped",
                    "reason": f"the column {', '.join(twice)} is named twice in {a.path}"}
    missing = [k for k in key if k not in old.column_names or k not in new.column_names]
    if missing:
        return {"status": "skipped",
                "reason": f"the primary key column {', '.join(missing)} is not in both tables"}
    old_keys, new_keys = _keys(old, key), _keys(new, key)
    added = pc.invert(pc.is_in(new_keys, old_keys))
    removed = pc.invert(pc.is_in(old_keys, new_keys))
    common = sorted(set(old.column_names) & set(new.column_names))
    old_rows = _row_text(old, common)
    new_rows = _row_text(new, common)
    by_key = dict(zip(old_keys.to_pylist(), old_rows.to_pylist(), strict=True))
    changed = [i for i, (k, row) in enumerate(zip(new_keys.to_pylist(), new_rows.to_pylist(),
                                                  strict=True))
               if k in by_key and by_key[k] != row]
    return {
        "status": "done",
        "added": int(pc.sum(added).as_py() or 0),
        "removed": int(pc.sum(removed).as_py() or 0),
        "changed": len(changed),
        "samples": {
            "added": _sample(new, pc.indices_nonzero(added).to_pylist(), unmasked),
            "removed": _sample(old, pc.indices_nonzero(removed).to_pylist(), unmasked),
            "changed": _sample(new, changed, unmasked),
        },
    }


class _Skip(Exception):
    pass


def _read_table(storage: RegistryStorage, git_path: str, rev: str, folder: str,
                entry: Entry) -> pa.Table:
    path = entry.path
    output = OutputRef(folder + entry.output, entry.output_md5, folder + entry.source)
    try:
        opened = storage.open_file(git_path, rev, output, entry.member)
    except (BytesUnavailable, IsADirectory, NotInOutput):
        raise _Skip(f"the bytes of {path} are not in the DVC remote") from None
    if opened.size is not None and opened.size > ROW_DIFF_LIMIT:
        opened.handle.close()
        raise _Skip(f"{path} is over {ROW_DIFF_LIMIT // (1024 * 1024)} MiB: rows are compared "
                    "only for smaller tables")
    options = ScanOptions(threads=False)
    batches, columns = [], None
    try:
        with opened.handle as handle:
            for chunk in read_chunks(handle, path, options):
                if columns is None:
                    columns = chunk.columns
                elif chunk.table is not None and chunk.columns != columns:
                    break  # the first sheet only
                batches.append(chunk.batch)
    except (NotATable, TableUnreadable) as exc:
        raise _Skip(f"{path} could not be read: {exc}") from None
    if columns is None:
        return pa.table({})
    table = pa.Table.from_batches(batches) if batches else pa.table(
        {f"f{i}": pa.array([], pa.binary()) for i in range(len(columns))})
    return table.rename_columns([str(c) for c in columns])


def _keys(table: pa.Table, key: list[str]) -> pa.Array:
    parts = [pc.fill_null(table.column(k).cast(pa.binary()), b"") for k in key]
    if len(parts) == 1:
        return parts[0].combine_chunks()
    return pc.binary_join_element_wise(*parts, b"\x1f").combine_chunks()


def _row_text(table: pa.Table, columns: list[str]) -> pa.Array:
    parts = [pc.fill_null(table.column(c).cast(pa.binary()), b"\x00") for c in columns]
    if not parts:
        return pa.array([b""] * table.num_rows)
    return pc.binary_join_element_wise(*parts, b"\x1f").combine_chunks()


def _sample(table: pa.Table, indices: list[int], unmasked: bool) -> dict[str, Any]:
    picked = table.take(pa.array(indices[:SAMPLES], pa.int64())) if indices else table.slice(0, 0)
    columns = picked.column_names
    rows = [[None if v is None else v.decode("utf-8", "replace")[:200] for v in row]
            for row in zip(*(picked.column(c).to_pylist() for c in columns), strict=True)] \
        if columns else []
    if unmasked:
        return {"columns": columns, "rows": rows, "masked": []}
    masked_rows, masked = mask_rows(columns, rows)
    return {"columns": columns, "rows": masked_rows, "masked": masked}
