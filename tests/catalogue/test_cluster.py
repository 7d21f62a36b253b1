"""The shared state of several workers and hosts, in the database: the change feed and its
followers, rate-limit counters, shared secrets, and (PostgreSQL) the index runs' lock."""

from __future__ import annotations

import os

import pytest

from catalogue.cluster.changes import ChangeFeed, Follower
from catalogue.cluster.ratelimit import DatabaseStorage
from catalogue.cluster.secrets import shared_secret
from catalogue.core import Catalogue
from catalogue.settings import Settings

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql"))


def _follower(catalogue: Catalogue, tmp_path, start: int) -> tuple[Follower, list]:
    applied: list = []
    folder = tmp_path / "host"
    folder.mkdir(exist_ok=True)
    return catalogue.feed.follower("search", folder, applied.append, start), applied


def test_a_follower_takes_in_the_changes_after_its_position(catalogue, tmp_path):
    feed: ChangeFeed = catalogue.feed
    before = feed.record("search", {"housing/a"})
    follower, applied = _follower(catalogue, tmp_path, feed.latest("search"))
    assert follower.position() == before.id and follower.catch_up() == 0
    feed.record("search", {"housing/b", "housing/c"})
    feed.record("open", {"housing/z"})  # another index's change
    feed.record("search", {"housing/b"})
    assert follower.catch_up() == 3
    assert applied == [{"housing/b", "housing/c"}]
    assert follower.position() == feed.latest("search")
    feed.record("search", None)  # everything (a reindex)
    assert follower.catch_up() == 1 and applied[-1] is None


def test_a_host_does_not_redo_its_own_change_unless_another_came_first(catalogue, tmp_path):
    feed = catalogue.feed
    follower, applied = _follower(catalogue, tmp_path, feed.latest("search"))
    own = feed.record("search", {"housing/a"})
    follower.advance(own)
    assert follower.position() == own.id and follower.catch_up() == 0
    other = feed.record("search", {"housing/b"})  # another host's
    mine = feed.record("search", {"housing/c"})
    follower.advance(mine)  # the other host's change is not taken in yet: no skipping it
    assert follower.position() == own.id
    assert follower.catch_up() == 2 and applied == [{"housing/b", "housing/c"}]
    assert follower.position() == mine.id > other.id


def test_a_search_on_a_host_that_is_behind_catches_up_in_the_background(catalogue, tmp_path):
    follower, applied = _follower(catalogue, tmp_path, 0)
    follower.check_every = 0
    catalogue.feed.record("search", {"housing/a"})
    follower.check()
    follower.close()  # waits for the thread it started
    assert applied == [{"housing/a"}]


def test_rate_counters_count_in_fixed_windows(catalogue):
    storage = DatabaseStorage("catalogue-db://", engine=catalogue.engine)
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert storage.get_expiry("k") > 0
    assert storage.incr("gone", 0) == 1 and storage.incr("gone", 0) == 1  # window over
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()
    storage.incr("k", 60, amount=5)
    assert storage.reset() >= 1 and storage.get("k") == 0


def test_the_first_shared_secret_stored_is_everyone_s(catalogue):
    first = shared_secret(catalogue.engine, "key", lambda: "made-first")
    assert first == "made-first"
    assert shared_secret(catalogue.engine, "key", lambda: "made-later") == "made-first"


@pytest.mark.skipif(not POSTGRES, reason="advisory locks are PostgreSQL's")
def test_index_runs_queue_across_hosts_on_an_advisory_lock(settings: Settings, catalogue):
    from catalogue.after_push import index_queue
    from catalogue.cluster.locks import DatabaseQueue

    one, two = index_queue(settings, "/registry"), index_queue(settings, "/registry")
    assert isinstance(one, DatabaseQueue)
    try:
        assert one.acquire(wait=False) and not two.acquire(wait=False)
        runs: list[str] = []
        assert two.run(lambda: runs.append("two")) is False  # leaves its mark for the holder
        assert one.pending() and one.take() and not one.pending()
        one.release()
        assert two.run(lambda: runs.append("two")) is True and runs == ["two"]
    finally:
        one.close()
        two.close()
