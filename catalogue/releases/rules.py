"""Who may do what with a release, as plain predicates (no database):

- asking for a version to be released: the dataset's owners (named in its dataset.yaml) and
  the publishers of its department;
- seeing a request: those people, and governance officers;
- deciding: governance officers, but never the requester nor one of the dataset's owners
  (four eyes), even when they are governance officers themselves;
- withdrawing a release: governance officers.

A failed check stops approval unless the officer names it in an override, with a reason;
the personal-data scan's failure can never be overridden.
"""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.people import Person

UNOVERRIDABLE = frozenset({"personal-data"})


def _owns(person: Person, owners: Iterable[str]) -> bool:
    return person.email in {o.lower() for o in owners}


def may_request(person: Person | None, department: str, owners: Iterable[str]) -> bool:
    if person is None or person.partner:
        return False
    if _owns(person, owners):
        return True
    return person.role == "publisher" and department in person.departments


def may_view(person: Person | None, department: str, owners: Iterable[str]) -> bool:
    return person is not None and (person.is_governance
                                   or may_request(person, department, owners))


def why_not_decide(person: Person | None, requested_by: str,
                   owners: Iterable[str]) -> str | None:
    """None when this person may approve or reject the request, else the reason they may not."""
    if person is None or not person.is_governance:
        return "Only governance officers decide on releases"
    if person.email == requested_by.lower():
        return "You asked for this release: another governance officer must decide on it"
    if _owns(person, owners):
        return "You own this dataset: another governance officer must decide on it"
    return None
