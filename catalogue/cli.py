"""The `catalogue` command: one click group whose commands import what they use only when they
run. `catalogue --help` and `catalogue index` must start fast: this module imports click and the
standard library only; the core (SQLModel, the indexer), the search index (Whoosh), the web app
(Flask) and the commands' modules are imported by the commands that need them.

A command defined in another module is listed in `LAZY` with its one-line help, so that
`--help` lists it without importing it (tests/catalogue/test_cli_startup.py checks that each
line matches the command's own)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

import click

from catalogue.errors import CatalogueError

if TYPE_CHECKING:
    from catalogue.core import Catalogue
    from catalogue.indexer import IndexReport

INSTANCE = click.option(
    "--instance", envvar="CATALOGUE_INSTANCE", default="instance", show_default=True,
    type=click.Path(file_okay=False), help="The instance folder (database, mirrors, caches).",
)


class LazyCommand:
    """A command defined as `attribute` of `module`, imported when it is first needed."""

    def __init__(self, target: str, short_help: str, hidden: bool = False):
        self.module, _, self.attribute = target.partition(":")
        self.short_help = short_help
        self.hidden = hidden

    def load(self) -> click.Command:
        command = getattr(import_module(self.module), self.attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.module}:{self.attribute} is not a click command")
        return command

    def stand_in(self, name: str) -> click.Command:
        return click.Command(name, help=self.short_help, hidden=self.hidden)


class _Group(click.Group):
    """Turns errors into one plain line on stderr (no traceback reaches a user), and loads the
    commands named in `lazy` only when one of them runs (or its own help is asked for)."""

    def __init__(self, *args, lazy: Mapping[str, LazyCommand] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, LazyCommand] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            self.add_command(self.lazy[name].load(), name)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their one-line help, importing none of the lazy ones (a stand-in
        that has only their help makes the line as the command itself would)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or self.lazy[name].stand_in(name)
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, c.get_short_help_str(limit)) for name, c in rows])

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


LAZY = {
    "backup": LazyCommand(
        "catalogue.ops.cli:backup",
        "Back up the database, the instance's secrets and configuration into OUT."),
    "demo": LazyCommand(
        "web.commands:demo",
        "Create a demo instance (registries of several departments, indexed) and serve it."),
    "doctor": LazyCommand(
        "catalogue.ops.cli:doctor",
        "Check configuration, database, search index, registries, remotes and hooks."),
    "grants": LazyCommand(
        "catalogue.sharing.cli:grants",
        "The register of shares: list grants, approve or refuse pending ones."),
    "jobs": LazyCommand(
        "catalogue.jobs.cli:jobs",
        "Background jobs: how many are queued, running, done and failed; retry failed ones."),
    "lineage": LazyCommand("catalogue.lineage.cli:lineage",
                           "Show what a dataset was made from and what depends on it."),
    "mail": LazyCommand("catalogue.notifications.cli:mail",
                        "Send the email notifications waiting in the outbox."),
    "push": LazyCommand(
        "catalogue.central_cli:push",
        "Publish FILES as a new version of DATASET (department/dataset) from a registry clone."),
    "release": LazyCommand("catalogue.releases.cli:release", "Look at one release request."),
    "releases": LazyCommand(
        "catalogue.releases.cli:releases",
        "List the release requests: id, dataset, version, status, requested by, age."),
    "search": LazyCommand(
        "catalogue.search.cli:search",
        "Search the catalogue (QUERY), or look after its search index."),
    "restore": LazyCommand(
        "catalogue.ops.cli:restore",
        "Restore a backup made by `catalogue backup` into an empty instance."),
    "serve": LazyCommand("web.commands:serve", "Serve the catalogue's web pages and JSON API."),
    "share": LazyCommand(
        "catalogue.accounts_cli:share",
        "Share DEPT/DATASET with a department or a partner organisation."),
    "shares": LazyCommand("catalogue.accounts_cli:shares",
                          "List whom DEPT/DATASET is shared with."),
    "tags": LazyCommand("catalogue.tags.cli:tags",
                        "Suggest tags for a dataset; accept or dismiss them."),
    "token": LazyCommand("catalogue.accounts_cli:token",
                         "API tokens, sent as `Authorization: Bearer <token>`."),
    "unshare": LazyCommand(
        "catalogue.accounts_cli:unshare",
        "Stop sharing DEPT/DATASET with a department or partner organisation."),
    "user": LazyCommand("catalogue.accounts_cli:user", "Add and look after people's accounts."),
    "worker": LazyCommand(
        "catalogue.jobs.cli:worker",
        "Run background jobs (profiles of new versions' files) until stopped."),
}

REGISTRY_LAZY = {
    "list": LazyCommand(
        "catalogue.ops.cli:registry_list",
        "Each registry: its last indexed commit and when, datasets and problems."),
    "install-hooks": LazyCommand(
        "catalogue.central_cli:install_hooks_command",
        "Install the catalogue's pre-receive and post-receive hooks into the registry at PATH."),
    "notify": LazyCommand("catalogue.central_cli:notify",
                          "Index a registry after a push of OLD..NEW to main (or wait for the "
                          "index run under way); print the new versions' links, then close "
                          "standard output.", hidden=True),
    "set-secret": LazyCommand(
        "catalogue.central_cli:set_secret_command",
        "Set the webhook secret of the registry known by URL (as the forge's webhook names it)."),
}


@click.group(cls=_Group, lazy=LAZY)
def main() -> None:
    """A shared data catalogue over git + DVC data registries."""


@main.group(cls=_Group, lazy=REGISTRY_LAZY)
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
    from registry.create import CreateFailed, init_central, init_registry

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
    _check_registry(path_or_url)
    from catalogue.core import Catalogue

    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        _print_report(cat.indexer.index(path_or_url, _progress(f"Indexing {path_or_url}")))
        _hand_over_columns(cat)
        _profiles_waiting(cat)
    finally:
        cat.close()


def _check_registry(path_or_url: str) -> None:
    """Refuse what is no registry before anything is made (the instance folder, a mirror)."""
    import subprocess

    from registry.history import RegistryUnreadable, registry_problem
    from registry.mirror import is_local

    if not is_local(path_or_url):
        found = subprocess.run(["git", "ls-remote", "--quiet", path_or_url, "HEAD"],
                               capture_output=True, text=True, timeout=120, check=False)
        if found.returncode != 0:
            said = (found.stderr.strip().splitlines() or ["no answer"])[-1]
            raise click.BadParameter(f"cannot reach {path_or_url}: {said}",
                                     param_hint="PATH_OR_URL")
        return
    if not Path(path_or_url).is_dir():
        raise click.BadParameter(f"{path_or_url}: no such folder", param_hint="PATH_OR_URL")
    try:
        problem = registry_problem(str(Path(path_or_url).resolve()))
    except RegistryUnreadable as exc:
        raise click.BadParameter(str(exc), param_hint="PATH_OR_URL") from None
    if problem:
        raise click.BadParameter(f"{path_or_url} is not a data registry: {problem} (create one "
                                 "with `catalogue registry init`)", param_hint="PATH_OR_URL")


@main.command()
@INSTANCE
def reindex(instance: str) -> None:
    """Rebuild everything indexed from the registries' git history."""
    from catalogue.core import Catalogue

    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        for report in cat.indexer.reindex(_progress("Reindexing")):
            _print_report(report)
        _hand_over_columns(cat)
        _profiles_waiting(cat)
    finally:
        cat.close()


