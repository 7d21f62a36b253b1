"""On the demo: a version that added a column and changed rows shows both when compared."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from catalogue.demo.council import COUNCIL
from catalogue.demo.nhs import NHS

KEY = "housing/temporary-accommodation"


def test_the_demo_comparison_shows_an_added_column_and_changed_rows(app: Flask,
                                                                     demo_registries: Path):
    cat = app.extensions["catalogue"]
    for spec in (NHS, COUNCIL):
        cat.indexer.index(str(demo_registries / spec.folder))
    worker = cat.job_worker()
    worker.run_until(threading.Event(), drain=True)
    assert cat.jobs.counts()["failed"] == 0, worker.counts
    client = app.test_client()
    body = client.get(f"/api/v1/datasets/{KEY}/compare?from=1&to=2").get_json()
    (file,) = body["files"]
    assert file["change"] == "changed"
    assert file["schema"]["added"] == ["avg_stay_days"]
    keyed = file["rows_by_key"]
    assert keyed["status"] == "done" and keyed["changed"] > 0
    assert keyed["added"] > 0 and keyed["removed"] > 0  # the 24 months moved on
    page = client.get(f"/datasets/{KEY}/compare?from=1&to=2").get_data(as_text=True)
    assert "Columns added" in page and "avg_stay_days" in page and "changed" in page
    version = client.get(f"/datasets/{KEY}/versions/2").get_data(as_text=True)
    assert "Average nightly cost to the council" in version and "Not described" in version
