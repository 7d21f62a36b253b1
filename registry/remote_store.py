"""A registry's DVC remote, read as a store of objects by md5.

DVC 3 keeps an object at `files/md5/<2 hex>/<30 hex>` under the remote's URL (DVC 2 kept it at
`<2 hex>/<30 hex>`); a directory output's object is its manifest, `<md5>.dir`, a JSON list of
the files it holds with their own md5s. Both layouts are accepted.

Every remote, a local directory as much as S3-compatible storage, is reached through DVC's own
filesystems (dvc-objects, and DVC's plugins for the clouds), configured as `dvc remote modify`
would configure them: one code path whatever the deployment.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any, BinaryIO, Protocol


class RemoteUnreadable(Exception):
    """The remote could not be reached or listed; the message says why."""


class ObjectMissing(Exception):
    """The remote holds no object with that md5."""


class ObjectStore(Protocol):
    url: str

    def has(self, md5: str) -> bool:
        """Whether the object with this md5 (`….dir` for a directory's manifest) is there."""
        ...

    def read(self, md5: str) -> bytes | None:
        """The object's bytes, or None when it is not there."""
        ...

    def open(self, md5: str) -> tuple[BinaryIO, int | None]:
        """The object opened for reading, and its size; raises ObjectMissing."""
        ...


def object_paths(md5: str) -> tuple[str, str]:
    """Where DVC 3, then DVC 2, keeps an object (relative to the remote's root)."""
    return f"files/md5/{md5[:2]}/{md5[2:]}", f"{md5[:2]}/{md5[2:]}"


class FilesystemStore:
    """A remote at any URL DVC knows how to reach, with its `dvc remote modify` settings."""

    def __init__(self, url: str, settings: dict[str, str] | None = None):
        from dvc.fs import get_cloud_fs  # dvc.fs only: DVC's repository machinery stays out

        self.url = url
        try:
            cls, config, self.root = get_cloud_fs({}, url=url, **(settings or {}))
            self.fs: Any = cls(**config)
        except Exception as exc:  # DVC raises many kinds for a URL it cannot use
            raise RemoteUnreadable(f"the DVC remote {url} cannot be opened: {exc}") from exc
        if self.fs.protocol == "local" and not self.fs.isdir(self.root):
            raise RemoteUnreadable(f"the DVC remote {url} is not a directory on this machine")

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

    def open(self, md5: str) -> tuple[BinaryIO, int | None]:
        found = self._find(md5)
        if found is None:
            raise ObjectMissing(md5)
        try:
            handle = self.fs.open(found, mode="rb")
            size = getattr(handle, "size", None)
            if size is None:
                size = self.fs.size(found)
        except FileNotFoundError:
            raise ObjectMissing(md5) from None
        except Exception as exc:
            raise RemoteUnreadable(f"the DVC remote {self.url} cannot be read: {exc}") from exc
        return handle, int(size) if size is not None else None


def open_store(url: str, settings: dict[str, str] | None = None) -> ObjectStore:
    return FilesystemStore(url, settings)


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
