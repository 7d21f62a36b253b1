"""The lineage graph in Chromium, on the demo: the pipeline dataset (housing's homelessness
rate) and the import from the NHS trust (hospital discharge delays), drawn by Cytoscape.js, as
a partner who was shared both but may not see their sources: those are drawn unnamed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from catalogue.audit import Actor
from catalogue.demo.council import COUNCIL
from catalogue.demo.nhs import NHS
from catalogue.people import add_account
from catalogue.settings import Settings
from tests.browser.test_accessibility import violations
from tests.functional.signing import PASSWORD, access_app

pytestmark = pytest.mark.browser

PIPELINE = "housing/homelessness-rate"
IMPORTED = "adult-social-care/hospital-discharge-delays"
PARTNER = "nia.okoro@riverbank.nhs.example"
STAFF = "lena.marsh@northmere.gov.example"
HIDDEN_FROM_PARTNER = ["Homelessness applications", "homelessness-applications",
                       "Ward population", "ward-population-estimates",
                       "Delayed discharges from hospital", "integrated-care/delayed-discharges"]


@pytest.fixture
def app(settings: Settings, demo_registries: Path) -> Iterator[Flask]:
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    for spec in (NHS, COUNCIL):  # the partner first, as `catalogue demo` does
        cat.indexer.index(str(demo_registries / spec.folder))
    add_account(cat.engine, Actor.command_line(), PARTNER, "Nia Okoro",
                partner="riverbank-nhs", password=PASSWORD)
    add_account(cat.engine, Actor.command_line(), STAFF, "Lena Marsh",
                departments=["adult-social-care"], password=PASSWORD)
    for key in (PIPELINE, IMPORTED):
        cat.sharing.share(None, Actor.command_line(), key, "partner:riverbank-nhs")
    yield app
    cat.close()


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def drawn(page: Page, url: str) -> list[str]:
    """Open a lineage page and wait for Cytoscape.js to draw it: the labels of its nodes."""
    page.goto(url)
    graph = page.locator("#lineage-graph[data-state='drawn']")
    graph.wait_for()
    expect(page.locator("#lineage-figure")).to_be_visible()
    assert page.locator("#lineage-graph canvas").count() > 0
    return json.loads(graph.get_attribute("data-drawn-nodes"))


def test_a_partner_sees_the_pipeline_and_the_import_with_their_sources_unnamed(
        live_server, page: Page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, PARTNER)

    pipeline = drawn(page, live_server(f"/datasets/{PIPELINE}/lineage"))
    assert "Homelessness rate per 1,000 residents" in pipeline
    assert pipeline.count("Restricted dataset") == 2  # its two sources, both the council's
    html = page.content()
    for secret in HIDDEN_FROM_PARTNER:
        assert secret not in html and all(secret not in label for label in pipeline)
    expect(page.locator("#lineage-upstream")).to_contain_text("A restricted dataset")
    assert violations(page) == []  # drawn, with its tables and restricted nodes

    imported = drawn(page, live_server(f"/datasets/{IMPORTED}/lineage?versions=1"))
    assert imported.count("Restricted dataset") == 1
    assert any(label.startswith("Hospital discharge delays") for label in imported)
    html = page.content()
    for secret in HIDDEN_FROM_PARTNER:
        assert secret not in html
    assert errors == []


def test_staff_see_the_import_named_and_can_follow_it(live_server, page: Page):
    sign_in(page, live_server.url, STAFF)
    labels = drawn(page, live_server(f"/datasets/{IMPORTED}/lineage"))
    assert "Delayed discharges from hospital" in labels
    assert "Restricted dataset" not in labels
    page.get_by_role("link", name="Delayed discharges from hospital").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delayed discharges from hospital")
