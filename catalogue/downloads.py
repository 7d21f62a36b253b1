"""Downloads: a version's file, streamed from the DVC remote at the version's commit."""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session

from catalogue import browse
from catalogue.access import Reader
from catalogue.errors import DataUnavailable, FileNotFound
from catalogue.models import Registry, Version
from registry.storage import BytesUnavailable, IsADirectory, list_directory, open_output

__all__ = ["Download", "FolderEntry", "IsADirectory", "list_folder", "open_download"]

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class FolderEntry:
    name: str
    path: str
    is_dir: bool
    md5: str | None


@dataclass
class Download:
    filename: str
    content_type: str
    size: int | None
    chunks: Iterator[bytes]


def open_download(
    s: Session, reader: Reader, department: str, slug: str, number: int, path: str
) -> Download:
    """Open a file of version `number` (a file output, or a file inside a directory output).

    Raises IsADirectory for a directory output or a folder inside one: list it instead.
    """
    registry, version, full = _locate(s, reader, department, slug, number, path)
    try:
        opened = open_output(registry.git_path, version.commit_sha, full)
    except BytesUnavailable as exc:
        raise _unavailable(department, slug, number, path) from exc
    return Download(
        filename=posixpath.basename(full),
        content_type=content_type(full),
        size=opened.size,
        chunks=opened.chunks(),
    )


def list_folder(
    s: Session, reader: Reader, department: str, slug: str, number: int, path: str
) -> list[FolderEntry]:
    """The files and folders inside a directory output of version `number`."""
    registry, version, full = _locate(s, reader, department, slug, number, path)
    folder = full.removeprefix(f"{department}/{slug}/")
    try:
        entries = list_directory(registry.git_path, version.commit_sha, full)
    except BytesUnavailable as exc:
        raise _unavailable(department, slug, number, path) from exc
    return [FolderEntry(name=e.name, path=f"{folder}/{e.name}", is_dir=e.is_dir, md5=e.md5)
            for e in entries]


def _locate(s: Session, reader: Reader, department: str, slug: str, number: int,
            path: str) -> tuple[Registry, Version, str]:
    registry, version, files = browse.version_file(s, reader, department, slug, number)
    path = posixpath.normpath(path)
    known = any(f.path == path for f in files) or any(
        f.is_dir and path.startswith(f.path + "/") for f in files
    )
    if not known or path.startswith(".."):
        raise FileNotFound(f"{department}/{slug}", number, path)
    return registry, version, f"{department}/{slug}/{path}"


def _unavailable(department: str, slug: str, number: int, path: str) -> DataUnavailable:
    return DataUnavailable(
        f"The data of {department}/{slug} version {number} ({path}) cannot be read from "
        "the registry's DVC remote right now. Was it `dvc push`ed?"
    )


def content_type(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
