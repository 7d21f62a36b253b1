"""Where a registry keeps its bytes at a given commit: the DVC remote its `.dvc/config` names.

DVC's config is an INI file (`[core] remote = storage`, `['remote "storage"'] url = …`). It is
read from git at the commit, so a remote moved later does not break reading older versions'
settings, then overlaid with what never goes into git: the registry's own `.dvc/config.local`
when it is a working copy, and the catalogue instance's file of the same format (credentials,
endpoints), whose `['remote "NAME"']` sections apply to every registry's remote of that name.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path

CONFIG = ".dvc/config"
LOCAL_CONFIG = ".dvc/config.local"
_REMOTE_SECTION = re.compile(r"""'?remote "(.+)"'?""")


class RemoteNotConfigured(Exception):
    """The registry names no usable DVC remote at that commit; the message says why."""


@dataclass(frozen=True)
class Remote:
    """A DVC remote: its name, URL and the other settings DVC's filesystems take."""

    name: str
    url: str
    options: tuple[tuple[str, str], ...] = ()

    @property
    def settings(self) -> dict[str, str]:
        return dict(self.options)


def parse_config(text: str) -> dict[str, dict[str, str]]:
    """DVC's config as {"core": {...}, "remote NAME": {...}}; an unreadable one is empty."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    sections: dict[str, dict[str, str]] = {}
    for section in parser.sections():
        found = _REMOTE_SECTION.fullmatch(section.strip())
        name = f"remote {found.group(1)}" if found else section.strip()
        sections.setdefault(name, {}).update(parser.items(section))
    return sections


def merge(*configs: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for config in configs:
        for section, values in config.items():
            merged.setdefault(section, {}).update(values)
    return merged


def default_remote(config: dict[str, dict[str, str]], base: Path | None = None) -> Remote:
    """The remote DVC would use: `core.remote`, or the only one declared.

    A relative local path is relative to the `.dvc` folder (`base`), as DVC reads it."""
    remotes = {section.removeprefix("remote "): values for section, values in config.items()
               if section.startswith("remote ")}
    name = config.get("core", {}).get("remote")
    if name is None and len(remotes) == 1:
        name = next(iter(remotes))
    if name is None:
        raise RemoteNotConfigured("its .dvc/config names no default remote (`dvc remote "
                                  "add -d storage URL`)")
    values = dict(remotes.get(name, {}))
    url = values.pop("url", None)
    if not url:
        raise RemoteNotConfigured(f"its DVC remote {name!r} has no url")
    if "://" not in url and not os.path.isabs(url):
        if base is None:
            raise RemoteNotConfigured(f"its DVC remote {name!r} is a relative path ({url}), "
                                      "which only a working copy can resolve")
        url = os.path.normpath(base / url)
    return Remote(name, url, tuple(sorted(values.items())))


def read_local_config(path: Path | None) -> dict[str, dict[str, str]]:
    """A config file outside git (config.local), or nothing when there is none."""
    if path is None:
        return {}
    try:
        return parse_config(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return {}


def working_copy_base(git_path: str) -> Path | None:
    """The `.dvc` folder of a registry that is a working copy (None for a bare repository)."""
    folder = Path(git_path)
    if folder.name == ".git":
        folder = folder.parent
    dvc = folder / ".dvc"
    return dvc if dvc.is_dir() else None
