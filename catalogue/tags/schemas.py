"""Suggested tags as the API answers them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel


class SuggestedTagPublic(SQLModel):
    tag: str
    score: float
    status: str
    decided_by: str | None = None
    decided_at: datetime | None = None


class TagReviewPublic(SQLModel):
    dataset: str
    suggested: list[SuggestedTagPublic]
    accepted: list[SuggestedTagPublic]
    """Accepted, not yet in dataset.yaml."""
    dataset_yaml_line: str | None
    """The `tags:` line that would put them there."""


def public(review) -> TagReviewPublic:
    """A `catalogue.tags.service.TagReview` as the API answers it."""
    return TagReviewPublic(
        dataset=review.dataset, dataset_yaml_line=review.dataset_yaml_line,
        suggested=[SuggestedTagPublic(**vars(t)) for t in review.suggested],
        accepted=[SuggestedTagPublic(**vars(t)) for t in review.accepted])
