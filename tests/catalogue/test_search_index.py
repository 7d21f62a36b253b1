"""The search index as a file several processes share: missing or damaged, it is rebuilt from
the database with a warning; writers wait in line for its lock."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from catalogue.access import Reader
from catalogue.core import Catalogue
from catalogue.search import SearchIndex, SearchIndexBusy, SearchRequest
from tests.catalogue.test_search import Rows

EVERYONE = Reader.everyone()
WARNING = "rebuilding it from the database"


def titles(search: SearchIndex, q: str = "") -> list[str]:
    return sorted(h.title for h in search.search(EVERYONE, SearchRequest.build(q=q)).results)


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        threading.Event().wait(0.01)


@pytest.fixture
def indexed(catalogue: Catalogue) -> Catalogue:
    rows = Rows(catalogue)
    rows.add("waste/bins", "Missed bin collections")
    rows.add("housing/register", "Housing register")
    rows.index()
    return catalogue


def segment_files(search: SearchIndex) -> list:
    return [p for p in search.path.iterdir() if p.suffix in (".seg", ".toc", ".trm", ".pst")]


def test_a_missing_index_is_rebuilt_from_the_database_with_a_warning(indexed, settings, caplog):
    for path in segment_files(indexed.search):
        path.unlink()
    caplog.set_level(logging.WARNING)
    other = Catalogue(settings)  # another process starting
    try:
        assert titles(other.search) == ["Housing register", "Missed bin collections"]
        assert any("is missing: " + WARNING in r.getMessage() for r in caplog.records)
        # and the first catalogue, whose files vanished under it, searches on
        assert titles(indexed.search, "bins") == ["Missed bin collections"]
    finally:
        other.close()


def damage(path) -> None:
    """Replace a file with garbage as a new file (as a bad copy or restore would), never by
    rewriting it in place under a reader's memory map."""
    spare = path.with_name(path.name + ".tmp")
    spare.write_bytes(b"\x00garbage" * 64)
    spare.replace(path)


def test_a_damaged_segment_is_rebuilt_and_the_search_answers(indexed, caplog):
    assert titles(indexed.search, "bins") == ["Missed bin collections"]
    before = set(indexed.search.path.glob("*.seg"))
    indexed.search.update({"waste/bins"})  # a new version of the index, with a new segment
    [added] = set(indexed.search.path.glob("*.seg")) - before
    damage(added)
    caplog.set_level(logging.WARNING)
    assert titles(indexed.search, "register") == ["Housing register"]
    assert any(WARNING in r.getMessage() for r in caplog.records)
    assert titles(indexed.search, "bins") == ["Missed bin collections"]


def test_a_damaged_index_found_at_start_is_rebuilt(indexed, settings, caplog):
    for path in indexed.search.path.glob("*.seg"):
        damage(path)
    caplog.set_level(logging.WARNING)
    other = Catalogue(settings)
    try:
        assert titles(other.search) == ["Housing register", "Missed bin collections"]
        assert any("is unreadable" in r.getMessage() for r in caplog.records)
        assert titles(indexed.search, "bins") == ["Missed bin collections"]
    finally:
        other.close()


def test_an_unreadable_index_found_at_start_is_rebuilt(indexed, settings, caplog):
    for path in indexed.search.path.glob("*.toc"):
        damage(path)
    caplog.set_level(logging.WARNING)
    other = Catalogue(settings)
    try:
        assert titles(other.search) == ["Housing register", "Missed bin collections"]
        assert any("is unreadable" in r.getMessage() for r in caplog.records)
    finally:
        other.close()


def test_writers_queue_on_the_lock_instead_of_failing(indexed, caplog):
    caplog.set_level(logging.INFO, logger="catalogue.search.service")
    search = indexed.search
    holder = search._index.writer()  # another process's writer, holding the lock
    outcome: list[object] = []

    def update() -> None:
        try:
            search.datasets_changed({"waste/bins"})
            outcome.append("done")
        except Exception as exc:  # would fail the test below
            outcome.append(exc)

    worker = threading.Thread(target=update)
    worker.start()
    wait_until(lambda: any("Waiting for the search index's write lock" in r.getMessage()
                           for r in caplog.records))
    assert outcome == []  # still waiting, not failed
    holder.commit()
    worker.join(timeout=60)
    assert outcome == ["done"]
    assert titles(search, "bins") == ["Missed bin collections"]


def test_a_writer_waiting_too_long_gives_up_without_failing_indexing(indexed, caplog):
    search = indexed.search
    search.lock_timeout = 0.2
    holder = search._index.writer()
    try:
        with pytest.raises(SearchIndexBusy):
            search.update({"waste/bins"})
        caplog.set_level(logging.WARNING)
        search.datasets_changed({"waste/bins"})  # the indexer's listener: never raises
        assert any("busy" in r.getMessage() for r in caplog.records)
    finally:
        holder.cancel()
