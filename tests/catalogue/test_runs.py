"""Index runs: incremental ≡ reindex; kill -9 then resume ≡ uninterrupted; concurrent ≡ one."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from catalogue import index_run
from catalogue.core import Catalogue
from catalogue.index_run import IndexReport, IndexRun
from catalogue.models import Registry, Version
from catalogue.settings import Settings
from registry.history import RegistryHistory
from tests.builders import fast_history, sh
from tests.catalogue.snapshot import snapshot

COMMITS = 6000  # several of the indexer's batches (catalogue.index_run.BATCH_S), however fast


@pytest.fixture(scope="module")
def long_history(tmp_path_factory):
    return fast_history(tmp_path_factory.mktemp("long") / "registry", datasets=300,
                        commits=COMMITS)


def fresh(tmp_path, make_database_url, name):
    return Catalogue(Settings(instance=tmp_path / name, database_url=make_database_url()))


def index_process(path, cat: Catalogue) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=cat.settings.database_url)
    return subprocess.Popen(
        [sys.executable, "-m", "catalogue", "index", str(path),
         "--instance", str(cat.settings.instance)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def versions_in(cat: Catalogue) -> int:
    with Session(cat.engine) as s:
        return s.exec(select(func.count(Version.id))).one()


def indexed_head(cat: Catalogue) -> str | None:
    with Session(cat.engine) as s:
        return s.exec(select(Registry.head_sha)).one()


def batch_under_way(cat: Catalogue) -> bool:
    """Whether an index run is inside one of its transactions: it holds SQLite's write lock,
    or on PostgreSQL the registry row its claim locked."""
    url = cat.settings.database_url
    if url.startswith("sqlite"):
        probe = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # database is locked
            return True
        finally:
            probe.close()
    with cat.engine.connect() as conn:
        try:
            conn.execute(text("SELECT id FROM registry FOR UPDATE NOWAIT"))
            return False
        except OperationalError:  # lock not available
            return True
        finally:
            conn.rollback()


def index_until(cat: Catalogue, path, tip: str) -> None:
    """Index the registry at `path` up to commit `tip` only."""
    registry = cat.indexer.register(str(path))
    IndexRun(cat.engine, registry.id, RegistryHistory(registry.git_path),
             IndexReport(registry.url)).until(tip, None)


def test_incremental_index_equals_reindex(tmp_path, make_database_url, story):
    copy = tmp_path / "copy"
    sh(["git", "clone", "-q", str(story.main.path), str(copy)], tmp_path)
    cat = fresh(tmp_path, make_database_url, "a")
    cat.indexer.index(str(story.nhs.path))
    for step in ("h1", "h2", "meta", "r1", "h3", "g1"):
        sh(["git", "reset", "-q", "--hard", story.shas[step]], copy)
        cat.indexer.index(str(copy))
    incremental = snapshot(cat.engine)
    cat.indexer.reindex()
    assert snapshot(cat.engine) == incremental
    assert len(incremental["versions"]) == 7


@pytest.mark.parametrize("batch, flush", [(1, 1), (1000, 1), (1000, 2)])
def test_a_batch_writes_what_one_transaction_per_commit_wrote(
        tmp_path, make_database_url, story, monkeypatch, batch, flush):
    def index(cat):
        for builder in (story.nhs, story.main):
            cat.indexer.index(str(builder.path))
        return snapshot(cat.engine)

    batched = index(fresh(tmp_path, make_database_url, "batched"))
    monkeypatch.setattr(index_run, "BATCH_COMMITS", batch)
    monkeypatch.setattr(index_run, "FLUSH_COMMITS", flush)
    assert index(fresh(tmp_path, make_database_url, f"batch-{batch}-{flush}")) == batched
    assert len(batched["versions"]) == 7 and len(batched["lineage"]) >= 4


def test_kill_9_mid_run_then_resume_equals_an_uninterrupted_run(
        tmp_path, make_database_url, long_history):
    killed = fresh(tmp_path, make_database_url, "killed")
    proc = index_process(long_history, killed)
    deadline = time.monotonic() + 120
    # Once some batches are in, stop the run where it stands; kill it if it stopped inside a
    # batch's transaction (mid-batch), else let it go on and try again.
    while True:
        assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()}"
        assert time.monotonic() < deadline
        if versions_in(killed) < 400:
            continue
        proc.send_signal(signal.SIGSTOP)
        if batch_under_way(killed):
            break
        proc.send_signal(signal.SIGCONT)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = versions_in(killed)
    assert 400 <= partial < COMMITS

    # Nothing of the batch it was killed in remains: the catalogue is exactly an index of the
    # commits up to the head it recorded.
    head = indexed_head(killed)
    upto = fresh(tmp_path, make_database_url, "upto")
    index_until(upto, long_history, head)
    assert snapshot(killed.engine) == snapshot(upto.engine)

    resumed = killed.indexer.index(str(long_history))
    assert 0 < resumed.commits < COMMITS
    assert versions_in(killed) == COMMITS

    clean = fresh(tmp_path, make_database_url, "clean")
    clean.indexer.index(str(long_history))
    assert snapshot(killed.engine) == snapshot(clean.engine)


def test_concurrent_index_runs_equal_one_run(tmp_path, make_database_url, long_history):
    shared = fresh(tmp_path, make_database_url, "shared")
    runs = [index_process(long_history, shared) for _ in range(2)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    clean = fresh(tmp_path, make_database_url, "clean")
    clean.indexer.index(str(long_history))
    assert versions_in(shared) == COMMITS
    assert snapshot(shared.engine) == snapshot(clean.engine)
