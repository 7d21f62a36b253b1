"""Suggested tags through HTTP: shown to the dataset's owners on its page, accepted and
dismissed with CSRF-protected forms, the dataset.yaml line shown, hidden from everyone else."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from flask import Flask

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.settings import Settings
from tests.builders import RegistryBuilder
from tests.functional.signing import PASSWORD, access_app, csrf_token, sign_in

KEY = "housing/rough-sleeping"
OWNER = "priya.shah@council.example.gov.uk"
STAFF = "sam.staff@council.example.gov.uk"
SUGGESTED = "/api/v1/datasets/housing/rough-sleeping/suggested-tags"


@pytest.fixture
def app(settings: Settings, registry: RegistryBuilder) -> Iterator[Flask]:
    registry.version(KEY, {"counts.csv": "ward,people_count,outreach_team\nAbbey,12,North\n"},
                     "January count", title="Rough sleeping street counts", owners=[OWNER],
                     description="Monthly street counts by the outreach team, by ward.",
                     tags=["homelessness"], columns={"people_count": "People seen sleeping"})
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    for email, role in ((OWNER, "staff"), (STAFF, "staff")):
        add_account(cat.engine, Actor.command_line(), email, email.split(".")[0].title(),
                    departments=["housing"], role=role, password=PASSWORD)
    yield app
    cat.close()


def test_owners_accept_a_tag_and_see_the_line_for_dataset_yaml(app, client):
    sign_in(client, OWNER)
    page = client.get(f"/datasets/{KEY}").get_data(as_text=True)
    assert 'id="suggested-tags"' in page
    review = client.get(SUGGESTED).get_json()
    first, second = review["suggested"][0]["tag"], review["suggested"][1]["tag"]
    assert f'name="tag" value="{html.escape(first)}"' in page

    token = csrf_token(client, f"/datasets/{KEY}")
    answer = client.post(f"/datasets/{KEY}/tags/accept", data={"csrf_token": token,
                                                                "tag": first})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/datasets/{KEY}#suggested-tags")
    page = client.get(f"/datasets/{KEY}").get_data(as_text=True)
    assert html.escape(f"tags: [homelessness, {first}]") in page
    client.post(f"/datasets/{KEY}/tags/dismiss", data={"csrf_token": token, "tag": second})
    review = client.get(SUGGESTED).get_json()
    assert [t["tag"] for t in review["accepted"]] == [first]
    assert second not in [t["tag"] for t in review["suggested"]]
    assert review["dataset_yaml_line"] == f"tags: [homelessness, {first}]"
    hits = client.get("/api/v1/search", query_string={"tag": first}).get_json()
    assert [h["id"] for h in hits["results"]] == [KEY]


def test_bad_decisions_are_4xx_and_change_nothing(app, client):
    sign_in(client, OWNER)
    token = csrf_token(client, f"/datasets/{KEY}")
    assert client.post(f"/datasets/{KEY}/tags/accept", data={"tag": "ward"}).status_code == 400
    missing = client.post(f"/datasets/{KEY}/tags/accept",
                          data={"csrf_token": token, "tag": "no such tag"})
    assert missing.status_code == 400 and "tag: " in missing.get_data(as_text=True)
    assert client.post(f"/datasets/{KEY}/tags/approve",
                       data={"csrf_token": token, "tag": "ward"}).status_code == 404
    assert client.get(SUGGESTED).get_json()["accepted"] == []


def test_others_see_no_suggestions_and_may_not_decide(app, client):
    sign_in(client, STAFF)
    page = client.get(f"/datasets/{KEY}").get_data(as_text=True)
    assert "Suggested tags" not in page and 'id="suggested-tags"' not in page
    assert client.get(SUGGESTED).status_code == 403
    token = csrf_token(client, f"/datasets/{KEY}")
    refused = client.post(f"/datasets/{KEY}/tags/accept",
                          data={"csrf_token": token, "tag": "ward"})
    assert refused.status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(SUGGESTED).status_code in (401, 403, 404)
