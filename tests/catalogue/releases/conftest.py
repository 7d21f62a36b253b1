"""Files written to tmp_path and scanned as the catalogue would: one binary stream each."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from catalogue.releases.checks import CheckResult, ScanOptions
from catalogue.releases.scan import run_content_checks

Scan = Callable[..., tuple[CheckResult, CheckResult]]


@pytest.fixture
def scan(tmp_path: Path) -> Scan:
    """scan(name, content, **options) → (personal-data result, disclosure result), after
    checking that each result is JSON-serialisable as it stands."""

    def run(name: str, content: str | bytes, **options) -> tuple[CheckResult, CheckResult]:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        with path.open("rb") as handle:
            personal, disclosure = run_content_checks(handle, name, ScanOptions(**options))
        json.dumps([personal.to_dict(), disclosure.to_dict()])
        return personal, disclosure

    return run

