"""Git is the record of open releases: annotated tags in GTO's format (`registry.tag_names`),
each carrying the governance decision, signed by the catalogue that wrote it.

Releasing version N of `housing/rough-sleeping` writes `housing/rough-sleeping@vN.0.0` (if it is
not there yet) and `housing/rough-sleeping#open#<k>` at the version's commit; withdrawing it
writes `housing/rough-sleeping#open!#<k>`. Each tag's message is a human summary, then the
record as JSON after a `Catalogue-Record: v1` line:

    Release housing/rough-sleeping v7 openly (stage open), request 42

    Decided by gita.officer@council.example.gov.uk at 2025-03-01T10:00:00Z.
    Licence: OGL-UK-3.0
    Reason: Aggregated counts, no personal data.

    Catalogue-Record: v1
    {"action": "release", "commit": "…", "dataset": "housing/rough-sleeping", …,
     "signature": "hmac-sha256:…"}

The signature is HMAC-SHA256, keyed by the catalogue instance's secret, over the canonical JSON
(sorted keys, no spaces, UTF-8) of `{"record": <the record less its signature>, "tag": <the tag's
name>}`; the record names the commit, so the tag's name and target are both covered. A tag
someone made by hand, or a record copied onto another tag, does not verify.

GTO orders an artifact's events by their tagger time, in whole seconds, and reads ties
ambiguously (a withdrawal and a release in the same second read as withdrawn, whichever came
last). So a tag is never written in the same second as an earlier tag of its dataset: the
writer waits for the next second (a second at most; a tag dated in the future by a skewed clock
or by hand is not waited for). Tags are never dated ahead of the clock, so GTO's own tags made
afterwards still come after them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pygit2
from pygit2.enums import ObjectType

from registry.tag_names import (
    STAGE,
    TAGS,
    GtoTag,
    assignment_tag,
    next_counter,
    parse_tag,
    registration_tag,
    release_shaped,
    unassignment_tag,
)

RELEASE = "release"
WITHDRAWAL = "withdrawal"
REGISTRATION = "registration"
MARKER = "Catalogue-Record: v1"
SIGNATURE_PREFIX = "hmac-sha256:"
FUTURE_GRACE_S = 3  # a tag dated later than this ahead of our clock is not waited for
_TAGGER = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<(?P<email>[^<>]*)>\s*$")
_SHA = re.compile(r"^[0-9a-f]{40}$")


class ReleaseTagError(Exception):
    """Release tags could not be written or pushed; the message says why."""


class ReleaseConflict(ReleaseTagError):
    """The registry's tags already say something else about this version."""


