"""Release tag names, in GTO's format (https://github.com/iterative/gto, `gto/constants.py` and
`gto/tag.py`), so that `gto show` and DVC's `--rev` read the catalogue's releases as they are:

    housing/rough-sleeping@v7.0.0      registers version 7 at its commit
    housing/rough-sleeping#open#3      assigns stage `open` (the artifact's 3rd numbered event)
    housing/rough-sleeping#open!#4     unassigns it: a withdrawal

The artifact is the dataset's key, `<department>/<dataset>`: GTO's artifact names allow letters,
digits, `-`, `_` and `/`, starting and ending with a letter or a digit. GTO numbers the events of
an artifact by the largest counter among its tags, plus one; registrations carry none.

Standard library only: the pre-receive hook imports this to refuse pushed release tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

STAGE = "open"
TAGS = "refs/tags/"

# GTO's own patterns (gto/constants.py), copied verbatim; tests compare with gto's parser.
_DIRNAME = "[a-zA-Z0-9-_./]+"
_NAME = r"[a-zA-Z0-9]([a-zA-Z0-9-/_]*[a-zA-Z0-9])?"
_SEMVER = (r"(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
           r"(?:-(?P<prerelease>(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
           r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
           r"(?:\+(?P<buildmetadata>[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?")
_FULLNAME_IN_TAG = f"(?P<dirname>{_DIRNAME}=)?(?P<name>{_NAME})"
GTO_TAG = re.compile(
    f"^(?P<artifact>{_FULLNAME_IN_TAG})(((#(?P<stage>{_NAME})|@(?P<version>v{_SEMVER}))"
    r"(?P<cancel>!?))|@((?P<deprecated>deprecated)|(?P<created>created)))(#(?P<counter>[0-9]+))?$")
GTO_NAME = re.compile(f"^{_NAME}$")

# A dataset's key as an artifact: two GTO name segments, no `dirname=` prefix.
DATASET_ARTIFACT = re.compile(r"^[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+$")
RELEASED_VERSION = re.compile(r"^v([1-9]\d*)\.0\.0$")


@dataclass(frozen=True)
class GtoTag:
    """A tag name as GTO reads it. `action` is GTO's: register, deregister, assign, unassign,
    deprecate or create."""

    name: str
    artifact: str
    action: str
    version: str | None = None
    stage: str | None = None
    counter: int | None = None

    @property
    def version_number(self) -> int | None:
        """N for a `vN.0.0` version (the catalogue's version N); None otherwise."""
        match = RELEASED_VERSION.match(self.version or "")
        return int(match.group(1)) if match else None


def parse_tag(name: str) -> GtoTag | None:
    """The tag name as GTO would parse it; None when GTO would ignore it."""
    match = GTO_TAG.match(name)
    if not match:
        return None
    artifact = match["artifact"].replace("=", ":")
    counter = int(match["counter"]) if match["counter"] else None
    cancelled = match["cancel"] == "!"
    if match["version"]:
        return GtoTag(name, artifact, "deregister" if cancelled else "register",
                      version=match["version"], counter=counter)
    if match["stage"]:
        return GtoTag(name, artifact, "unassign" if cancelled else "assign",
                      stage=match["stage"], counter=counter)
    return GtoTag(name, artifact, "deprecate" if match["deprecated"] else "create",
                  counter=counter)


def release_shaped(name: str) -> GtoTag | None:
    """A tag GTO reads as an event of a `<department>/<dataset>` artifact, whatever its action
    or stage: only the catalogue may write those. `name` may carry the `refs/tags/` prefix."""
    parsed = parse_tag(name.removeprefix(TAGS))
    if parsed is None or not DATASET_ARTIFACT.match(parsed.artifact):
        return None
    return parsed


def check_dataset(dataset: str) -> str:
    """The dataset key, if GTO can name it; ValueError otherwise."""
    if not DATASET_ARTIFACT.match(dataset) or not GTO_NAME.match(dataset):
        raise ValueError(f"{dataset!r} cannot be a GTO artifact name: it must be "
                         "`<department>/<dataset>` of letters, digits, '-' and '_', starting "
                         "and ending with a letter or a digit")
    return dataset


def registration_tag(dataset: str, version: int) -> str:
    if version < 1:
        raise ValueError(f"version numbers start at 1, not {version}")
    return f"{check_dataset(dataset)}@v{version}.0.0"


def assignment_tag(dataset: str, counter: int) -> str:
    return f"{check_dataset(dataset)}#{STAGE}#{counter}"


def unassignment_tag(dataset: str, counter: int) -> str:
    return f"{check_dataset(dataset)}#{STAGE}!#{counter}"


def next_counter(dataset: str, tag_names: Iterable[str]) -> int:
    """The number GTO gives the artifact's next event: its largest counter so far, plus one."""
    counters = [p.counter for n in tag_names
                if (p := parse_tag(n)) and p.artifact == dataset and p.counter is not None]
    return max(counters, default=0) + 1
