"""The licences a version may be released under: open ones only (the Open Definition's
conformant licences that councils use), named by their SPDX-style identifiers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    id: str
    title: str
    url: str


OPEN_LICENCES: dict[str, Licence] = {licence.id: licence for licence in (
    Licence("OGL-UK-3.0", "Open Government Licence v3.0",
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
    Licence("CC-BY-4.0", "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/"),
    Licence("CC-BY-SA-4.0", "Creative Commons Attribution Share-Alike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/"),
    Licence("CC0-1.0", "Creative Commons CC0 1.0 (public domain dedication)",
            "https://creativecommons.org/publicdomain/zero/1.0/"),
    Licence("ODbL-1.0", "Open Data Commons Open Database Licence 1.0",
            "https://opendatacommons.org/licenses/odbl/1-0/"),
    Licence("ODC-By-1.0", "Open Data Commons Attribution Licence 1.0",
            "https://opendatacommons.org/licenses/by/1-0/"),
    Licence("PDDL-1.0", "Open Data Commons Public Domain Dedication and Licence 1.0",
            "https://opendatacommons.org/licenses/pddl/1-0/"),
)}


def open_licence(identifier: str | None) -> Licence | None:
    """The open licence with this identifier (case as written or not), or None."""
    if not identifier:
        return None
    wanted = identifier.strip().lower()
    return next((lic for key, lic in OPEN_LICENCES.items() if key.lower() == wanted), None)
