"""The tables of notifications: what each person is told in the app, what they follow, and
the emails waiting to be sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Notification(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    at: datetime
    kind: str = Field(description="release.requested, release.checked, release.decided, …")
    subject: str
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    link: str | None = Field(default=None, description="A path in the catalogue")
    read_at: datetime | None = None


class Follow(SQLModel, table=True):
    """A person follows a dataset: told of its new versions and releases."""

    __table_args__ = (UniqueConstraint("account_id", "department", "dataset"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    department: str = Field(index=True)
    dataset: str
    since: datetime
    seen_version: int = Field(default=0, description=(
        "The newest version the follower was told of, or that the dataset had when they "
        "followed it: they are told only of versions after it, each once"))


class OutboxEmail(SQLModel, table=True):
    """An email to send. Written in the same transaction as what it tells of; sent afterwards
    and retried with a growing delay, so an SMTP failure never fails the request."""

    id: int | None = Field(default=None, primary_key=True)
    recipient: str
    subject: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
