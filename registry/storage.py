"""Reading a version's bytes from the registry's DVC remote, at a given commit, as a stream."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

CHUNK = 1024 * 1024


class BytesUnavailable(Exception):
    """The file is recorded in git but its bytes are not in the DVC remote (or it is down)."""


class IsADirectory(Exception):
    """The path is a directory output (or a folder inside one): list it, don't download it."""


@dataclass
class OpenedOutput:
    size: int | None
    handle: BinaryIO

    def chunks(self, chunk: int = CHUNK) -> Iterator[bytes]:
        """The bytes in pieces, never the whole file in memory; closes the file at the end."""
        try:
            while block := self.handle.read(chunk):
                yield block
        finally:
            self.handle.close()


@dataclass(frozen=True)
class DirectoryEntry:
    name: str
    is_dir: bool
    md5: str | None


def _filesystem(git_path: str, rev: str) -> Any:
    from dvc.api import DVCFileSystem  # DVC is slow to import; only downloads need it

    return DVCFileSystem(git_path, rev=rev)


def _size(info: dict, handle: Any) -> int | None:
    """DVC knows the size of a tracked file, but not of a file inside a tracked directory:
    then ask the opened file (a local remote's file, or an object store's)."""
    if info.get("size") is not None:
        return int(info["size"])
    if getattr(handle, "size", None) is not None:
        return int(handle.size)
    try:
        return os.fstat(handle.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        return None


def open_output(git_path: str, rev: str, path: str) -> OpenedOutput:
    """Open the DVC-tracked file `path` (registry-relative) as it was at commit `rev`."""
    try:
        fs = _filesystem(git_path, rev)
        info = fs.info(path)
        if info["type"] == "directory":
            raise IsADirectory(path)
        handle = fs.open(path, "rb")
        return OpenedOutput(_size(info, handle), handle)
    except IsADirectory:
        raise
    except FileNotFoundError as exc:
        raise BytesUnavailable(f"{path} at {rev[:10]} is not in the DVC remote") from exc
    except Exception as exc:  # DVC raises many kinds for a remote it cannot reach
        raise BytesUnavailable(f"{path} at {rev[:10]} could not be read: {exc}") from exc


def list_directory(git_path: str, rev: str, path: str) -> list[DirectoryEntry]:
    """The entries of a DVC-tracked directory (or a folder inside one) at commit `rev`."""
    try:
        entries = _filesystem(git_path, rev).ls(path, detail=True)
    except Exception as exc:  # DVC raises many kinds for a remote it cannot reach
        raise BytesUnavailable(f"{path} at {rev[:10]} could not be listed: {exc}") from exc
    return sorted(
        (DirectoryEntry(posixpath.basename(e["name"]), e["type"] == "directory", e.get("md5"))
         for e in entries),
        key=lambda e: (not e.is_dir, e.name),
    )
