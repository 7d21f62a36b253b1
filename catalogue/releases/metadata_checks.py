"""The release checks that read metadata, not bytes: classification, declared personal data,
licence, description, owners and contact, and where the version came from (lineage).

Each answers a `CheckResult`; a failed one stops approval unless a governance officer names it
in an override with a reason (catalogue.releases.decisions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalogue.releases.checks import CheckResult
from catalogue.releases.licences import open_licence

MIN_DESCRIPTION = 50

CLASSIFICATION = "classification"
DECLARED_PERSONAL_DATA = "personal-data-declared"
LICENCE = "licence"
DESCRIPTION = "description"
OWNERS_AND_CONTACT = "owners-and-contact"
LINEAGE = "lineage"
DATA_PRESENT = "data-present"


def metadata_checks(snapshot: dict[str, Any]) -> list[CheckResult]:
    """The checks of the metadata a release would publish."""
    results = []
    classification = snapshot.get("classification") or "OFFICIAL"
    results.append(_result(CLASSIFICATION, classification == "OFFICIAL",
                           "Classified OFFICIAL",
                           f"Classified {classification}: only OFFICIAL data may be released",
                           {"classification": classification}))
    declared = bool(snapshot.get("personal_data"))
    results.append(_result(DECLARED_PERSONAL_DATA, not declared,
                           "dataset.yaml says it holds no personal data",
                           "dataset.yaml says it holds personal data (personal_data: true)",
                           {"personal_data": declared}))
    licence = open_licence(snapshot.get("licence"))
    results.append(_result(LICENCE, licence is not None,
                           f"Open licence: {licence.title if licence else ''}",
                           f"{snapshot.get('licence')!r} is not an open licence",
                           {"licence": snapshot.get("licence")}))
    length = len((snapshot.get("description") or "").strip())
    results.append(_result(DESCRIPTION, length >= MIN_DESCRIPTION,
                           f"Described ({length} characters)",
                           f"The description has {length} characters; at least "
                           f"{MIN_DESCRIPTION} are needed to tell the public what it is",
                           {"characters": length, "minimum": MIN_DESCRIPTION}))
    owners, contact = snapshot.get("owners") or [], snapshot.get("contact")
    missing = [name for name, value in (("owners", owners), ("contact", contact)) if not value]
    results.append(_result(OWNERS_AND_CONTACT, not missing, "Owners and a contact are named",
                           f"dataset.yaml names no {' and no '.join(missing)}",
                           {"owners": len(owners), "contact": bool(contact)}))
    return results


@dataclass(frozen=True)
class Upstream:
    """A dataset this version was built from, as lineage recorded it."""

    key: str
    personal_data: bool
    classification: str


def lineage_check(upstream: list[Upstream]) -> CheckResult:
    """Built from personal or sensitive data: warn, so the reviewer confirms it is aggregated.
    The evidence names the upstream datasets; pages show each only to who may read it."""
    risky = [u for u in upstream if u.personal_data or u.classification != "OFFICIAL"]
    evidence = {"upstream": [{"dataset": u.key, "personal_data": u.personal_data,
                              "classification": u.classification} for u in risky]}
    if not risky:
        return CheckResult(LINEAGE, "pass",
                           f"Built from {len(upstream)} dataset(s), none personal or sensitive"
                           if upstream else "No upstream datasets recorded", evidence)
    return CheckResult(LINEAGE, "warn",
                       f"Built from {len(risky)} dataset(s) holding personal or sensitive data: "
                       "confirm this version is aggregated", evidence)


def _result(name: str, ok: bool, passed: str, failed: str,
            evidence: dict[str, Any]) -> CheckResult:
    return CheckResult(name, "pass" if ok else "fail", passed if ok else failed, evidence)
