"""A registry's DVC remote, read as a store of objects by md5: is this output's data there?

DVC 3 keeps an object at `files/md5/<2 hex>/<30 hex>` under the remote's URL (DVC 2 kept it at
`<2 hex>/<30 hex>`); a directory output's object is its manifest, `<md5>.dir`, a JSON list of
the files it holds with their own md5s. Both layouts are accepted.

A local directory is read with `os`; any other URL (s3://, …) through DVC's own filesystems.
"""

from __future__ import annotations

import json
import os
import posixpath
from pathlib import Path
from typing import Any, Protocol

from registry.mirror import is_local


class RemoteUnreadable(Exception):
    """The remote could not be reached or listed; the message says why."""


class ObjectStore(Protocol):
    url: str

    def has(self, md5: str) -> bool:
        """Whether the object with this md5 (`….dir` for a directory's manifest) is there."""
        ...

    def read(self, md5: str) -> bytes | None:
        """The object's bytes, or None when it is not there."""
        ...


def object_paths(md5: str) -> tuple[str, str]:
    """Where DVC 3, then DVC 2, keeps an object (relative to the remote's root)."""
    return f"files/md5/{md5[:2]}/{md5[2:]}", f"{md5[:2]}/{md5[2:]}"


class DirectoryStore:
    """A remote that is a directory on this machine (the default for a registry)."""

    def __init__(self, url: str):
        self.url = url
        self.root = Path(url.removeprefix("file://"))
        if not self.root.is_dir():
            raise RemoteUnreadable(f"the DVC remote {url} is not a directory on this machine")

    def _find(self, md5: str) -> Path | None:
        for rel in object_paths(md5):
            path = self.root / rel
            if path.is_file():
                return path
        return None

    def has(self, md5: str) -> bool:
        return self._find(md5) is not None

    def read(self, md5: str) -> bytes | None:
        found = self._find(md5)
        return found.read_bytes() if found else None


class FilesystemStore:
    """A remote at a URL that DVC knows how to reach (S3-compatible storage in production)."""

    def __init__(self, url: str):
        from dvc.fs import get_cloud_fs  # DVC is slow to import; only object stores need it

        self.url = url
        try:
            cls, config, self.root = get_cloud_fs({}, url=url)
            self.fs: Any = cls(**config)
        except Exception as exc:  # DVC raises many kinds for a URL it cannot use
            raise RemoteUnreadable(f"the DVC remote {url} cannot be opened: {exc}") from exc

    def _find(self, md5: str) -> str | None:
        for rel in object_paths(md5):
            path = posixpath.join(self.root, rel)
            try:
                if self.fs.exists(path):
                    return path
            except Exception as exc:
                raise RemoteUnreadable(f"the DVC remote {self.url} cannot be read: {exc}") from exc
        return None

    def has(self, md5: str) -> bool:
        return self._find(md5) is not None

    def read(self, md5: str) -> bytes | None:
        found = self._find(md5)
        return self.fs.cat_file(found) if found else None


def open_store(url: str) -> ObjectStore:
    if url.startswith("file://") or (is_local(url) and os.path.isabs(url)):
        return DirectoryStore(url)
    return FilesystemStore(url)


def missing_files(store: ObjectStore, md5: str) -> list[str] | None:
    """What is missing of an output: None when all of it is there; [] when the object itself is
    missing; for a directory whose manifest is there, the relative paths of its missing files."""
    if not store.has(md5):
        return []
    if not md5.endswith(".dir"):
        return None
    try:
        entries = json.loads(store.read(md5) or b"[]")
    except ValueError:
        return ["(its manifest is not valid JSON)"]
    absent = [str(e.get("relpath")) for e in entries
              if isinstance(e, dict) and not store.has(str(e.get("md5", "")))]
    return absent or None
