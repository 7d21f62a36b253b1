"""Requests for access: someone who can discover a dataset (or reads it only from a version on)
asks to read it, saying why; its owners and its department's publishers (and governance
officers) approve, which makes a grant to that person, or refuse with a reason. The requester
is told either way; the deciders are told of each new request.

A grant made by approving a partner's request for sensitive data needs an agreement, and then
waits for a governance officer's approval like any such grant (catalogue.sharing.grants).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalogue.access import can_discover, can_read, first_readable_version
from catalogue.audit import Actor, record
from catalogue.clock import aware, utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import Conflict, DatasetNotFound, NotFound
from catalogue.models import Account, Dataset, Membership
from catalogue.people import Person
from catalogue.sharing.grants import NotAllowed, Sharing, SharingError, may_share
from catalogue.sharing.models import AccessRequest

PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
DECISIONS = {"approve": APPROVED, "refuse": REFUSED}
MAX_PURPOSE = 4000


@dataclass(frozen=True)
class AccessRequestInfo:
    id: str
    dataset: str
    title: str
    requested_by: str
    purpose: str
    status: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    grant_id: str | None

    def public(self) -> dict:
        return {"id": self.id, "dataset": self.dataset, "requested_by": self.requested_by,
                "purpose": self.purpose, "status": self.status,
                "requested_at": self.requested_at.isoformat(), "decided_by": self.decided_by,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "reason": self.reason, "grant_id": self.grant_id}


class AccessRequests:
    def __init__(self, sharing: Sharing):
        self.sharing = sharing
        self.engine = sharing.engine

    @property
    def notifications(self):
        return self.sharing.notifications

    def ask(self, person: Person, actor: Actor, key: str, purpose: str | None) -> AccessRequestInfo:
        """Ask to read `key`. Not found if the person cannot discover it; 409 if they read it
        already, or asked already and wait for an answer."""
        purpose = (purpose or "").strip()
        try:
            with write_session(self.engine) as s:
                dataset = _dataset(s, key)
                reader = person.reader(s)
                if dataset is None or not can_discover(reader, dataset):
                    raise DatasetNotFound(key)
                if not purpose:
                    raise SharingError("purpose: say what you need the data for")
                if len(purpose) > MAX_PURPOSE:
                    raise SharingError(f"purpose: keep it under {MAX_PURPOSE} characters")
                if can_read(reader, dataset) and first_readable_version(reader, dataset) <= 1:
                    raise Conflict(f"You can already read {key}")
                open_key = f"{key}/{person.email}"
                if s.exec(select(AccessRequest).where(AccessRequest.open_key == open_key)).first():
                    raise Conflict(f"You have already asked for access to {key}: wait for "
                                   "its owners' answer")
                row = AccessRequest(id="A-" + secrets.token_hex(8), department=dataset.department,
                                    dataset=dataset.slug, account_id=person.id,
                                    requested_by=person.email, purpose=purpose, status=PENDING,
                                    open_key=open_key, requested_at=utcnow())
                s.add(row)
                s.flush()
                record(s, actor, "access.requested", key, request=row.id, purpose=purpose)
                if self.notifications is not None:
                    self.notifications.tell(
                        s, [e for e in deciders(s, dataset) if e != person.email],
                        "access.requested", f"{person.name} asks for access to {key}",
                        f"{person.name} ({person.email}) asks to read {dataset.title}: "
                        f"{purpose}", f"/access-requests/{row.id}")
                return _info(row, dataset.title)
        except IntegrityError:  # the same person asked twice at once: one request is kept
            raise Conflict(f"You have already asked for access to {key}") from None

    def decide(self, person: Person, actor: Actor, request_id: str, decision: str,
               reason: str | None = None, expires_on: date | None = None,
               agreement: str | None = None) -> AccessRequestInfo:
        """Approve (a grant to the requester, until `expires_on` if given) or refuse (with a
        reason). The requester cannot decide their own request."""
        reason = (reason or "").strip() or None
        if decision not in DECISIONS:
            raise SharingError("decision: choose approve or refuse")
        with write_session(self.engine) as s:
            row = s.get(AccessRequest, request_id)
            if row is None:
                raise NotFound(f"No access request {request_id}")
            dataset = _dataset(s, f"{row.department}/{row.dataset}")
            if row.requested_by == person.email:
                raise NotAllowed("You cannot decide your own request for access")
            if dataset is None or not may_share(person, dataset.department, dataset.owners):
                raise NotAllowed("Only the dataset's owners, its department's publishers and "
                                 "governance officers decide requests for access")
            if row.status != PENDING:
                raise Conflict(f"This request was already {row.status}")
            if decision == "refuse" and reason is None:
                raise SharingError("reason: say why access is refused")
            if decision == "approve":
                partner = s.exec(select(Account.partner)
                                 .where(Account.id == row.account_id)).first()
                grant = self.sharing.make_grant(
                    s, actor, dataset, "person", row.requested_by, partner=partner,
                    expires_on=expires_on, purpose=row.purpose, agreement=agreement)
                row.grant_id = grant.id
            row.status = DECISIONS[decision]
            row.open_key = None
            row.decided_by, row.decided_at, row.reason = person.email, utcnow(), reason
            s.add(row)
            record(s, actor, f"access.{row.status}", dataset.key, request=row.id,
                   requester=row.requested_by, reason=reason)
            if self.notifications is not None:
                told = f"Your request for access to {dataset.key} was {row.status}"
                body = f"{person.name} {row.status} your request to read {dataset.title}"
                body += f": {reason}" if reason else "."
                if decision == "approve" and grant.stored_status != "active":
                    body += " A governance officer must also approve the share."
                self.notifications.tell(s, [row.requested_by], f"access.{row.status}", told,
                                        body, f"/datasets/{dataset.key}")
            info = _info(row, dataset.title)
        if decision == "approve":
            self.sharing._changed(info.dataset)
        return info

    def get(self, person: Person, request_id: str) -> AccessRequestInfo:
        """One request, for its requester or someone who may decide it (else not found)."""
        with read_session(self.engine) as s:
            row = s.get(AccessRequest, request_id)
            dataset = _dataset(s, f"{row.department}/{row.dataset}") if row else None
            if row is None or dataset is None or (
                    row.requested_by != person.email
                    and not may_share(person, dataset.department, dataset.owners)):
                raise NotFound(f"No access request {request_id}")
            return _info(row, dataset.title)

    def may_decide(self, person: Person, info: AccessRequestInfo) -> bool:
        with read_session(self.engine) as s:
            dataset = _dataset(s, info.dataset)
            return (info.status == PENDING and info.requested_by != person.email
                    and dataset is not None
                    and may_share(person, dataset.department, dataset.owners))

    def to_decide(self, person: Person, status: str | None = PENDING
                  ) -> list[AccessRequestInfo]:
        """Requests on datasets this person may decide (not their own), newest first."""
        with read_session(self.engine) as s:
            query = select(AccessRequest, Dataset).join(
                Dataset, (Dataset.department == AccessRequest.department)
                & (Dataset.slug == AccessRequest.dataset))
            if status:
                query = query.where(AccessRequest.status == status)
            rows = s.exec(query.order_by(col(AccessRequest.requested_at).desc())).all()
            return [_info(r, d.title) for r, d in rows
                    if r.requested_by != person.email
                    and may_share(person, d.department, d.owners)]

    def mine(self, person: Person) -> list[AccessRequestInfo]:
        with read_session(self.engine) as s:
            rows = s.exec(select(AccessRequest, Dataset).join(
                Dataset, (Dataset.department == AccessRequest.department)
                & (Dataset.slug == AccessRequest.dataset))
                .where(AccessRequest.account_id == person.id)
                .order_by(col(AccessRequest.requested_at).desc())).all()
            return [_info(r, d.title) for r, d in rows]

    def pending_for(self, person: Person, key: str) -> AccessRequestInfo | None:
        """The person's pending request for `key`, if any (the dataset's page says so)."""
        with read_session(self.engine) as s:
            row = s.exec(select(AccessRequest).where(
                AccessRequest.open_key == f"{key}/{person.email}")).first()
            return _info(row, "") if row else None


def deciders(s: Session, dataset: Dataset) -> list[str]:
    """Who is told of a request: the dataset's owners and its department's publishers."""
    publishers = s.exec(select(Account.email).join(
        Membership, col(Membership.account_id) == Account.id).where(
        Membership.department == dataset.department, Account.role == "publisher",
        Account.disabled == False)).all()  # noqa: E712
    return sorted({o.strip().lower() for o in dataset.owners or []} | set(publishers))


def _dataset(s: Session, key: str) -> Dataset | None:
    department, _, slug = key.partition("/")
    return s.exec(select(Dataset).where(Dataset.department == department,
                                        Dataset.slug == slug)).first()


def _info(row: AccessRequest, title: str) -> AccessRequestInfo:
    return AccessRequestInfo(row.id, f"{row.department}/{row.dataset}", title, row.requested_by,
                             row.purpose, row.status, aware(row.requested_at), row.decided_by,
                             aware(row.decided_at), row.reason, row.grant_id)
