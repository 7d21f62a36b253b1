"""The tables of open releases.

A release request is kept by department and dataset slug (as grants are), not by row id, so
`catalogue reindex` leaves it alone; what it approved is also written to git as release tags,
from which an empty database gets every release and withdrawal back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

CHECKING = "checking"
AWAITING_REVIEW = "awaiting-review"
CHECKS_FAILED = "checks-failed"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
STATUSES = (CHECKING, AWAITING_REVIEW, CHECKS_FAILED, APPROVED, REJECTED, WITHDRAWN)
UNDECIDED = (CHECKING, AWAITING_REVIEW, CHECKS_FAILED)


class ReleaseRequest(SQLModel, table=True):
    """Version `version` of `department/dataset` asked to be released openly, its checks, the
    decision, and its withdrawal.

    `open_key` is `department/dataset@version` while the request is undecided or approved and
    NULL once rejected or withdrawn: a unique column, so there is one open request per version
    however many people ask at once. `snapshot` is the dataset's metadata and the version's
    files when it was asked for: what the reviewer approves and the public then sees.
    """

    __tablename__ = "release_request"

    id: str = Field(primary_key=True, description="R- and random letters; named in git tags")
    department: str = Field(index=True)
    dataset: str
    version: int
    commit_sha: str
    status: str = Field(index=True)
    open_key: str | None = Field(default=None, unique=True)
    requested_by: str
    requested_at: datetime = Field(index=True)
    justification: str = Field(sa_column=Column(Text, nullable=False))
    licence: str
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    checks: list[dict[str, Any]] = Field(default_factory=list,
                                         sa_column=Column(JSON, nullable=False))
    checked_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))
    overrides: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    published_at: datetime | None = Field(default=None, description="Tags in the registry")
    publish_error: str | None = Field(default=None, sa_column=Column(Text))
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = Field(default=None, sa_column=Column(Text))

    @property
    def key(self) -> str:
        return f"{self.department}/{self.dataset}"
