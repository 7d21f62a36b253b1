"""The `catalogue` command: registries, indexing, and (from web.commands) serving."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from catalogue.accounts_cli import register as register_account_commands
from catalogue.central_cli import register as register_central_commands
from catalogue.core import Catalogue
from catalogue.errors import CatalogueError
from catalogue.indexer import IndexReport
from catalogue.search.cli import register as register_search_commands
from registry.create import CreateFailed, init_central, init_registry

INSTANCE = click.option(
    "--instance", envvar="CATALOGUE_INSTANCE", default="instance", show_default=True,
    type=click.Path(file_okay=False), help="The instance folder (database, mirrors, caches).",
)


class _Group(click.Group):
    """Turns errors into one plain line on stderr: no traceback reaches a user."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CatalogueError as exc:
            raise click.ClickException(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("CATALOGUE_DEBUG"):
                raise
            raise click.ClickException(
                f"unexpected error: {type(exc).__name__}: {exc}\n"
                "Set CATALOGUE_DEBUG=1 to see the traceback, and please report it."
            ) from None


@click.group(cls=_Group)
def main() -> None:
    """A shared data catalogue over git + DVC data registries."""


@main.group()
def registry() -> None:
    """Create and look after data registries."""


def _department(value: str) -> tuple[str, str]:
    slug, sep, name = value.partition("=")
    if not sep or not slug or not name:
        raise click.BadParameter(f"{value!r}: write departments as slug=Name")
    return slug.strip(), name.strip()


@registry.command("init")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--remote", help="DVC remote URL (default: a directory beside the registry).")
@click.option("--name", help="The registry's name (default: its folder's name).")
@click.option("--department", "departments", multiple=True, metavar="SLUG=NAME",
              help="A department of the registry; repeat for several.")
@click.option("--bare", is_flag=True,
              help="A central registry: a bare repository that teams clone and push to.")
@INSTANCE
def registry_init(path: Path, remote: str | None, name: str | None,
                  departments: tuple[str, ...], bare: bool, instance: str) -> None:
    """Create a registry at PATH: git on main, DVC with a storage remote, catalogue.yaml."""
    depts = dict(_department(d) for d in departments)
    make = init_central if bare else init_registry
    try:
        created = make(path, Path(instance).resolve() / "dvc-site-cache",
                       name=name, remote=remote, departments=depts)
    except CreateFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {'central ' if bare else ''}registry {created}")
    if bare:
        click.echo(f"Install its hooks with: catalogue registry install-hooks {created} "
                   "--catalogue-url URL")
        click.echo(f"Teams clone it with: git clone {created}")
    else:
        click.echo(f"Index it with: catalogue index {created}")


@main.command()
@click.argument("path_or_url")
@INSTANCE
def index(path_or_url: str, instance: str) -> None:
    """Index a registry (registering it the first time); only new commits are read."""
    cat = Catalogue.from_env(instance)
    _print_report(cat.indexer.index(path_or_url, _progress(f"Indexing {path_or_url}")))


@main.command()
@INSTANCE
def reindex(instance: str) -> None:
    """Rebuild everything indexed from the registries' git history."""
    cat = Catalogue.from_env(instance)
    for report in cat.indexer.reindex(_progress("Reindexing")):
        _print_report(report)


register_central_commands(main, registry, INSTANCE)


def _progress(label: str):
    """A progress callback that draws a bar on a terminal, and nothing when piped."""
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        if not sys.stderr.isatty() or total < 50:
            return
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)
            state.clear()

    return update


def _print_report(report: IndexReport) -> None:
    click.echo(f"{report.registry}: {report.commits} new commit(s), "
               f"{len(report.new_versions)} new version(s)")
    for key, number in report.new_versions[-20:]:
        click.echo(f"  + {key} v{number}")
    if len(report.new_versions) > 20:
        click.echo(f"  … and {len(report.new_versions) - 20} more")
    for key in report.retired:
        click.echo(f"  - {key} retired")
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s):", err=True)
        for p in report.problems:
            where = f"{p.file}:{p.line}" if p.line else p.file
            click.echo(f"  ! {where}: {p.message}", err=True)


register_search_commands(main, INSTANCE, _progress)
register_account_commands(main, INSTANCE)
