"""Backup and restore: what git cannot give back.

`catalogue reindex` rebuilds everything read from the registries (datasets, versions, files,
lineage, problems, departments) from git. Only the database holds the rest: accounts and
their memberships, sign-in sessions and API tokens, grants and access requests, release
requests and decisions, the audit trail, notifications and follows, webhook secrets, profiles
and jobs. A backup is a folder:

    manifest.json        when, which database (dialect, migration), each table's row count
    database.sqlite      SQLite: a consistent copy through SQLite's online backup API
    database.dump        PostgreSQL: `pg_dump --format=custom`
    instance/            the instance folder's secrets and configuration (secret_key,
                         config.py, dvc/config.local, the release signing key, …)

The search indexes, git mirrors, DVC caches and locks are derived data: not copied, rebuilt
(the search index from the database when first opened; mirrors by the next index run).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import MetaData, func, inspect, select, text, update
from sqlalchemy.engine import Engine, make_url

from catalogue.db import make_engine
from catalogue.errors import CatalogueError
from catalogue.models import Registry
from catalogue.settings import Settings
from registry.mirror import is_local, mirror_path

FORMAT = 1
DERIVED = {"search", "search-open", "mirrors", "dvc-site-cache", "locks"}
PG_BIN = Path(os.environ.get("CATALOGUE_PG_BIN", "/usr/lib/postgresql/15/bin"))


class BackupError(CatalogueError):
    pass


@dataclass(frozen=True)
class Manifest:
    created_at: str
    dialect: str
    revision: str | None
    tables: dict[str, int]
    files: list[str]


def backup(settings: Settings, out: Path) -> Manifest:
    """Write a backup of this instance into the new (or empty) folder `out`."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} already exists and is not an empty folder")
    engine = make_engine(settings.database_url)
    try:
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise BackupError(f"cannot back up a {dialect} database")
        out.mkdir(parents=True, exist_ok=True)
        if dialect == "sqlite":
            _sqlite_copy(engine, out / "database.sqlite")
        else:
            _pg("pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                f"--file={out / 'database.dump'}", f"--dbname={_libpq(settings.database_url)}")
        tables, revision = table_counts(engine), _revision(engine)
    finally:
        engine.dispose()
    files = _copy_instance(settings.instance, out / "instance", settings.database_url)
    manifest = Manifest(datetime.now(UTC).isoformat(timespec="seconds"), dialect, revision,
                        tables, files)
    (out / "manifest.json").write_text(json.dumps(manifest.__dict__, indent=2) + "\n")
    os.chmod(out, 0o700)  # it holds the instance's secrets
    return manifest


def restore(settings: Settings, source: Path) -> Manifest:
    """Restore the backup in `source` into this instance, whose database must be empty."""
    try:
        manifest = Manifest(**json.loads((source / "manifest.json").read_text()))
    except (OSError, ValueError, TypeError) as exc:
        raise BackupError(f"{source} is not a catalogue backup ({exc})") from None
    settings.instance.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        if engine.dialect.name != manifest.dialect:
            raise BackupError(f"the backup is of a {manifest.dialect} database; this instance "
                              f"uses {engine.dialect.name}: restore into the same kind")
        if inspect(engine).get_table_names():
            raise BackupError("the instance's database is not empty: restore into a new one")
        if manifest.dialect == "sqlite":
            engine.dispose()
            target = make_url(settings.database_url).database
            _sqlite_restore(source / "database.sqlite", Path(target))
        else:
            _pg("pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                "--exit-on-error", f"--dbname={_libpq(settings.database_url)}",
                str(source / "database.dump"))
        engine = make_engine(settings.database_url)
        _repoint_mirrors(engine, settings)
        restored = table_counts(engine)
    finally:
        engine.dispose()
    if restored != manifest.tables:
        raise BackupError(f"restored row counts differ from the backup's: {restored}")
    for name in manifest.files:
        target = settings.instance / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "instance" / name, target)
    return manifest


def table_counts(engine: Engine) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {name: conn.scalar(select(func.count()).select_from(table))
                for name, table in sorted(metadata.tables.items())}


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def _sqlite_copy(engine: Engine, target: Path) -> None:
    _sqlite_backup(Path(make_url(str(engine.url)).database), target)


def _sqlite_restore(backup_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("-wal", "-shm"):  # an empty database's leftovers
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    _sqlite_backup(backup_file, target)


def _sqlite_backup(source_file: Path, target: Path) -> None:
    """Copy one SQLite database into another with SQLite's online backup (consistent while
    others write)."""
    source = sqlite3.connect(source_file)
    try:
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
    finally:
        source.close()


def _copy_instance(instance: Path, out: Path, database_url: str) -> list[str]:
    """The instance folder's own files (secrets, configuration), not what is derived."""
    database = make_url(database_url).database if database_url.startswith("sqlite") else None
    skip = {Path(f"{database}{s}").resolve() for s in ("", "-wal", "-shm", "-journal")} \
        if database else set()
    copied = []
    if not instance.is_dir():
        return copied
    for path in sorted(instance.rglob("*")):
        relative = path.relative_to(instance)
        if relative.parts[0] in DERIVED or not path.is_file() or path.resolve() in skip:
            continue
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copied.append(relative.as_posix())
    return copied


def _repoint_mirrors(engine: Engine, settings: Settings) -> None:
    """A registry known by URL is read from a mirror in the instance folder: this one's now
    (the next index run fetches it)."""
    with engine.begin() as conn:
        for registry_id, url in conn.execute(select(Registry.id, Registry.url)).all():
            if not is_local(url):
                conn.execute(update(Registry).where(Registry.id == registry_id).values(
                    git_path=str(mirror_path(settings.mirrors, url))))


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (no `+psycopg` driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg(program: str, *args: str) -> None:
    binary = PG_BIN / program if (PG_BIN / program).exists() else shutil.which(program)
    if binary is None:
        raise BackupError(f"{program} not found (set CATALOGUE_PG_BIN to PostgreSQL's bin)")
    done = subprocess.run([str(binary), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{program} failed: {done.stderr.strip()[-2000:]}")
