"""After a push: one index run serves a burst of notifies (the others find its lock and leave
their mark for it), every version is recorded once in commit order, and `--report` waits for
its push to be indexed, then lists the push's versions."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time

import pytest
from sqlmodel import select

from catalogue.after_push import LOCKS, IndexQueue, after_push, index_queue, registry_key
from catalogue.indexer import Indexer
from catalogue.models import Dataset, Version

ZERO = "0" * 40
KEY = "housing/counts"


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    return settings


def versions(catalogue) -> list[tuple[int, str]]:
    with catalogue.session() as s:
        rows = s.exec(select(Version.number, Version.commit_sha)
                      .join(Dataset, Dataset.id == Version.dataset_id)
                      .where(Dataset.slug == "counts").order_by(Version.number)).all()
    return [tuple(r) for r in rows]


def test_a_notify_finding_a_run_under_way_leaves_it_the_push(registry, env, catalogue):
    catalogue.indexer.index(str(registry.path))
    first = registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count")
    queue = index_queue(env, registry_key(str(registry.path)))
    assert queue.acquire(wait=False)  # an index run under way
    try:
        started = time.perf_counter()
        assert after_push(str(registry.path), ZERO, first, instance=str(env.instance)) is False
        assert time.perf_counter() - started < 1.0
        assert queue.pending() and versions(catalogue) == []
    finally:
        queue.release()
    second = registry.version(KEY, {"counts.csv": "ward,count\nAbbey,4\n"}, "Second count")
    assert after_push(str(registry.path), first, second, instance=str(env.instance)) is True
    assert not queue.pending()
    assert versions(catalogue) == [(1, first), (2, second)]
    searched = env.instance / LOCKS / f"search-{queue.name.split('-', 1)[1]}.head"
    assert searched.read_text().strip() == second  # search documents brought up to the head


def test_search_updates_queue_behind_the_one_under_way(registry, env, catalogue):
    """The versions are recorded (and visible) whatever the search updates are doing."""
    catalogue.indexer.index(str(registry.path))
    old = registry.head()
    new = registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count")
    search = IndexQueue(env.instance / LOCKS, registry_key(str(registry.path)), "search")
    assert search.acquire(wait=False)  # a search update under way
    try:
        assert after_push(str(registry.path), old, new, instance=str(env.instance)) is True
        assert versions(catalogue) == [(1, new)] and search.pending()
    finally:
        search.release()


def test_the_holder_goes_round_again_for_a_mark_left_while_it_indexed(registry, env, catalogue,
                                                                       monkeypatch):
    """A mark left while the run is under way is taken by the same run, once it is done."""
    catalogue.indexer.index(str(registry.path))
    shas = [registry.version(KEY, {"counts.csv": f"ward,count\nAbbey,{n}\n"}, f"Count {n}")
            for n in range(3)]
    queue = index_queue(env, registry_key(str(registry.path)))
    rounds = []
    original = Indexer.index_registry

    def index_registry(self, *args, **kwargs):
        rounds.append(1)
        if len(rounds) == 1:  # another push arrives during the first round
            queue.mark()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Indexer, "index_registry", index_registry)
    assert after_push(str(registry.path), ZERO, shas[-1], instance=str(env.instance))
    assert len(rounds) == 2 and not queue.pending()
    assert versions(catalogue) == [(n + 1, sha) for n, sha in enumerate(shas)]


def test_racing_notifies_record_each_version_once_in_commit_order(registry, env, catalogue):
    catalogue.indexer.index(str(registry.path))
    shas, threads = [], []
    base = registry.head()
    for n in range(4):
        old = shas[-1] if shas else base
        shas.append(registry.version(KEY, {"counts.csv": f"ward,count\nAbbey,{n}\n"},
                                     f"Count {n}"))
        command = [sys.executable, "-P", "-m", "catalogue.after_push", str(registry.path),
                   old, shas[-1], "--instance", str(env.instance)]
        threads.append(threading.Thread(target=subprocess.run, args=(command,),
                                        kwargs={"check": True, "timeout": 120}))
        threads[-1].start()
    for thread in threads:
        thread.join(150)
    assert versions(catalogue) == [(n + 1, sha) for n, sha in enumerate(shas)]
    assert not index_queue(env, registry_key(str(registry.path))).pending()


def test_report_waits_for_the_run_under_way_then_lists_the_versions(registry, env, catalogue):
    catalogue.indexer.index(str(registry.path))
    old = registry.head()
    new = registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count")
    queue = index_queue(env, registry_key(str(registry.path)))
    assert queue.acquire(wait=False)
    out = io.StringIO()
    waiting = threading.Thread(target=after_push, args=(str(registry.path), old, new), kwargs={
        "instance": str(env.instance), "catalogue_url": "http://cat.test", "report": True,
        "out": out})
    waiting.start()
    waiting.join(timeout=0.5)  # it must not finish while the run under way holds the lock
    assert waiting.is_alive() and out.getvalue() == ""
    queue.release()
    waiting.join(60)
    assert out.getvalue() == ("catalogue: 1 new version(s) in the catalogue:\n"
                              f"catalogue:   {KEY} v1  http://cat.test/datasets/{KEY}/versions/1\n")


def test_report_lists_the_versions_that_the_run_it_waited_for_indexed(registry, env, catalogue):
    catalogue.indexer.index(str(registry.path))
    old = registry.head()
    new = registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count")
    queue = index_queue(env, registry_key(str(registry.path)))
    assert queue.acquire(wait=False)
    out = io.StringIO()
    waiting = threading.Thread(target=after_push, args=(str(registry.path), old, new), kwargs={
        "instance": str(env.instance), "report": True, "out": out})
    waiting.start()
    deadline = time.monotonic() + 30
    while not queue.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.take()  # the run under way takes the mark, and indexes the push
    catalogue.indexer.index(str(registry.path))
    queue.release()
    waiting.join(60)
    assert out.getvalue() == ("catalogue: 1 new version(s) in the catalogue:\n"
                              f"catalogue:   {KEY} v1\n")