class PushFailed(ReleaseTagError):
    """`git push` of release tags failed; `reason` is git's (or the remote hook's) own."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ReleaseRecord:
    """One governance decision, as a tag keeps it. `details` holds anything else the catalogue
    wants kept and signed with it (JSON values: e.g. the requester, overrides)."""

    request_id: int | str
    dataset: str
    version: int
    commit: str
    action: str  # RELEASE or WITHDRAWAL
    decided_by: str
    decided_at: datetime  # timezone-aware; kept as UTC
    reason: str
    licence: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        when = self.decided_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return {"request_id": self.request_id, "dataset": self.dataset,
                "version": self.version, "commit": self.commit, "action": self.action,
                "decided_by": self.decided_by, "decided_at": when, "reason": self.reason,
                "licence": self.licence, "details": dict(self.details)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReleaseRecord:
        """ValueError (naming the field) when the data is not a record."""
        fields: dict[str, Any] = {
            "request_id": (int, str), "dataset": str, "version": int, "commit": str,
            "action": str, "decided_by": str, "decided_at": str, "reason": str, "licence": str,
            "details": dict}
        for name, kind in fields.items():
            if not isinstance(data.get(name), kind) or isinstance(data.get(name), bool):
                raise ValueError(f"{name} is missing or of the wrong type")
        when = datetime.fromisoformat(data["decided_at"])
        if when.tzinfo is None:
            raise ValueError("decided_at has no timezone")
        return cls(**{**{k: data[k] for k in fields}, "decided_at": when.astimezone(UTC)})


@dataclass(frozen=True)
class ReleaseEvent:
    """One release-shaped tag, read and checked. `action` is REGISTRATION (`@vN.0.0`), RELEASE
    (`#open#k`) or WITHDRAWAL (`#open!#k`), or GTO's own action name for a tag the catalogue
    never writes. `record` is there when its signature is valid; `valid` says the whole tag is
    (then `problem` is None)."""

    tag: str
    dataset: str
    action: str
    version: int | None
    counter: int | None
    commit: str | None
    tagged_at: datetime | None
    tagger: str | None
    record: ReleaseRecord | None
    valid: bool
    problem: str | None


def signature(tag: str, record: Mapping[str, Any], secret: str | bytes) -> str:
    """The signature of a record (as JSON, less any signature) written on the tag `tag`."""
    body = {k: v for k, v in record.items() if k != "signature"}
    canonical = json.dumps({"record": body, "tag": tag}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return SIGNATURE_PREFIX + hmac.new(key, canonical, hashlib.sha256).hexdigest()


def tag_message(tag: str, record: ReleaseRecord, secret: str | bytes) -> str:
    data = record.to_json()
    data["signature"] = signature(tag, data, secret)
    parsed = parse_tag(tag)
    if parsed is not None and parsed.action == "register":
        what = f"Register {record.dataset} v{record.version} for its open release"
    elif record.action == RELEASE:
        what = f"Release {record.dataset} v{record.version} openly (stage {STAGE})"
    else:
        what = f"Withdraw {record.dataset} v{record.version} from stage {STAGE}"
    return (f"{what}, request {record.request_id}\n\n"
            f"Decided by {record.decided_by} at {data['decided_at']}.\n"
            f"Licence: {record.licence}\nReason: {record.reason}\n\n"
            f"{MARKER}\n{json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)}\n")


def write_release(git_path: str, record: ReleaseRecord, secret: str | bytes,
                  tagger: str) -> list[str]:
    """Tag version `record.version` as released openly; returns the tags written (none when the
    version is open already). Raises ReleaseConflict when its registration tag points elsewhere
    or its commit is registered as another version."""
    return _write(git_path, record, secret, tagger, RELEASE)


def write_withdrawal(git_path: str, record: ReleaseRecord, secret: str | bytes,
                     tagger: str) -> list[str]:
    """Tag the open release of `record.version` as withdrawn; returns the tags written (none
    when it is withdrawn already). Raises ReleaseTagError when it was never released here."""
    return _write(git_path, record, secret, tagger, WITHDRAWAL)


def read_release_events(git_path: str, secret: str | bytes) -> list[ReleaseEvent]:
    """Every release-shaped tag of the registry, checked, by dataset and then in GTO's event
    order (tagger time, then counter). To push a dataset's release tags again after a failed
    push, push the `tag` of each of its events here."""
    tags = _release_tags(_open(git_path))
    return sorted((_event(found, tags, secret) for found in tags.values()), key=_event_order)


def push_tags(git_path: str, url: str, tags: Iterable[str], timeout: float = 120) -> None:
    """Push these tags from the registry's git directory to `url` (never forced: a tag there
    already with other contents is refused). Raises PushFailed with git's reason."""
    names = list(tags)
    if not names:
        return
    git_dir = _open(git_path).path
    refspecs = [f"{TAGS}{n}:{TAGS}{n}" for n in names]
    try:
        done = subprocess.run(["git", "--git-dir", git_dir, "push", "--porcelain", url,
                               *refspecs], capture_output=True, text=True, timeout=timeout,
                              env=_git_environment())
    except subprocess.TimeoutExpired:
        raise PushFailed(f"pushing release tags to {url} took over {timeout:g} s",
                         "timed out") from None
    if done.returncode == 0:
        return
    rejected = [line.split("\t") for line in done.stdout.splitlines() if line.startswith("!")]
    remote = [ln.removeprefix("remote:").strip() for ln in done.stderr.splitlines()
              if ln.startswith("remote:") and ln.removeprefix("remote:").strip()]
    errors = [ln.split(":", 1)[1].strip() for ln in done.stderr.splitlines()
              if ln.startswith(("fatal:", "error:")) and not ln.startswith("error: failed to")]
    parts = [f"{r[1].split(':')[0].removeprefix(TAGS)} {r[2].strip()}" for r in rejected
             if len(r) > 2] + remote + errors
    reason = "; ".join(parts) or done.stderr.strip() or f"git exited with {done.returncode}"
    raise PushFailed(f"could not push release tags to {url}: {reason}", reason)


# Writing


@dataclass(frozen=True)
class _Found:
    """A release-shaped tag as found in the repository."""

    parsed: GtoTag
    tag: pygit2.Tag | None  # None: a lightweight tag
    commit: str | None  # what it points at, through the tag; None if not a commit


def _write(git_path: str, record: ReleaseRecord, secret: str | bytes, tagger: str,
           action: str) -> list[str]:
    repo = _open(git_path)
    who = _tagger(tagger)
    _check_record(repo, record, action)
    written: list[str] = []
    for _ in range(5):  # another writer may take a tag name first: look again
        try:
            _write_once(repo, record, secret, who, written)
            return written
        except pygit2.AlreadyExistsError:
            continue
    raise ReleaseTagError(f"could not write the {action} tags of {record.dataset} "
                          f"v{record.version}: other writers kept taking the tag names")


