"""Sharing a dataset with another department or a partner organisation, and revoking it.

Who may share a dataset: its owners (the emails in its dataset.yaml), the publishers of its
department, and governance officers. A grant is for every version or from a given version on,
optionally until a date (the end of that day, UTC), and is checked when someone reads, never
by a scheduled job. Each change is audited in its own transaction, and the search index is told
so the dataset's readers change there at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from catalogue.access import can_read
from catalogue.audit import Actor, record
from catalogue.clock import aware, utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import CatalogueError, DatasetNotFound, NotFound
from catalogue.models import Dataset, Department, Grant, Partner
from catalogue.people import Person

GRANTEE_KINDS = ("department", "partner")


class SharingError(CatalogueError):
    """A share that cannot be made as asked."""


class NotAllowed(CatalogueError):
    status = 403


@dataclass(frozen=True)
class GrantInfo:
    id: str
    grantee_kind: str
    grantee: str
    grantee_name: str
    from_version: int | None
    expires_at: datetime | None
    granted_by: str
    granted_at: datetime

    @property
    def grantee_ref(self) -> str:
        return f"{self.grantee_kind}:{self.grantee}"

    @property
    def in_force(self) -> bool:
        return self.expires_at is None or self.expires_at > utcnow()

    @property
    def expires_on(self) -> date | None:
        """The last day the grant is in force."""
        return (self.expires_at - timedelta(days=1)).date() if self.expires_at else None


def parse_grantee(text: str) -> tuple[str, str]:
    kind, sep, slug = text.strip().partition(":")
    if not sep or kind not in GRANTEE_KINDS or not slug:
        raise SharingError(f"{text!r}: write department:SLUG or partner:SLUG")
    return kind, slug.strip().lower()


def end_of(day: date) -> datetime:
    """A grant `--expires 2026-12-31` is in force until the end of that day (UTC)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def may_share(person: Person | None, department: str, owners: list[str] | None) -> bool:
    """Whether this person may share a dataset of `department` owned by `owners`."""
    if person is None or person.partner:
        return False
    if person.is_governance or person.email in {o.lower() for o in owners or []}:
        return True
    return person.role == "publisher" and department in person.departments


class Sharing:
    """Grants on datasets; `listeners` hear the keys of datasets whose readers changed."""

    def __init__(self, engine: Engine, listeners: list[Callable[[set[str]], None]] | None = None):
        self.engine = engine
        self.listeners = listeners if listeners is not None else []

    def grantees(self) -> list[tuple[str, str]]:
        """Everyone a dataset can be shared with: (department:SLUG or partner:SLUG, name)."""
        with read_session(self.engine) as s:
            names = self._names(s)
        return sorted(((f"{kind}:{slug}", name) for (kind, slug), name in names.items()),
                      key=lambda item: (not item[0].startswith("department:"), item[1]))

    def grants(self, person: Person | None, key: str) -> list[GrantInfo]:
        """The dataset's grants, for someone who may share it (the command line: None)."""
        with read_session(self.engine) as s:
            dataset = self._dataset(s, key)
            self._check(s, person, dataset)
            rows = s.exec(select(Grant).where(Grant.department == dataset.department,
                                              Grant.dataset == dataset.slug)
                          .order_by(Grant.grantee_kind, Grant.grantee)).all()
            names = self._names(s)
            return [_info(g, names) for g in rows]

    def share(self, person: Person | None, actor: Actor, key: str, grantee: str, *,
              expires_on: date | None = None, from_version: int | None = None) -> GrantInfo:
        """Share `key` with `grantee` (department:SLUG or partner:SLUG); sharing again with the
        same grantee changes its expiry and first version."""
        kind, slug = parse_grantee(grantee)
        if expires_on is not None and expires_on < utcnow().date():
            raise SharingError(f"the expiry date {expires_on.isoformat()} has passed")
        if from_version is not None and from_version < 1:
            raise SharingError("versions are numbered from 1")
        with write_session(self.engine) as s:
            dataset = self._dataset(s, key)
            self._check(s, person, dataset)
            names = self._names(s)
            if (kind, slug) not in names:
                raise SharingError(f"no {kind} {slug!r} is known to the catalogue")
            if kind == "department" and slug == dataset.department:
                raise SharingError(f"{key} already belongs to {slug}")
            if from_version is not None and from_version > dataset.version_count:
                raise SharingError(f"{key} has no version {from_version} yet")
            row = s.exec(select(Grant).where(
                Grant.department == dataset.department, Grant.dataset == dataset.slug,
                Grant.grantee_kind == kind, Grant.grantee == slug)).first()
            action = "grant.changed" if row else "grant.created"
            if row is None:
                row = Grant(id=secrets.token_hex(12), department=dataset.department,
                            dataset=dataset.slug, grantee_kind=kind, grantee=slug,
                            granted_by=actor.email or "command line", granted_at=utcnow())
            row.from_version = from_version
            row.expires_at = end_of(expires_on) if expires_on else None
            s.add(row)
            s.flush()
            record(s, actor, action, key, grantee=f"{kind}:{slug}", from_version=from_version,
                   expires_on=expires_on.isoformat() if expires_on else None)
            info = _info(row, names)
        self._changed(key)
        return info

    def unshare(self, person: Person | None, actor: Actor, key: str, grantee: str) -> None:
        kind, slug = parse_grantee(grantee)
        with write_session(self.engine) as s:
            dataset = self._dataset(s, key)
            self._check(s, person, dataset)
            row = s.exec(select(Grant).where(
                Grant.department == dataset.department, Grant.dataset == dataset.slug,
                Grant.grantee_kind == kind, Grant.grantee == slug)).first()
            if row is None:
                raise NotFound(f"{key} is not shared with {kind}:{slug}")
            s.delete(row)
            record(s, actor, "grant.revoked", key, grantee=f"{kind}:{slug}")
        self._changed(key)

    def _changed(self, key: str) -> None:
        for listener in self.listeners:
            listener({key})

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


def _info(g: Grant, names: dict[tuple[str, str], str]) -> GrantInfo:
    return GrantInfo(g.id, g.grantee_kind, g.grantee,
                     names.get((g.grantee_kind, g.grantee), g.grantee), g.from_version,
                     aware(g.expires_at), g.granted_by, aware(g.granted_at))
