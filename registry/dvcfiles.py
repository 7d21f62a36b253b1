"""Reading DVC's own files (`*.dvc`, `dvc.lock`) as they sit in a git tree.

Paths are made registry-relative (POSIX), so an output of one dataset can be matched to a
dependency of another.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from registry.problems import FileProblems, Problem, load_yaml


@dataclass(frozen=True)
class Output:
    """A DVC-tracked file or directory: its registry-relative path and content hash."""

    path: str
    md5: str
    size: int | None
    nfiles: int | None
    source: str

    @property
    def is_dir(self) -> bool:
        return self.md5.endswith(".dir")


@dataclass(frozen=True)
class Dependency:
    """What an output was made from: a path in this registry, or a path in another (an import)."""

    path: str
    md5: str | None
    source: str
    repo_url: str | None = None
    rev_lock: str | None = None


@dataclass(frozen=True)
class DvcContents:
    outputs: tuple[Output, ...]
    dependencies: tuple[Dependency, ...]


def _join(folder: str, path: object, source: str, line: int | None) -> str:
    if not isinstance(path, str) or not path:
        raise FileProblems([Problem(source, "an entry has no 'path'", line)])
    joined = posixpath.normpath(posixpath.join(folder, path))
    if joined.startswith("../") or joined == "..":
        raise FileProblems([Problem(source, f"path {path!r} points outside the registry", line)])
    return joined


def _hash(entry: dict) -> str | None:
    value = entry.get("md5") or entry.get("etag") or entry.get("checksum")
    return str(value) if value is not None else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _outs(folder: str, entries: object, source: str) -> list[Output]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise FileProblems([Problem(source, "'outs' must be a list")])
    outs = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise FileProblems([Problem(source, "each entry of 'outs' must be a mapping")])
        path = _join(folder, entry.get("path"), source, None)
        md5 = _hash(entry)
        if not md5:
            raise FileProblems(
                [Problem(source, f"output {entry.get('path')!r} has no md5: was it `dvc add`ed?")]
            )
        outs.append(Output(path, md5, _int(entry.get("size")), _int(entry.get("nfiles")), source))
    return outs


def _deps(folder: str, entries: object, source: str) -> list[Dependency]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise FileProblems([Problem(source, "'deps' must be a list")])
    deps = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise FileProblems([Problem(source, "each entry of 'deps' must be a mapping")])
        repo = entry.get("repo")
        if isinstance(repo, dict):
            url = repo.get("url")
            if not isinstance(url, str):
                raise FileProblems([Problem(source, "an imported dependency has no repo url")])
            rev = repo.get("rev_lock") or repo.get("rev")
            path = entry.get("path")
            if not isinstance(path, str):
                raise FileProblems([Problem(source, "an imported dependency has no path")])
            deps.append(Dependency(path, _hash(entry), source, url, str(rev) if rev else None))
        else:
            raw = entry.get("path")
            if isinstance(raw, str) and "://" in raw:
                deps.append(Dependency(raw, _hash(entry), source))
                continue
            deps.append(Dependency(_join(folder, raw, source, None), _hash(entry), source))
    return deps


# Exactly what `dvc add` writes for one file or directory: read without a YAML parser, which
# matters when indexing tens of thousands of them. Anything else goes through YAML.
_DVC_ADD = re.compile(
    r"outs:\n- md5: '?(?P<md5>[0-9a-f]{32}(?:\.dir)?)'?\n"
    r"  size: (?P<size>\d+)\n"
    r"(?:  nfiles: (?P<nfiles>\d+)\n)?"
    r"  hash: md5\n"
    r"  path: (?P<path>[A-Za-z0-9_][A-Za-z0-9_.-]*)\n?"
)


def parse_dvc_file(path: str, text: str) -> DvcContents:
    """Read a `.dvc` file (from `dvc add` or `dvc import`). Raises FileProblems."""
    plain = _DVC_ADD.fullmatch(text)
    if plain:
        nfiles = plain["nfiles"]
        out = Output(posixpath.join(posixpath.dirname(path), plain["path"]), plain["md5"],
                     int(plain["size"]), int(nfiles) if nfiles else None, path)
        return DvcContents((out,), ())
    data = load_yaml(path, text)
    if not isinstance(data, dict) or "outs" not in data:
        raise FileProblems([Problem(path, "not a DVC file: it has no 'outs'", 1)])
    folder = posixpath.dirname(path)
    outs = _outs(folder, data.get("outs"), path)
    if not outs:
        raise FileProblems([Problem(path, "lists no outputs")])
    return DvcContents(tuple(outs), tuple(_deps(folder, data.get("deps"), path)))


def parse_dvc_lock(path: str, text: str) -> DvcContents:
    """Read a `dvc.lock` (a pipeline's recorded deps and outs). Raises FileProblems."""
    data = load_yaml(path, text)
    if not isinstance(data, dict) or not isinstance(data.get("stages"), dict):
        raise FileProblems([Problem(path, "not a dvc.lock: it has no 'stages' mapping", 1)])
    folder = posixpath.dirname(path)
    outs: list[Output] = []
    deps: list[Dependency] = []
    for name, stage in data["stages"].items():
        if not isinstance(stage, dict):
            raise FileProblems([Problem(path, f"stage {name!r} must be a mapping")])
        outs.extend(_outs(folder, stage.get("outs"), path))
        deps.extend(_deps(folder, stage.get("deps"), path))
    return DvcContents(tuple(outs), tuple(deps))
