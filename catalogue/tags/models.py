"""The table of suggested tags.

Kept by department and dataset slug (as grants and release requests are), not by row id, so
`catalogue reindex` leaves the owners' decisions alone. A suggestion is `suggested` until an
owner accepts or dismisses it; `basis` fingerprints the text it was drawn from, so that the
open suggestions are drawn again when that text changes and decided ones are kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

SUGGESTED = "suggested"
ACCEPTED = "accepted"
DISMISSED = "dismissed"
STATUSES = (SUGGESTED, ACCEPTED, DISMISSED)


class TagSuggestion(SQLModel, table=True):
    __tablename__ = "tag_suggestion"
    __table_args__ = (UniqueConstraint("department", "dataset", "tag"),)

    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(index=True)
    dataset: str
    tag: str
    score: float = Field(description="The extractor's relevance: higher is more relevant")
    status: str = Field(default=SUGGESTED, index=True)
    basis: str = Field(description="Fingerprint of the text the suggestion was drawn from")
    created_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
