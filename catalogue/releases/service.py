"""Open releases: a publisher asks for a version to be released, automated checks run, a
governance officer who is neither the requester nor an owner approves or rejects it, and an
approved version is open to everyone until it is withdrawn.

Each step is one write transaction with its audit event and its notifications. The checks read
the version's bytes, which may take a while for a large file: with `background`, they run in a
thread of this process after the request is saved (the request shows `checking` meanwhile);
without, before `request` returns. Approval writes the release tags into the registry's git
(catalogue.releases.publishing); if that fails (a registry at a URL that refuses the push) the
request stays approved but unpublished, with the reason, until `retry_publish` succeeds.
"""

from __future__ import annotations

import logging
import secrets
import string
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from catalogue import browse
from catalogue.audit import Actor, record
from catalogue.clock import utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import Conflict, Forbidden, InvalidInput, NotFound
from catalogue.models import Dataset, LineageEdge, Registry, Version
from catalogue.people import Person
from catalogue.releases import models as m
from catalogue.releases.licences import OPEN_LICENCES, open_licence
from catalogue.releases.metadata_checks import Upstream, lineage_check, metadata_checks
from catalogue.releases.models import ReleaseRequest
from catalogue.releases.rules import UNOVERRIDABLE, may_request, may_view, why_not_decide
from catalogue.releases.schemas import (
    FieldChangePublic,
    ReleaseRequestDetail,
    ReleaseRequestPublic,
)
from catalogue.releases.snapshot import metadata_diff, take
from registry.storage import RegistryStorage

if TYPE_CHECKING:
    from catalogue.notifications.service import Notifications

log = logging.getLogger(__name__)
_ID_LETTERS = string.ascii_uppercase + string.digits


class Operator:
    """The command line, run by whoever runs the catalogue: it reads every release request (as
    `Reader.everyone()` reads every dataset) and decides nothing. Only the CLI passes it; a web
    request always has a Person or None (nobody), and None sees no request."""

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = Operator()


class RequestNotFound(NotFound):
    def __init__(self, request_id: str):
        super().__init__(f"No release request {request_id}")


