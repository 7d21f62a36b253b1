"""Reading profiles for a reader: a version's files, each with its profile's status (queued,
running, done, failed and why), its statistics, the column descriptions of dataset.yaml beside
them (a column nobody described is marked), and its sample, masked unless the reader is in the
dataset's department (`masking`). Every read goes through `browse` (and so `access`): a
version the reader may not see is not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from catalogue import browse
from catalogue.access import Reader
from catalogue.jobs.models import Job
from catalogue.jobs.queue import JobQueue
from catalogue.models import Dataset, VersionFile
from catalogue.profiles.masking import mask_column, mask_rows, sees_unmasked
from catalogue.profiles.models import FileProfile
from catalogue.profiles.store import profiles_of
from catalogue.profiles.work import KIND, wants_profile

NOT_TABULAR = "not-tabular"
NOT_QUEUED = "not-queued"


@dataclass(frozen=True)
class Entry:
    path: str  # in the dataset's folder (a directory output's files: `<dir>/<member>`)
    md5: str
    output: str = ""  # the DVC output holding it (the file, or its directory)
    output_md5: str = ""
    source: str = ""  # the .dvc file or dvc.lock recording the output
    member: str = ""  # its path inside a directory output


def column_descriptions(dataset: Dataset) -> dict[str, dict[str, Any]]:
    """dataset.yaml's `columns`, by name."""
    described = (dataset.extra or {}).get("columns") or []
    return {c["name"]: c for c in described if isinstance(c, dict) and c.get("name")}


def primary_key(dataset: Dataset) -> list[str]:
    declared = (dataset.extra or {}).get("primary_key")
    if isinstance(declared, str):
        return [declared]
    return [k for k in declared if isinstance(k, str)] if isinstance(declared, list) else []


def entries(s: Session, version_id: int, profiles: dict[str, FileProfile] | None = None,
            ) -> tuple[list[Entry], dict[str, FileProfile]]:
    """A version's files, a directory output's tabular files in its place once its manifest
    was read; and the profiles of all of them."""
    files = s.exec(select(VersionFile).where(VersionFile.version_id == version_id)
                   .order_by(VersionFile.path)).all()
    engine = s.get_bind()
    profiles = dict(profiles or {})
    profiles.update(profiles_of(engine, [f.md5 for f in files if f.md5 not in profiles]))
    found: list[Entry] = []
    for file in files:
        directory = profiles.get(file.md5)
        if directory is not None and directory.format == "directory" and directory.members:
            found.extend(Entry(f"{file.path}/{member}", md5, file.path, file.md5, file.source,
                               member) for member, md5 in directory.members.items())
        else:
            found.append(Entry(file.path, file.md5, file.path, file.md5, file.source))
    profiles.update(profiles_of(engine, [e.md5 for e in found if e.md5 not in profiles]))
    return found, profiles


def version_profile(s: Session, queue: JobQueue, reader: Reader, department: str, slug: str,
                    number: int) -> dict[str, Any]:
    """`{dataset, version, masked, files: [{path, status, reason, rows, columns, …}]}`."""
    dataset, version = browse.readable_version(s, reader, department, slug, number)
    found, profiles = entries(s, version.id)
    jobs = queue.jobs(KIND, [e.md5 for e in found])
    unmasked = sees_unmasked(reader, dataset.department, dataset.owners)
    described = column_descriptions(dataset)
    return {
        "dataset": dataset.key, "version": number, "masked": not unmasked,
        "primary_key": primary_key(dataset),
        "files": [file_profile(e, profiles.get(e.md5), jobs.get(e.md5), described, unmasked)
                  for e in found],
    }


def file_profile(entry: Entry, profile: FileProfile | None, job: Job | None,
                 described: dict[str, dict[str, Any]], unmasked: bool) -> dict[str, Any]:
    status, reason = _status(entry, profile, job)
    body: dict[str, Any] = {
        "path": entry.path, "md5": entry.md5, "status": status, "reason": reason,
        "format": None, "rows": None, "encoding": None, "columns": [], "tables": [],
        "notes": [], "sample": None, "profiled_at": None,
    }
    if profile is None or profile.format == "directory":
        return body
    tables = [_table(t, described, unmasked) for t in profile.tables]
    body.update(format=profile.format, rows=profile.rows, encoding=profile.encoding,
                notes=list(profile.notes), size=profile.size, seconds=profile.seconds,
                profiled_at=profile.profiled_at.isoformat(),
                columns=tables[0]["columns"] if tables else [],
                sample=tables[0]["sample"] if tables else None,
                tables=tables if len(tables) > 1 else [])
    return body


def _status(entry: Entry, profile: FileProfile | None,
            job: Job | None) -> tuple[str, str | None]:
    if not wants_profile(entry.path, entry.md5):
        return NOT_TABULAR, "not a table (CSV, TSV, Excel, Parquet or JSON) to profile"
    if job is None:
        return ("done", None) if profile is not None else (NOT_QUEUED, None)
    if job.status == "done" and profile is None:
        return NOT_QUEUED, None
    return job.status, job.reason


def _table(table: dict[str, Any], described: dict[str, dict[str, Any]],
           unmasked: bool) -> dict[str, Any]:
    columns = []
    for stats in table.get("columns") or []:
        stats = dict(stats) if unmasked else mask_column(stats)
        stats.setdefault("masked", False)
        about = described.get(stats["name"])
        stats["description"] = about.get("description") if about else None
        stats["unit"] = about.get("unit") if about else None
        stats["described"] = bool(about and about.get("description"))
        columns.append(stats)
    sample = table.get("sample") or {"columns": [], "rows": []}
    rows, masked = (sample["rows"], []) if unmasked else mask_rows(sample["columns"],
                                                                   sample["rows"])
    return {"name": table.get("name"), "rows": table.get("rows"),
            "unparsed_rows": table.get("unparsed_rows", 0), "columns": columns,
            "sample": {"columns": sample["columns"], "rows": rows, "masked": masked}}
