"""Column names follow the index run at once: in the same process's background thread, or,
for a short-lived command that does not stay open, in a worker process of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

from catalogue.access import Reader
from catalogue.after_push import LOCKS, IndexQueue
from catalogue.core import Catalogue
from catalogue.search import SearchRequest
from catalogue.search.worker import read_columns

EVERYONE = Reader.everyone()
KEY = "housing/rough-sleeping"


def found(cat: Catalogue, q: str) -> list[str]:
    return [hit.id for hit in cat.search.search(EVERYONE, SearchRequest.build(q=q)).results]


def test_a_short_lived_process_leaves_column_names_to_the_worker(settings, registry):
    registry.version(KEY, {"counts.csv": "ward,sightings\nAbbey,3\n"}, "First count",
                     title="Rough sleeping counts")
    shutil.rmtree(registry.path / ".dvc" / "cache")
    command = Catalogue(settings, background_reads=False)
    try:
        command.indexer.index(str(registry.path))
        assert found(command, "rough sleeping") == [KEY]  # searchable at once
        assert command.columns_left() == 1  # but its header row is left unread
        assert found(command, "sightings") == []
    finally:
        command.close()

    assert read_columns(settings) is True  # what the detached worker runs
    web = Catalogue(settings)
    try:
        assert found(web, "sightings") == [KEY]
        assert web.search.read_missing_columns() == 0  # nothing left to read
    finally:
        web.close()


def test_a_worker_finding_another_at_work_leaves_its_mark_and_goes(settings, registry):
    registry.version(KEY, {"counts.csv": "ward,sightings\nAbbey,3\n"}, "First count")
    command = Catalogue(settings, background_reads=False)
    command.indexer.index(str(registry.path))
    command.close()
    holder = IndexQueue(settings.instance / LOCKS, "*", "columns")
    assert holder.acquire(wait=False)
    try:
        assert read_columns(settings) is False
        assert holder.pending()  # the holder goes round again for it
    finally:
        holder.release()
    assert read_columns(settings) is True
    assert not holder.pending()


def test_the_background_thread_reads_without_waiting(catalogue, registry):
    """No fixed delay before reading: a new column is searchable as soon as its one object
    is read (well under a second here; the deadline is only a guard)."""
    registry.version(KEY, {"counts.csv": "ward,sightings\nAbbey,3\n"}, "First count")
    catalogue.indexer.index(str(registry.path))
    started = time.monotonic()
    assert catalogue.search.wait_for_columns(timeout=60)
    assert found(catalogue, "sightings") == [KEY]
    assert time.monotonic() - started < 4.5  # the old reader waited 5 s before reading


def test_catalogue_index_returns_and_the_worker_makes_the_columns_searchable(settings, registry):
    registry.version(KEY, {"counts.csv": "ward,sightings\nAbbey,3\n"}, "First count",
                     title="Rough sleeping counts")
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "CATALOGUE_INSTANCE": str(settings.instance)}
    done = subprocess.run(["catalogue", "index", str(registry.path)], env=env,
                          capture_output=True, text=True, check=True)
    assert "1 new version(s)" in done.stdout
    assert "column names of 1 file(s)" in done.stdout
    web = Catalogue(settings)
    try:
        assert found(web, "rough sleeping") == [KEY]
        until(lambda: found(web, "sightings") == [KEY])
    finally:
        web.close()
    again = subprocess.run(["catalogue", "index", str(registry.path)], env=env,
                           capture_output=True, text=True, check=True)
    assert "0 new commit(s)" in again.stdout and "column names" not in again.stdout


def until(condition, timeout: float = 60.0) -> None:
    """Wait for a condition another process brings about (polling, with a deadline)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)