class Releases:
    def __init__(self, engine: Engine, storage: RegistryStorage, instance: Path, *,
                 notifications: Notifications | None = None, background: bool = True):
        self.engine = engine
        self.storage = storage
        self.instance = instance
        self.notifications = notifications
        self._checks = ThreadPoolExecutor(1, thread_name_prefix="release-checks") \
            if background else None
        self._running: list[Future] = []
        self.listeners: list[Callable[[set[str]], None]] = []
        """Told the dataset keys whose open releases changed (the open-data search index)."""

    # Asking

    def request(self, person: Person, actor: Actor, key: str, number: int,
                justification: str, licence: str | None = None) -> ReleaseRequestPublic:
        """Ask for version `number` of `key` to be released openly; its checks start at once."""
        department, _, slug = key.partition("/")
        if not (justification or "").strip():
            raise InvalidInput("justification", "say why this version should be released")
        with write_session(self.engine) as s:
            dataset, version = browse.readable_version(s, person.reader(s), department, slug,
                                                       number)
            if not may_request(person, dataset.department, dataset.owners):
                raise Forbidden(f"Only {key}'s owners and its department's publishers can ask "
                                "for it to be released")
            chosen = open_licence(licence or dataset.licence)
            if chosen is None:
                raise InvalidInput("licence", f"{licence or dataset.licence!r} is not an open "
                                   f"licence: choose one of {', '.join(OPEN_LICENCES)}")
            open_key = f"{dataset.key}@{version.number}"
            if s.exec(select(ReleaseRequest).where(ReleaseRequest.open_key == open_key)).first():
                raise Conflict(f"Version {number} of {key} already has a release request")
            row = ReleaseRequest(
                id=_new_id(), department=dataset.department, dataset=dataset.slug,
                version=version.number, commit_sha=version.commit_sha, status=m.CHECKING,
                open_key=open_key, requested_by=person.email, requested_at=utcnow(),
                justification=justification.strip(), licence=chosen.id,
                snapshot=take(s, dataset, version, chosen.id))
            s.add(row)
            try:
                s.flush()
            except IntegrityError:  # another request for this version, a moment ago
                raise Conflict(f"Version {number} of {key} already has a release request") \
                    from None
            record(s, actor, "release.requested", key, request=row.id, version=number,
                   licence=chosen.id)
            self._tell_governance(s, row, "release.requested",
                                  f"Release requested: {key} v{number}",
                                  f"{person.name} asks for version {number} of {key} to be "
                                  f"released openly.\n\n{row.justification}")
            request_id = row.id
        self._start_checks(request_id)
        return self.detail(person, request_id)

    def recheck(self, person: Person, actor: Actor, request_id: str) -> ReleaseRequestPublic:
        """Run an undecided request's checks again (say, once missing bytes are pushed)."""
        with write_session(self.engine) as s:
            row = self._visible(s, person, request_id)
            if row.status not in m.UNDECIDED:
                raise Conflict(f"Request {request_id} is {row.status}: nothing to check again")
            row.status, row.checks, row.checked_at = m.CHECKING, [], None
            s.add(row)
            record(s, actor, "release.rechecked", row.key, request=row.id)
        self._start_checks(request_id)
        return self.detail(person, request_id)

    def _start_checks(self, request_id: str) -> None:
        if self._checks is None:
            self.run_checks(request_id)
            return
        self._running = [f for f in self._running if not f.done()]
        self._running.append(self._checks.submit(self.run_checks, request_id))

    def wait_for_checks(self, timeout: float | None = None) -> bool:
        """Wait for the checks running in the background; False on timeout."""
        from concurrent.futures import wait

        pending = [f for f in self._running if not f.done()]
        return not wait(pending, timeout=timeout).not_done

    def run_checks(self, request_id: str) -> None:
        """Run a request's checks and record their results. Never raises: a check that cannot
        run fails with the reason."""
        try:
            results = self._results(request_id)
        except Exception as exc:
            log.exception("The checks of release request %s failed to run", request_id)
            results = [{"name": "checks", "outcome": "fail", "evidence": {},
                        "summary": f"The checks could not run: {type(exc).__name__}: {exc}"}]
        with write_session(self.engine) as s:
            row = s.get(ReleaseRequest, request_id)
            if row is None or row.status != m.CHECKING:
                return  # decided or rechecked meanwhile
            failed = [r["name"] for r in results if r["outcome"] == "fail"]
            row.checks, row.checked_at = results, utcnow()
            row.status = m.CHECKS_FAILED if failed else m.AWAITING_REVIEW
            s.add(row)
            record(s, Actor(None, "catalogue"), "release.checked", row.key, request=row.id,
                   failed=failed, warned=[r["name"] for r in results if r["outcome"] == "warn"])
            outcome = f"failed: {', '.join(failed)}" if failed else "passed; awaiting review"
            self._tell_requester(s, row, "release.checked",
                                 f"Release checks {outcome.split(';')[0]}: {row.key} "
                                 f"v{row.version}",
                                 f"The automated checks of your release request {outcome}.")

    def _results(self, request_id: str) -> list[dict[str, Any]]:
        from catalogue.releases.checks import ScanOptions
        from catalogue.releases.data_checks import data_checks
        from registry.history import RegistryHistory

        with read_session(self.engine) as s:
            row = s.get(ReleaseRequest, request_id)
            if row is None:
                raise RequestNotFound(request_id)
            dataset = _dataset(s, row.department, row.dataset)
            registry = s.get(Registry, dataset.registry_id)
            upstream = _upstream(s, dataset, row.version)
            snapshot, git_path, rev = row.snapshot, registry.git_path, row.commit_sha
        catalogue_file, _ = RegistryHistory(git_path).catalogue_at(rev)
        threshold = catalogue_file.disclosure_threshold if catalogue_file else 5
        results = [*metadata_checks(snapshot), lineage_check(upstream),
                   *data_checks(self.storage, git_path, rev, f"{row.department}/{row.dataset}",
                                snapshot["files"], ScanOptions(disclosure_threshold=threshold))]
        return [r.to_dict() for r in results]

    # Reading

    def requests(self, person: Person | Operator,
                 status: str | None = None) -> list[ReleaseRequestPublic]:
        """The requests this person may see (governance and the command line: all), oldest
        waiting first."""
        if status is not None and status not in m.STATUSES:
            raise InvalidInput("status", f"one of {', '.join(m.STATUSES)}")
        with read_session(self.engine) as s:
            query = select(ReleaseRequest).order_by(ReleaseRequest.requested_at)
            if status:
                query = query.where(ReleaseRequest.status == status)
            rows = s.exec(query).all()
            owners = _owners(s, rows)
            return [_public(r) for r in rows
                    if _sees(person, r.department, owners.get(r.key, []))]

    def for_version(self, person: Person | Operator | None, key: str,
                    number: int) -> ReleaseRequestPublic | None:
        """The version's current request (undecided, or approved and not withdrawn), if this
        person may see it; else None, whether there is one or not."""
        with read_session(self.engine) as s:
            row = s.exec(select(ReleaseRequest).where(
                ReleaseRequest.open_key == f"{key}@{number}")).first()
            if row is None or not _sees(person, row.department, _all_owners(s, row)):
                return None
            return _public(row)

    def detail(self, person: Person | Operator, request_id: str) -> ReleaseRequestDetail:
        with read_session(self.engine) as s:
            row = self._visible(s, person, request_id)
            previous = s.exec(select(ReleaseRequest).where(
                ReleaseRequest.department == row.department,
                ReleaseRequest.dataset == row.dataset, ReleaseRequest.status == m.APPROVED,
                ReleaseRequest.id != row.id, ReleaseRequest.version < row.version)
                .order_by(ReleaseRequest.version.desc())).first()
            decider = None if isinstance(person, Operator) else person
            why_not = why_not_decide(decider, row.requested_by, _all_owners(s, row))
            if why_not is None and row.status not in (m.AWAITING_REVIEW, m.CHECKS_FAILED):
                why_not = f"This request is {row.status}"
            changes = metadata_diff(previous.snapshot if previous else None, row.snapshot)
            return ReleaseRequestDetail(
                **_public(row).model_dump(), title=row.snapshot.get("title", row.key),
                snapshot=row.snapshot, previous_release=previous.version if previous else None,
                metadata_changes=[FieldChangePublic(**vars(c)) for c in changes],
                may_decide=why_not is None, why_not=why_not)

    def _visible(self, s: Session, person: Person | Operator,
                 request_id: str) -> ReleaseRequest:
        """The request, if this person may see it; otherwise not found, as if it were not."""
        row = s.get(ReleaseRequest, request_id)
        if row is None or not _sees(person, row.department, _all_owners(s, row)):
            raise RequestNotFound(request_id)
        return row

    # Deciding

    def decide(self, person: Person, actor: Actor, request_id: str, decision: str,
               reason: str, override: list[str] | None = None) -> ReleaseRequestPublic:
        """Approve or reject a request. Approving with failed checks needs each named in
        `override` (the reason covers them); a personal-data failure cannot be overridden."""
        if decision not in ("approve", "reject"):
            raise InvalidInput("decision", "approve or reject")
        if not (reason or "").strip():
            raise InvalidInput("reason", "give the reason for the decision")
        override = sorted(set(override or []))
        with write_session(self.engine) as s:
            row = self._visible(s, person, request_id)
            why_not = why_not_decide(person, row.requested_by, _all_owners(s, row))
            if why_not:
                raise Forbidden(why_not)
            if row.status not in (m.AWAITING_REVIEW, m.CHECKS_FAILED):
                raise Conflict(f"Request {request_id} is {row.status}: it cannot be decided now")
            failed = {c["name"] for c in row.checks if c["outcome"] == "fail"}
            if decision == "approve":
                blocked = sorted(failed & UNOVERRIDABLE)
                if blocked:
                    raise Conflict(f"The {', '.join(blocked)} check failed and cannot be "
                                   "overridden: this version cannot be released")
                unknown = sorted(set(override) - failed)
                if unknown:
                    raise InvalidInput("override", f"{', '.join(unknown)} did not fail")
                missing = sorted(failed - set(override))
                if missing:
                    raise Conflict(f"Failed check(s) {', '.join(missing)} must be named in "
                                   "override to approve")
            row.status = m.APPROVED if decision == "approve" else m.REJECTED
            row.decided_by, row.decided_at = person.email, utcnow()
            row.reason, row.overrides = reason.strip(), override if decision == "approve" else []
            if decision == "reject":
                row.open_key = None
            s.add(row)
            record(s, actor, f"release.{'approved' if decision == 'approve' else 'rejected'}",
                   row.key, request=row.id, version=row.version, reason=row.reason)
            for name in row.overrides:
                record(s, actor, "release.override", row.key, request=row.id, check=name,
                       reason=row.reason)
            verb = "approved" if decision == "approve" else "rejected"
            self._tell_requester(s, row, "release.decided",
                                 f"Release {verb}: {row.key} v{row.version}",
                                 f"{person.name} {verb} the release: {row.reason}")
        if decision == "approve":
            self._publish(request_id, actor)
        return self.detail(person, request_id)

    def retry_publish(self, person: Person, actor: Actor, request_id: str) -> ReleaseRequestPublic:
        with read_session(self.engine) as s:
            row = self._visible(s, person, request_id)
            if not person.is_governance:
                raise Forbidden("Only governance officers publish releases")
            if row.status != m.APPROVED or row.published_at is not None:
                raise Conflict(f"Request {request_id} has nothing waiting to be published")
        self._publish(request_id, actor)
        return self.detail(person, request_id)

    def withdraw(self, person: Person, actor: Actor, key: str, number: int,
                 reason: str) -> ReleaseRequestPublic:
        """Take a released version out of the public's reach at once; its history stays."""
        if not (reason or "").strip():
            raise InvalidInput("reason", "give the reason for withdrawing the release")
        department, _, slug = key.partition("/")
        with write_session(self.engine) as s:
            browse.readable_version(s, person.reader(s), department, slug, number)
            if not person.is_governance:
                raise Forbidden("Only governance officers withdraw releases")
            row = s.exec(select(ReleaseRequest).where(
                ReleaseRequest.open_key == f"{key}@{number}",
                ReleaseRequest.status == m.APPROVED)).first()
            if row is None:
                raise Conflict(f"Version {number} of {key} is not released")
            row.status, row.open_key = m.WITHDRAWN, None
            row.withdrawn_by, row.withdrawn_at = person.email, utcnow()
            row.withdrawal_reason = reason.strip()
            s.add(row)
            record(s, actor, "release.withdrawn", key, request=row.id, version=number,
                   reason=row.withdrawal_reason)
            self._tell_requester(s, row, "release.withdrawn",
                                 f"Release withdrawn: {key} v{number}",
                                 f"{person.name} withdrew the release: {row.withdrawal_reason}")
            request_id = row.id
        from catalogue.releases.publishing import publish_withdrawal

        publish_withdrawal(self, request_id, actor)
        self.changed({key})
        return self.detail(person, request_id)

    def _publish(self, request_id: str, actor: Actor) -> None:
        from catalogue.releases.publishing import publish_release

        publish_release(self, request_id, actor)
        self.changed({self._key(request_id)})

    def changed(self, keys: set[str]) -> None:
        """Tell the listeners; a listener's failure is logged, never raised."""
        for listener in self.listeners:
            try:
                listener(keys)
            except Exception:
                log.exception("A release listener failed")

    def _key(self, request_id: str) -> str:
        with read_session(self.engine) as s:
            return s.get(ReleaseRequest, request_id).key

    # Notifications

    def _tell_requester(self, s: Session, row: ReleaseRequest, kind: str, subject: str,
                        body: str) -> None:
        """The requester and the dataset's owners."""
        if self.notifications is None:
            return
        people = {row.requested_by, *(o.lower() for o in _all_owners(s, row))}
        self.notifications.tell(s, sorted(people), kind, subject, body, _link(row))

    def _tell_governance(self, s: Session, row: ReleaseRequest, kind: str, subject: str,
                         body: str) -> None:
        if self.notifications is None:
            return
        self.notifications.tell_governance(s, kind, subject, body, _link(row),
                                           exclude=[row.requested_by])

    def close(self) -> None:
        if self._checks is not None:
            self._checks.shutdown(wait=True)


