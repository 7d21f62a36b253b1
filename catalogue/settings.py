"""Where the catalogue keeps its state: an instance folder, and a database URL.

Read from the environment (`CATALOGUE_INSTANCE`, `DATABASE_URL`) by the CLI and the web app alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str

    @classmethod
    def from_env(cls, instance: str | os.PathLike | None = None) -> Settings:
        folder = Path(instance or os.environ.get("CATALOGUE_INSTANCE") or "instance").resolve()
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'catalogue.sqlite'}"
        return cls(folder, normalise_database_url(url))

    @property
    def mirrors(self) -> Path:
        return self.instance / "mirrors"

    @property
    def dvc_site_cache(self) -> Path:
        return self.instance / "dvc-site-cache"

    @property
    def dvc_config(self) -> Path:
        """DVC settings that stay out of git (remote credentials, endpoints), in DVC's config
        format, laid over every registry's `.dvc/config` as `.dvc/config.local` would be."""
        return self.instance / "dvc" / "config.local"

    def ensure(self) -> None:
        self.instance.mkdir(parents=True, exist_ok=True)
        self.mirrors.mkdir(exist_ok=True)
        self.dvc_site_cache.mkdir(exist_ok=True)


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` / `postgresql://` forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
