"""Open releases through the core: request, checks, four-eyes decision, tags in git, the
public's view, withdrawal, and rebuilding every release from git alone."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.downloads import open_file
from catalogue.errors import Conflict, Forbidden, InvalidInput, NotFound
from catalogue.models import AuditEvent
from catalogue.opendata.reads import open_dataset, open_datasets, open_version, released_bytes
from catalogue.people import add_account
from catalogue.releases.models import ReleaseRequest
from catalogue.settings import Settings
from registry.release_tags import read_release_events
from tests.builders import RegistryBuilder, sh

COUNTS = "housing/rough-sleeping"
PEOPLE = "housing/tenants"
SMALL = "housing/voids"
DESCRIPTION = ("Monthly street counts of people sleeping rough, by ward, from the outreach "
               "team's counts; aggregated, no personal data.")
COUNTS_CSV = b"ward,month,people_count\nAbbey,2024-01,12\nCastle,2024-01,15\n"
PEOPLE_CSV = (b"tenant,email,ni_number\nA,jo.bloggs@northmere.gov.uk,QQ123456C\n"
              b"B,sam.smith@example.org,AB123456D\n")
SMALL_CSV = b"ward,households_count\nAbbey,3\nCastle,12\n"
CLI = Actor.command_line()


@pytest.fixture
def council(tmp_path) -> RegistryBuilder:
    registry = RegistryBuilder(tmp_path / "registry", {"housing": "Housing",
                                                        "finance": "Finance"})
    common = {"description": DESCRIPTION, "contact": "housing.data@northmere.gov.uk",
              "owners": ["priya.shah@northmere.gov.uk"]}
    registry.version(COUNTS, {"counts.csv": COUNTS_CSV}, "January count",
                     title="Rough sleeping counts", **common)
    registry.version(COUNTS, {"counts.csv": COUNTS_CSV + b"Riverside,2024-02,9\n"},
                     "February count")
    registry.version(PEOPLE, {"tenants.csv": PEOPLE_CSV}, "Tenants", title="Tenants",
                     visibility="department", **common)
    registry.version(SMALL, {"voids.csv": SMALL_CSV}, "Voids", title="Void properties",
                     **common)
    shutil.rmtree(registry.path / ".dvc" / "cache")  # read from the remote, as in production
    return registry


@pytest.fixture
def cat(settings: Settings, council: RegistryBuilder):
    cat = Catalogue(settings, background_reads=False)  # the checks run before request returns
    cat.indexer.index(str(council.path))
    yield cat
    cat.close()


@pytest.fixture
def people(cat):
    def add(email, name, role="staff", departments=("housing",)):
        return add_account(cat.engine, CLI, email, name, departments=departments, role=role)

    return {
        "priya": add("priya.shah@northmere.gov.uk", "Priya Shah", "publisher"),
        "tom": add("tom.gallagher@northmere.gov.uk", "Tom Gallagher"),
        "hannah": add("hannah.w@northmere.gov.uk", "Hannah W", "publisher", ("finance",)),
        "grace": add("grace.adeyemi@northmere.gov.uk", "Grace Adeyemi", "governance"),
        "gita": add("gita.officer@northmere.gov.uk", "Gita Officer", "governance"),
    }


def ask(cat, person, key=COUNTS, number=2, **options):
    options.setdefault("justification", "Published monthly by the council")
    return cat.releases.request(person, CLI, key, number, **options)


def outcome(request, name: str) -> str:
    return next(c.outcome for c in request.checks if c.name == name)


def test_a_clean_version_passes_its_checks_and_a_second_officer_releases_it(cat, people, council):
    asked = ask(cat, people["priya"])
    assert asked.status == "awaiting-review"
    assert {c.name for c in asked.checks} >= {
        "classification", "personal-data-declared", "licence", "description",
        "owners-and-contact", "lineage", "data-present", "personal-data", "disclosure-control"}
    assert all(c.outcome == "pass" for c in asked.checks), asked.checks
    with cat.session() as s:
        with pytest.raises(NotFound):
            open_version(s, "housing", "rough-sleeping", 2)  # not open before approval

    decided = cat.releases.decide(people["grace"], CLI, asked.id, "approve", "Aggregated")
    assert decided.status == "approved" and decided.published
    assert decided.tags == ["housing/rough-sleeping@v2.0.0", "housing/rough-sleeping#open#1"]
    with cat.session() as s:
        version = open_version(s, "housing", "rough-sleeping", 2)
        assert [f.path for f in version.files] == ["counts.csv"]
        body = b"".join(open_file(cat.storage, released_bytes(s, "housing", "rough-sleeping", 2),
                                  "counts.csv").chunks)
        assert body == COUNTS_CSV + b"Riverside,2024-02,9\n"
        with pytest.raises(NotFound):
            open_version(s, "housing", "rough-sleeping", 1)  # other versions stay closed
        assert open_datasets(s)[0] == 1
    events = read_release_events(str(council.path), (cat.settings.instance /
                                                     "release-signing-key").read_bytes().strip())
    assert [(e.action, e.valid) for e in events] == [("registration", True), ("release", True)]
    with cat.session() as s:
        actions = [a for a, in s.exec(
            AuditEvent.__table__.select().with_only_columns(AuditEvent.action)
            .order_by(AuditEvent.id)).all()]
    assert actions[-4:] == ["release.requested", "release.checked", "release.approved",
                            "release.tagged"]


def test_the_public_sees_the_metadata_as_approved(cat, people, council):
    request = ask(cat, people["priya"])
    cat.releases.decide(people["grace"], CLI, request.id, "approve", "Aggregated")
    council.metadata(COUNTS, title="Rough sleeping (renamed later)", description=DESCRIPTION,
                     owners=["priya.shah@northmere.gov.uk"])
    council.commit("Rename")
    cat.indexer.index(str(council.path))
    with cat.session() as s:
        assert open_dataset(s, "housing", "rough-sleeping").title == "Rough sleeping counts"


def test_who_may_ask(cat, people):
    with pytest.raises(Forbidden):
        ask(cat, people["tom"])  # staff of the department, not an owner nor a publisher
    with pytest.raises(Forbidden):
        ask(cat, people["hannah"])  # another department's publisher (it is internal)
    with pytest.raises(NotFound):
        ask(cat, people["hannah"], key=PEOPLE, number=1)  # cannot even see this one
    with pytest.raises(NotFound):
        ask(cat, people["priya"], number=9)
    with pytest.raises(InvalidInput, match="licence"):
        ask(cat, people["priya"], licence="All rights reserved")
    with pytest.raises(InvalidInput, match="justification"):
        ask(cat, people["priya"], justification="  ")
    ask(cat, people["priya"])
    with pytest.raises(Conflict):
        ask(cat, people["priya"])


def test_four_eyes(cat, people):
    request = ask(cat, people["priya"])
    with pytest.raises(Forbidden, match="Only governance"):
        cat.releases.decide(people["priya"], CLI, request.id, "approve", "mine")
    with pytest.raises(NotFound):  # not concerned: the request is not there for them
        cat.releases.decide(people["tom"], CLI, request.id, "approve", "not an officer")
    with pytest.raises(InvalidInput, match="reason"):
        cat.releases.decide(people["grace"], CLI, request.id, "approve", "")
    cat.releases.decide(people["grace"], CLI, request.id, "reject", "Not yet")
    with pytest.raises(Conflict):
        cat.releases.decide(people["gita"], CLI, request.id, "approve", "twice")
    again = ask(cat, people["priya"])  # a rejected version may be asked for again
    assert again.id != request.id


def test_neither_the_requester_nor_an_owner_decides_even_as_an_officer(cat, people, council):
    council.metadata(COUNTS, title="Rough sleeping counts", description=DESCRIPTION,
                     contact="housing.data@northmere.gov.uk",
                     owners=["priya.shah@northmere.gov.uk", "grace.adeyemi@northmere.gov.uk",
                             "gita.officer@northmere.gov.uk"])
    council.commit("Grace and Gita co-own it")
    cat.indexer.index(str(council.path))
    request = ask(cat, people["gita"])  # an owner may ask, whatever their role
    with pytest.raises(Forbidden, match="You asked"):
        cat.releases.decide(people["gita"], CLI, request.id, "approve", "mine")
    with pytest.raises(Forbidden, match="You own"):
        cat.releases.decide(people["grace"], CLI, request.id, "approve", "looks fine")
    detail = cat.releases.detail(people["grace"], request.id)
    assert not detail.may_decide and "own" in detail.why_not


def test_personal_data_in_the_bytes_blocks_the_release_whatever_dataset_yaml_says(cat, people):
    request = ask(cat, people["priya"], key=PEOPLE, number=1)
    assert request.status == "checks-failed"
    assert outcome(request, "personal-data") == "fail"
    assert outcome(request, "personal-data-declared") == "pass"  # dataset.yaml says false
    evidence = str(next(c.evidence for c in request.checks if c.name == "personal-data"))
    assert "jo.bloggs" not in evidence and "QQ123456C" not in evidence  # masked
    present = next(c.evidence for c in request.checks if c.name == "data-present")
    preview = present["previews"]["tenants.csv"]
    assert preview["columns"] == ["tenant", "email", "ni_number"]
    assert preview["rows"][0][1] == "j***@n***.gov.uk" and "jo.bloggs" not in str(preview)
    with pytest.raises(Conflict, match="personal-data"):
        cat.releases.decide(people["grace"], CLI, request.id, "approve", "Override it",
                            override=["personal-data"])


def test_small_counts_warn_and_a_failed_check_needs_an_override(cat, people, council):
    request = ask(cat, people["priya"], key=SMALL, number=1)
    assert outcome(request, "disclosure-control") == "warn"
    council.metadata(SMALL, title="Void properties", description="Too short.",
                     contact="housing.data@northmere.gov.uk",
                     owners=["priya.shah@northmere.gov.uk"])
    council.commit("Shorter description")
    cat.indexer.index(str(council.path))
    cat.releases.decide(people["grace"], CLI, request.id, "reject", "Describe it")
    again = ask(cat, people["priya"], key=SMALL, number=1)
    assert again.status == "checks-failed" and outcome(again, "description") == "fail"
    with pytest.raises(Conflict, match="description"):
        cat.releases.decide(people["grace"], CLI, again.id, "approve", "Fine")
    approved = cat.releases.decide(people["grace"], CLI, again.id, "approve",
                                   "The title says enough", override=["description"])
    assert approved.status == "approved" and approved.overrides == ["description"]


def test_withdrawal_closes_it_at_once_and_reindex_restores_both_from_git(
        cat, people, council, settings, make_database_url):
    request = ask(cat, people["priya"])
    cat.releases.decide(people["grace"], CLI, request.id, "approve", "Aggregated")
    with pytest.raises(Forbidden):
        cat.releases.withdraw(people["priya"], CLI, COUNTS, 2, "mine")
    withdrawn = cat.releases.withdraw(people["gita"], CLI, COUNTS, 2, "A count was wrong")
    assert withdrawn.status == "withdrawn"
    with cat.session() as s:
        with pytest.raises(NotFound):
            open_version(s, "housing", "rough-sleeping", 2)
    released = ask(cat, people["priya"], number=1)
    cat.releases.decide(people["grace"], CLI, released.id, "approve", "January is fine")

    empty = Catalogue(Settings(settings.instance, make_database_url()), background_reads=False)
    try:
        empty.indexer.index(str(council.path))
        with empty.session() as s:
            rows = {r.id: r for r in s.exec(ReleaseRequest.__table__.select()).all()}
            assert rows[request.id].status == "withdrawn"
            assert rows[request.id].withdrawal_reason == "A count was wrong"
            assert rows[released.id].status == "approved"
            assert open_version(s, "housing", "rough-sleeping", 1).number == 1
            assert open_dataset(s, "housing", "rough-sleeping").title == "Rough sleeping counts"
    finally:
        empty.close()


def test_a_hand_made_release_tag_releases_nothing_and_is_reported(cat, council):
    sh(["git", "-c", "user.name=X", "-c", "user.email=x@y.z", "tag", "-a",
        "housing/voids#open#1", "-m", "released by hand"], council.path)
    sh(["git", "-c", "user.name=X", "-c", "user.email=x@y.z", "tag", "-a",
        "housing/voids@v1.0.0", "-m", "registered by hand"], council.path)
    council.version(SMALL, {"voids.csv": SMALL_CSV + b"Riverside,7\n"}, "Voids v2")
    cat.indexer.index(str(council.path))
    with cat.session() as s:
        with pytest.raises(NotFound):
            open_version(s, "housing", "voids", 1)
        refused = s.exec(AuditEvent.__table__.select().where(
            AuditEvent.action == "release.tag_refused")).all()
    assert {r.target for r in refused} == {"housing/voids#open#1", "housing/voids@v1.0.0"}


def test_a_registry_at_a_url_that_refuses_the_tags_leaves_the_release_unpublished(
        settings, tmp_path, council):
    bare = tmp_path / "central.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(council.path), str(bare)], check=True)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'tags are frozen today' >&2\nexit 1\n")
    hook.chmod(0o755)
    cat = Catalogue(settings, background_reads=False)
    try:
        cat.indexer.index(f"file://{bare}")
        priya = add_account(cat.engine, CLI, "priya.shah@northmere.gov.uk", "Priya",
                            departments=["housing"], role="publisher")
        grace = add_account(cat.engine, CLI, "grace.adeyemi@northmere.gov.uk", "Grace",
                            departments=["housing"], role="governance")
        request = cat.releases.request(priya, CLI, COUNTS, 2, "Monthly")
        decided = cat.releases.decide(grace, CLI, request.id, "approve", "Aggregated")
        assert decided.status == "approved" and not decided.published
        assert "tags are frozen today" in decided.publish_error
        with cat.session() as s:
            with pytest.raises(NotFound):
                open_version(s, "housing", "rough-sleeping", 2)
        hook.unlink()
        retried = cat.releases.retry_publish(grace, CLI, request.id)
        assert retried.published and retried.publish_error is None
        tags = sh(["git", "tag", "-l"], bare).stdout.split()
        assert "housing/rough-sleeping#open#1" in tags
        with cat.session() as s:
            assert open_version(s, "housing", "rough-sleeping", 2).number == 2
    finally:
        cat.close()


def test_requests_are_seen_only_by_those_concerned(cat, people):
    request = ask(cat, people["priya"])
    assert [r.id for r in cat.releases.requests(people["grace"])] == [request.id]
    assert [r.id for r in cat.releases.requests(people["priya"])] == [request.id]
    assert cat.releases.requests(people["tom"]) == []
    assert cat.releases.requests(people["hannah"]) == []
    with pytest.raises(NotFound):
        cat.releases.detail(people["hannah"], request.id)
    with pytest.raises(NotFound):
        cat.releases.detail(people["tom"], request.id)


def test_the_people_concerned_are_told_at_each_step(cat, people):
    request = ask(cat, people["priya"])
    kinds = {name: [n.kind for n in cat.notifications.inbox(people[name])[1]]
             for name in ("grace", "gita", "priya", "tom")}
    assert kinds["grace"] == kinds["gita"] == ["release.requested"]  # every officer
    assert kinds["priya"] == ["release.checked"] and kinds["tom"] == []
    cat.releases.decide(people["grace"], CLI, request.id, "approve", "Aggregated")
    cat.releases.withdraw(people["gita"], CLI, COUNTS, 2, "A count was wrong")
    told = cat.notifications.inbox(people["priya"])[1]
    assert [n.kind for n in told] == ["release.withdrawn", "release.decided", "release.checked"]
    assert all(n.link == f"/release-requests/{request.id}" for n in told)


def test_the_audit_trail_names_a_release_only_to_who_may_read_its_dataset(cat, people):
    from catalogue.audit import RESTRICTED, events

    asked = ask(cat, people["priya"], key=PEOPLE, number=1)  # housing only
    cat.releases.decide(people["grace"], CLI, asked.id, "reject", "Personal data")
    with cat.session() as s:
        finance = people["hannah"].reader(s)
        housing = people["tom"].reader(s)
    seen_by_finance = [e for e in events(cat.engine, reader=finance)[1]
                       if e.action.startswith("release.")]
    assert seen_by_finance and all(e.target == RESTRICTED and e.detail == {}
                                   for e in seen_by_finance)
    assert {e.target for e in events(cat.engine, reader=housing)[1]
            if e.action.startswith("release.")} == {PEOPLE}
