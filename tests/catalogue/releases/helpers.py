"""Reading the content checks' evidence in tests."""

from __future__ import annotations

from catalogue.releases.checks import CheckResult


def findings(result: CheckResult, outcome: str | None = None) -> dict[tuple[str, str], dict]:
    """A personal-data result's findings by (column, kind), of one outcome if given."""
    return {(f["column"], f["kind"]): f for f in result.evidence["findings"]
            if outcome is None or f["outcome"] == outcome}
