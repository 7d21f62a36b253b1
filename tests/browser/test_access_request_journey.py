"""Issue 13's journey in Chromium: a Housing officer finds a discoverable, department-only
dataset of Adult Social Care in search, labelled restricted; its versions and files are 404 to
them; they ask for access with a purpose; its owner, told by a notification, approves; the
officer then downloads its file byte for byte."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.settings import Settings
from tests.browser.test_release_journey import signed_in
from tests.builders import RegistryBuilder
from tests.functional.signing import PASSWORD, access_app

pytestmark = pytest.mark.browser

KEY = "adult-social-care/carers-assessments"
TITLE = "Unpaid carers' assessments"
CSV = b"carer_ref,ward,assessed_on\nC001,Abbey,2026-01-05\nC002,Castle,2026-01-19\n"
TOM = "tom.gallagher@northmere.gov.uk"  # Housing staff
MARGARET = "margaret.okonkwo@northmere.gov.uk"  # Adult Social Care, the dataset's owner


@pytest.fixture
def app(settings: Settings, tmp_path: Path) -> Flask:
    registry = RegistryBuilder(tmp_path / "registry", {
        "housing": "Housing", "adult-social-care": "Adult Social Care"})
    registry.version(KEY, {"carers.csv": CSV}, "Carers' assessments to January", title=TITLE,
                     description="Assessments of unpaid carers' needs, one row per carer.",
                     owners=[MARGARET], tags=["carers", "social care"], personal_data=True,
                     discoverable=True)
    shutil.rmtree(registry.path / ".dvc" / "cache")  # the bytes come from the DVC remote
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    for email, name, department in ((TOM, "Tom Gallagher", "housing"),
                                    (MARGARET, "Margaret Okonkwo", "adult-social-care")):
        add_account(cat.engine, Actor.command_line(), email, name, departments=[department],
                    password=PASSWORD)
    yield app
    cat.close()


def test_find_restricted_request_approve_download(live_server, browser: Browser,
                                                  tmp_path: Path):
    tom_context, tom = signed_in(browser, live_server, TOM)
    tom.goto(live_server("/search?q=carers"))
    restricted = tom.locator("#restricted ~ ul li").filter(has_text=TITLE)
    expect(restricted.get_by_text("Restricted")).to_be_visible()
    restricted.get_by_role("link", name=TITLE).click()
    expect(tom.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(tom.get_by_text("carer_ref")).to_have_count(0)
    file_url = live_server(f"/datasets/{KEY}/versions/1/files/carers.csv")
    assert tom.request.get(live_server(f"/datasets/{KEY}/versions/1")).status == 404
    assert tom.request.get(file_url).status == 404

    tom.get_by_role("button", name="Request access").click()  # no purpose: told what to do
    expect(tom.get_by_role("link", name="Say what you need the data for")).to_be_visible()
    tom.get_by_label("What do you need it for?").fill("Carers among council tenants, for the "
                                                      "tenancy sustainment review")
    tom.get_by_role("button", name="Request access").click()
    expect(tom.get_by_text("Your request was sent to the dataset's owners")).to_be_visible()
    expect(tom.get_by_text("You asked for access on")).to_be_visible()

    margaret_context, margaret = signed_in(browser, live_server, MARGARET)
    margaret.goto(live_server("/notifications"))
    margaret.get_by_role("link", name=re.compile("asks for access to")).first.click()
    expect(margaret.get_by_text("tenancy sustainment review")).to_be_visible()
    margaret.get_by_label(re.compile("^Approve")).check()
    margaret.get_by_role("button", name="Send decision").click()
    expect(margaret.locator("#request-status")).to_have_text("Approved")
    margaret_context.close()

    tom.goto(live_server(f"/datasets/{KEY}"))
    expect(tom.get_by_text("Restricted", exact=True)).to_have_count(0)
    tom.get_by_role("link", name="Version 1").first.click()
    with tom.expect_download() as download_info:
        tom.get_by_role("link", name=re.compile(r"Download\s+carers\.csv")).click()
    saved = tmp_path / "carers.csv"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == CSV
    tom_context.close()
