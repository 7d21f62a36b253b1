"""Sharing a dataset with another department, a partner organisation or a person, and
revoking it.

Who may share a dataset: its owners (the emails in its dataset.yaml), the publishers of its
department, and governance officers. A grant is for every version or from a given version on,
optionally until a date (the end of that day, UTC), and is checked when someone reads, never
by a scheduled job. Each change is audited in its own transaction, and the search index is told
so the dataset's readers change there at once.

A grant records its purpose. A grant to a partner organisation (or to one of its people) of a
dataset that holds personal data or is OFFICIAL-SENSITIVE must name an information-sharing
agreement of catalogue.yaml with that partner, in force; it is `pending` until a governance
officer who did not ask for it approves it (`decide`), and ends with the agreement. A revoked
grant is kept, as `revoked`, for the register of shares.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from catalogue.access import can_read
from catalogue.audit import Actor, record
from catalogue.clock import aware, end_of_day, utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import CatalogueError, Conflict, DatasetNotFound, NotFound
from catalogue.models import Account, Dataset, Department, Grant, Partner
from catalogue.people import Person
from catalogue.sharing import agreements
from catalogue.sharing.models import Agreement
from catalogue.sharing.rules import (
    ACTIVE,
    PENDING,
    REFUSED,
    REVOKED,
    grant_state,
    needs_agreement,
)

GRANTEE_KINDS = ("department", "partner")
DECISIONS = ("approve", "refuse")
GRANT_APPROVAL = "grant.pending"


class SharingError(CatalogueError):
    """A share that cannot be made as asked."""


class NotAllowed(CatalogueError):
    status = 403


@dataclass(frozen=True)
class GrantInfo:
    id: str
    dataset: str
    grantee_kind: str
    grantee: str
    grantee_name: str
    from_version: int | None
    expires_at: datetime | None
    granted_by: str
    granted_at: datetime
    purpose: str | None = None
    agreement: str | None = None
    agreement_expires: date | None = None
    stored_status: str = ACTIVE
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None

    @property
    def grantee_ref(self) -> str:
        return f"{self.grantee_kind}:{self.grantee}"

    @property
    def status(self) -> str:
        """pending, in-force, expired, refused or revoked: as the register shows it."""
        return grant_state(self.stored_status, self.expires_at, self.agreement_expires)

    @property
    def in_force(self) -> bool:
        return self.status == "in-force"

    @property
    def expires_on(self) -> date | None:
        """The last day the grant is in force (by its own date, not its agreement's)."""
        return (self.expires_at - timedelta(days=1)).date() if self.expires_at else None

    def public(self) -> dict:
        """The JSON shape of a grant (the API and the register's CSV)."""
        return {"id": self.id, "dataset": self.dataset, "grantee": self.grantee_ref,
                "name": self.grantee_name, "from_version": self.from_version,
                "expires_on": self.expires_on.isoformat() if self.expires_on else None,
                "status": self.status, "in_force": self.in_force, "purpose": self.purpose,
                "agreement": self.agreement,
                "agreement_expires": self.agreement_expires.isoformat()
                if self.agreement_expires else None,
                "granted_by": self.granted_by, "granted_at": self.granted_at.isoformat(),
                "decided_by": self.decided_by,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "decision_reason": self.decision_reason}


def parse_grantee(text: str) -> tuple[str, str]:
    kind, sep, slug = text.strip().partition(":")
    if not sep or kind not in GRANTEE_KINDS or not slug:
        raise SharingError(f"{text!r}: write department:SLUG or partner:SLUG")
    return kind, slug.strip().lower()


def end_of(day: date) -> datetime:
    """A grant `--expires 2026-12-31` is in force until the end of that day (UTC)."""
    return end_of_day(day)


def may_share(person: Person | None, department: str, owners: list[str] | None) -> bool:
    """Whether this person may share a dataset of `department` owned by `owners`."""
    if person is None:
        return False
    if person.email in {o.lower() for o in owners or []}:
        return True
    if person.partner:
        return False
    return person.is_governance or (person.role == "publisher"
                                    and department in person.departments)


class Sharing:
    """Grants on datasets; `listeners` hear the keys of datasets whose readers changed.
    `notifications` (catalogue.notifications.Notifications), when given, tells governance of
    grants awaiting approval and the askers of decisions."""

    def __init__(self, engine: Engine, listeners: list[Callable[[set[str]], None]] | None = None,
                 notifications=None):
        self.engine = engine
        self.listeners = listeners if listeners is not None else []
        self.notifications = notifications

    def grantees(self) -> list[tuple[str, str]]:
        """Everyone a dataset can be shared with: (department:SLUG or partner:SLUG, name)."""
        with read_session(self.engine) as s:
            names = self._names(s)
        return sorted(((f"{kind}:{slug}", name) for (kind, slug), name in names.items()
                       if kind in GRANTEE_KINDS),
                      key=lambda item: (not item[0].startswith("department:"), item[1]))

    def grants(self, person: Person | None, key: str) -> list[GrantInfo]:
        """The dataset's grants that are not revoked, for someone who may share it (the
        command line: None)."""
        with read_session(self.engine) as s:
            dataset = self._dataset(s, key)
            self._check(s, person, dataset)
            rows = s.exec(select(Grant).where(Grant.department == dataset.department,
                                              Grant.dataset == dataset.slug,
                                              Grant.status != REVOKED)
                          .order_by(Grant.grantee_kind, Grant.grantee)).all()
            return infos(s, rows)

    def share(self, person: Person | None, actor: Actor, key: str, grantee: str, *,
              expires_on: date | None = None, from_version: int | None = None,
              purpose: str | None = None, agreement: str | None = None) -> GrantInfo:
        """Share `key` with `grantee` (department:SLUG or partner:SLUG); sharing again with the
        same grantee changes its expiry, first version, purpose and agreement (and asks for a
        governance officer's approval again where one is needed)."""
        kind, slug = parse_grantee(grantee)
        with write_session(self.engine) as s:
            dataset = self._dataset(s, key)
            self._check(s, person, dataset)
            names = self._names(s)
            if (kind, slug) not in names:
                raise SharingError(f"no {kind} {slug!r} is known to the catalogue")
            if kind == "department" and slug == dataset.department:
                raise SharingError(f"{key} already belongs to {slug}")
            info = self.make_grant(s, actor, dataset, kind, slug,
                                   partner=slug if kind == "partner" else None,
                                   expires_on=expires_on, from_version=from_version,
                                   purpose=purpose, agreement=agreement)
        self._changed(key)
        return info

    def make_grant(self, s: Session, actor: Actor, dataset: Dataset, kind: str, grantee: str,
                   *, partner: str | None, expires_on: date | None = None,
                   from_version: int | None = None, purpose: str | None = None,
                   agreement: str | None = None) -> GrantInfo:
        """Write a grant in `s`'s transaction (the caller tells the listeners after it):
        active, or pending a governance officer's approval when it needs an agreement."""
        key = dataset.key
        purpose = (purpose or "").strip() or None
        agreement = (agreement or "").strip() or None
        if expires_on is not None and expires_on < utcnow().date():
            raise SharingError(f"expires: the date {expires_on.isoformat()} has passed")
        if from_version is not None and from_version < 1:
            raise SharingError("from_version: versions are numbered from 1")
        if from_version is not None and from_version > dataset.version_count:
            raise SharingError(f"from_version: {key} has no version {from_version} yet")
        pending = needs_agreement(dataset.classification, dataset.personal_data, partner)
        if pending:
            if purpose is None:
                raise SharingError(f"purpose: say why {key} is shared with {partner}: it holds "
                                   "personal data or is OFFICIAL-SENSITIVE")
            if agreement is None:
                raise SharingError(f"agreement: {key} holds personal data or is "
                                   "OFFICIAL-SENSITIVE: name the information-sharing agreement "
                                   f"with {partner} listed in catalogue.yaml")
        if agreement is not None:
            if partner is None:
                raise SharingError("agreement: information-sharing agreements are with "
                                   "partner organisations; this grantee is not one")
            try:
                agreements.usable(s, agreement, partner)
            except agreements.AgreementError as exc:
                raise SharingError(str(exc)) from None
        row = s.exec(select(Grant).where(
            Grant.department == dataset.department, Grant.dataset == dataset.slug,
            Grant.grantee_kind == kind, Grant.grantee == grantee)).first()
        action = "grant.changed" if row is not None and row.status != REVOKED \
            else "grant.created"
        if row is None:
            row = Grant(id=secrets.token_hex(12), department=dataset.department,
                        dataset=dataset.slug, grantee_kind=kind, grantee=grantee,
                        granted_by=actor.email or "command line", granted_at=utcnow())
        elif row.status == REVOKED:
            row.granted_at = utcnow()
        row.granted_by = actor.email or "command line"
        row.from_version = from_version
        row.expires_at = end_of(expires_on) if expires_on else None
        row.purpose, row.agreement = purpose, agreement
        row.status = PENDING if pending else ACTIVE
        row.decided_by = row.decided_at = row.decision_reason = None
        s.add(row)
        s.flush()
        record(s, actor, action, key, grantee=f"{kind}:{grantee}", from_version=from_version,
               expires_on=expires_on.isoformat() if expires_on else None, purpose=purpose,
               agreement=agreement, status=row.status)
        if pending and self.notifications is not None:
            self.notifications.tell_governance(
                s, GRANT_APPROVAL, f"A share of {key} awaits approval",
                f"{row.granted_by} asks to share {dataset.title} ({key}) with "
                f"{kind}:{grantee} under agreement {agreement}, for: {purpose}",
                "/governance/shares?status=pending", exclude=[row.granted_by])
        return infos(s, [row])[0]

    def decide(self, person: Person | None, actor: Actor, grant_id: str, decision: str,
               reason: str | None = None) -> GrantInfo:
        """A governance officer approves or refuses a pending grant; never the one who asked
        for it. A refusal needs a reason; the asker is told either way."""
        reason = (reason or "").strip() or None
        if decision not in DECISIONS:
            raise SharingError("decision: choose approve or refuse")
        if person is not None and not person.is_governance:
            raise NotAllowed("Only governance officers approve shares")
        with write_session(self.engine) as s:
            row = s.get(Grant, grant_id)
            if row is None:
                raise NotFound(f"No grant {grant_id}")
            if person is not None and row.granted_by == person.email:
                raise NotAllowed("You asked for this share: another governance officer "
                                 "decides it")
            if row.status != PENDING:
                raise Conflict(f"This share is not awaiting a decision: it is {row.status}")
            if decision == "refuse" and reason is None:
                raise SharingError("reason: say why the share is refused")
            if decision == "approve" and row.agreement:
                try:
                    agreements.usable(s, row.agreement, self._partner_of(s, row))
                except agreements.AgreementError as exc:
                    raise SharingError(str(exc)) from None
            row.status = ACTIVE if decision == "approve" else REFUSED
            row.decided_by, row.decided_at = actor.email or "command line", utcnow()
            row.decision_reason = reason
            s.add(row)
            key = f"{row.department}/{row.dataset}"
            record(s, actor, f"grant.{'approved' if decision == 'approve' else 'refused'}",
                   key, grantee=f"{row.grantee_kind}:{row.grantee}", grant=row.id,
                   reason=reason)
            if self.notifications is not None:
                verdict = "approved" if decision == "approve" else "refused"
                self.notifications.tell(
                    s, [row.granted_by], f"grant.{verdict}",
                    f"Your share of {key} was {verdict}",
                    f"{row.decided_by} {verdict} sharing {key} with "
                    f"{row.grantee_kind}:{row.grantee}" + (f": {reason}" if reason else "."),
                    f"/datasets/{key}/sharing")
            info = infos(s, [row])[0]
        self._changed(key)
        return info

    def unshare(self, person: Person | None, actor: Actor, key: str, grantee: str) -> None:
        kind, slug = parse_grantee(grantee) if not grantee.startswith("person:") \
            else ("person", grantee.split(":", 1)[1].strip().lower())
        with write_session(self.engine) as s:
            dataset = self._dataset(s, key)
            self._check(s, person, dataset)
            row = s.exec(select(Grant).where(
                Grant.department == dataset.department, Grant.dataset == dataset.slug,
                Grant.grantee_kind == kind, Grant.grantee == slug,
                Grant.status != REVOKED)).first()
            if row is None:
                raise NotFound(f"{key} is not shared with {kind}:{slug}")
            row.status = REVOKED
            row.decided_by, row.decided_at = actor.email or "command line", utcnow()
            s.add(row)
            record(s, actor, "grant.revoked", key, grantee=f"{kind}:{slug}")
        self._changed(key)

    def _changed(self, key: str) -> None:
        for listener in self.listeners:
            listener({key})

    @staticmethod
    def _partner_of(s: Session, row: Grant) -> str | None:
        if row.grantee_kind == "partner":
            return row.grantee
        if row.grantee_kind == "person":
            return s.exec(select(Account.partner).where(Account.email == row.grantee)).first()
        return None

    @staticmethod
    def _dataset(s: Session, key: str) -> Dataset:
        department, _, slug = key.partition("/")
        row = s.exec(select(Dataset).where(Dataset.department == department,
                                           Dataset.slug == slug)).first()
        if row is None:
            raise DatasetNotFound(key)
        return row

    @staticmethod
    def _check(s: Session, person: Person | None, dataset: Dataset) -> None:
        """Someone who may not share a dataset learns nothing of it: if they cannot read it,
        it is not found; if they can, they are told they may not share it."""
        if person is None or may_share(person, dataset.department, dataset.owners):
            return
        if not can_read(person.reader(s), dataset):
            raise DatasetNotFound(dataset.key)
        raise NotAllowed(f"Only {dataset.key}'s owners, its department's publishers and "
                         "governance officers can share it")

    @staticmethod
    def _names(s: Session) -> dict[tuple[str, str], str]:
        names = {("department", d.slug): d.name for d in s.exec(select(Department))}
        names.update({("partner", p.slug): p.name for p in s.exec(select(Partner))})
        return names


def infos(s: Session, rows: list[Grant]) -> list[GrantInfo]:
    """The public view of these grants: grantees' names, agreements' ends."""
    names = Sharing._names(s)
    people = {e for g in rows if g.grantee_kind == "person" for e in [g.grantee]}
    if people:
        names.update({("person", email): name for email, name in s.exec(
            select(Account.email, Account.name).where(Account.email.in_(people)))})
    refs = {g.agreement for g in rows if g.agreement}
    ends = {a.reference: a.expires for a in s.exec(
        select(Agreement).where(Agreement.reference.in_(refs)))} if refs else {}
    return [GrantInfo(g.id, f"{g.department}/{g.dataset}", g.grantee_kind, g.grantee,
                      names.get((g.grantee_kind, g.grantee), g.grantee), g.from_version,
                      aware(g.expires_at), g.granted_by, aware(g.granted_at), g.purpose,
                      g.agreement, ends.get(g.agreement, date.min) if g.agreement else None,
                      g.status, g.decided_by, aware(g.decided_at), g.decision_reason)
            for g in rows]
