"""The rules of governed sharing, in one place: a grant's states, when a grant needs an
information-sharing agreement and a governance officer's approval, and who decides.

Stored states: `active`, `pending`, `refused`, `revoked`. Shown states (the register's):
`pending`, `in-force`, `expired` (active, past its own expiry or its agreement's), `refused`,
`revoked`.
"""

from __future__ import annotations

from datetime import date, datetime

from catalogue.access import ACTIVE
from catalogue.clock import utcnow

PENDING, REFUSED, REVOKED = "pending", "refused", "revoked"
SHOWN_STATES = ("pending", "in-force", "expired", "refused", "revoked")
SENSITIVE = "OFFICIAL-SENSITIVE"

__all__ = ["ACTIVE", "PENDING", "REFUSED", "REVOKED", "SHOWN_STATES", "grant_state",
           "is_sensitive", "needs_agreement"]


def is_sensitive(classification: str, personal_data: bool) -> bool:
    """OFFICIAL-SENSITIVE or personal data: shared with partners only under an agreement, and
    its reads audited."""
    return classification == SENSITIVE or bool(personal_data)


def needs_agreement(classification: str, personal_data: bool, partner: str | None) -> bool:
    """A grant reaching a partner organisation (`partner`: its slug, or None) of sensitive
    data needs an agreement with that partner and a governance officer's approval."""
    return partner is not None and is_sensitive(classification, personal_data)


def grant_state(stored: str, expires_at: datetime | None, agreement_expires: date | None,
                now: datetime | None = None) -> str:
    """How a grant stands now (one of SHOWN_STATES)."""
    if stored != ACTIVE:
        return stored
    now = now or utcnow()
    if expires_at is not None and expires_at <= now:
        return "expired"
    if agreement_expires is not None and agreement_expires < now.date():
        return "expired"
    return "in-force"