def _write_once(repo: pygit2.Repository, record: ReleaseRecord, secret: str | bytes,
                who: tuple[str, str], written: list[str]) -> None:
    tags = _release_tags(repo, record.dataset)
    registration = registration_tag(record.dataset, record.version)
    if record.action == RELEASE:
        _check_registration(record, tags, registration)
        if registration not in tags:
            _create(repo, registration, record, secret, who, tags, written)
    elif registration not in tags:
        raise ReleaseTagError(f"{record.dataset} v{record.version} has no release here to "
                              f"withdraw (no tag {registration})")
    state = _stage_state(record, tags, secret)
    if record.action == WITHDRAWAL and state is None:
        raise ReleaseTagError(f"{record.dataset} v{record.version} was never released here: "
                              "there is nothing to withdraw")
    if state == record.action:
        return
    counter = next_counter(record.dataset, _all_tag_names(repo))
    make = assignment_tag if record.action == RELEASE else unassignment_tag
    _create(repo, make(record.dataset, counter), record, secret, who, tags, written)


def _check_registration(record: ReleaseRecord, tags: dict[str, _Found], name: str) -> None:
    """ReleaseConflict when the registry registers this version or its commit otherwise."""
    if name in tags and tags[name].commit != record.commit:
        raise ReleaseConflict(f"{name} already tags commit {str(tags[name].commit)[:10]}, "
                              f"not {record.commit[:10]}")
    for other, found in tags.items():
        if (found.parsed.action == "register" and found.parsed.artifact == record.dataset
                and other != name and found.commit == record.commit):
            raise ReleaseConflict(f"commit {record.commit[:10]} is registered as another "
                                  f"version of {record.dataset} ({other})")


def _create(repo: pygit2.Repository, name: str, record: ReleaseRecord, secret: str | bytes,
            who: tuple[str, str], tags: dict[str, _Found], written: list[str]) -> None:
    """Write one annotated tag, dated after every other tag of the dataset (see above)."""
    latest = max((f.tag.tagger.time for f in tags.values() if f.parsed.artifact == record.dataset
                  and f.tag is not None and f.tag.tagger is not None), default=0)
    now = time.time()
    if int(now) <= latest < now + FUTURE_GRACE_S:
        time.sleep(latest + 1 - now)
    oid = repo.create_tag(name, pygit2.Oid(hex=record.commit), ObjectType.COMMIT,
                          pygit2.Signature(who[0], who[1], int(time.time()), 0),
                          tag_message(name, record, secret))
    written.append(name)
    tags[name] = _Found(parse_tag(name), repo.get(oid), record.commit)  # type: ignore[arg-type]


def _stage_state(record: ReleaseRecord, tags: dict[str, _Found],
                 secret: str | bytes) -> str | None:
    """RELEASE or WITHDRAWAL: this version's last valid stage event; None if it has none."""
    events = [_event(f, tags, secret) for f in tags.values()
              if f.parsed.artifact == record.dataset and f.parsed.action in ("assign", "unassign")]
    mine = [e for e in events if e.valid and e.version == record.version]
    return max(mine, key=_event_order).action if mine else None


def _check_record(repo: pygit2.Repository, record: ReleaseRecord, action: str) -> None:
    if record.action != action:
        raise ValueError(f"a {action} needs a record whose action is {action!r}, "
                         f"not {record.action!r}")
    registration_tag(record.dataset, record.version)  # ValueError for names GTO cannot read
    if record.decided_at.tzinfo is None:
        raise ValueError("decided_at must be timezone-aware")
    if not _SHA.match(record.commit) or not isinstance(repo.get(record.commit), pygit2.Commit):
        raise ReleaseTagError(f"commit {record.commit!r} of {record.dataset} "
                              f"v{record.version} is not in the registry")


def _tagger(tagger: str) -> tuple[str, str]:
    match = _TAGGER.match(tagger)
    if not match:
        raise ValueError(f"tagger {tagger!r} is not of the form 'Name <email>'")
    return match["name"], match["email"]


# Reading


def _event_order(event: ReleaseEvent) -> tuple:
    return (event.dataset, event.tagged_at or datetime.min.replace(tzinfo=UTC),
            -1 if event.counter is None else event.counter, event.tag)