def _new_id() -> str:
    return "R-" + "".join(secrets.choice(_ID_LETTERS) for _ in range(8))


def _sees(person: Person | Operator | None, department: str, owners: list[str]) -> bool:
    return isinstance(person, Operator) or may_view(person, department, owners)


def _link(row: ReleaseRequest) -> str:
    return f"/release-requests/{row.id}"


def _dataset(s: Session, department: str, slug: str) -> Dataset:
    found = s.exec(select(Dataset).where(Dataset.department == department,
                                         Dataset.slug == slug)).first()
    if found is None:
        raise NotFound(f"No dataset {department}/{slug}")
    return found


def _all_owners(s: Session, row: ReleaseRequest) -> list[str]:
    """The owners when the request was made and now: neither may decide on it."""
    now = s.exec(select(Dataset.owners).where(Dataset.department == row.department,
                                              Dataset.slug == row.dataset)).first() or []
    return sorted({*row.snapshot.get("owners", []), *now})


def _owners(s: Session, rows: list[ReleaseRequest]) -> dict[str, list[str]]:
    keys = {r.key for r in rows}
    found = s.exec(select(Dataset.department, Dataset.slug, Dataset.owners)).all() if keys else []
    return {f"{d}/{slug}": owners for d, slug, owners in found if f"{d}/{slug}" in keys}


