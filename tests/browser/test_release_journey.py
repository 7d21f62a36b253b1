"""The governance officer's journey in Chromium (issue 10's acceptance): a publisher asks for a
version to be released; the checks show; a different governance officer approves; a browser
nobody signed in to finds it on /open/ and downloads the file byte for byte; the officer
withdraws it; the public then gets 404 on its page and download, and search no longer finds
it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.settings import Settings
from tests.browser.conftest import TIMEOUT_MS
from tests.functional.signing import PASSWORD, access_app

pytestmark = pytest.mark.browser

KEY = "housing/rough-sleeping"
TITLE = "Rough sleeping street counts"
CSV = b"ward,month,people_count\nAbbey,2024-01,12\nCastle,2024-01,15\nRiverside,2024-01,9\n"
PRIYA = "priya.shah@northmere.gov.uk"
GRACE = "grace.adeyemi@northmere.gov.uk"
DESCRIPTION = ("Monthly street counts of people seen sleeping rough, by ward, from the "
               "outreach team's counts. Aggregated: no personal data.")


@pytest.fixture
def app(settings: Settings, registry) -> Flask:
    registry.version(KEY, {"counts.csv": CSV}, "January street count", title=TITLE,
                     description=DESCRIPTION, owners=[PRIYA],
                     contact="housing.data@northmere.gov.uk", tags=["homelessness"])
    shutil.rmtree(registry.path / ".dvc" / "cache")  # the bytes come from the DVC remote
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    for email, name, role in ((PRIYA, "Priya Shah", "publisher"),
                              (GRACE, "Grace Adeyemi", "governance")):
        add_account(cat.engine, Actor.command_line(), email, name, departments=["housing"],
                    role=role, password=PASSWORD)
    yield app
    cat.close()


def signed_in(browser: Browser, live_server, email: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(live_server("/sign-in"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return context, page


def test_request_approve_publish_download_withdraw(live_server, browser: Browser, page: Page,
                                                   tmp_path: Path):
    # A publisher asks for version 1 to be released, from the version's page.
    priya_context, priya = signed_in(browser, live_server, PRIYA)
    priya.goto(live_server(f"/datasets/{KEY}/versions/1"))
    priya.get_by_label("Why should it be released?").fill("Published monthly for partners")
    priya.get_by_role("button", name="Ask for it to be released").click()
    expect(priya).to_have_url(re.compile(r"/release-requests/R-"))
    request_url = priya.url
    # The checks run in the background: once they are done, the page shows them.
    assert live_server.app.extensions["catalogue"].releases.wait_for_checks(timeout=120)
    priya.reload()
    expect(priya.get_by_text("Personal data", exact=False).first).to_be_visible()
    expect(priya.get_by_role("button", name="Record the decision")).to_have_count(0)
    priya_context.close()

    # A different governance officer approves it.
    grace_context, grace = signed_in(browser, live_server, GRACE)
    grace.goto(request_url)
    grace.get_by_label("Approve: release it openly").check()
    grace.get_by_label("Reason").fill("Aggregated counts, no personal data")
    grace.get_by_role("button", name="Record the decision").click()
    expect(grace.get_by_text("Approved", exact=False).first).to_be_visible()

    # Anyone, signed in or not, finds it on /open/ and downloads it.
    page.goto(live_server("/open/"))
    page.get_by_label("Search open data").fill("rough sleeping")
    page.get_by_label("Search open data").press("Enter")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download\s+counts\.csv")).first.click()
    saved = tmp_path / "counts.csv"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == CSV
    dataset_page = page.url
    file_url = live_server(f"/open/datasets/{KEY}/versions/1/files/counts.csv")

    # The officer withdraws it: the public's page, download and search lose it at once.
    grace.goto(live_server(f"/datasets/{KEY}/versions/1"))
    grace.get_by_label("Why withdraw it?").fill("A ward's count was wrong")
    grace.get_by_role("button", name="Withdraw the release").click()
    expect(grace.get_by_text("no longer released", exact=False)).to_be_visible()
    grace_context.close()

    assert page.goto(dataset_page).status == 404
    assert page.request.get(file_url).status == 404
    page.goto(live_server("/open/search?q=rough+sleeping"))
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
