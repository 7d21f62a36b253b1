"""Take the README's screenshots from a demo instance served locally.

    catalogue demo --instance /tmp/demo          # in one terminal (serves on :5000)
    python docs/screenshots.py http://127.0.0.1:5000 /tmp/demo

Signs in as the demo's people (password from <instance>/demo/accounts.txt) with Debian's
Chromium through Playwright, and writes PNGs into docs/screenshots/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def main(base: str, instance: str) -> None:
    password = (Path(instance) / "demo" / "accounts.txt").read_text().splitlines()[0]
    password = password.split(": ", 1)[1]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def shot(path: str, name: str, full: bool = True) -> None:
            page.goto(base + path)
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)

        def sign_in(email: str) -> None:
            page.goto(base + "/sign-in")
            page.fill("#email", email)
            page.fill("#password", password)
            page.click("button:has-text('Sign in')")
            if not page.locator("button:has-text('Sign out')").count():
                raise SystemExit(f"could not sign in as {email} (ten sign-ins a minute at most)")

        shot("/sign-in", "sign-in", full=False)
        sign_in("hannah.whitfield@northmere.example.gov.uk")
        shot("/", "home")
        shot("/datasets/housing/rough-sleeping-counts", "dataset")
        shot("/datasets/housing/rough-sleeping-counts/versions/3", "version")
        shot("/datasets/waste/missed-bin-collections", "problems", full=False)
        shot("/departments/housing", "department")
        shot("/search?q=rough+sleping", "search")
        shot("/datasets/housing/temporary-accommodation/versions/2", "profile")
        shot("/datasets/housing/temporary-accommodation/compare?from=1&to=2", "compare")
        page.goto(base + "/datasets/housing/homelessness-rate/lineage")
        page.wait_for_selector("canvas")
        page.screenshot(path=str(OUT / "lineage.png"), full_page=True)
        shot("/search?q=safeguarding", "restricted-search")  # Adult Social Care's, discoverable
        shot("/datasets/adult-social-care/safeguarding-concerns", "restricted")
        page.click("button:has-text('Sign out')")
        sign_in("margaret.okonkwo@northmere.example.gov.uk")
        shot("/datasets/adult-social-care/safeguarding-concerns/sharing", "sharing")
        page.click("button:has-text('Sign out')")
        sign_in("grace.adeyemi@northmere.example.gov.uk")
        shot("/audit", "audit", full=False)
        shot("/governance/shares", "register")
        shot("/release-requests", "release-queue", full=False)
        page.goto(base + "/release-requests?status=awaiting-review")
        page.locator("a[href^='/release-requests/R-']").first.click()
        page.screenshot(path=str(OUT / "release-request.png"), full_page=True)
        page.click("button:has-text('Sign out')")
        shot("/open/", "open-home", full=False)
        shot("/open/datasets/housing/rough-sleeping-counts", "open-dataset")
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
