"""A Frictionless data package (datapackage.json) per openly released version: the dataset's
metadata as approved, one resource per file with its absolute download URL, size and md5, and
for delimited tables a Table Schema whose field types are inferred from the first rows.

The types are inferred conservatively, so that `frictionless validate` accepts every row it
was inferred from: a value is an integer, a number, a boolean or a date only in the form
Frictionless reads by default, anything else keeps the column a string. A file's bytes never
change under its md5, so a schema is inferred once per md5 (`SchemaCache`).
"""

from __future__ import annotations

import io
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlmodel import Session, select

from catalogue.access import openly_released
from catalogue.downloads import StoredFile, VersionBytes, content_type, open_file
from catalogue.errors import CatalogueError, VersionNotFound
from catalogue.opendata.reads import open_dataset, released_bytes
from catalogue.opendata.schemaorg import Links
from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import NotATable, TableUnreadable
from catalogue.releases.models import ReleaseRequest
from catalogue.releases.tables import extension, read_chunks
from registry.storage import BytesUnavailable, OutputRef, RegistryStorage

ROWS = 5000
"""How many rows of a table its field types are inferred from."""
FORMATS = {"csv": "csv", "tsv": "tsv", "tab": "tsv"}
"""The tables given a schema: the ones Frictionless reads with no plugin installed."""

_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_BOOLEANS = {"true", "True", "TRUE", "false", "False", "FALSE"}


class SchemaCache:
    """Table Schemas by file md5 (the bytes under an md5 never change), the most recently
    used `size` kept; safe to share between a web worker's threads."""

    def __init__(self, size: int = 1024):
        self._size = size
        self._schemas: OrderedDict[str, dict[str, Any] | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, md5: str) -> tuple[bool, dict[str, Any] | None]:
        with self._lock:
            if md5 not in self._schemas:
                return False, None
            self._schemas.move_to_end(md5)
            return True, self._schemas[md5]

    def put(self, md5: str, schema: dict[str, Any] | None) -> None:
        with self._lock:
            self._schemas[md5] = schema
            self._schemas.move_to_end(md5)
            while len(self._schemas) > self._size:
                self._schemas.popitem(last=False)


def data_package(s: Session, storage: RegistryStorage, department: str, slug: str,
                 number: int, links: Links, cache: SchemaCache) -> dict[str, Any]:
    """The data package of version `number`, if it is openly released (else VersionNotFound,
    as for a version that does not exist)."""
    row = s.exec(select(ReleaseRequest).where(
        openly_released(), ReleaseRequest.department == department,
        ReleaseRequest.dataset == slug, ReleaseRequest.version == number)).first()
    if row is None:
        raise VersionNotFound(f"{department}/{slug}", number)
    dataset = open_dataset(s, department, slug)
    version = next(v for v in dataset.versions if v.number == number)
    where = released_bytes(s, department, slug, number)
    snapshot = row.snapshot
    primary_key = _primary_key((snapshot.get("extra") or {}).get("primary_key"))
    publisher = dataset.publisher or dataset.department_name
    resources: list[dict[str, Any]] = []
    sizes = {f.path: f.size for f in version.files}
    for stored in where.files:
        for path, md5, size in _files(storage, where, stored, sizes):
            resources.append(_resource(storage, where, path, md5, size, links, cache,
                                       primary_key, {r["name"] for r in resources}))
    return {
        "name": package_name(department, slug),
        "id": links.dataset(department, slug),
        "title": snapshot.get("title", slug),
        "description": snapshot.get("description", ""),
        "version": str(number),
        "homepage": links.version(department, slug, number),
        "created": version.released_at.isoformat(timespec="seconds"),
        "keywords": list(snapshot.get("tags") or []),
        "licenses": [{"name": version.licence, "title": version.licence_title,
                      **({"path": version.licence_url} if version.licence_url else {})}],
        "contributors": [{"title": publisher, "role": "publisher"},
                         {"title": dataset.department_name, "role": "author"}],
        "resources": resources,
    }


