"""A person opens a dataset's page in Chromium, reads its versions, and opens the first one."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

KEY = "housing/rough-sleeping"
FIRST = b"ward,count\nAbbey,3\nCastle,5\n"
SECOND = b"ward,count\nAbbey,4\nCastle,2\nRiverside,1\n"


@pytest.fixture
def two_versions(registry, catalogue) -> None:
    """housing/rough-sleeping: v1 by Asha Patel, v2 by Ben Okafor, indexed."""
    registry.version(KEY, {"counts.csv": FIRST}, "First street count", author="asha",
                     title="Rough sleeping street counts",
                     description="Autumn **street count** of people sleeping rough, by ward.",
                     owners=["housing-data@council.example.gov.uk"])
    registry.version(KEY, {"counts.csv": SECOND}, "Spring street count", author="ben")
    catalogue.indexer.index(str(registry.path))


def test_dataset_page_shows_versions_and_opens_one(two_versions, live_server, page: Page):
    page.goto(live_server(f"/datasets/{KEY}"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Rough sleeping street counts")

    # The versions timeline: one item per version, each with its link, author and message.
    timeline = page.get_by_role("list").filter(
        has=page.get_by_role("link", name="Version 1", exact=True))
    expect(timeline.get_by_role("listitem")).to_have_count(2)
    for number, author, message in [(1, "Asha Patel", "First street count"),
                                    (2, "Ben Okafor", "Spring street count")]:
        item = timeline.get_by_role("listitem").filter(
            has=page.get_by_role("link", name=f"Version {number}", exact=True))
        expect(item).to_contain_text(author)
        expect(item).to_contain_text(message)

    timeline.get_by_role("link", name="Version 1", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/datasets/{KEY}/versions/1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1")
    row = page.get_by_role("row").filter(has_text="counts.csv")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(hashlib.md5(FIRST).hexdigest())
    expect(page.locator("main")).not_to_contain_text(hashlib.md5(SECOND).hexdigest())
