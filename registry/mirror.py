"""Local git directories for registries: a path is read in place, a URL through a mirror clone."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path


class MirrorFailed(Exception):
    """Cloning or fetching a registry's URL failed; the message says why."""


def is_local(path_or_url: str) -> bool:
    return "://" not in path_or_url and not re.match(r"^[\w.-]+@[\w.-]+:", path_or_url)


def mirror_path(mirrors: Path, url: str) -> Path:
    name = re.sub(r"[^A-Za-z0-9]+", "-", url).strip("-")[-60:]
    digest = hashlib.sha1(url.encode()).hexdigest()[:10]
    return mirrors / f"{name}-{digest}.git"


def update_mirror(mirrors: Path, url: str) -> Path:
    """Clone `url` as a bare mirror the first time, fetch it afterwards; returns the git dir."""
    import git  # GitPython: only here, so that the hooks (which need is_local) start fast

    target = mirror_path(mirrors, url)
    try:
        if target.exists():
            git.Repo(target).git.fetch("--prune", "origin", "+refs/heads/*:refs/heads/*")
        else:
            git.Repo.clone_from(url, target, mirror=True)
    except git.GitCommandError as exc:
        lines = [ln.strip(" '") for ln in str(exc.stderr).splitlines()]
        reason = next((ln for ln in lines if ln.startswith("fatal:")), lines[-1] if lines else "")
        raise MirrorFailed(f"could not fetch {url}: {reason.removeprefix('fatal: ')}") from None
    return target
