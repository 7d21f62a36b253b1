"""Releases in git: the tags an approval or a withdrawal writes into the dataset's registry
(registry.release_tags, in GTO's format, each signed with the instance's release key), and
reading them back, so an empty database gets every release and withdrawal again.

A registry on this machine gets the tags directly. A registry known by URL gets them in its
mirror, then pushed to it; when that push fails the release stays approved but unpublished
(not open to the public), with git's reason shown, until a retry succeeds.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from catalogue.audit import Actor, record
from catalogue.clock import aware, utcnow
from catalogue.db import read_session, write_session
from catalogue.models import AuditEvent, Dataset, Registry
from catalogue.releases import models as m
from catalogue.releases.keys import signing_key
from catalogue.releases.models import ReleaseRequest
from registry.mirror import is_local
from registry.release_tags import (
    RELEASE,
    WITHDRAWAL,
    ReleaseEvent,
    ReleaseRecord,
    ReleaseTagError,
    push_tags,
    read_release_events,
    write_release,
    write_withdrawal,
)

if TYPE_CHECKING:
    from catalogue.releases.service import Releases

log = logging.getLogger(__name__)
TAGGER = "Data Catalogue <catalogue@localhost>"


def publish_release(releases: Releases, request_id: str, actor: Actor) -> None:
    _publish(releases, request_id, actor, RELEASE)


def publish_withdrawal(releases: Releases, request_id: str, actor: Actor) -> None:
    _publish(releases, request_id, actor, WITHDRAWAL)


def _publish(releases: Releases, request_id: str, actor: Actor, action: str) -> None:
    """Write (and, for a registry at a URL, push) the tags of a decision; record the outcome."""
    with read_session(releases.engine) as s:
        row = s.get(ReleaseRequest, request_id)
        registry = _registry(s, row)
        record_ = _record(row, action)
        git_path, url = registry.git_path, registry.url
    key = signing_key(releases.instance)
    write = write_release if action == RELEASE else write_withdrawal
    try:
        tags = write(git_path, record_, key, TAGGER)
        if not is_local(url):  # all of this decision's tags: a retry finds them written
            tags = _decision_tags(git_path, key, record_)
            push_tags(git_path, url, tags)
        error = None
    except (ReleaseTagError, OSError) as exc:
        tags, error = [], str(exc)
        log.warning("Release %s: tags not published: %s", request_id, error)
    with write_session(releases.engine) as s:
        row = s.get(ReleaseRequest, request_id)
        row.tags = [*row.tags, *[t for t in tags if t not in row.tags]]
        if action == RELEASE:
            row.publish_error = error
            row.published_at = None if error else (row.published_at or utcnow())
        elif error:
            row.publish_error = f"the withdrawal was not written to git: {error}"
        s.add(row)
        if error:
            record(s, actor, "release.publish_failed", row.key, request=row.id, decision=action,
                   reason=error)
        else:
            record(s, actor, "release.tagged", row.key, request=row.id, decision=action,
                   tags=tags)


def _decision_tags(git_path: str, key: bytes, decision: ReleaseRecord) -> list[str]:
    """The tags in the registry that record this decision (and the version's registration)."""
    return [e.tag for e in read_release_events(git_path, key)
            if e.valid and e.dataset == decision.dataset and e.version == decision.version
            and (e.action == "registration" or (
                e.record is not None and e.action == decision.action
                and str(e.record.request_id) == str(decision.request_id)))]


def _registry(s: Session, row: ReleaseRequest) -> Registry:
    registry_id = s.exec(select(Dataset.registry_id).where(
        Dataset.department == row.department, Dataset.slug == row.dataset)).one()
    return s.get(Registry, registry_id)


def _record(row: ReleaseRequest, action: str) -> ReleaseRecord:
    if action == RELEASE:
        decided_by, decided_at, reason = row.decided_by, row.decided_at, row.reason
    else:
        decided_by, decided_at, reason = row.withdrawn_by, row.withdrawn_at, row.withdrawal_reason
    return ReleaseRecord(
        request_id=row.id, dataset=row.key, version=row.version, commit=row.commit_sha,
        action=action, decided_by=decided_by or "", decided_at=aware(decided_at),
        reason=reason or "", licence=row.licence,
        details={"requested_by": row.requested_by,
                 "requested_at": aware(row.requested_at).isoformat(),
                 "justification": row.justification, "overrides": row.overrides,
                 "snapshot": row.snapshot} if action == RELEASE else {})


def restore_from_git(engine: Engine, instance: Path) -> set[str]:
    """Bring the requests in line with the release tags of every registry: a release or a
    withdrawal signed by this catalogue and missing from the database is recorded again; a
    release-shaped tag that is not (made by hand, or signed with another key) releases
    nothing and is recorded once in the audit trail for governance officers to see. Returns
    the datasets whose releases changed."""
    key = signing_key(instance)
    changed: set[str] = set()
    with read_session(engine) as s:
        registries = list(s.exec(select(Registry)))
    for registry in registries:
        try:
            events = read_release_events(registry.git_path, key)
        except Exception:
            log.exception("Could not read the release tags of %s", registry.url)
            continue
        with write_session(engine) as s:
            for event in events:
                if _restore(s, event):
                    changed.add(event.dataset)
    return changed


def _restore(s: Session, event: ReleaseEvent) -> bool:
    """Record one tag's decision if the database lacks it; True when it did."""
    catalogue = Actor(None, "catalogue")
    if not event.valid:
        seen = s.exec(select(AuditEvent.id).where(AuditEvent.action == "release.tag_refused",
                                                  AuditEvent.target == event.tag)).first()
        if seen is None:
            record(s, catalogue, "release.tag_refused", event.tag, dataset=event.dataset,
                   problem=event.problem)
        return False
    rec = event.record
    if rec is None or event.action not in (RELEASE, WITHDRAWAL):
        return False
    row = s.get(ReleaseRequest, str(rec.request_id))
    if event.action == RELEASE and row is None:
        details = rec.details
        department, _, slug = rec.dataset.partition("/")
        row = ReleaseRequest(
            id=str(rec.request_id), department=department, dataset=slug, version=rec.version,
            commit_sha=rec.commit, status=m.APPROVED, open_key=f"{rec.dataset}@{rec.version}",
            requested_by=details.get("requested_by", ""),
            requested_at=_when(details.get("requested_at")) or rec.decided_at,
            justification=details.get("justification", ""), licence=rec.licence,
            snapshot=details.get("snapshot", {}), decided_by=rec.decided_by,
            decided_at=rec.decided_at, reason=rec.reason,
            overrides=list(details.get("overrides", [])), tags=[event.tag],
            published_at=rec.decided_at)
        s.add(row)
        record(s, catalogue, "release.restored", rec.dataset, request=row.id,
               version=rec.version, tag=event.tag)
    elif event.action == WITHDRAWAL and row is not None and row.status == m.APPROVED:
        row.status, row.open_key = m.WITHDRAWN, None
        row.withdrawn_by, row.withdrawn_at = rec.decided_by, rec.decided_at
        row.withdrawal_reason = rec.reason
        row.tags = [*row.tags, event.tag]
        s.add(row)
        record(s, catalogue, "release.restored", rec.dataset, request=row.id,
               version=rec.version, tag=event.tag, decision=WITHDRAWAL)
    else:
        return False
    s.flush()
    return True


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