def _event(found: _Found, tags: dict[str, _Found], secret: str | bytes) -> ReleaseEvent:
    parsed, commit = found.parsed, found.commit
    action = {"register": REGISTRATION, "assign": RELEASE, "unassign": WITHDRAWAL}.get(
        parsed.action, parsed.action)
    problems: list[str] = []
    if action == REGISTRATION and parsed.version_number is None:
        problems.append(f"version {parsed.version} is not one the catalogue writes (vN.0.0)")
    elif action in (RELEASE, WITHDRAWAL) and parsed.stage != STAGE:
        problems.append(f"stage {parsed.stage!r} is not one the catalogue writes ({STAGE!r})")
    elif action not in (REGISTRATION, RELEASE, WITHDRAWAL):
        problems.append(f"the catalogue never writes {parsed.action} tags")
    record = None
    if found.tag is None:
        problems.append("a lightweight tag (GTO ignores it); release tags are annotated")
    else:
        record, problem = _verified(parsed.name, found.tag.message or "", secret)
        if problem:
            problems.append(problem)
    version = parsed.version_number if action == REGISTRATION else None
    if record is not None:
        problems += _record_problems(record, parsed, action, commit)
        version = record.version
    if action in (RELEASE, WITHDRAWAL) and commit:
        registered = {f.parsed.version_number for f in tags.values()
                      if f.parsed.action == "register" and f.commit == commit
                      and f.parsed.artifact == parsed.artifact}
        if version is None and len(registered) == 1:
            version = registered.pop()
        elif version is not None and version not in registered:
            problems.append(f"its commit is not registered as v{version} (no tag "
                            f"{parsed.artifact}@v{version}.0.0 on {commit[:10]})")
    signer = found.tag.tagger if found.tag is not None else None
    return ReleaseEvent(
        tag=parsed.name, dataset=parsed.artifact, action=action, version=version,
        counter=parsed.counter, commit=commit,
        tagged_at=datetime.fromtimestamp(signer.time, UTC) if signer else None,
        tagger=f"{signer.name} <{signer.email}>" if signer else None, record=record,
        valid=not problems, problem="; ".join(problems) or None)


def _verified(name: str, message: str, secret: str | bytes
              ) -> tuple[ReleaseRecord | None, str | None]:
    """The record in a tag's message if its signature holds, else the problem."""
    at = message.rfind(f"\n{MARKER}\n")
    if at < 0:
        return None, "no catalogue record in its message (made by hand, not by the catalogue)"
    try:
        data = json.loads(message[at + len(MARKER) + 2:])
    except ValueError as exc:
        return None, f"its catalogue record is not readable JSON ({exc})"
    if not isinstance(data, dict) or not isinstance(data.get("signature"), str):
        return None, "its catalogue record has no signature"
    if not hmac.compare_digest(data["signature"], signature(name, data, secret)):
        return None, ("its signature does not verify: not written by this catalogue (another "
                      "secret), or the tag was renamed or its message edited")
    try:
        return ReleaseRecord.from_json(data), None
    except ValueError as exc:
        return None, f"its catalogue record is incomplete: {exc}"


def _record_problems(record: ReleaseRecord, parsed: GtoTag, action: str,
                     commit: str | None) -> list[str]:
    problems = []
    if record.dataset != parsed.artifact:
        problems.append(f"its record is for {record.dataset}, not {parsed.artifact}")
    expected = WITHDRAWAL if action == WITHDRAWAL else RELEASE
    if record.action != expected:
        problems.append(f"its record is a {record.action}, not a {expected}")
    if commit != record.commit:
        problems.append(f"it tags commit {str(commit)[:10]} but its record is for "
                        f"{record.commit[:10]}")
    if action == REGISTRATION and parsed.version_number != record.version:
        problems.append(f"it registers {parsed.version} but its record is for "
                        f"v{record.version}")
    return problems


# Git


def _open(git_path: str) -> pygit2.Repository:
    try:
        return pygit2.Repository(str(git_path))
    except pygit2.GitError as exc:
        raise ReleaseTagError(f"{git_path} is not a git repository: {exc}") from None


def _all_tag_names(repo: pygit2.Repository) -> list[str]:
    return [r.removeprefix(TAGS) for r in repo.references if r.startswith(TAGS)]


def _release_tags(repo: pygit2.Repository, dataset: str | None = None) -> dict[str, _Found]:
    """The release-shaped tags (of `dataset` only, when named: a registry with thousands of
    releases reads one dataset's tag objects, not every one, to write a release)."""
    found = {}
    for name in _all_tag_names(repo):
        parsed = release_shaped(name)
        if parsed is None or (dataset is not None and parsed.artifact != dataset):
            continue
        ref = repo.references[TAGS + name]
        obj = repo.get(ref.target)
        try:
            commit: str | None = str(ref.peel(pygit2.Commit).id)
        except (ValueError, pygit2.GitError):
            commit = None
        found[name] = _Found(parsed, obj if isinstance(obj, pygit2.Tag) else None, commit)
    return found


def _git_environment() -> dict[str, str]:
    return dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
