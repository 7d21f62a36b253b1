"""Signing in and out: passwords (throttled), single sign-on claims, and sessions.

A session is a random token in the browser's cookie; the database keeps only its SHA-256, so
signing out deletes the row and the cookie is worth nothing wherever it went. Signing in always
makes a new token (the session is rotated), and a disabled account's sessions stop at once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from catalogue.audit import Actor, recent_failures, record
from catalogue.clock import aware, utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import CatalogueError
from catalogue.models import Account, Membership, SignInSession
from catalogue.people import (
    _EMAIL,
    _SLUG,
    Person,
    password_matches,
    person_by_id,
    verify_nothing,
)

SESSION_LIFETIME = timedelta(hours=12)
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FAILURES = 5


class SignInFailed(CatalogueError):
    status = 401

    def __init__(self, message: str = "The email address or password is not right"):
        super().__init__(message)


class TooManyAttempts(CatalogueError):
    status = 429

    def __init__(self) -> None:
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        super().__init__(f"Too many failed sign-ins for this account: try again in {minutes} "
                         "minutes, or ask an administrator to reset your password")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(engine: Engine, email: str, password: str, source: str | None) -> tuple[Person, str]:
    """Check a password; on success a new session token. Every attempt is audited, and after
    THROTTLE_FAILURES failures in THROTTLE_WINDOW the account refuses passwords for a while."""
    email = email.strip().lower()
    actor = Actor(email, source)
    error: CatalogueError | None = None
    with write_session(engine) as s:
        account = s.exec(select(Account).where(Account.email == email)).first()
        if recent_failures(s, email, THROTTLE_WINDOW) >= THROTTLE_FAILURES:
            record(s, actor, "signin.failed", email, reason="throttled")
            error = TooManyAttempts()
        elif account is None or account.disabled or not password_matches(account, password):
            if account is None:
                verify_nothing(password)
            record(s, actor, "signin.failed", email,
                   reason="disabled" if account and account.disabled else "password")
            error = SignInFailed()
        else:
            person, token = _start(s, account, actor, method="password")
    if error:
        raise error  # after the transaction, so that the failure stays in the audit trail
    return person, token


def departments_from_claim(value: object) -> list[str]:
    """The department slugs in an identity provider's claim: a list, or one string of values
    separated by spaces or commas. Values are lower-cased, inner spaces and underscores become
    hyphens ("Public Health" is `public-health`); values that are still not slugs (a group's
    distinguished name, say) are dropped."""
    if value is None:
        return []
    if isinstance(value, str):
        values = re.split(r"[\s,]+", value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        values = [v for v in value if isinstance(v, str)]
    else:
        return []
    slugs = {re.sub(r"[\s_]+", "-", v.strip().lower()) for v in values}
    return sorted(s for s in slugs if _SLUG.match(s))


def sso_failed(engine: Engine, email: str | None, reason: str, source: str | None) -> None:
    """Record a single sign-on that failed before it reached the catalogue's accounts (the
    provider refused, the answer could not be trusted, the sign-in was not ours)."""
    email = email.strip().lower() if email else None
    with write_session(engine) as s:
        record(s, Actor(email, source), "signin.failed", email, reason=reason, method="sso")


def sign_in_sso(engine: Engine, subject: str, email: str | None, name: str | None,
                departments: object, source: str | None, *,
                email_verified: object = None) -> tuple[Person, str]:
    """Sign in someone the identity provider vouched for. Their departments come from the
    provider's claim each time (`departments_from_claim`); their role is the catalogue's (staff
    when new). An account is found by the provider's subject, else linked by email address the
    first time, unless the provider says the address is unverified or the account is already
    linked to another subject."""
    email = (email or "").strip().lower()
    actor = Actor(email or None, source)
    departments = departments_from_claim(departments)
    failure: tuple[str, str] | None = None
    with write_session(engine) as s:
        account = s.exec(select(Account).where(Account.oidc_subject == subject)).first()
        if not subject:
            failure = ("no subject", "Your identity provider did not say who you are")
        elif not _EMAIL.match(email):
            failure = ("no email", "Your identity provider gave no email address for you: "
                                   "ask an administrator")
        elif account is None:
            account = s.exec(select(Account).where(Account.email == email)).first()
            if account is not None and account.oidc_subject not in (None, subject):
                failure = ("subject mismatch", "This email address belongs to an account "
                           "linked to another single sign-on identity: ask an administrator")
            elif account is not None and email_verified is False:
                failure = ("email not verified", "Your identity provider has not verified "
                           "your email address, so it cannot be linked to your account")
        if failure is None and account is not None and account.disabled:
            failure = ("disabled", "Your account is disabled: ask an administrator")
        if failure is None and account is None and not departments:
            failure = ("no departments", "Your identity provider gave no department for you, "
                       "so the catalogue cannot make you an account: ask an administrator")
        if failure is not None:
            record(s, actor, "signin.failed", email or None, reason=failure[0], method="sso")
        else:
            if account is None:
                account = Account(email=email, name=(name or "").strip() or email,
                                  created_at=utcnow())
                record(s, actor, "account.added", email, role="staff",
                       departments=departments, method="sso")
            account.oidc_subject = subject
            s.add(account)
            s.flush()
            if departments and not account.partner:
                s.exec(delete(Membership).where(Membership.account_id == account.id))
                for slug in departments:
                    s.add(Membership(account_id=account.id, department=slug))
            person, token = _start(s, account, actor, method="sso")
    if failure is not None:
        raise SignInFailed(failure[1])  # after the transaction: the failure stays audited
    return person, token


def _start(s: Session, account: Account, actor: Actor, method: str) -> tuple[Person, str]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    s.add(SignInSession(token_hash=token_hash(token), account_id=account.id, created_at=now,
                        expires_at=now + SESSION_LIFETIME, source=actor.source))
    account.last_sign_in_at = now
    s.add(account)
    s.flush()
    record(s, actor, "signin", account.email, method=method)
    return person_by_id(s, account.id), token


def session_person(engine: Engine, token: str) -> Person | None:
    """Who this session token belongs to, if it is current and the account enabled."""
    with read_session(engine) as s:
        row = s.get(SignInSession, token_hash(token))
        if row is None or aware(row.expires_at) <= utcnow():
            return None
        return person_by_id(s, row.account_id)


def sign_out(engine: Engine, token: str, source: str | None) -> None:
    with write_session(engine) as s:
        row = s.get(SignInSession, token_hash(token))
        if row is None:
            return
        account = s.get(Account, row.account_id)
        s.delete(row)
        record(s, Actor(account.email if account else None, source), "signout",
               account.email if account else None)
