"""Suggested tags: keywords drawn with YAKE from a dataset's text and columns, decided by the
people who may share it, searched only once accepted, never written to git."""

from __future__ import annotations

import json
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from catalogue.access import Reader
from catalogue.audit import Actor
from catalogue.errors import DatasetNotFound, Forbidden, InvalidInput
from catalogue.people import add_account
from catalogue.search import SearchRequest
from catalogue.tags.extract import Text, suggest
from catalogue.tags.service import dataset_yaml_line

KEY = "housing/rough-sleeping"
OWNER = "priya.shah@northmere.gov.uk"
STAFF = Reader.of("public", "internal", "department:housing")
COLUMNS = {"ward": "Electoral ward of the count", "people_count": "People seen sleeping rough",
           "outreach_team": "Which outreach team counted"}


def test_keywords_are_lower_case_new_and_not_numbers():
    text = Text("Rough sleeping street counts 2024",
                "Monthly **street counts** of people seen sleeping rough, by ward, from the "
                "outreach team. See https://example.org/method.",
                (("people_count", "People seen sleeping rough"), ("ward", "")))
    found = dict(suggest(text, existing=["Street counts"]))
    assert found and len(found) <= 8
    assert all(tag == tag.lower() and not tag.replace(" ", "").isdigit() for tag in found)
    assert "street counts" not in found and "https" not in " ".join(found)
    assert all(0 < score <= 1 for score in found.values())
    assert text.basis() == Text(text.title, text.description, text.columns).basis()
    assert text.basis() != Text(text.title + " monthly", text.description).basis()
    assert suggest(Text("", "")) == []


def test_the_dataset_yaml_line():
    assert dataset_yaml_line(["homelessness"], ["outreach team", "homelessness"]) == \
        "tags: [homelessness, outreach team]"
    assert dataset_yaml_line(["a"], ["a"]) is None


@pytest.fixture
def indexed(catalogue, registry):
    registry.version(KEY, {"counts.csv": "ward,people_count,outreach_team\nAbbey,12,North\n"},
                     "January street count", title="Rough sleeping street counts",
                     description="Monthly street counts of people seen sleeping rough by the "
                                 "outreach team, by ward.",
                     owners=[OWNER], tags=["homelessness"], columns=COLUMNS)
    catalogue.indexer.index(str(registry.path))
    owner = add_account(catalogue.engine, Actor.command_line(), OWNER, "Priya Shah",
                        departments=["public-health"])
    staff = add_account(catalogue.engine, Actor.command_line(), "sam@northmere.gov.uk", "Sam",
                        departments=["housing"])
    return catalogue, owner, staff


def tagged(cat, tag: str) -> list[str]:
    results = cat.search.search(STAFF, SearchRequest.build(filters={"tag": [tag]}))
    return [hit.id for hit in results.results]


def test_owners_accept_and_dismiss_and_only_accepted_tags_are_searched(indexed, registry):
    cat, owner, staff = indexed
    assert cat.tags.review(staff, STAFF, KEY) is None  # staff who may not share it
    review = cat.tags.review(owner, Reader.everyone(), KEY)
    tags = [t.tag for t in review.suggested]
    assert tags and "homelessness" not in tags and review.accepted == []
    assert "outreach team" in tags or "outreach" in tags  # from a column and the description
    first, second = tags[0], tags[1]
    assert tagged(cat, first) == []  # a suggestion is not searched

    done = cat.tags.decide(owner, Reader.everyone(), Actor(OWNER), KEY, first, "accept")
    assert [t.tag for t in done.accepted] == [first]
    assert done.dataset_yaml_line == f"tags: [homelessness, {first}]"
    assert first not in [t.tag for t in done.suggested]
    assert tagged(cat, first) == [KEY]

    done = cat.tags.decide(owner, Reader.everyone(), Actor(OWNER), KEY, second, "dismiss")
    assert second not in [t.tag for t in done.suggested + done.accepted]
    assert tagged(cat, second) == []
    cat.tags.refresh(KEY)  # drawn again from the same text: the dismissed tag stays away
    assert second not in [t.tag for t in cat.tags.review(owner, Reader.everyone(),
                                                         KEY).suggested]
    # nothing was written to git
    status = subprocess.run(["git", "status", "--porcelain"], cwd=registry.path,
                            capture_output=True, text=True, check=True).stdout
    assert status == "" and len(subprocess.run(
        ["git", "log", "--oneline"], cwd=registry.path, capture_output=True, text=True,
        check=True).stdout.splitlines()) == 2


