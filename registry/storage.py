"""Reading a version's bytes: by content address, straight from the registry's DVC remote.

The catalogue knows each output's md5 (a directory's `….dir` manifest hash) from the `.dvc` file
or `dvc.lock` it indexed, so reading one file costs one look at `.dvc/config` in git (which
remote, at that commit) and one object read from that remote, whatever the size of the
registry. DVC's repository-wide filesystem is never built for it: it parses every `.dvc` file
of the registry (seconds to tens of seconds on a large one), and one corrupted `.dvc` file
anywhere would break every read at that commit.

An imported output (`dvc import`) whose bytes are not in this registry's remote is read from
the remote of the registry it came from, at the commit it was imported from, the same way when
that registry is on this machine; only an import from a registry at a URL falls back to DVC's
own filesystem.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import pygit2

from registry.dvcfiles import parse_dvc_file
from registry.mirror import is_local
from registry.problems import FileProblems
from registry.remote_store import ObjectMissing, ObjectStore, RemoteUnreadable, open_store
from registry.remotes import (
    CONFIG,
    Remote,
    RemoteNotConfigured,
    default_remote,
    merge,
    parse_config,
    read_local_config,
    working_copy_base,
)

CHUNK = 1024 * 1024
T = TypeVar("T")
MANIFESTS = 256  # directory manifests kept in memory (they are immutable: named by hash)


class BytesUnavailable(Exception):
    """The file is recorded in git but its bytes cannot be read (not pushed, remote down)."""


class IsADirectory(Exception):
    """The path is a directory output (or a folder inside one): list it, don't download it."""


class NotInOutput(Exception):
    """The directory output holds no file or folder at that path."""


@dataclass(frozen=True)
class OutputRef:
    """A DVC output as the catalogue recorded it: registry-relative path, md5, and the `.dvc`
    file or `dvc.lock` (registry-relative) that records it."""

    path: str
    md5: str
    source: str

    @property
    def is_dir(self) -> bool:
        return self.md5.endswith(".dir")


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

    def range(self, start: int, stop: int, chunk: int = CHUNK) -> Iterator[bytes]:
        """Bytes `start` to `stop` (exclusive) in pieces, read from `start` on (on S3, ranged
        GETs of that part only); closes the file at the end."""
        try:
            self.handle.seek(start)
            left = stop - start
            while left > 0 and (block := self.handle.read(min(chunk, left))):
                left -= len(block)
                yield block
        finally:
            self.handle.close()


@dataclass(frozen=True)
class DirectoryEntry:
    name: str
    is_dir: bool
    md5: str | None


