"""Downloads: a version's file, streamed from the DVC remote by its hash."""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlmodel import Session

from catalogue import browse
from catalogue.access import Reader
from catalogue.errors import DataUnavailable, FileNotFound
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
    ranged: Callable[[int, int], Iterator[bytes]] | None = None
    """Instead of `chunks`: bytes start..stop (exclusive), read from that offset on."""


@dataclass(frozen=True)
class StoredFile:
    """A file or directory output of a version: its path in the dataset's folder, its hash,
    and the .dvc file or dvc.lock (in the dataset's folder) that records it."""

    path: str
    md5: str
    source: str

    @property
    def is_dir(self) -> bool:
        return self.md5.endswith(".dir")


@dataclass(frozen=True)
class VersionBytes:
    """Where a version's bytes are: what every download needs, whoever may read it."""

    git_path: str
    commit_sha: str
    department: str
    slug: str
    number: int
    files: list[StoredFile]


def open_download(s: Session, storage: RegistryStorage, reader: Reader, department: str,
                  slug: str, number: int, path: str) -> Download:
    """Open a file of version `number` (a file output, or a file inside a directory output),
    read by its hash from the registry's DVC remote, if the reader may read that version.

    Raises IsADirectory for a directory output or a folder inside one: list it instead.
    """
    return open_file(storage, _readable(s, reader, department, slug, number), path)


def list_folder(s: Session, storage: RegistryStorage, reader: Reader, department: str,
                slug: str, number: int, path: str) -> list[FolderEntry]:
    """The files and folders inside a directory output of version `number`."""
    return folder_entries(storage, _readable(s, reader, department, slug, number), path)


def open_file(storage: RegistryStorage, where: VersionBytes, path: str) -> Download:
    """Open the file at `path` (in the dataset's folder) of a version the caller may read."""
    output, member = _output(where, path)
    try:
        opened = storage.open_file(where.git_path, where.commit_sha, output, member)
    except NotInOutput:
        raise _not_found(where, path) from None
    except BytesUnavailable as exc:
        raise _unavailable(where, path, exc) from exc
    return Download(
        filename=posixpath.basename(path),
        content_type=content_type(path),
        size=opened.size,
        chunks=opened.chunks(),
        ranged=opened.range,
    )


def folder_entries(storage: RegistryStorage, where: VersionBytes,
                   path: str) -> list[FolderEntry]:
    """The entries of a directory output (or a folder in one) of a version the caller may
    read."""
    output, member = _output(where, path)
    folder = posixpath.normpath(path).strip("/")
    try:
        entries = storage.list_folder(where.git_path, where.commit_sha, output, member)
    except NotInOutput:
        raise _not_found(where, path) from None
    except BytesUnavailable as exc:
        raise _unavailable(where, path, exc) from exc
    return [FolderEntry(name=e.name, path=f"{folder}/{e.name}", is_dir=e.is_dir, md5=e.md5)
            for e in entries]


def _readable(s: Session, reader: Reader, department: str, slug: str,
              number: int) -> VersionBytes:
    registry, version, files = browse.version_file(s, reader, department, slug, number)
    return VersionBytes(registry.git_path, version.commit_sha, department, slug, number,
                        [StoredFile(f.path, f.md5, f.source) for f in files])


def _output(where: VersionBytes, path: str) -> tuple[OutputRef, str]:
    """The version's output holding `path` (relative to the dataset's folder), and the path
    inside it ("" for the output itself)."""
    path = posixpath.normpath(path).strip("/")
    folder = f"{where.department}/{where.slug}/"
    for file in where.files:
        if path == file.path or (file.is_dir and path.startswith(file.path + "/")):
            output = OutputRef(folder + file.path, file.md5, folder + file.source)
            return output, path[len(file.path):].lstrip("/")
    raise _not_found(where, path)


def _not_found(where: VersionBytes, path: str) -> FileNotFound:
    return FileNotFound(f"{where.department}/{where.slug}", where.number, path)


def _unavailable(where: VersionBytes, path: str, exc: BytesUnavailable) -> DataUnavailable:
    """The reader is told what cannot be read; where the remote is, and why, goes to the log
    for the operator."""
    key = f"{where.department}/{where.slug}"
    log.warning("%s v%d %s: %s", key, where.number, path, exc)
    return DataUnavailable(
        f"The data of {key} version {where.number} ({path}) cannot be read from "
        "the registry's DVC remote right now. Was it `dvc push`ed?"
    )


def content_type(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
