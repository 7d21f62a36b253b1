"""Reading release requests: a version's current request (`Releases.for_version`), the command
line's reader (`OPERATOR`), and `catalogue.releases.views`: upstream datasets named only to who
may read them, the queue's order, ages."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.errors import NotFound
from catalogue.people import add_account
from catalogue.releases.schemas import ReleaseRequestPublic
from catalogue.releases.service import OPERATOR
from catalogue.releases.views import age, as_seen_by, queue_order
from catalogue.settings import Settings
from tests.builders import RegistryBuilder

COUNTS, CLIENTS, NEEDS = "housing/rough-sleeping", "adult-care/clients", "housing/needs"
OWNER = "priya.shah@northmere.gov.uk"
COMMON = {"description": "Monthly counts by ward, aggregated from the outreach team's counts.",
          "contact": "housing.data@northmere.gov.uk", "owners": [OWNER]}
CLI = Actor.command_line()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    r = RegistryBuilder(tmp_path_factory.mktemp("views") / "registry",
                        {"housing": "Housing", "adult-care": "Adult Care"})
    r.version(COUNTS, {"counts.csv": b"ward,people_count\nAbbey,12\n"}, "January", **COMMON)
    r.version(COUNTS, {"counts.csv": b"ward,people_count\nAbbey,14\n"}, "February")
    r.version(CLIENTS, {"clients.csv": b"client,age_band\nC1,65+\n"}, "Clients",
              personal_data=True, visibility="department",
              **{**COMMON, "owners": ["ada.care@northmere.gov.uk"]})  # (owners read their own)
    r.version(NEEDS, {"needs.csv": b"ward,needs_count\nAbbey,40\n"}, "Needs",
              derived_from=[CLIENTS], **COMMON)
    shutil.rmtree(r.path / ".dvc" / "cache")
    return r.path


@pytest.fixture
def cat(built: Path, settings: Settings):
    cat = Catalogue(settings, background_reads=False)  # rejections only: no tags written
    cat.indexer.index(str(built))
    yield cat
    cat.close()


@pytest.fixture
def people(cat):
    def add(email, role, departments=("housing",)):
        return add_account(cat.engine, CLI, email, email.split("@")[0], role=role,
                           departments=departments)

    return {"priya": add(OWNER, "publisher"), "tom": add("tom@northmere.gov.uk", "staff"),
            "gita": add("gita@northmere.gov.uk", "governance")}


def test_a_versions_current_request_is_seen_only_by_who_may_see_requests(cat, people):
    releases = cat.releases
    asked = releases.request(people["priya"], CLI, COUNTS, 2, "Monthly")
    for who in (people["priya"], people["gita"], OPERATOR):
        assert releases.for_version(who, COUNTS, 2).id == asked.id
    assert releases.for_version(people["tom"], COUNTS, 2) is None  # staff: not theirs
    assert releases.for_version(None, COUNTS, 2) is None  # nobody signed in
    assert releases.for_version(people["priya"], COUNTS, 1) is None  # another version
    releases.decide(people["gita"], CLI, asked.id, "reject", "Not yet")
    assert releases.for_version(people["priya"], COUNTS, 2) is None  # may be asked again


def test_the_command_line_reads_every_request_and_decides_none(cat, people):
    asked = cat.releases.request(people["priya"], CLI, COUNTS, 2, "Monthly")
    assert [r.id for r in cat.releases.requests(OPERATOR)] == [asked.id]
    assert [r.id for r in cat.releases.requests(OPERATOR, "awaiting-review")] == [asked.id]
    assert cat.releases.requests(people["tom"]) == []
    detail = cat.releases.detail(OPERATOR, asked.id)
    assert detail.id == asked.id and not detail.may_decide
    assert detail.why_not == "Only governance officers decide on releases"
    with pytest.raises(NotFound):
        cat.releases.detail(OPERATOR, "R-NOTTHERE")


def test_an_upstream_dataset_is_named_only_to_a_reader_who_may_read_it(cat, people):
    asked = cat.releases.request(people["priya"], CLI, NEEDS, 1, "Needs by ward")
    detail = cat.releases.detail(people["priya"], asked.id)
    assert CLIENTS in str(detail.model_dump())  # as the core keeps it
    with cat.session() as s:
        seen = as_seen_by(s, people["priya"].reader(s), detail)
        officer = people["gita"].reader(s)
        assert as_seen_by(s, officer, detail) is detail  # governance reads everything
    lineage = next(c for c in seen.checks if c.name == "lineage")
    assert lineage.outcome == "warn"
    assert lineage.evidence["upstream"] == [{"dataset": None, "restricted": True}]
    assert seen.snapshot["derived_from"] == []
    assert CLIENTS not in str(seen.model_dump())
    assert detail.snapshot["derived_from"] == [CLIENTS]  # the original is left as it was


def test_ages_and_the_queue_order():
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    assert [age(now - delta, now) for delta in (
        timedelta(minutes=59), timedelta(hours=1), timedelta(hours=23), timedelta(days=1),
        timedelta(days=3, hours=5), timedelta(minutes=-5))] == [
        "less than an hour", "1 hour", "23 hours", "1 day", "3 days", "less than an hour"]
    assert age(datetime(2025, 3, 7, 12), now) == "3 days"  # naive, as SQLite gives it back

    def request(id_: str, status: str, days: int) -> ReleaseRequestPublic:
        return ReleaseRequestPublic(id=id_, dataset=COUNTS, version=1, status=status,
                                    requested_by=OWNER, requested_at=now - timedelta(days=days),
                                    justification="x", licence="OGL-UK-3.0", checks=[])

    ordered = queue_order([request("a", "approved", 9), request("b", "checks-failed", 1),
                           request("c", "awaiting-review", 2), request("d", "checks-failed", 5),
                           request("e", "checking", 0)])
    assert [r.id for r in ordered] == ["e", "c", "d", "b", "a"]