def package_name(*parts: str) -> str:
    """A valid Frictionless name (lower case letters, digits, `-`, `_`, `.`)."""
    name = re.sub(r"[^a-z0-9._-]+", "-", "-".join(parts).lower()).strip("-")
    return name or "data"


def _primary_key(declared: Any) -> list[str]:
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list) and all(isinstance(k, str) for k in declared):
        return list(declared)
    return []


def _files(storage: RegistryStorage, where: VersionBytes, stored: StoredFile,
           sizes: dict[str, int | None]) -> Iterator[tuple[str, str | None, int | None]]:
    """(path, md5, size) of a file output, or of each file in a directory output (whose
    members' hashes and sizes are not known without reading them)."""
    if not stored.is_dir:
        yield stored.path, stored.md5, sizes.get(stored.path)
        return
    folder = f"{where.department}/{where.slug}/"
    output = OutputRef(folder + stored.path, stored.md5, folder + stored.source)
    try:
        members = storage.members(where.git_path, where.commit_sha, output)
    except BytesUnavailable:
        return
    for member in members:
        yield f"{stored.path}/{member}", None, None


def _resource(storage: RegistryStorage, where: VersionBytes, path: str, md5: str | None,
              size: int | None, links: Links, cache: SchemaCache, primary_key: list[str],
              taken: set[str]) -> dict[str, Any]:
    name = package_name(path)
    while name in taken:
        name += "-1"
    ext = extension(path)
    resource: dict[str, Any] = {
        "name": name,
        "path": links.file(where.department, where.slug, where.number, path),
        "format": FORMATS.get(ext, ext or "bin"),
        "mediatype": content_type(path) if ext != "tsv" else "text/tab-separated-values",
    }
    if size is not None:
        resource["bytes"] = size
    if md5:
        resource["hash"] = f"md5:{md5}"
    if ext in FORMATS:
        schema = _schema(storage, where, path, md5, cache)
        if schema is not None:
            if primary_key and set(primary_key) <= {f["name"] for f in schema["fields"]}:
                schema = {**schema, "primaryKey": primary_key}
            resource["type"] = "table"
            resource["schema"] = schema
    return resource


def _schema(storage: RegistryStorage, where: VersionBytes, path: str, md5: str | None,
            cache: SchemaCache) -> dict[str, Any] | None:
    if md5:
        known, schema = cache.get(md5)
        if known:
            return schema
    schema = infer_schema(storage, where, path)
    if md5:
        cache.put(md5, schema)
    return schema


def infer_schema(storage: RegistryStorage, where: VersionBytes,
                 path: str) -> dict[str, Any] | None:
    """A Table Schema for the first `ROWS` rows of a delimited file, or None when its bytes
    cannot be read or parsed (the resource is then described without one)."""
    try:
        download = open_file(storage, where, path)
    except CatalogueError:
        return None
    stream = io.BufferedReader(_ChunkStream(download.chunks))
    options = ScanOptions(chunk_rows=ROWS, chunk_bytes=1024 * 1024, threads=False)
    try:
        chunk = next(iter(read_chunks(stream, path, options)), None)
    except (NotATable, TableUnreadable, BytesUnavailable, CatalogueError, OSError):
        return None
    finally:
        stream.close()
    if chunk is None:
        return None
    fields = []
    for i, column in enumerate(chunk.columns):
        values = chunk.batch.column(i).slice(0, ROWS).to_pylist()
        fields.append({"name": str(column), "type": field_type(values)})
    return {"fields": fields}


def field_type(values: list[bytes | str | None]) -> str:
    """The Table Schema type every non-empty value reads as (`string` when they disagree)."""
    texts = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v
             for v in values if v not in (None, b"", "")]
    if not texts:
        return "string"
    if all(_INTEGER.fullmatch(t) for t in texts):
        return "integer"
    if all(_NUMBER.fullmatch(t) for t in texts):
        return "number"
    if all(t in _BOOLEANS for t in texts):
        return "boolean"
    if all(_DATE.fullmatch(t) and _is_date(t) for t in texts):
        return "date"
    return "string"


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class _ChunkStream(io.RawIOBase):
    """A stream of byte chunks as a readable file (closing it closes the download)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        super().close()
