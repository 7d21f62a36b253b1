"""Every kind of page passes axe-core with no serious or critical violation, as a governance
officer (who sees every page of the catalogue) and as the public (the open-data portal)."""

from __future__ import annotations

import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.settings import Settings
from tests.functional.signing import PASSWORD, access_app

pytestmark = pytest.mark.browser

KEY = "housing/rough-sleeping"
GRACE = "grace.adeyemi@northmere.gov.uk"
TOM = "tom.gallagher@northmere.gov.uk"
DISCOVERABLE = "public-health/clinic-visits"
SERIOUS = {"serious", "critical"}


@pytest.fixture
def app(settings: Settings, registry) -> Flask:
    registry.version(KEY, {"counts.csv": b"ward,people_count\nAbbey,12\nCastle,15\n"},
                     "January street count", title="Rough sleeping street counts",
                     description="Monthly street counts of people seen sleeping rough, by "
                                 "ward, from the outreach team. Aggregated.",
                     owners=["priya.shah@northmere.gov.uk"], tags=["homelessness"],
                     contact="housing.data@northmere.gov.uk")
    registry.version("housing/voids", {"voids.csv": b"ward,households_count\nAbbey,3\n"},
                     "Voids", title="Void properties")
    registry.version(DISCOVERABLE, {"visits.csv": b"clinic,visits\nAbbey,4\n"}, "Visits",
                     title="Sexual health clinic visits", owners=["pat.health@northmere.gov.uk"],
                     description="Visits by clinic.", personal_data=True, discoverable=True)
    shutil.rmtree(registry.path / ".dvc" / "cache")
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    priya = add_account(cat.engine, Actor.command_line(), "priya.shah@northmere.gov.uk",
                        "Priya Shah", departments=["housing"], role="publisher")
    grace = add_account(cat.engine, Actor.command_line(), GRACE, "Grace Adeyemi",
                        departments=["housing"], role="governance", password=PASSWORD)
    released = cat.releases.request(priya, Actor.command_line(), KEY, 1, "Monthly counts")
    pending = cat.releases.request(priya, Actor.command_line(), "housing/voids", 1, "Voids")
    assert cat.releases.wait_for_checks(timeout=120)
    cat.releases.decide(grace, Actor.command_line(), released.id, "approve", "Aggregated")
    tom = add_account(cat.engine, Actor.command_line(), TOM, "Tom Gallagher",
                      departments=["housing"], password=PASSWORD)
    asked = cat.access_requests.ask(tom, Actor.command_line(), DISCOVERABLE, "Clinic planning")
    app.config["AXE_REQUESTS"] = (released.id, pending.id, asked.id)
    yield app
    cat.close()


def violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in SERIOUS]


def test_the_public_portal_has_no_serious_violations(live_server, page: Page):
    problems = {}
    for path in ("/open/", "/open/datasets", f"/open/datasets/{KEY}",
                 f"/open/datasets/{KEY}/versions/1", "/open/search?q=rough",
                 "/open/search?q=nothing-matches-this", "/sign-in", "/no-such-page",
                 "/api/v1/reference"):
        page.goto(live_server(path))
        found = violations(page)
        if found:
            problems[path] = found
    assert not problems, problems


def test_the_catalogue_signed_in_has_no_serious_violations(live_server, page: Page):
    page.goto(live_server("/sign-in"))
    page.get_by_label("Email address").fill(GRACE)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    released, pending, asked = live_server.app.config["AXE_REQUESTS"]
    problems = {}
    for path in ("/", "/datasets", "/departments", "/departments/housing", f"/datasets/{KEY}",
                 f"/datasets/{KEY}/versions", f"/datasets/{KEY}/versions/1",
                 f"/datasets/{KEY}/lineage",
                 "/datasets/housing/voids/versions/1", f"/datasets/{KEY}/sharing",
                 "/search?q=rough", "/search?q=zzzz", "/release-requests",
                 f"/release-requests/{released}", f"/release-requests/{pending}",
                 "/notifications", "/account/tokens", "/audit",
                 "/audit?action=dataset.read&from=2020-01-01", "/governance/shares",
                 f"/access-requests/{asked}", "/access-requests"):
        page.goto(live_server(path))
        found = violations(page)
        if found:
            problems[path] = found
    assert not problems, problems


def test_the_pages_of_a_restricted_dataset_have_no_serious_violations(live_server, page: Page):
    """A member of staff of another department: the discoverable dataset's restricted page,
    the search that lists it apart, and their access requests."""
    page.goto(live_server("/sign-in"))
    page.get_by_label("Email address").fill(TOM)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    asked = live_server.app.config["AXE_REQUESTS"][2]
    problems = {}
    for path in (f"/datasets/{DISCOVERABLE}", "/search?q=clinic", "/datasets",
                 "/access-requests", f"/access-requests/{asked}"):
        page.goto(live_server(path))
        found = violations(page)
        if found:
            problems[path] = found
    assert not problems, problems
