"""People: accounts, their departments or partner organisation, their roles, their passwords.

Roles, from least to most:
- `staff`: reads what its departments, `internal` and grants allow;
- `publisher`: also edits metadata, shares and requests releases for its departments' datasets
  (a dataset's owners, named in its dataset.yaml, are its publishers whatever their role);
- `governance`: a governance officer: reads every dataset, reviews sharing and releases, and
  reads the audit trail;
- `admin`: manages accounts and reads the audit trail; reads data as its departments may.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from catalogue.access import Reader, reader_principals, with_grants
from catalogue.audit import Actor, record
from catalogue.clock import utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import CatalogueError, NotFound
from catalogue.models import Account, Membership

ROLES = ("staff", "publisher", "governance", "admin")
MIN_PASSWORD = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_hasher = PasswordHasher()


class AccountError(CatalogueError):
    """An account could not be added or changed as asked."""


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    role: str
    departments: tuple[str, ...]
    partner: str | None
    disabled: bool = False

    @property
    def is_governance(self) -> bool:
        return self.role == "governance"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def reads_audit(self) -> bool:
        return self.role in ("governance", "admin")

    @property
    def belongs_to(self) -> str:
        if self.partner:
            return f"partner:{self.partner}"
        return ", ".join(f"department:{d}" for d in self.departments)

    def principals(self) -> frozenset[str]:
        return reader_principals(self.departments, self.partner, everything=self.is_governance,
                                 email=self.email)

    def reader(self, s: Session) -> Reader:
        """What this person may read now: their principals and the grants in force for them."""
        return with_grants(s, self.principals())


def normalise_email(email: str) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"{email!r} is not an email address")
    return email


def add_account(engine: Engine, actor: Actor, email: str, name: str, *,
                departments: Iterable[str] = (), partner: str | None = None,
                role: str = "staff", password: str | None = None) -> Person:
    email, departments = normalise_email(email), sorted(set(departments))
    _check_role(role)
    if bool(departments) == bool(partner):
        raise AccountError("give one or more departments, or one partner organisation")
    for slug in [*departments, *([partner] if partner else [])]:
        if not _SLUG.match(slug):
            raise AccountError(f"{slug!r} is not a slug (lower-case letters, digits, hyphens)")
    if partner and role != "staff":
        raise AccountError("people of a partner organisation can only have the role staff")
    with write_session(engine) as s:
        if s.exec(select(Account).where(Account.email == email)).first():
            raise AccountError(f"there is already an account for {email}")
        account = Account(email=email, name=name.strip() or email, role=role, partner=partner,
                          password_hash=_hash(password) if password else None,
                          created_at=utcnow())
        s.add(account)
        s.flush()
        for slug in departments:
            s.add(Membership(account_id=account.id, department=slug))
        record(s, actor, "account.added", email, role=role, departments=departments,
               partner=partner)
        return _person(s, account)


def list_accounts(engine: Engine) -> list[Person]:
    with read_session(engine) as s:
        return [_person(s, a) for a in s.exec(select(Account).order_by(Account.email))]


def find(engine: Engine, email: str) -> Person:
    with read_session(engine) as s:
        return _person(s, _account(s, email))


def person_by_id(s: Session, account_id: int) -> Person | None:
    account = s.get(Account, account_id)
    return _person(s, account) if account and not account.disabled else None


def set_role(engine: Engine, actor: Actor, email: str, role: str) -> Person:
    _check_role(role)
    with write_session(engine) as s:
        account = _account(s, email)
        if account.partner and role != "staff":
            raise AccountError("people of a partner organisation can only have the role staff")
        before, account.role = account.role, role
        s.add(account)
        record(s, actor, "account.role", account.email, before=before, after=role)
        return _person(s, account)


def disable(engine: Engine, actor: Actor, email: str) -> Person:
    """Disable an account: its sessions and tokens stop working on their next request."""
    with write_session(engine) as s:
        account = _account(s, email)
        account.disabled = True
        s.add(account)
        record(s, actor, "account.disabled", account.email)
        return _person(s, account)


def set_password(engine: Engine, actor: Actor, email: str, password: str) -> None:
    with write_session(engine) as s:
        account = _account(s, email)
        account.password_hash = _hash(password)
        s.add(account)
        record(s, actor, "account.password", account.email)


def password_matches(account: Account, password: str) -> bool:
    if not account.password_hash:
        return False
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nothing(password: str) -> None:
    """Spend the time a real check takes, so a missing account is not told apart by timing."""
    try:
        _hasher.verify(_dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        pass


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not anyone's password")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"no role {role!r}: choose one of {', '.join(ROLES)}")


def _account(s: Session, email: str) -> Account:
    account = s.exec(select(Account).where(Account.email == email.strip().lower())).first()
    if account is None:
        raise NotFound(f"no account for {email}")
    return account


def _person(s: Session, account: Account) -> Person:
    departments = tuple(s.exec(select(Membership.department)
                               .where(Membership.account_id == account.id)
                               .order_by(Membership.department)).all())
    return Person(account.id, account.email, account.name, account.role, departments,
                  account.partner, account.disabled)
