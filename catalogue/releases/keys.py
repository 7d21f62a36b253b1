"""The key that signs release tags: from `CATALOGUE_RELEASE_KEY`, else generated once into the
instance folder. Every host of a deployment must share it (or the instance folder): a tag
signed with another key releases nothing when the catalogue is rebuilt from git.

It is not the web session's secret, so that rotating that secret leaves the releases' record
verifiable."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_FILE = "release-signing-key"


def signing_key(instance: Path) -> bytes:
    from_env = os.environ.get("CATALOGUE_RELEASE_KEY")
    if from_env:
        return from_env.encode()
    path = instance / KEY_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32).encode()
    draft = path.with_name(f"{KEY_FILE}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
    try:
        os.link(draft, path)  # whole or not at all; another process's key wins a race
    except FileExistsError:
        key = path.read_bytes().strip()
    finally:
        draft.unlink()
    return key
