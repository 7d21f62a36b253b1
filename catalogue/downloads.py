"""Downloads: a version's file, streamed from the DVC remote by its hash."""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session

from catalogue import browse
from catalogue.access import Reader
from catalogue.errors import DataUnavailable, FileNotFound
from catalogue.models import Registry, Version
from registry.storage import (
    BytesUnavailable,
    IsADirectory,
    NotInOutput,
    OutputRef,
    RegistryStorage,
)

__all__ = ["Download", "FolderEntry", "IsADirectory", "list_folder", "open_download"]

log = logging.getLogger(__name__)
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


def open_download(s: Session, storage: RegistryStorage, reader: Reader, department: str,
                  slug: str, number: int, path: str) -> Download:
    """Open a file of version `number` (a file output, or a file inside a directory output),
    read by its hash from the registry's DVC remote.

    Raises IsADirectory for a directory output or a folder inside one: list it instead.
    """
    registry, version, output, member = _locate(s, reader, department, slug, number, path)
    try:
        opened = storage.open_file(registry.git_path, version.commit_sha, output, member)
    except NotInOutput:
        raise FileNotFound(f"{department}/{slug}", number, path) from None
    except BytesUnavailable as exc:
        raise _unavailable(department, slug, number, path, exc) from exc
    return Download(
        filename=posixpath.basename(path),
        content_type=content_type(path),
        size=opened.size,
        chunks=opened.chunks(),
    )


def list_folder(s: Session, storage: RegistryStorage, reader: Reader, department: str,
                slug: str, number: int, path: str) -> list[FolderEntry]:
    """The files and folders inside a directory output of version `number`."""
    registry, version, output, member = _locate(s, reader, department, slug, number, path)
    folder = posixpath.normpath(path).strip("/")
    try:
        entries = storage.list_folder(registry.git_path, version.commit_sha, output, member)
    except NotInOutput:
        raise FileNotFound(f"{department}/{slug}", number, path) from None
    except BytesUnavailable as exc:
        raise _unavailable(department, slug, number, path, exc) from exc
    return [FolderEntry(name=e.name, path=f"{folder}/{e.name}", is_dir=e.is_dir, md5=e.md5)
            for e in entries]


def _locate(s: Session, reader: Reader, department: str, slug: str, number: int,
            path: str) -> tuple[Registry, Version, OutputRef, str]:
    """The version's output holding `path` (relative to the dataset's folder), and the path
    inside it ("" for the output itself)."""
    registry, version, files = browse.version_file(s, reader, department, slug, number)
    path = posixpath.normpath(path).strip("/")
    folder = f"{department}/{slug}/"
    for file in files:
        if path == file.path or (file.is_dir and path.startswith(file.path + "/")):
            output = OutputRef(folder + file.path, file.md5, folder + file.source)
            return registry, version, output, path[len(file.path):].lstrip("/")
    raise FileNotFound(f"{department}/{slug}", number, path)


def _unavailable(department: str, slug: str, number: int, path: str,
                 exc: BytesUnavailable) -> DataUnavailable:
    """The reader is told what cannot be read; where the remote is, and why, goes to the log
    for the operator."""
    log.warning("%s/%s v%d %s: %s", department, slug, number, path, exc)
    return DataUnavailable(
        f"The data of {department}/{slug} version {number} ({path}) cannot be read from "
        "the registry's DVC remote right now. Was it `dvc push`ed?"
    )


def content_type(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
