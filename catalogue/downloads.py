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
from registry.storage import BytesUnavailable, open_output

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".json": "application/json",
    ".geojson": "application/geo+json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Download:
    filename: str
    content_type: str
    size: int
    chunks: Iterator[bytes]


def open_download(
    s: Session, reader: Reader, department: str, slug: str, number: int, path: str
) -> Download:
    """Open a file of version `number` (a file output, or a file inside a directory output)."""
    registry, version, files = browse.version_file(s, reader, department, slug, number)
    path = posixpath.normpath(path)
    known = any(f.path == path and not f.is_dir for f in files) or any(
        f.is_dir and path.startswith(f.path + "/") for f in files
    )
    if not known or path.startswith(".."):
        raise FileNotFound(f"{department}/{slug}", number, path)
    try:
        opened = open_output(registry.git_path, version.commit_sha, f"{department}/{slug}/{path}")
    except BytesUnavailable as exc:
        raise DataUnavailable(
            f"The data of {department}/{slug} version {number} ({path}) cannot be read from "
            "the registry's DVC remote right now. Was it `dvc push`ed?"
        ) from exc
    return Download(
        filename=posixpath.basename(path),
        content_type=content_type(path),
        size=opened.size,
        chunks=opened.chunks(),
    )


def content_type(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
