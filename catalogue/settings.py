"""Where the catalogue keeps its state: an instance folder, and a database URL.

Read from the environment (`CATALOGUE_INSTANCE`, `DATABASE_URL`) by the CLI and the web app alike;
optionally an SMTP server for email notifications (`CATALOGUE_SMTP_URL`, `CATALOGUE_MAIL_FROM`)
and the catalogue's public address for the links in them (`CATALOGUE_URL`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str
    smtp_url: str | None = field(default=None, repr=False)  # may hold a password
    """`smtp://[user:password@]host[:port]` (STARTTLS when the server offers it) or
    `smtps://…` (TLS from the start); None: notifications are shown in the app only."""
    mail_from: str | None = None
    base_url: str | None = None
    """The catalogue's public address (`https://data.council.example`), for links in emails."""

    @classmethod
    def from_env(cls, instance: str | os.PathLike | None = None) -> Settings:
        folder = Path(instance or os.environ.get("CATALOGUE_INSTANCE") or "instance").resolve()
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'catalogue.sqlite'}"
        return cls(folder, normalise_database_url(url),
                   smtp_url=os.environ.get("CATALOGUE_SMTP_URL") or None,
                   mail_from=os.environ.get("CATALOGUE_MAIL_FROM") or None,
                   base_url=os.environ.get("CATALOGUE_URL") or None)

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
