"""API tokens: `Authorization: Bearer <token>`, for scripts and other systems.

The token is shown once, when made; the database keeps its SHA-256 (a token is 256 random bits,
so a fast hash is as safe as a slow one) and its first characters to recognise it by. Revocation,
expiry and the account's disabling take effect on the next request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from catalogue.audit import Actor, record
from catalogue.clock import aware, utcnow
from catalogue.db import read_session, write_session, write_transaction
from catalogue.errors import NotFound
from catalogue.models import Account, ApiToken
from catalogue.people import AccountError, Person, person_by_id
from catalogue.signin import token_hash

SCOPES = ("read", "write")
PREFIX = "dcat_"
USE_RECORDED_EVERY = timedelta(hours=1)  # "last used" is a hint: not a write per request


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def expires_on(self) -> date | None:
        """The last day the token works."""
        return (self.expires_at - timedelta(days=1)).date() if self.expires_at else None

    @property
    def active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utcnow())


def create_token(engine: Engine, actor: Actor, email: str, name: str = "API token",
                 scope: str = "read", expires_at: datetime | None = None) -> tuple[TokenInfo, str]:
    """A new token for this account: its details, and the token itself (shown only now)."""
    if scope not in SCOPES:
        raise AccountError(f"no scope {scope!r}: choose read or write")
    if expires_at is not None and expires_at <= utcnow():
        raise AccountError("a token's expiry must be in the future")
    token = PREFIX + secrets.token_urlsafe(32)
    with write_session(engine) as s:
        account = s.exec(select(Account).where(Account.email == email.strip().lower())).first()
        if account is None:
            raise NotFound(f"no account for {email}")
        row = ApiToken(account_id=account.id, name=name.strip() or "API token",
                       token_hash=token_hash(token), prefix=token[:len(PREFIX) + 6],
                       scope=scope, created_at=utcnow(), expires_at=expires_at)
        s.add(row)
        s.flush()
        record(s, actor, "token.created", account.email, token=row.prefix, name=row.name,
               scope=scope, expires_at=expires_at.isoformat() if expires_at else None)
        return _info(row), token


def tokens_of(engine: Engine, person: Person) -> list[TokenInfo]:
    with read_session(engine) as s:
        rows = s.exec(select(ApiToken).where(ApiToken.account_id == person.id)
                      .order_by(ApiToken.id.desc())).all()
        return [_info(r) for r in rows]


def revoke_token(engine: Engine, actor: Actor, person: Person, token_id: int) -> None:
    """Revoke one of this person's tokens (another's token is not found)."""
    with write_session(engine) as s:
        row = s.get(ApiToken, token_id)
        if row is None or row.account_id != person.id:
            raise NotFound("No such token")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            s.add(row)
            record(s, actor, "token.revoked", person.email, token=row.prefix, name=row.name)


def token_person(engine: Engine, token: str) -> tuple[Person, str] | None:
    """The person and scope a bearer token stands for, if it is valid now."""
    with read_session(engine) as s:
        row = s.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(token))).first()
        now = utcnow()
        if row is None or row.revoked_at is not None or (
                row.expires_at is not None and aware(row.expires_at) <= now):
            return None
        person = person_by_id(s, row.account_id)
        if person is None:
            return None
        last_used, token_id, scope = aware(row.last_used_at), row.id, row.scope
    if last_used is None or now - last_used > USE_RECORDED_EVERY:
        with write_transaction(engine) as conn:
            conn.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    return person, scope


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.prefix, row.scope, aware(row.created_at),
                     aware(row.expires_at), aware(row.revoked_at), aware(row.last_used_at))
