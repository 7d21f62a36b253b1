"""Open releases: the automated content checks of a version's files, so far.

`run_content_checks(handle, filename, options)` reads a file's bytes once, in bounded memory,
and answers two checks as `CheckResult(name, outcome, summary, evidence)`:

- `personal-data` (`personal_data`): people's email addresses, UK phone numbers, National
  Insurance and NHS numbers, full postcodes, Unique Pupil Numbers, dates of birth and names,
  found in the values and column names whatever dataset.yaml says; a fail here cannot be
  overridden (the release decision enforces that);
- `disclosure-control` (`disclosure`): counts from 1 to threshold-1 in count-like columns.

`run_stored_checks(storage, git_path, rev, output)` does the same for a file in a registry's
DVC remote, and fails both checks with the reason when its bytes cannot be had. Release
requests, decisions and tags are to be built on top of these.
"""

from typing import Any

from catalogue.releases.checks import (
    DEFAULT_DISCLOSURE_THRESHOLD,
    DISCLOSURE,
    PERSONAL_DATA,
    CheckResult,
    Outcome,
    ScanOptions,
    worst,
)

_SCAN = {"check_disclosure", "check_personal_data", "run_content_checks", "run_stored_checks"}

__all__ = ["DEFAULT_DISCLOSURE_THRESHOLD", "DISCLOSURE", "PERSONAL_DATA", "CheckResult",
           "Outcome", "ScanOptions", "check_disclosure", "check_personal_data",
           "run_content_checks", "run_stored_checks", "worst"]


def __getattr__(name: str) -> Any:
    """The scanning functions, imported when first asked for: they bring pyarrow and the
    validation libraries, which a command that only lists releases should not wait for."""
    if name in _SCAN:
        from catalogue.releases import scan

        return getattr(scan, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
