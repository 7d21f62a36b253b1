"""The public shapes of governed sharing's JSON answers and bodies (the OpenAPI document is
written from them; the views answer with `GrantInfo.public()` and `AccessRequestInfo.public()`,
which give exactly these fields)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, RootModel

from catalogue.schemas import DatasetDetail, DiscoveredDataset


class GrantPublic(BaseModel):
    id: str
    dataset: str
    grantee: str = Field(description="department:SLUG, partner:SLUG or person:EMAIL")
    name: str
    from_version: int | None
    expires_on: date | None = Field(description="Its own last day (its agreement may end "
                                                "it sooner)")
    status: Literal["pending", "in-force", "expired", "refused", "revoked"]
    in_force: bool
    purpose: str | None
    agreement: str | None = Field(description="An information-sharing agreement's reference")
    agreement_expires: date | None
    granted_by: str
    granted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None


class GrantRegister(BaseModel):
    count: int
    results: list[GrantPublic]


class GrantDecision(BaseModel):
    decision: Literal["approve", "refuse"]
    reason: str | None = Field(None, description="Needed to refuse")


class AccessAsk(BaseModel):
    purpose: str = Field(description="What the data is needed for")


class AccessRequestPublic(BaseModel):
    id: str
    dataset: str
    requested_by: str
    purpose: str
    status: Literal["pending", "approved", "refused"]
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    grant_id: str | None


class AccessRequestLists(BaseModel):
    to_decide: list[AccessRequestPublic]
    mine: list[AccessRequestPublic]


class AccessDecision(BaseModel):
    decision: Literal["approve", "refuse"]
    reason: str | None = Field(None, description="Needed to refuse")
    expires: date | None = Field(None, description="The last day of access")
    agreement: str | None = Field(None, description="For a partner's request for sensitive "
                                                    "data: the agreement it is shared under")


class RestrictedMatch(BaseModel):
    """A discoverable dataset that matches a search and that the reader may not read."""

    id: str
    department: str
    department_name: str
    slug: str
    title: str
    description: str
    tags: list[str]
    version_count: int
    restricted: bool = True


class DatasetOrDiscovered(RootModel[DatasetDetail | DiscoveredDataset]):
    """A dataset; or, for staff who may only discover it, what they may know of it
    (`restricted: true`)."""
