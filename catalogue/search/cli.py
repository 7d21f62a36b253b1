"""`catalogue search …`: looking after the search index from the command line."""

from __future__ import annotations

import time
from collections.abc import Callable

import click

from catalogue.core import Catalogue

Progress = Callable[[int, int], None]


def register(main: click.Group, instance_option: Callable,
             progress: Callable[[str], Progress]) -> None:
    """Add the `search` group to `main`; `progress(label)` makes a progress callback."""

    @main.group()
    def search() -> None:
        """Look after the search index (derived from the catalogue's database)."""

    @search.command()
    @click.option("--cached-columns", is_flag=True,
                  help="Use only the column names already read; read no file's header row.")
    @instance_option
    def rebuild(cached_columns: bool, instance: str) -> None:
        """Rebuild the search index from the database, reading the header rows of tabular
        files whose column names are not known yet."""
        cat = Catalogue.from_env(instance)
        started = time.perf_counter()
        try:
            count = cat.search.rebuild(progress("Reading column names"),
                                       read_columns=not cached_columns)
        finally:
            cat.close()
        click.echo(f"Rebuilt the search index: {count} dataset(s) in "
                   f"{time.perf_counter() - started:.1f} s")
