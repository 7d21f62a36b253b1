"""Reading a version's bytes from the registry's DVC remote, at a given commit, as a stream."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

CHUNK = 1024 * 1024


class BytesUnavailable(Exception):
    """The file is recorded in git but its bytes are not in the DVC remote (or it is down)."""


@dataclass
class OpenedOutput:
    size: int
    handle: BinaryIO

    def chunks(self, chunk: int = CHUNK) -> Iterator[bytes]:
        """The bytes in pieces, never the whole file in memory; closes the file at the end."""
        try:
            while block := self.handle.read(chunk):
                yield block
        finally:
            self.handle.close()


def open_output(git_path: str, rev: str, path: str) -> OpenedOutput:
    """Open the DVC-tracked file `path` (registry-relative) as it was at commit `rev`."""
    from dvc.api import DVCFileSystem  # DVC is slow to import; only downloads need it

    try:
        fs = DVCFileSystem(git_path, rev=rev)
        info = fs.info(path)
        if info["type"] != "file":
            raise BytesUnavailable(f"{path} is a directory: download one of its files")
        return OpenedOutput(int(info["size"]), fs.open(path, "rb"))
    except BytesUnavailable:
        raise
    except FileNotFoundError as exc:
        raise BytesUnavailable(f"{path} at {rev[:10]} is not in the DVC remote") from exc
    except Exception as exc:  # DVC raises many kinds for a remote it cannot reach
        raise BytesUnavailable(f"{path} at {rev[:10]} could not be read: {exc}") from exc
