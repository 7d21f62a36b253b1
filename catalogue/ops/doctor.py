"""`catalogue doctor`: what is wrong with this instance, and what to do about it.

Each check gives a Finding: ok, a warning (works, but worth a look) or a failure (something
does not work), with what to do. Checks that need the database are skipped when it cannot be
reached; nothing is changed, created or migrated (the database is opened without migrating).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from catalogue.ops.health import registry_states, search_index
from catalogue.settings import Settings

OK, WARN, FAIL = "ok", "warn", "FAIL"


@dataclass(frozen=True)
class Finding:
    status: str
    subject: str
    detail: str
    fix: str | None = None


def examine(settings: Settings) -> Iterator[Finding]:
    yield from _configuration(settings)
    from catalogue.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        database = list(_database(engine))
        yield from database
        if all(f.status != FAIL for f in database):
            found = search_index(settings.instance / "search")
            yield Finding(OK if found.ok else FAIL, "search index", found.detail,
                          None if found.ok else "rebuild it: catalogue search rebuild")
            yield from _registries(engine, settings)
    finally:
        engine.dispose()


def _configuration(settings: Settings) -> Iterator[Finding]:
    instance = settings.instance
    if not instance.is_dir():
        yield Finding(FAIL, "instance folder", f"{instance} does not exist",
                      "set CATALOGUE_INSTANCE (or --instance) to the instance folder, or create "
                      "one with `catalogue index PATH` or `catalogue demo`")
        return
    writable = os.access(instance, os.W_OK)
    yield Finding(OK if writable else FAIL, "instance folder", str(instance),
                  None if writable else f"let this user write to {instance}")
    secret = instance / "secret_key"
    if os.environ.get("CATALOGUE_SECRET_KEY") or secret.exists():
        yield Finding(OK, "secret key", "set" if not secret.exists() else f"in {secret}")
    else:
        yield Finding(WARN, "secret key", "none yet: the web app makes one when it first starts",
                      "with several hosts, give them all the same CATALOGUE_SECRET_KEY")
    smtp = os.environ.get("CATALOGUE_SMTP_URL")
    yield Finding(OK if smtp else WARN, "email", "an SMTP server is set" if smtp else
                  "no SMTP server: notifications are shown in the app only",
                  None if smtp else "set CATALOGUE_SMTP_URL to send them by email")


def _database(engine: Engine) -> Iterator[Finding]:
    from catalogue.migrate import HEAD_REVISION, current_revisions

    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    except Exception as exc:
        yield Finding(FAIL, "database", f"cannot connect: {str(exc).splitlines()[0][:200]}",
                      "check DATABASE_URL and that the database server is running")
        return
    yield Finding(OK, "database", f"{engine.dialect.name}, {len(tables)} table(s)")
    revisions = current_revisions(engine)
    if not revisions:
        yield Finding(FAIL, "migrations", "the database has no tables of the catalogue",
                      "run any catalogue command (such as `catalogue index PATH`) to create them")
    elif revisions != {HEAD_REVISION}:
        yield Finding(FAIL, "migrations", f"at {', '.join(sorted(revisions))}, the code needs "
                      f"{HEAD_REVISION}", "run `catalogue reindex` or restart the app to migrate")
    else:
        yield Finding(OK, "migrations", f"at {HEAD_REVISION}")


def _registries(engine: Engine, settings: Settings) -> Iterator[Finding]:
    from catalogue.models import Problem, Registry, WebhookSecret
    from registry.history import RegistryHistory, RegistryUnreadable
    from registry.mirror import is_local

    states = registry_states(engine)
    if not states:
        yield Finding(WARN, "registries", "none registered",
                      "register one with `catalogue index PATH_OR_URL`")
        return
    with engine.connect() as conn:
        problems = dict(conn.execute(select(Problem.registry_id, func.count()).group_by(
            Problem.registry_id)).all())
        rows = {r.url: r for r in conn.execute(select(Registry.id, Registry.url,
                                                      Registry.git_path))}
        secrets = set(conn.scalars(select(WebhookSecret.registry_id)))
    for state in states:
        row = rows[state.url]
        name = f"registry {state.name}"
        try:
            history = RegistryHistory(row.git_path)
        except RegistryUnreadable as exc:
            yield Finding(FAIL, name, str(exc), f"check that {row.git_path} is there, or run "
                          f"`catalogue index {state.url}` to fetch it again")
            continue
        head = history.head()
        if head and head != state.head_sha:
            behind = history.count(state.head_sha, head) if state.head_sha and \
                history.is_ancestor(state.head_sha, head) else None
            yield Finding(WARN, name, f"{behind if behind is not None else 'some'} commit(s) "
                          "not indexed yet", f"run `catalogue index {state.url}`")
        else:
            age = f"{state.age_seconds:.0f} s ago" if state.age_seconds is not None else "never"
            yield Finding(OK, name, f"indexed up to {(state.head_sha or '-')[:10]}, {age}")
        count = problems.get(row.id, 0)
        if count:
            yield Finding(WARN, f"{name}: metadata", f"{count} problem(s) in its files",
                          "see them on the datasets' pages or in `catalogue index` output")
        if head:
            yield _remote(settings, row.git_path, head, name)
        if is_local(state.url):
            yield _hooks(Path(row.git_path), name, history.repo.is_bare)
        elif row.id not in secrets:
            yield Finding(WARN, f"{name}: webhook", "no webhook secret: pushes are noticed only "
                          "when someone runs `catalogue index`",
                          f"catalogue registry set-secret {state.url}")
        else:
            yield Finding(OK, f"{name}: webhook", "a secret is set")


def _remote(settings: Settings, git_path: str, head: str, name: str) -> Finding:
    from registry.remote_store import RemoteUnreadable, open_store
    from registry.remotes import RemoteNotConfigured
    from registry.storage import RegistryStorage

    try:
        remote = RegistryStorage(settings.dvc_config).remote_at(git_path, head)
        open_store(remote.url, remote.settings).has("0" * 32)
    except RemoteNotConfigured as exc:
        return Finding(FAIL, f"{name}: DVC remote", str(exc),
                       "add one: dvc remote add -d storage URL, then commit .dvc/config")
    except RemoteUnreadable as exc:
        return Finding(FAIL, f"{name}: DVC remote", str(exc),
                       "check the remote's URL, that it is reachable, and its credentials "
                       f"(in {settings.dvc_config} or the environment)")
    return Finding(OK, f"{name}: DVC remote", f"{remote.url} reachable")


def _hooks(git_dir: Path, name: str, bare: bool) -> Finding:
    from registry.hooks import HOOKS

    if not bare:
        return Finding(OK, f"{name}: hooks", "a working copy: indexed by `catalogue index`")
    missing = [h for h in HOOKS if "registry.hooks" not in _read(git_dir / "hooks" / h)]
    if missing:
        return Finding(WARN, f"{name}: hooks", f"{', '.join(missing)} not installed: pushes "
                       "are not checked or indexed as they land",
                       f"catalogue registry install-hooks {git_dir} --catalogue-url URL")
    return Finding(OK, f"{name}: hooks", "pre-receive and post-receive installed")


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
