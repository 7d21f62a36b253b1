"""The audit trail: grants, revocations, role changes, tokens, sign-ins and failed sign-ins,
access requests and their decisions, and reads of sensitive data (catalogue.sharing.reads).

Append-only (the database refuses UPDATE and DELETE on it). Each event is written in the same
transaction as the change it records, so neither exists without the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, tuple_
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from catalogue.access import Reader, readable
from catalogue.clock import aware, utcnow
from catalogue.db import read_session
from catalogue.models import AuditEvent, Dataset

ACTIONS = {
    "account.added": "Account added",
    "account.role": "Role changed",
    "account.disabled": "Account disabled",
    "account.password": "Password set",
    "signin": "Signed in",
    "signin.failed": "Sign-in failed",
    "signout": "Signed out",
    "token.created": "API token created",
    "token.revoked": "API token revoked",
    "grant.created": "Shared",
    "grant.changed": "Sharing changed",
    "grant.revoked": "Sharing revoked",
    "release.requested": "Release requested",
    "release.rechecked": "Release checks run again",
    "release.checked": "Release checks done",
    "release.approved": "Release approved",
    "release.rejected": "Release rejected",
    "release.override": "Release check overridden",
    "release.tagged": "Release tags written to git",
    "release.publish_failed": "Release tags not published",
    "release.withdrawn": "Release withdrawn",
    "release.restored": "Release restored from git",
    "release.tag_refused": "Release tag not made by the catalogue",
    "grant.approved": "Share approved",
    "grant.refused": "Share refused",
    "access.requested": "Access requested",
    "access.approved": "Access request approved",
    "access.refused": "Access request refused",
    "dataset.read": "Sensitive data read",
}


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where (an address, or `command line`)."""

    email: str | None
    source: str | None = None

    @classmethod
    def command_line(cls) -> Actor:
        return cls(None, "command line")


def record(s: Session, actor: Actor, action: str, target: str | None = None,
           **detail: Any) -> None:
    s.add(AuditEvent(at=utcnow(), actor=actor.email, action=action, target=target,
                     source=actor.source, detail=detail))


def recent_failures(s: Session, email: str, window: timedelta) -> int:
    """Failed sign-ins for this email in the last `window`: the throttle's measure."""
    return s.exec(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "signin.failed", AuditEvent.target == email,
        AuditEvent.at > utcnow() - window)).one()


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str | None
    action: str
    label: str
    target: str | None
    source: str | None
    detail: dict[str, Any]


RESTRICTED = "a restricted dataset"


def events(engine: Engine, *, action: str | None = None, actor: str | None = None,
           page: int = 1, per_page: int = 50, reader: Reader | None = None,
           dataset: str | None = None, since: date | None = None,
           until: date | None = None) -> tuple[int, list[AuditEntry]]:
    """A page of the trail, newest first, with the total count; filtered by action, person
    (`actor`), `dataset` (department/slug) and days (`since` to `until`, both included, UTC).
    A dataset named by an event (a grant's, a release's, a read's) that `reader` may not read
    is shown as restricted, without the event's details (None: every name shown)."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.where(AuditEvent.actor == actor.strip().lower())
    if dataset:
        dataset = dataset.strip()
        query = query.where(or_(AuditEvent.target == dataset,
                                AuditEvent.target.like(f"{_escape(dataset)}@%", escape="\\"),
                                AuditEvent.target.like(f"{_escape(dataset)}#%", escape="\\")))
    if since:
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, tzinfo=UTC))
    if until:
        query = query.where(AuditEvent.at < datetime.combine(until + timedelta(days=1), time.min,
                                                              tzinfo=UTC))
    with read_session(engine) as s:
        total = s.exec(select(func.count()).select_from(query.subquery())).one()
        rows = s.exec(query.order_by(AuditEvent.id.desc())
                      .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
        hidden = _hidden_datasets(s, reader, rows)
        return total, [
            AuditEntry(aware(r.at), r.actor, r.action, ACTIONS.get(r.action, r.action),
                       RESTRICTED if _dataset_of(r) in hidden else r.target, r.source,
                       {} if _dataset_of(r) in hidden else r.detail)
            for r in rows]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _dataset_of(event: AuditEvent) -> str | None:
    """The dataset a grant's, a release's, an access request's or a read's event names (a
    release tag names it too: `housing/rough-sleeping#open#1`), or None."""
    if not event.target or not event.action.startswith(("grant.", "release.", "access.",
                                                        "dataset.")):
        return None
    return event.target.split("@", 1)[0].split("#", 1)[0]


def _hidden_datasets(s: Session, reader: Reader | None, rows: list[AuditEvent]) -> set[str]:
    """The datasets named by these events that the reader may not read (or that are gone)."""
    keys = {key for r in rows if (key := _dataset_of(r))}
    if reader is None or reader.sees_everything or not keys:
        return set()
    pairs = [tuple(k.split("/", 1)) for k in keys if "/" in k]
    seen = {f"{d}/{slug}" for d, slug in s.exec(
        select(Dataset.department, Dataset.slug)
        .where(tuple_(Dataset.department, Dataset.slug).in_(pairs), readable(reader)))}
    return keys - seen
