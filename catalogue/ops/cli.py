"""The operators' commands: `catalogue registry list`, `catalogue doctor`, `catalogue backup`
and `catalogue restore` (loaded by catalogue.cli only when one of them runs)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from catalogue.cli import INSTANCE


def _settings(instance: str, must_exist: bool = True):
    from catalogue.settings import Settings

    settings = Settings.from_env(instance)
    if must_exist and not settings.instance.is_dir():
        raise click.BadParameter(f"{settings.instance} is not an instance folder",
                                 param_hint="--instance")
    return settings


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the registries as JSON.")
@INSTANCE
def registry_list(as_json: bool, instance: str) -> None:
    """Each registry: its last indexed commit and when, datasets and problems."""
    from sqlalchemy import func, select

    from catalogue.core import Catalogue
    from catalogue.models import Dataset, Problem, Registry
    from catalogue.ops.health import registry_states

    cat = Catalogue(_settings(instance), background_reads=False)
    try:
        states = registry_states(cat.engine)
        with cat.engine.connect() as conn:
            ids = dict(conn.execute(select(Registry.url, Registry.id)).all())
            problems = dict(conn.execute(select(Problem.registry_id, func.count()).group_by(
                Problem.registry_id)).all())
            datasets = dict(conn.execute(select(Dataset.registry_id, func.count()).where(
                Dataset.retired.is_(False)).group_by(Dataset.registry_id)).all())
    finally:
        cat.close()
    rows = [{"name": s.name, "url": s.url, "head_sha": s.head_sha,
             "indexed_at": s.indexed_at.isoformat() if s.indexed_at else None,
             "age_seconds": s.age_seconds, "datasets": datasets.get(ids[s.url], 0),
             "problems": problems.get(ids[s.url], 0)} for s in states]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No registries yet: register one with `catalogue index PATH_OR_URL`")
        return
    click.echo(f"{'NAME':24} {'LAST COMMIT':11} {'INDEXED':>12} {'DATASETS':>8} "
               f"{'PROBLEMS':>8}  URL")
    for r in rows:
        click.echo(f"{r['name'][:24]:24} {(r['head_sha'] or '-')[:10]:11} "
                   f"{_age(r['age_seconds']):>12} {r['datasets']:>8} {r['problems']:>8}  "
                   f"{r['url']}")


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


@click.command()
@INSTANCE
def doctor(instance: str) -> None:
    """Check configuration, database, search index, registries, remotes and hooks."""
    from catalogue.ops.doctor import FAIL, OK, examine

    failed = 0
    for finding in examine(_settings(instance, must_exist=False)):
        mark = {OK: "ok  ", FAIL: "FAIL"}.get(finding.status, "warn")
        click.echo(f"[{mark}] {finding.subject}: {finding.detail}")
        if finding.fix:
            click.echo(f"       fix: {finding.fix}")
        failed += finding.status == FAIL
    if failed:
        raise click.ClickException(f"{failed} check(s) failed")
    click.echo("Nothing failed.")


@click.command()
@click.argument("out", type=click.Path(path_type=Path))
@INSTANCE
def backup(out: Path, instance: str) -> None:
    """Back up the database, the instance's secrets and configuration into OUT."""
    from catalogue.ops.backup import backup as make_backup

    manifest = make_backup(_settings(instance), out)
    rows = sum(manifest.tables.values())
    click.echo(f"Backed up {manifest.dialect} (migration {manifest.revision}): "
               f"{len(manifest.tables)} tables, {rows} rows, {len(manifest.files)} instance "
               f"file(s) into {out}")
    click.echo("It holds secrets: keep it where only operators can read it.")


@click.command()
@click.argument("source", metavar="IN",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@INSTANCE
def restore(source: Path, instance: str) -> None:
    """Restore a backup made by `catalogue backup` into an empty instance."""
    from catalogue.ops.backup import restore as restore_backup

    manifest = restore_backup(_settings(instance, must_exist=False), source)
    click.echo(f"Restored {sum(manifest.tables.values())} rows of {len(manifest.tables)} "
               f"tables and {len(manifest.files)} instance file(s) from {source}")
    click.echo("The search index is rebuilt from the database when first used; registries "
               "known by URL are fetched again by the next `catalogue index`.")
