"""The load stage's users (locust): members of staff reading the demo catalogue with an API
token, each waiting 1 to 3 s between requests, mixing what people do most: search (the page
and the API), dataset and version pages, the JSON API's reads, and downloads.

Run by benchmarks/bench_load.py, which writes the targets (datasets, versions, files and search
words of the served catalogue) to the JSON file named by LOAD_TARGETS and the token to
LOAD_TOKEN; a request that does not answer 200 (or 206) is a failure.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

TARGETS = json.loads(open(os.environ["LOAD_TARGETS"]).read()) if os.environ.get(
    "LOAD_TARGETS") else {"datasets": [], "versions": [], "files": [], "words": []}


class StaffReader(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ.get('LOAD_TOKEN', '')}"

    def _get(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code not in (200, 206):
                response.failure(f"{response.status_code} for {url} ({response.error!r})")

    @task(3)
    def search_page(self) -> None:
        self._get(f"/search?q={random.choice(TARGETS['words'])}", "/search?q=[word]")

    @task(2)
    def search_api(self) -> None:
        self._get(f"/api/v1/search?q={random.choice(TARGETS['words'])}",
                  "/api/v1/search?q=[word]")

    @task(3)
    def dataset_page(self) -> None:
        self._get(f"/datasets/{random.choice(TARGETS['datasets'])}", "/datasets/[key]")

    @task(2)
    def version_page(self) -> None:
        key, number = random.choice(TARGETS["versions"])
        self._get(f"/datasets/{key}/versions/{number}", "/datasets/[key]/versions/[n]")

    @task(2)
    def dataset_api(self) -> None:
        self._get(f"/api/v1/datasets/{random.choice(TARGETS['datasets'])}",
                  "/api/v1/datasets/[key]")

    @task(1)
    def versions_api(self) -> None:
        key, number = random.choice(TARGETS["versions"])
        self._get(f"/api/v1/datasets/{key}/versions/{number}",
                  "/api/v1/datasets/[key]/versions/[n]")

    @task(1)
    def datasets_api(self) -> None:
        self._get("/api/v1/datasets?per_page=20", "/api/v1/datasets")

    @task(2)
    def download(self) -> None:
        self._get(random.choice(TARGETS["files"]), "/api/v1/…/files/[path]")
