"""`catalogue search …`: looking after the search index from the command line (loaded by
catalogue.cli only when `search` runs: importing this package imports Whoosh)."""

from __future__ import annotations

import time

import click

from catalogue.cli import INSTANCE, progress


@click.group()
def search() -> None:
    """Look after the search index (derived from the catalogue's database)."""


@search.command()
@click.option("--cached-columns", is_flag=True,
              help="Use only the column names already read; read no file's header row.")
@INSTANCE
def rebuild(cached_columns: bool, instance: str) -> None:
    """Rebuild the search index from the database, reading the header rows of tabular
    files whose column names are not known yet."""
    from catalogue.core import Catalogue

    cat = Catalogue.from_env(instance)
    started = time.perf_counter()
    try:
        count = cat.search.rebuild(progress("Reading column names"),
                                   read_columns=not cached_columns)
    finally:
        cat.close()
    click.echo(f"Rebuilt the search index: {count} dataset(s) in "
               f"{time.perf_counter() - started:.1f} s")
