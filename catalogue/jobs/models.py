"""The job table: one row per piece of background work, named by its kind and a key.

(kind, key) is unique: work on the same thing is queued once, whoever asks. A profile's key
is the file's md5, so the same bytes are profiled once whichever dataset or version holds them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)


class Job(SQLModel, table=True):
    """`lease_until`: while running, the time by which the worker must renew its claim (its
    heartbeat); past it, the job is claimable again. `attempts` counts claims: a job whose
    worker died `MAX_ATTEMPTS` times fails with that reason instead of being tried forever.
    `retryable`: it failed for a reason that may pass (bytes not pushed yet), so queueing it
    again (a new index run) runs it again."""

    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    key: str = Field(index=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=QUEUED, index=True)
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    retryable: bool = False
    attempts: int = 0
    worker: str | None = None
    queued_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    lease_until: datetime | None = None
