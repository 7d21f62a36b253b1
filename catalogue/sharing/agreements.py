"""Information-sharing agreements: listed in a registry's catalogue.yaml (git is the record),
copied into the `agreement` table by every index run that sees that file change, and looked
up when a grant names one.

An agreement is in force until the end of its `expires` day (UTC); a grant that names it is in
force no longer than that, checked at every read (catalogue.access), never by a scheduled job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from catalogue import clock
from catalogue.clock import utcnow
from catalogue.errors import CatalogueError
from catalogue.sharing.models import Agreement
from registry.metadata import CATALOGUE_FILE, AgreementEntry
from registry.problems import Problem as FileProblem

TABLE = Agreement.__table__


class AgreementError(CatalogueError):
    """A grant names an agreement that cannot serve it."""


@dataclass(frozen=True)
class AgreementInfo:
    reference: str
    title: str
    partner: str
    expires: date

    @property
    def ends_at(self) -> datetime:
        return end_of_day(self.expires)

    @property
    def in_force(self) -> bool:
        return self.ends_at > utcnow()


def end_of_day(day: date) -> datetime:
    """The moment a day ends (UTC): what is in force until `day` stops at it (an agreement
    until the calendar's last day, 9999-12-31, until the end of the day before)."""
    return clock.end_of_day(min(day, clock.LAST_DAY))


def replace_agreements(conn: Connection, registry_id: int,
                       entries: Iterable[AgreementEntry]) -> list[FileProblem]:
    """Make the registry's agreements those of its catalogue.yaml; a reference another
    registry already declares is a problem of this file, and is skipped."""
    conn.execute(delete(TABLE).where(TABLE.c.registry_id == registry_id))
    taken = set(conn.execute(select(TABLE.c.reference)).scalars())
    problems = []
    for entry in entries:
        if entry.reference in taken:
            problems.append(FileProblem(CATALOGUE_FILE, (
                f"agreement {entry.reference} is already declared by another registry")))
            continue
        taken.add(entry.reference)
        conn.execute(insert(TABLE).values(reference=entry.reference, title=entry.title,
                                          partner=entry.partner, expires=entry.expires,
                                          registry_id=registry_id))
    return problems


def agreements(s: Session, partner: str | None = None) -> list[AgreementInfo]:
    """The agreements the catalogue knows (with one partner when given), by reference."""
    query = select(Agreement).order_by(Agreement.reference)
    if partner:
        query = query.where(Agreement.partner == partner)
    return [_info(a) for a in s.exec(query)]


def find(s: Session, reference: str) -> AgreementInfo | None:
    row = s.get(Agreement, reference.strip())
    return _info(row) if row else None


def usable(s: Session, reference: str, partner: str) -> AgreementInfo:
    """The agreement `reference`, if it exists, is in force and is with `partner`; else an
    AgreementError naming it (a 400 on the web)."""
    found = find(s, reference)
    if found is None:
        raise AgreementError(f"agreement: no information-sharing agreement {reference!r} is "
                             "listed in any catalogue.yaml")
    if not found.in_force:
        raise AgreementError(f"agreement: {found.reference} expired on "
                             f"{found.expires.isoformat()}")
    if found.partner != partner:
        raise AgreementError(f"agreement: {found.reference} is with {found.partner}, "
                             f"not {partner}")
    return found


def _info(row: Agreement) -> AgreementInfo:
    return AgreementInfo(row.reference, row.title, row.partner, row.expires)
