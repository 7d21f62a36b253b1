"""What release readers get back: the public shapes of requests, as the pages and the JSON API
both show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel


class CheckPublic(SQLModel):
    name: str
    outcome: str
    summary: str
    evidence: dict[str, Any] = {}


class ReleaseRequestPublic(SQLModel):
    id: str
    dataset: str
    version: int
    status: str
    requested_by: str
    requested_at: datetime
    justification: str
    licence: str
    checks: list[CheckPublic]
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    overrides: list[str] = []
    published: bool = False
    publish_error: str | None = None
    tags: list[str] = []
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None


class FieldChangePublic(SQLModel):
    field: str
    label: str
    before: Any = None
    after: Any = None


class ReleaseRequestDetail(ReleaseRequestPublic):
    """A request as its page shows it: also what would be published and what changed since the
    dataset's last released version."""

    title: str
    snapshot: dict[str, Any]
    previous_release: int | None = None
    metadata_changes: list[FieldChangePublic] = []
    may_decide: bool = False
    why_not: str | None = None