def _hand_over_columns(cat: Catalogue) -> None:
    """Column names this command did not read (a header row each, from the DVC remote) go to
    the background worker: the command returns, and search gains them a moment later."""
    left = cat.columns_left()
    if not left:
        return
    from catalogue.search.worker import LOG_FILE, start_detached

    pid = start_detached(cat.settings.instance)
    log = cat.settings.instance / "search" / LOG_FILE
    click.echo(f"Reading the column names of {left} file(s) for search in the background "
               f"(process {pid}; problems are logged to {log})")


def _profiles_waiting(cat: Catalogue) -> None:
    """Say how many files wait for their profile: a worker (`catalogue worker`, or the one
    `catalogue serve` starts) profiles them."""
    waiting = cat.jobs.counts("profile")["queued"]
    if waiting:
        click.echo(f"{waiting} file(s) wait to be profiled by `catalogue worker` (`catalogue "
                   "serve` runs one)")


def _progress(label: str) -> Callable[[int, int], None]:
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


progress = _progress  # for the commands of other modules (catalogue.search.cli)


def _print_report(report: IndexReport) -> None:
    click.echo(f"{report.registry}: {report.commits} new commit(s), "
               f"{len(report.new_versions)} new version(s)")
    if report.waited:
        click.echo(f"  (another index run was indexing this registry at the same time: this "
                   f"run waited for it; it indexed {report.others_commits} commit(s) and "
                   f"{report.others_versions} version(s) of them)")
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
