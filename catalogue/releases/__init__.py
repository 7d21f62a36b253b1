"""Open releases: a publisher asks for a version to be released openly, automated checks run
over its metadata and bytes, a governance officer who is neither the requester nor an owner
approves or rejects it, and git records the decision as release tags. An approved version is
open to everyone (catalogue.access) until it is withdrawn.

- `service`: `Releases`, the requests and decisions; `rules`: who may do what;
- `metadata_checks`, `data_checks`: the checks; `scan` (with `personal_data`, `disclosure`,
  `tables`, `detectors`): reading a file's bytes once, in bounded memory, for personal data
  and small counts;
- `publishing`: the release tags, written and read back; `snapshot`: what the public sees.

`run_content_checks(handle, filename, options)` answers the two content checks as
`CheckResult(name, outcome, summary, evidence)`: `personal-data` (a fail here cannot be
overridden) and `disclosure-control`.

Nothing heavy is imported with the package (the indexer and the CLI import its models): the
names below are loaded from their modules when first used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "DEFAULT_DISCLOSURE_THRESHOLD": "checks", "DISCLOSURE": "checks", "PERSONAL_DATA": "checks",
    "CheckResult": "checks", "Outcome": "checks", "ScanOptions": "checks", "worst": "checks",
    "check_disclosure": "scan", "check_personal_data": "scan", "run_content_checks": "scan",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
