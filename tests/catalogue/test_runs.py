"""Index runs: incremental ≡ reindex; kill -9 then resume ≡ uninterrupted; concurrent ≡ one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from catalogue.core import Catalogue
from catalogue.models import Version
from catalogue.settings import Settings
from tests.builders import fast_history, sh
from tests.catalogue.snapshot import snapshot

COMMITS = 3000


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


def test_kill_9_mid_run_then_resume_equals_an_uninterrupted_run(
        tmp_path, make_database_url, long_history):
    killed = fresh(tmp_path, make_database_url, "killed")
    proc = index_process(long_history, killed)
    deadline = time.monotonic() + 120
    while versions_in(killed) < 400:
        assert proc.poll() is None, f"finished before it could be killed: {proc.stderr.read()}"
        assert time.monotonic() < deadline
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = versions_in(killed)
    assert 400 <= partial < COMMITS

    resumed = killed.indexer.index(str(long_history))
    assert resumed.commits < COMMITS
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