def _upstream(s: Session, dataset: Dataset, number: int) -> list[Upstream]:
    version = s.exec(select(Version).where(Version.dataset_id == dataset.id,
                                           Version.number == number)).one()
    keys = {k for k in s.exec(select(LineageEdge.upstream_key).where(
        LineageEdge.version_id == version.id)).all() if k}
    found = []
    for key in sorted(keys):
        department, _, slug = key.partition("/")
        row = s.exec(select(Dataset).where(Dataset.department == department,
                                           Dataset.slug == slug)).first()
        if row is not None:
            found.append(Upstream(key, row.personal_data, row.classification))
    return found


def _public(row: ReleaseRequest) -> ReleaseRequestPublic:
    return ReleaseRequestPublic(
        id=row.id, dataset=row.key, version=row.version, status=row.status,
        requested_by=row.requested_by, requested_at=row.requested_at,
        justification=row.justification, licence=row.licence, checks=row.checks,
        decided_by=row.decided_by, decided_at=row.decided_at, reason=row.reason,
        overrides=row.overrides, published=row.published_at is not None,
        publish_error=row.publish_error, tags=row.tags, withdrawn_by=row.withdrawn_by,
        withdrawn_at=row.withdrawn_at, withdrawal_reason=row.withdrawal_reason)
