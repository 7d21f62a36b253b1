"""Release requests as a given reader may see them, and in the order and words the review
queue uses (the pages, the JSON API and the command line share these).

A request's evidence and snapshot can name other datasets: the lineage check lists the
upstream datasets that hold personal or sensitive data, and `derived_from` lists the declared
sources. A reader who may see the request (an owner, a publisher) may still not be allowed to
read one of those datasets: it is then not named, as the lineage on a dataset's page shows it
("a restricted dataset"), so that a release request leaks nothing the reader may not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import tuple_
from sqlmodel import Session, select

from catalogue.access import Reader, can_read
from catalogue.clock import aware, utcnow
from catalogue.models import Dataset
from catalogue.releases.metadata_checks import LINEAGE
from catalogue.releases.models import STATUSES
from catalogue.releases.schemas import ReleaseRequestDetail, ReleaseRequestPublic

R = TypeVar("R", bound=ReleaseRequestPublic)
RESTRICTED = {"dataset": None, "restricted": True}
"""An upstream dataset the reader may not read, in the lineage check's evidence."""


def as_seen_by(s: Session, reader: Reader, request: R) -> R:
    """The request with every dataset this reader may not read left unnamed: in the lineage
    check's evidence it becomes `{"dataset": null, "restricted": true}` (and nothing else of
    it is kept); from `derived_from` in the snapshot and the metadata changes it is left out,
    as `catalogue.browse` leaves it out of a dataset's page."""
    if reader.sees_everything:
        return request
    hidden = _hidden(s, reader, _named(request))
    if not hidden:
        return request
    checks = [check if check.name != LINEAGE else check.model_copy(update={"evidence": {
        **check.evidence,
        "upstream": [dict(RESTRICTED) if u.get("dataset") in hidden else u
                     for u in check.evidence.get("upstream", [])]}})
        for check in request.checks]
    update: dict[str, Any] = {"checks": checks}
    if isinstance(request, ReleaseRequestDetail):
        update["snapshot"] = {**request.snapshot,
                              "derived_from": _sources(request.snapshot.get("derived_from"),
                                                       hidden)}
        update["metadata_changes"] = [
            change if change.field != "derived_from" else change.model_copy(update={
                "before": _sources(change.before, hidden),
                "after": _sources(change.after, hidden)})
            for change in request.metadata_changes]
    return request.model_copy(update=update)


def queue_order(requests: Iterable[R]) -> list[R]:
    """The review queue's order: by status as a request moves through them (checking,
    awaiting review, checks failed, then the decided ones), the oldest first in each."""
    return sorted(requests, key=lambda r: (STATUSES.index(r.status) if r.status in STATUSES
                                           else len(STATUSES), aware(r.requested_at)))


def age(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, as the queue says it: `less than an hour`, `5 hours`, `1 day`, `3 days`."""
    seconds = max(0.0, ((now or utcnow()) - aware(moment)).total_seconds())
    hours, days = int(seconds // 3600), int(seconds // 86400)
    if days:
        return f"{days} day{'s' if days != 1 else ''}"
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return "less than an hour"


def _named(request: ReleaseRequestPublic) -> set[str]:
    """The dataset keys the request names beside its own."""
    keys = {u.get("dataset") for check in request.checks if check.name == LINEAGE
            for u in check.evidence.get("upstream", [])}
    if isinstance(request, ReleaseRequestDetail):
        keys |= set(request.snapshot.get("derived_from") or [])
        for change in request.metadata_changes:
            if change.field == "derived_from":
                keys |= set(change.before or []) | set(change.after or [])
    return {k for k in keys if isinstance(k, str) and "/" in k and "://" not in k}


def _hidden(s: Session, reader: Reader, keys: set[str]) -> set[str]:
    if not keys:
        return set()
    pairs = [tuple(k.split("/", 1)) for k in keys]
    rows = s.exec(select(Dataset).where(tuple_(Dataset.department, Dataset.slug).in_(pairs)))
    return {row.key for row in rows if not can_read(reader, row)}


def _sources(value: Any, hidden: set[str]) -> Any:
    return [k for k in value if k not in hidden] if isinstance(value, list) else value
