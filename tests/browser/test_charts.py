"""Charts drawn in Chromium by vega-embed from the built assets, under the site's
Content-Security-Policy (no eval, no inline style): the dataset page's versions chart and the
version page's time series and column charts, each with its table of figures."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from catalogue.settings import Settings
from tests.browser.test_accessibility import violations
from tests.builders import RegistryBuilder

pytestmark = pytest.mark.browser

KEY = "housing/temporary-accommodation"
V1 = "month,households,ward\n2024-01-31,40,Abbey\n2024-01-31,12,Castle\n"
V2 = V1 + "2024-02-29,43,Abbey\n2024-03-31,41,Castle\n"


@pytest.fixture
def app(app: Flask, registry: RegistryBuilder, settings: Settings) -> Flask:
    registry.version(KEY, {"placements.csv": V1}, "January", title="Placements")
    registry.version(KEY, {"placements.csv": V2}, "February and March")
    cat = app.extensions["catalogue"]
    cat.indexer.index(str(registry.path))
    cat.job_worker().run_until(threading.Event(), drain=True)
    return app


def drawn(page: Page, chart_id: str) -> None:
    page.locator(f"#{chart_id}[data-state='drawn']").wait_for()
    assert page.locator(f"#{chart_id} svg").count() == 1
    assert page.locator(f"#{chart_id} svg .mark-symbol path, #{chart_id} svg .mark-rect path,"
                        f" #{chart_id} svg .mark-line path").count() > 0


def test_charts_are_drawn_without_breaking_the_csp(live_server, page: Page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server(f"/datasets/{KEY}"))
    drawn(page, "chart-size")
    drawn(page, "chart-rows")
    page.get_by_text("Figures of this chart").first.click()
    expect(page.locator("#chart-size-table")).to_be_visible()

    assert violations(page) == []

    page.goto(live_server(f"/datasets/{KEY}/versions/2"))
    drawn(page, "profile-1-time-series")
    drawn(page, "profile-1-column-2")
    assert violations(page) == []  # the drawn charts and their tables pass axe-core too
    assert errors == []
