"""What several web workers and hosts of one catalogue share through its database."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class Change(SQLModel, table=True):
    """A change that every host's search index must take in: the datasets whose documents
    changed (`dataset_key` None: every dataset), in one of the host's indexes (`target`:
    `search`, the staff's index, or `open`, the open-data portal's). Ids grow in commit
    order (writers take the table's lock), so a host that has taken in every change up to
    id N needs only those after N."""

    __tablename__ = "change_feed"

    id: int | None = Field(default=None, primary_key=True)
    target: str = Field(index=True)
    dataset_key: str | None = None
    at: datetime = Field(index=True)


class RateCounter(SQLModel, table=True):
    """A rate limit's counter for a fixed window (Flask-Limiter's key), shared by every
    worker and host; `expires_at` in seconds since the epoch."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True)
    count: int
    expires_at: float = Field(index=True)


class WorkMark(SQLModel, table=True):
    """Work pending for a queue that spans hosts (an index run of a registry)."""

    __tablename__ = "work_mark"

    name: str = Field(primary_key=True)
    marked_at: datetime


class SharedSecret(SQLModel, table=True):
    """A secret every host must hold alike (the key that signs session cookies and CSRF
    tokens), made once by whichever host needs it first."""

    __tablename__ = "shared_secret"

    name: str = Field(primary_key=True)
    value: str
    created_at: datetime
