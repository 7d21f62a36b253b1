"""The JSON API's envelopes: the pages, lists and links that wrap the core's public shapes.

The views build their answers from these models and the OpenAPI description (web/openapi.py)
is generated from the same models, so the contract and the answers cannot drift apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from catalogue.opendata.reads import OpenDataset, OpenDatasetSummary, OpenFile, OpenVersion
from catalogue.schemas import (
    DatasetSummary,
    DepartmentPublic,
    FilePublic,
    VersionDetail,
    VersionPublic,
)
from catalogue.sharing.schemas import GrantPublic, RestrictedMatch


class ErrorDetail(BaseModel):
    status: int
    message: str


class Error(BaseModel):
    """Every 4xx and 5xx of /api/v1: `{"error": {"status", "message"}}`."""

    error: ErrorDetail


class ApiLinks(BaseModel):
    datasets: str
    departments: str


class ApiIndex(BaseModel):
    service: str
    dataset_count: int
    department_count: int
    departments: list[DepartmentPublic]
    recently_updated: list[DatasetSummary]
    links: ApiLinks


class DepartmentList(BaseModel):
    count: int
    results: list[DepartmentPublic]


class DatasetPage(BaseModel):
    count: int
    page: int
    per_page: int
    results: list[DatasetSummary]


class DepartmentWithDatasets(DepartmentPublic):
    datasets: DatasetPage


class VersionList(BaseModel):
    count: int
    results: list[VersionPublic]


class FileWithLinks(FilePublic):
    download_url: str | None = Field(description="The file's bytes (null for a folder).")
    listing_url: str | None = Field(description="The folder's listing (null for a file).")


class VersionWithLinks(VersionDetail):
    files: list[FileWithLinks]  # type: ignore[assignment]


class SearchHitPublic(BaseModel):
    id: str
    title: str
    department: str
    snippet: str = Field(description="HTML: matched words in <mark>, the rest escaped.")
    score: float
    updated: datetime


class FacetCount(BaseModel):
    value: str
    label: str
    count: int


class SearchAnswer(BaseModel):
    count: int
    results: list[SearchHitPublic]
    facets: dict[str, list[FacetCount]]
    suggestion: str | None
    restricted: list[RestrictedMatch] = Field(
        [], description="Discoverable datasets that match and that the reader may not read "
                        "(the catalogue's search only): ask their owners for access")


class Suggestion(BaseModel):
    id: str
    title: str
    department: str
    url: str


class Suggestions(BaseModel):
    query: str
    suggestions: list[Suggestion]


class OpenFileWithUrl(OpenFile):
    url: str


class OpenVersionWithUrls(OpenVersion):
    files: list[OpenFileWithUrl]  # type: ignore[assignment]


class OpenSummaryWithUrl(OpenDatasetSummary):
    url: str


class OpenDatasetWithUrls(OpenDataset):
    url: str
    versions: list[OpenVersionWithUrls]  # type: ignore[assignment]


class OpenDatasetPage(BaseModel):
    count: int
    total: int
    page: int
    per_page: int
    results: list[OpenSummaryWithUrl]


Grant = GrantPublic


class Grants(BaseModel):
    dataset: str
    grants: list[GrantPublic]


class ShareRequest(BaseModel):
    grantee: str = Field(description="department:SLUG or partner:SLUG")
    from_version: int | None = Field(None, ge=1, description="Share this version and later.")
    expires: date | None = Field(None, description="The last day the share is in force.")
    purpose: str | None = Field(None, description="What it is shared for (needed with an "
                                                  "agreement)")
    agreement: str | None = Field(None, description="The information-sharing agreement a "
                                                    "partner share of sensitive data is under")


class Notification(BaseModel):
    id: int
    at: datetime
    kind: str
    subject: str
    body: str
    link: str | None
    url: str | None
    read: bool
    read_at: datetime | None


class NotificationPage(BaseModel):
    count: int
    unread: int
    page: int
    per_page: int
    results: list[Notification]


class MarkRead(BaseModel):
    ids: list[int] | None = Field(None, description="The notifications to mark; none: all.")


class Marked(BaseModel):
    marked: int
    unread: int


class Following(BaseModel):
    dataset: str
    following: bool


class ReleaseAsk(BaseModel):
    justification: str
    licence: str | None = None


class ReleaseDecision(BaseModel):
    decision: str = Field(description="approve or reject")
    reason: str
    override: list[str] = Field([], description="Failed checks the approver overrides.")


class Withdrawal(BaseModel):
    reason: str


class PushedVersion(BaseModel):
    dataset: str
    number: int
    commit_sha: str
    url: str | None


class PushOutcome(BaseModel):
    registry: str
    indexed: bool
    reason: str | None
    commits: int
    versions: list[PushedVersion]


class AnyObject(BaseModel):
    """A JSON object whose fields are not described here."""

    model_config = {"extra": "allow"}


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")