def test_pages_opened_at_once_draw_the_suggestions_once(indexed):
    """Two web workers showing the dataset to its owner at the same moment both draw: neither
    fails (the second gives way) and each tag is suggested once."""
    cat, owner, _ = indexed
    start = threading.Barrier(4)

    def look() -> list[str]:
        start.wait()
        return [t.tag for t in cat.tags.review(owner, Reader.everyone(), KEY).suggested]

    with ThreadPoolExecutor(4) as pool:
        seen = [f.result() for f in [pool.submit(look) for _ in range(4)]]
    assert seen[0] and all(sorted(tags) == sorted(seen[0]) for tags in seen)
    assert len(set(seen[0])) == len(seen[0])


def test_decisions_are_checked(indexed):
    cat, owner, staff = indexed
    cat.tags.review(owner, Reader.everyone(), KEY)
    with pytest.raises(Forbidden):
        cat.tags.decide(staff, STAFF, Actor("sam@northmere.gov.uk"), KEY, "ward", "accept")
    with pytest.raises(InvalidInput, match="^decision: "):
        cat.tags.decide(owner, Reader.everyone(), Actor(OWNER), KEY, "ward", "approve")
    with pytest.raises(InvalidInput, match="^tag: "):
        cat.tags.decide(owner, Reader.everyone(), Actor(OWNER), KEY, "never suggested", "accept")
    with pytest.raises(DatasetNotFound):
        cat.tags.review(owner, Reader.of("public"), KEY)


def test_a_new_text_draws_new_suggestions_and_keeps_decisions(indexed, registry):
    cat, owner, _ = indexed
    review = cat.tags.review(owner, Reader.everyone(), KEY)
    kept = review.suggested[0].tag
    cat.tags.decide(owner, Reader.everyone(), Actor(OWNER), KEY, kept, "accept")
    registry.metadata(KEY, title="Night shelter referrals", owners=[OWNER],
                      description="Referrals to the night shelter from the street counts.",
                      tags=["homelessness"], columns=COLUMNS)
    registry.commit("Describe the shelter referrals")
    cat.indexer.index(str(registry.path))
    after = cat.tags.review(owner, Reader.everyone(), KEY)
    assert kept in [t.tag for t in after.accepted]
    assert any("shelter" in t.tag for t in after.suggested)


def test_the_command_line_suggests_accepts_and_dismisses(indexed, settings):
    from click.testing import CliRunner

    from catalogue.cli import main

    cat, _, _ = indexed
    env = {"DATABASE_URL": settings.database_url}
    args = [KEY, "--instance", str(settings.instance)]
    listed = CliRunner().invoke(main, ["tags", *args, "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    first, second = [t["tag"] for t in json.loads(listed.output)["suggested"][:2]]
    done = CliRunner().invoke(main, ["tags", *args, "--accept", first, "--dismiss", second],
                              env=env)
    assert done.exit_code == 0, done.output
    assert f"tags: [homelessness, {first}]" in done.output
    review = cat.tags.review(None, Reader.everyone(), KEY, operator=True)
    assert [t.tag for t in review.accepted] == [first]
    assert second not in [t.tag for t in review.suggested]
    bad = CliRunner().invoke(main, ["tags", *args, "--accept", "nothing like it"], env=env)
    assert bad.exit_code != 0 and "tag: " in bad.output and "Traceback" not in bad.output
