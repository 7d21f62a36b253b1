"""The OpenAPI contract of /api/v1, fuzzed by schemathesis against a served app.

The app runs on a real HTTP server on 127.0.0.1 over the council registry, with people of each
role. Schemathesis draws requests for every operation of the served /api/v1/openapi.json
(valid ones and, for the parameters, invalid ones) and each is sent as every reader: anonymous,
staff, publisher, governance officer and a partner organisation's user, each with a write
token. No answer may be a 5xx, and each must match the document: its status, content type and
body schema. Bounded by MAX_EXAMPLES per operation so that the whole run takes a minute or two.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.people import add_account
from catalogue.settings import Settings
from catalogue.tokens import create_token
from tests.builders import RegistryBuilder
from tests.functional.conftest import KEY
from tests.functional.signing import PASSWORD, access_app, own_database
from web.openapi import OPERATIONS

MAX_EXAMPLES = 8
READERS = {
    "staff": ("sam.staff@council.example.gov.uk", {"departments": ["housing"]}, "staff"),
    "publisher": ("pat.publisher@council.example.gov.uk", {"departments": ["housing"]},
                  "publisher"),
    "governance": ("gwen.governance@council.example.gov.uk", {"departments": ["finance"]},
                   "governance"),
    "partner": ("nia.partner@nhs-trust.example.org", {"partner": "nhs-trust"}, "staff"),
}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance]


class Served:
    def __init__(self, url: str, headers: dict[str, dict[str, str]]):
        self.url, self.headers = url, headers


@pytest.fixture(scope="module")
def served(council_registry: RegistryBuilder,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder: Path = tmp_path_factory.mktemp("openapi")
    with own_database(folder) as url:
        cat = Catalogue(Settings(folder / "instance", url))
        cat.indexer.index(str(council_registry.path))
        headers: dict[str, dict[str, str]] = {"anonymous": {}}
        for role, (email, where, kind) in READERS.items():
            add_account(cat.engine, Actor.command_line(), email, role.title(), role=kind,
                        password=PASSWORD, **where)
            token = create_token(cat.engine, Actor.command_line(), email, "fuzz", "write")[1]
            headers[role] = {"Authorization": f"Bearer {token}"}
        cat.close()
        app = access_app(folder / "instance", url, RATELIMIT_ENABLED=False)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield Served(f"http://127.0.0.1:{server.server_port}", headers)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            app.extensions["catalogue"].close()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_keeps_its_contract(served: Served, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{served.url}/api/v1/openapi.json")
    failures, operations = {}, 0
    with requests.Session() as http:
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path == "/hooks/push":
                continue  # signed by a forge: tests/functional/test_bad_input.py fuzzes it
            operations += 1

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
                      database=None, suppress_health_check=list(HealthCheck))
            def run(case) -> None:
                for headers in served.headers.values():
                    case.call_and_validate(base_url=f"{served.url}/api/v1", session=http,
                                           headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:  # no invalid value for it (a path of strings only)
                assert mode is GenerationMode.NEGATIVE
            except Exception as exc:  # every operation is tried; the failures reported at once
                failures[operation.label] = exc
    assert operations >= 25, operations
    assert not failures, "\n\n".join(f"{label}: {exc}" for label, exc in failures.items())


def test_document_describes_every_api_route(served: Served) -> None:
    doc = requests.get(f"{served.url}/api/v1/openapi.json", timeout=30).json()
    assert doc["openapi"] == "3.1.0"
    operations = [op for item in doc["paths"].values() for op in item.values()]
    described = {op["operationId"] for op in operations if op["summary"] != "Not described yet"}
    assert described >= {f"{endpoint}.{method.lower()}" for endpoint, method in OPERATIONS}
    undescribed = sorted({op["operationId"] for op in operations} - described)
    if undescribed:  # listed (and fuzzed) all the same, their answers as any JSON object
        warnings.warn(f"API routes without a description in web/openapi.py: {undescribed}",
                      stacklevel=1)
    version = doc["paths"]["/datasets/{dept}/{name}/versions/{number}"]["get"]
    ok = version["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/VersionWithLinks")
    assert "download_url" in doc["components"]["schemas"]["FileWithLinks"]["properties"]
    dataset = requests.get(f"{served.url}/api/v1/datasets/{KEY}", timeout=30,
                           headers=served.headers["staff"])
    assert set(dataset.json()) <= set(doc["components"]["schemas"]["DatasetDetail"][
        "properties"])


def test_reference_page_lists_the_operations(served: Served) -> None:
    page = requests.get(f"{served.url}/api/v1/reference", timeout=30)
    assert page.status_code == 200
    assert "/datasets/{dept}/{name}/versions/{number}" in page.text
    assert 'href="/api/v1/openapi.json"' in page.text
