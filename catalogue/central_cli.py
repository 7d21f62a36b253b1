"""The commands of a team's clone and of a central registry: `catalogue push`,
`catalogue registry install-hooks`, `set-secret`, and `notify` (what the post-receive hook runs).

catalogue.cli loads this module only when one of these commands runs; each command imports
the core (or the push machinery) itself, so `notify` costs no more than catalogue.after_push.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from catalogue.cli import INSTANCE

BIG = 64 * 1024 * 1024


@click.command()
@click.argument("dataset")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("-m", "--message", required=True, help="What this version is (the commit message).")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A dataset.yaml for the dataset (needed for a new one).")
@click.option("-C", "--clone", default=".", type=click.Path(file_okay=False, path_type=Path),
              help="The clone of the registry (default: the one the current folder is in).")
def push(dataset: str, files: tuple[Path, ...], message: str, metadata: Path | None,
         clone: Path) -> None:
    """Publish FILES as a new version of DATASET (department/dataset) from a registry clone.

    Checks the metadata first; then copies the files into the dataset's folder, `dvc add`s
    them, commits as you (your git identity), uploads the data (`dvc push`), and only then
    `git push`es. If a step fails, it says what to do; running it again completes the job.
    """
    from catalogue.push import find_clone, push_version

    root = find_clone(clone)
    outcome = push_version(root, dataset, [f.resolve() for f in files], message,
                           site_cache=root / ".dvc" / "tmp" / "site-cache",
                           metadata=metadata.resolve() if metadata else None,
                           say=click.echo, copy_progress=_copy_progress())
    if outcome.pushed_commits:
        click.echo(f"Pushed {dataset} at {outcome.sha[:10]}.")


def _copy_progress() -> Callable[[int, int], None]:
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        if total < BIG or not sys.stderr.isatty():
            return
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=total, label="Copying into the clone", file=sys.stderr)
            bar.__enter__()
            state["bar"] = bar
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return update


@click.command("install-hooks")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--catalogue-url", envvar="CATALOGUE_URL",
              help="The catalogue's base URL, for the links to new versions shown to pushers.")
@click.option("--remote", help="The DVC remote that pushed data must be in (default: the one "
                               "main's .dvc/config names).")
@click.option("--tell/--no-tell", default=True, show_default=True,
              help="Whether post-receive tells this catalogue instance about each push.")
@click.option("--wait", default=0.0, show_default=True, type=click.FloatRange(0, 120),
              help="Seconds post-receive waits for the new versions' numbers and links before "
                   "git push returns (0: it does not wait; it links to the datasets' pages).")
@INSTANCE
def install_hooks_command(path: Path, catalogue_url: str | None, remote: str | None,
                          tell: bool, wait: float, instance: str) -> None:
    """Install the catalogue's pre-receive and post-receive hooks into the registry at PATH."""
    from catalogue.settings import Settings
    from registry.hooks import HooksFailed, install_hooks

    try:
        written = install_hooks(
            path, remote=remote, catalogue_url=catalogue_url,
            instance=Path(instance) if tell else None,
            database_url=os.environ.get("DATABASE_URL") if tell else None, wait_seconds=wait,
            remote_config=Settings.from_env(instance).dvc_config)
    except HooksFailed as exc:
        raise click.ClickException(str(exc)) from None
    for script in written:
        click.echo(f"Installed {script}")
    if tell:
        from catalogue.core import Catalogue

        cat = Catalogue.from_env(instance)
        report = cat.indexer.index(str(path.resolve()))
        click.echo(f"Indexed {report.registry}: {report.commits} new commit(s)")


@click.command("set-secret")
@click.argument("url")
@click.option("--generate", is_flag=True,
              help="Generate a secret and print it, once (otherwise read it from stdin).")
@INSTANCE
def set_secret_command(url: str, generate: bool, instance: str) -> None:
    """Set the webhook secret of the registry known by URL (as the forge's webhook names it).

    The secret is read from standard input (or generated and printed once); it is never shown
    again. Give the forge the same secret and the address POST /api/v1/hooks/push.
    """
    from catalogue.core import Catalogue
    from catalogue.webhooks import generate_secret, set_secret

    if generate:
        secret = generate_secret()
    elif sys.stdin.isatty():
        secret = click.prompt("Webhook secret", hide_input=True, confirmation_prompt=True)
    else:
        secret = sys.stdin.read().strip()
    if not secret:
        raise click.ClickException("no secret given on standard input (or use --generate)")
    registry = set_secret(Catalogue.from_env(instance), url, secret)
    click.echo(f"Webhook secret set for {registry.url}")
    if generate:
        click.echo(f"Secret (shown only now): {secret}")


@click.command(hidden=True)
@click.argument("path_or_url")
@click.argument("old")
@click.argument("new")
@click.option("--catalogue-url", help="The catalogue's base URL, for links.")
@INSTANCE
def notify(path_or_url: str, old: str, new: str, catalogue_url: str | None,
           instance: str) -> None:
    """Index a registry after a push of OLD..NEW to main (or wait for the index run under
    way); print the new versions' links, then close standard output. The post-receive hook
    runs the same (catalogue.after_push) without loading this command line."""
    from catalogue.after_push import after_push

    after_push(path_or_url, old, new, instance=instance, catalogue_url=catalogue_url,
               report=True)
