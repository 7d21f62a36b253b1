"""`catalogue search …`: looking after the search index from the command line (loaded by
catalogue.cli only when `search` runs: importing this package imports Whoosh)."""

from __future__ import annotations

import time

import click

from catalogue.cli import INSTANCE, progress


class _QueryOrCommand(click.Group):
    """`catalogue search QUERY…` searches; `catalogue search rebuild` (a command's name) runs
    that command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["query", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_QueryOrCommand)
def search() -> None:
    """Search the catalogue (QUERY), or look after its search index."""


@search.command("query")
@click.argument("words", nargs=-1, required=True)
@click.option("--as", "as_email", metavar="EMAIL",
              help="Search as this person reads (default: everything, as an operator).")
@click.option("--department", "departments", multiple=True, help="Only this department's.")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@INSTANCE
def query(words: tuple[str, ...], as_email: str | None, departments: tuple[str, ...],
          limit: int, as_json: bool, instance: str) -> None:
    """Search the catalogue for WORDS: the results as a table, or as JSON with --json."""
    import json

    from catalogue.access import Reader
    from catalogue.core import Catalogue
    from catalogue.people import find
    from catalogue.search.shapes import SearchRequest

    cat = Catalogue.from_env(instance)
    try:
        if as_email:
            with cat.session() as s:
                reader = find(cat.engine, as_email).reader(s)
        else:
            reader = Reader.everyone()
        request = SearchRequest.build(" ".join(words), {"department": list(departments)},
                                      per_page=limit)
        found = cat.search.search(reader, request)
    finally:
        cat.close()
    if as_json:
        click.echo(json.dumps(found.public(), indent=2))
        return
    if not found.results:
        click.echo(f"No dataset matches {' '.join(words)!r}"
                   + (f" (did you mean {found.suggestion!r}?)" if found.suggestion else ""))
        return
    width = max(len(hit.id) for hit in found.results)
    click.echo(f"{'DATASET'.ljust(width)}  SCORE  UPDATED     TITLE")
    for hit in found.results:
        click.echo(f"{hit.id.ljust(width)}  {hit.score:5.1f}  {hit.updated:%Y-%m-%d}  "
                   f"{hit.title}")
    more = found.count - len(found.results)
    click.echo(f"{found.count} dataset(s)" + (f", {more} more not shown" if more > 0 else ""))


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
