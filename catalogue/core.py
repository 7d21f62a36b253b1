"""The catalogue as one object: its settings, database engine, indexer and search index, made
explicitly (never at import time) by the CLI or by the web app factory."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from catalogue.db import make_engine, read_session
from catalogue.indexer import Indexer
from catalogue.migrate import upgrade
from catalogue.search import SearchIndex
from catalogue.settings import Settings
from registry.dvc_env import configure_dvc


class Catalogue:
    def __init__(self, settings: Settings):
        self.settings = settings
        settings.ensure()
        configure_dvc(settings.dvc_site_cache)
        self.engine: Engine = make_engine(settings.database_url)
        upgrade(self.engine)
        self.indexer = Indexer(self.engine, settings.mirrors)
        self.search = SearchIndex(settings.instance / "search", self.engine)
        self.indexer.listeners.append(self.search.datasets_changed)

    @classmethod
    def from_env(cls, instance: str | None = None) -> Catalogue:
        return cls(Settings.from_env(instance))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with read_session(self.engine) as s:
            yield s

    def close(self) -> None:
        self.search.close()
        self.engine.dispose()
