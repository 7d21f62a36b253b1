"""A member of children's services signs in through the form in Chromium, finds a
department-only dataset in search and opens it; signed out, the dataset is gone from search
and its address answers 404, exactly as a page that does not exist."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.settings import Settings
from tests.functional.signing import PASSWORD, access_app

pytestmark = pytest.mark.browser

KEY = "childrens-services/placement-moves"
TITLE = "Wexcombe placement moves"
EMAIL = "cara.jones@council.example.gov.uk"


@pytest.fixture
def app(settings: Settings, registry) -> Flask:
    """The app with no test reader (what a page shows depends on who signed in), over a
    registry with one department-only dataset, and an account in its department."""
    registry.write("catalogue.yaml", "name: Test council registry\ndepartments:\n"
                   "- {slug: housing, name: Housing}\n"
                   "- {slug: childrens-services, name: Children's Services}\n")
    registry.version(KEY, {"moves.csv": "move_ref,reason\nM1,Planned\n"}, "First moves",
                     title=TITLE, visibility="department", classification="OFFICIAL-SENSITIVE",
                     description="Moves between Wexcombe foster placements.")
    app = access_app(settings.instance, settings.database_url)
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    add_account(cat.engine, Actor.command_line(), EMAIL, "Cara Jones",
                departments=["childrens-services"], password=PASSWORD)
    yield app
    cat.close()


def search(page: Page, words: str) -> None:
    box = page.get_by_role("search").get_by_role("searchbox")
    box.fill(words)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))


def test_sign_in_find_a_department_dataset_sign_out_and_it_is_gone(live_server, page: Page):
    page.goto(live_server("/"))
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Cara Jones")).to_be_visible()

    search(page, "wexcombe moves")
    result = page.get_by_role("link", name=TITLE, exact=True)
    expect(result).to_have_count(1)
    result.click()
    expect(page).to_have_url(live_server(f"/datasets/{KEY}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    search(page, "wexcombe moves")
    expect(page.locator("main")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Wexcombe")

    response = page.goto(live_server(f"/datasets/{KEY}"))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.locator("body")).not_to_contain_text(TITLE)
    nonexistent = page.request.get(live_server("/datasets/childrens-services/no-such-dataset"))
    assert nonexistent.status == 404
    assert nonexistent.text().replace("no-such-dataset", "placement-moves") == \
        page.request.get(live_server(f"/datasets/{KEY}")).text()
