"""Two index runs of one registry at the same time: the one that waited says so, and what the
other run indexed, instead of a bare "0 new commit(s)"."""

from __future__ import annotations

import threading

from click.testing import CliRunner

from catalogue import cli
from catalogue.core import Catalogue
from catalogue.indexer import IndexReport
from tests.builders import RegistryBuilder

KEY = "housing/rough-sleeping"


def test_a_run_that_waited_for_another_says_what_the_other_did(
        catalogue: Catalogue, registry: RegistryBuilder) -> None:
    for number in range(1, 4):
        registry.version(KEY, {"counts.csv": f"ward,count\nAbbey,{number}\n"}, f"Count {number}")
    registered = catalogue.indexer.register(str(registry.path))
    first_inside, second_started = threading.Event(), threading.Event()
    reports: dict[str, IndexReport] = {}

    def hold(done: int, total: int) -> None:
        """The first run, inside its first batch's transaction, waits for the second to
        start: the second then reads the registry's head before the first commits."""
        if not first_inside.is_set():
            first_inside.set()
            assert second_started.wait(60)

    def first() -> None:
        reports["first"] = catalogue.indexer.index_registry(registered, hold)

    def second() -> None:
        assert first_inside.wait(60)
        second_started.set()
        reports["second"] = catalogue.indexer.index_registry(registered)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    first_report, second_report = reports["first"], reports["second"]
    commits = 4  # catalogue.yaml's, then three versions
    assert first_report.commits + second_report.commits == commits
    assert not first_report.waited and len(first_report.new_versions) == 3
    assert second_report.waited and second_report.commits == 0
    assert second_report.others_commits == commits and second_report.others_versions == 3

    runner = CliRunner()
    with runner.isolation() as (out, _err, *_):
        cli._print_report(second_report)
        printed = out.getvalue().decode()
    assert "0 new commit(s)" in printed
    assert "another index run was indexing this registry at the same time" in printed
    assert "it indexed 4 commit(s) and 3 version(s)" in printed