class RegistryStorage:
    """Reads outputs' bytes for one catalogue process. Keeps the remotes it opened and the
    directory manifests it read; safe to share between threads.

    `local_config`: a DVC config file of the instance (credentials, endpoints) laid over every
    registry's `.dvc/config`, as DVC lays `.dvc/config.local` over it."""

    def __init__(self, local_config: Path | None = None):
        self.local_config = local_config
        self._stores: dict[Remote, ObjectStore] = {}
        self._manifests: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def open_file(self, git_path: str, rev: str, output: OutputRef,
                  member: str = "") -> OpenedOutput:
        """Open `output` (a file output), or the file `member` inside a directory output, as
        it was at commit `rev`. Raises IsADirectory, NotInOutput or BytesUnavailable."""
        if member and not output.is_dir:
            raise NotInOutput(member)

        def opened(store: ObjectStore) -> OpenedOutput:
            md5 = output.md5
            if output.is_dir:
                files = self._manifest(store, output)
                if member not in files:
                    raise IsADirectory(output.path) if _is_folder(files, member) \
                        else NotInOutput(member)
                md5 = files[member]
            handle, size = store.open(md5)
            return OpenedOutput(size, handle)

        return self._first(git_path, rev, output, member, opened)

    def list_folder(self, git_path: str, rev: str, output: OutputRef,
                    member: str = "") -> list[DirectoryEntry]:
        """The files and folders directly inside a directory output (or a folder `member` in
        it) at commit `rev`. Raises NotInOutput or BytesUnavailable."""
        if not output.is_dir:
            raise NotInOutput(member or output.path)
        return self._first(git_path, rev, output, member,
                           lambda store: _entries(self._manifest(store, output), member))

    def members(self, git_path: str, rev: str, output: OutputRef) -> list[str]:
        """Every file inside a directory output (relative paths), at commit `rev`. Raises
        NotInOutput (not a directory) or BytesUnavailable."""
        if not output.is_dir:
            raise NotInOutput(output.path)
        return self._first(git_path, rev, output, "",
                           lambda store: sorted(self._manifest(store, output)))

    def member_hashes(self, git_path: str, rev: str, output: OutputRef) -> dict[str, str]:
        """Every file inside a directory output with its md5 (relative path → md5), at
        commit `rev`. Raises NotInOutput (not a directory) or BytesUnavailable."""
        if not output.is_dir:
            raise NotInOutput(output.path)
        return self._first(git_path, rev, output, "",
                           lambda store: dict(self._manifest(store, output)))

    def _first(self, git_path: str, rev: str, output: OutputRef, member: str,
               action: Callable[[ObjectStore], T]) -> T:
        """`action` on the first store that holds the output's objects."""
        for store in self._stores_for(git_path, rev, output):
            try:
                return action(store)
            except ObjectMissing:
                continue
            except RemoteUnreadable as exc:
                raise BytesUnavailable(str(exc)) from exc
        raise BytesUnavailable(self._not_found(git_path, rev, output, member))

    # Where the bytes are

    def _stores_for(self, git_path: str, rev: str, output: OutputRef) -> Iterator[ObjectStore]:
        """The stores that may hold the output: the registry's remote at `rev`, then, for an
        import, the remote of the registry it came from. Opened only when reached."""
        store = self._store_at(git_path, rev)
        if store is not None:
            yield store
        imported = self._imported_from(git_path, rev, output)
        if imported is not None:
            yield imported

    def _store_at(self, git_path: str, rev: str) -> ObjectStore | None:
        try:
            remote = self.remote_at(git_path, rev)
        except RemoteNotConfigured:
            return None
        return self._open(remote)

    def remote_at(self, git_path: str, rev: str) -> Remote:
        """The DVC remote a registry names at commit `rev`, with the local settings laid over
        it. Raises RemoteNotConfigured."""
        raw = _read_blob(git_path, rev, CONFIG)
        if raw is None:
            raise RemoteNotConfigured(f"the registry has no {CONFIG} at {rev[:10]}")
        try:
            config = parse_config(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise RemoteNotConfigured(f"its {CONFIG} at {rev[:10]} is not UTF-8") from None
        base = working_copy_base(git_path)
        own = read_local_config(base / "config.local") if base else {}
        return default_remote(merge(config, own, read_local_config(self.local_config)), base)

    def _not_found(self, git_path: str, rev: str, output: OutputRef, member: str) -> str:
        what = f"{output.path}/{member}" if member else output.path
        try:
            remote = self.remote_at(git_path, rev).url
        except RemoteNotConfigured as exc:
            return f"{what} at {rev[:10]}: no DVC remote to read it from: {exc}"
        return (f"{what} at {rev[:10]} ({output.md5}) is not in the DVC remote {remote}: "
                "was it `dvc push`ed?")

    def _open(self, remote: Remote) -> ObjectStore:
        with self._lock:
            store = self._stores.get(remote)
        if store is None:
            try:
                store = open_store(remote.url, remote.settings)
            except RemoteUnreadable as exc:
                raise BytesUnavailable(str(exc)) from exc
            with self._lock:
                self._stores[remote] = store
        return store

    def _imported_from(self, git_path: str, rev: str, output: OutputRef) -> ObjectStore | None:
        """For a `dvc import`ed output, the store of the registry it came from (when that
        registry is on this machine), at the commit it was imported from."""
        if not output.source.endswith(".dvc"):
            return None
        raw = _read_blob(git_path, rev, output.source)
        if raw is None:
            return None
        try:
            contents = parse_dvc_file(output.source, raw.decode("utf-8"))
        except (FileProblems, UnicodeDecodeError):
            return None
        for dep in contents.dependencies:
            if not dep.repo_url:
                continue
            if not is_local(dep.repo_url):
                return _DvcFallback(git_path, rev, output)
            source_rev = dep.rev_lock or "HEAD"
            try:
                return self._store_at(dep.repo_url, source_rev)
            except BytesUnavailable:
                return None
        return None

    def _manifest(self, store: ObjectStore, output: OutputRef) -> dict[str, str]:
        """A directory output's files (relative path → md5), from its `.dir` object. Raises
        ObjectMissing."""
        md5 = output.md5
        with self._lock:
            found = self._manifests.get(md5)
            if found is not None:
                self._manifests.move_to_end(md5)
                return found
        raw = store.read(md5)
        if raw is None:
            raise ObjectMissing(md5)
        try:
            files = {str(e["relpath"]): str(e["md5"]) for e in json.loads(raw)}
        except (ValueError, TypeError, KeyError) as exc:
            raise BytesUnavailable(f"the manifest of {output.path} ({md5}) in the DVC remote "
                                   f"{store.url} is damaged: {exc}") from exc
        with self._lock:
            self._manifests[md5] = files
            while len(self._manifests) > MANIFESTS:
                self._manifests.popitem(last=False)
        return files


class _DvcFallback:
    """An output imported from a registry at a URL: read through DVC's own filesystem, which
    resolves the import (slow on a large registry, but the hash route cannot reach it)."""

    def __init__(self, git_path: str, rev: str, output: OutputRef):
        self.url = f"{git_path}@{rev[:10]}"
        self.git_path, self.rev, self.output = git_path, rev, output

    def _fs(self) -> Any:
        from dvc.api import DVCFileSystem

        return DVCFileSystem(self.git_path, rev=self.rev)

    def has(self, md5: str) -> bool:
        return md5 == self.output.md5

    def read(self, md5: str) -> bytes | None:
        raise RemoteUnreadable("a directory imported from a registry at a URL is read whole")

    def open(self, md5: str) -> tuple[BinaryIO, int | None]:
        try:
            fs = self._fs()
            return fs.open(self.output.path, "rb"), fs.info(self.output.path).get("size")
        except FileNotFoundError:
            raise ObjectMissing(md5) from None
        except Exception as exc:  # DVC raises many kinds for a remote it cannot reach
            raise RemoteUnreadable(f"{self.output.path} could not be read through DVC: "
                                   f"{exc}") from exc


def _entries(files: dict[str, str], member: str) -> list[DirectoryEntry]:
    """The entries directly inside folder `member` ("" for the top) of a manifest."""
    prefix = f"{member}/" if member else ""
    entries: dict[str, DirectoryEntry] = {}
    for relpath, md5 in files.items():
        if relpath.startswith(prefix):
            name, _, rest = relpath[len(prefix):].partition("/")
            entries[name] = DirectoryEntry(name, bool(rest), None if rest else md5)
    if not entries:
        raise NotInOutput(member)
    return sorted(entries.values(), key=lambda e: (not e.is_dir, e.name))


def _is_folder(files: dict[str, str], member: str) -> bool:
    return not member or any(path.startswith(member + "/") for path in files)


def _read_blob(git_path: str, rev: str, path: str) -> bytes | None:
    """A file of the registry at commit `rev`, from git's objects (None when absent)."""
    try:
        repo = pygit2.Repository(git_path)
        obj = repo.revparse_single(rev).peel(pygit2.Commit).tree[path]
    except (pygit2.GitError, KeyError, ValueError):
        return None
    blob = repo[obj.id]
    return blob.data if isinstance(blob, pygit2.Blob) else None

