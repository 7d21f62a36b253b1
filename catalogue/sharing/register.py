"""The register of shares: every grant in the catalogue, as it stands now, for governance
officers; filtered by dataset, department, partner, agreement, status and expiry; as CSV too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import col, or_, select

from catalogue.db import read_session
from catalogue.errors import CatalogueError
from catalogue.models import Account, Grant
from catalogue.people import Person
from catalogue.sharing.grants import GrantInfo, NotAllowed, infos
from catalogue.sharing.rules import SHOWN_STATES

COLUMNS = ("id", "dataset", "grantee", "name", "status", "purpose", "agreement",
           "agreement_expires", "from_version", "expires_on", "granted_by", "granted_at",
           "decided_by", "decided_at", "decision_reason")


class RegisterFilterError(CatalogueError):
    """A filter of the register that cannot be read."""


@dataclass(frozen=True)
class RegisterFilter:
    dataset: str | None = None
    department: str | None = None
    partner: str | None = None
    agreement: str | None = None
    status: str | None = None
    expires_before: date | None = None
    """Only grants that end (by their date or their agreement's) on or before this day."""
    expires_after: date | None = None

    @classmethod
    def parse(cls, args: dict[str, str]) -> RegisterFilter:
        """From a query string's values; a RegisterFilterError naming a field that is wrong."""
        values = {k: (args.get(k) or "").strip() or None
                  for k in ("dataset", "department", "partner", "agreement", "status",
                            "expires_before", "expires_after")}
        if values["status"] and values["status"] not in SHOWN_STATES:
            raise RegisterFilterError(f"status: choose one of {', '.join(SHOWN_STATES)}")
        for name in ("expires_before", "expires_after"):
            if values[name]:
                try:
                    values[name] = date.fromisoformat(values[name])
                except ValueError:
                    raise RegisterFilterError(f"{name}: write a date as YYYY-MM-DD") from None
        return cls(**values)


def register(engine: Engine, person: Person | None, where: RegisterFilter) -> list[GrantInfo]:
    """Every grant matching `where`, newest first; for governance officers (None: the
    command line)."""
    if person is not None and not person.is_governance:
        raise NotAllowed("Only governance officers see the register of shares")
    query = select(Grant)
    if where.dataset:
        department, _, slug = where.dataset.partition("/")
        query = query.where(Grant.department == department, Grant.dataset == slug)
    if where.department:
        query = query.where(Grant.department == where.department)
    if where.agreement:
        query = query.where(Grant.agreement == where.agreement)
    with read_session(engine) as s:
        if where.partner:
            people = s.exec(select(Account.email).where(Account.partner == where.partner)).all()
            query = query.where(or_(
                (col(Grant.grantee_kind) == "partner") & (col(Grant.grantee) == where.partner),
                (col(Grant.grantee_kind) == "person") & col(Grant.grantee).in_(people)))
        rows = s.exec(query.order_by(col(Grant.granted_at).desc(), Grant.id)).all()
        found = infos(s, list(rows))
    return [g for g in found if _matches(g, where)]


def _matches(g: GrantInfo, where: RegisterFilter) -> bool:
    if where.status and g.status != where.status:
        return False
    if where.expires_before or where.expires_after:
        ends = [d for d in (g.expires_on, g.agreement_expires) if d is not None]
        last = min(ends) if ends else None
        if last is None:
            return False
        if where.expires_before and last > where.expires_before:
            return False
        if where.expires_after and last < where.expires_after:
            return False
    return True


def to_csv(grants: list[GrantInfo]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for g in grants:
        writer.writerow({k: "" if v is None else v for k, v in g.public().items()})
    return out.getvalue()
