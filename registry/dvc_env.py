"""Every DVC call the product makes runs with usage analytics off and its site cache in the
catalogue's instance folder: a council's data, and facts about it, stay in the council."""

from __future__ import annotations

import os
from pathlib import Path


def dvc_environment(site_cache: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment for a `dvc` subprocess."""
    env = dict(os.environ if base is None else base)
    env["DVC_NO_ANALYTICS"] = "1"
    env["DVC_SITE_CACHE_DIR"] = str(site_cache)
    return env


def configure_dvc(site_cache: Path) -> None:
    """Set the same for DVC's Python API inside this process (DVC reads these at call time)."""
    site_cache.mkdir(parents=True, exist_ok=True)
    os.environ["DVC_NO_ANALYTICS"] = "1"
    os.environ["DVC_SITE_CACHE_DIR"] = str(site_cache)
