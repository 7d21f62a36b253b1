"""The profile on the version page and the compare page, in Chromium: no serious axe-core
violation, the comparison chosen with the form (no script needed), values masked for a reader
outside the dataset's department."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.test_accessibility import violations
from web.auth import TEST_PRINCIPALS

pytestmark = pytest.mark.browser

KEY = "housing/tenancies"
V1 = b"tenancy_id,ward,rent,contact_email\nT1,Abbey,100,jane.smith@example.com\n" \
     b"T2,Castle,120,tom.jones@example.com\n"
V2 = b"tenancy_id,ward,rent,contact_email,start_date\nT2,Castle,125,tom.jones@example.com," \
     b"2024-04-01\nT3,Mill,110,li.wei@example.com,2024-05-01\n"


@pytest.fixture
def app(app: Flask, registry) -> Flask:
    registry.version(KEY, {"tenancies.csv": V1}, "First tenancies", title="Council tenancies",
                     visibility="internal", primary_key="tenancy_id",
                     columns={"rent": {"description": "Weekly rent", "unit": "GBP"}})
    registry.version(KEY, {"tenancies.csv": V2}, "Start dates")
    registry.version(KEY, {"tenancies.csv": V2 + b"T5,Abbey,95,sam.lee@example.com,\n"},
                     "Another tenancy")
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    cat.job_worker().run_until(threading.Event(), drain=True)
    app.config[TEST_PRINCIPALS] = ["public", "internal", "department:public-health"]
    return app


def test_the_profile_and_compare_pages_are_accessible_and_masked(live_server, page: Page):
    page.goto(live_server(f"/datasets/{KEY}/versions/2"))
    expect(page.get_by_role("heading", name="What the data holds")).to_be_visible()
    expect(page.get_by_text("Weekly rent")).to_be_visible()
    page.get_by_text("First 2 rows of tenancies.csv").click()
    expect(page.get_by_text("t***@e***.com").first).to_be_visible()
    assert "tom.jones@example.com" not in page.content()
    problems = {"version": violations(page)}
    page.get_by_role("link", name="Compare with version 1").click()
    expect(page.get_by_role("heading", name="Version 1 against version 2")).to_be_visible()
    expect(page.get_by_text("Columns added")).to_be_visible()
    problems["compare"] = violations(page)
    page.get_by_label("From version").select_option("2")
    page.get_by_label("To version").select_option("3")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name="Version 2 against version 3")).to_be_visible()
    expect(page.get_by_text("1 row added")).to_be_visible()
    problems["compare 2-3"] = violations(page)
    assert not any(problems.values()), problems
