"""The CKAN-shaped answers of the CKAN Action API (`/api/3/action/<name>`): package, resource,
organisation, tag and licence dicts as CKAN 2.10 shapes them, so CKAN's own clients and
harvesters read the catalogue unchanged.

Two views answer, and each reads only through `catalogue.access`:
- `OpenView`, for the public: datasets with a version released openly, as approved (the
  latest release's snapshot, `openly_released()`); a package's resources are the files of that
  release.
- `ReaderView`, for a person with an API token: what their reader may read in the internal
  catalogue (`readable(reader)`, live metadata); resources are the current version's files.

Names: a package's CKAN name is `<department>--<dataset>` (`housing/rough-sleeping` →
`housing--rough-sleeping`), lower case, any character outside `[a-z0-9_-]` turned into `-`,
cut at 100 characters; ids are UUID5s of the dataset key (and of key, version and path for a
resource), so they are stable across rebuilds. An organisation is a department: its name is
the department's slug. `package_show` accepts the name, the id or the key itself.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, tuple_
from sqlmodel import Session, select

from catalogue.access import Reader, first_readable_version, openly_released, readable
from catalogue.clock import aware
from catalogue.models import Dataset, Department, Version, VersionFile
from catalogue.releases.licences import OPEN_LICENCES
from catalogue.releases.models import ReleaseRequest

NAMESPACE = uuid.UUID("5d1c3a8e-2f41-4b7a-9a51-0c6e4f1b7d20")
_INVALID = re.compile(r"[^a-z0-9_-]")
Package = dict[str, Any]


class CkanError(Exception):
    """An error as CKAN reports it: `__type`, HTTP status, and a message or field messages."""

    type = "Bad request"
    status = 400

    def __init__(self, message: str = "", fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message, self.fields = message, fields or {}

    def error(self) -> dict[str, Any]:
        body: dict[str, Any] = {"__type": self.type}
        if self.message:
            body["message"] = self.message
        body.update(self.fields)
        return body


class NotFoundError(CkanError):
    type, status = "Not Found Error", 404


class ValidationError(CkanError):
    type, status = "Validation Error", 409


class AuthorizationError(CkanError):
    type, status = "Authorization Error", 403


@dataclass(frozen=True)
class Links:
    """Absolute URLs, made by the web layer: a dataset's page, and a file's download."""

    page: Callable[[str, str], str]
    download: Callable[[str, str, int, str], str]


def package_name(key: str) -> str:
    department, _, slug = key.partition("/")
    return _INVALID.sub("-", f"{department}--{slug}".lower())[:100]


def package_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"dataset:{key}"))


def organization_id(slug: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"department:{slug}"))


def resource_id(key: str, number: int, path: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"resource:{key}@{number}/{path}"))


def ckan_time(moment: datetime | None) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC, without an offset."""
    return aware(moment).astimezone(UTC).replace(tzinfo=None).isoformat() if moment else None


@dataclass
class Source:
    """What a package is made of, whichever view read it."""

    key: str
    department: str
    department_name: str
    title: str
    notes: str
    tags: list[str]
    licence: str
    version: int
    created: datetime
    modified: datetime
    files: list[dict[str, Any]]
    extras: dict[str, Any]


class View:
    """What one caller may read, as CKAN packages."""

    open = True

    def keys(self, s: Session) -> list[str]:
        raise NotImplementedError

    def sources(self, s: Session, keys: Iterable[str]) -> dict[str, Source]:
        raise NotImplementedError

    def resolve(self, s: Session, ident: str) -> str:
        """The key of the dataset a name, id or key names, if this view may read it."""
        ident = (ident or "").strip()
        guess = ident if "/" in ident else ident.replace("--", "/", 1)
        if guess in self.sources(s, [guess]) and ident in (guess, package_name(guess)):
            return guess  # the usual case: no need to list every key
        keys = self.keys(s)
        for key in keys:
            if ident in (key, package_name(key), package_id(key)):
                return key
        raise NotFoundError("Not found")

    def packages(self, s: Session, keys: list[str], links: Links) -> list[Package]:
        found = self.sources(s, keys)
        return [package(found[k], links) for k in keys if k in found]

    def departments(self, s: Session) -> dict[str, tuple[str, int]]:
        """Departments with readable datasets: slug → (name, count)."""
        names = dict(s.exec(select(Department.slug, Department.name)).all())
        counts: dict[str, int] = {}
        for key in self.keys(s):
            dept = key.split("/", 1)[0]
            counts[dept] = counts.get(dept, 0) + 1
        return {d: (names.get(d, d), n) for d, n in sorted(counts.items())}


class OpenView(View):
    """The public's view: released datasets, as approved."""

    def keys(self, s: Session) -> list[str]:
        rows = s.exec(select(ReleaseRequest.department, ReleaseRequest.dataset)
                      .where(openly_released()).distinct()
                      .order_by(ReleaseRequest.department, ReleaseRequest.dataset)).all()
        return [f"{d}/{slug}" for d, slug in rows]

    def sources(self, s: Session, keys: Iterable[str]) -> dict[str, Source]:
        pairs = [tuple(k.split("/", 1)) for k in keys if "/" in k]
        if not pairs:
            return {}
        rows = s.exec(select(ReleaseRequest).where(
            openly_released(), tuple_(ReleaseRequest.department, ReleaseRequest.dataset)
            .in_(pairs)).order_by(ReleaseRequest.version.desc())).all()
        releases: dict[str, list[ReleaseRequest]] = {}
        for row in rows:
            releases.setdefault(f"{row.department}/{row.dataset}", []).append(row)
        out = {}
        for key, found in releases.items():
            row = found[0]  # the newest release
            snap = row.snapshot
            extras = {k: snap.get(k) for k in ("contact", "publisher", "temporal_coverage",
                                                "spatial_coverage", "update_frequency")}
            extras.update(version_number=row.version, commit=row.commit_sha,
                          released_versions=",".join(str(r.version) for r in found))
            first = min(aware(r.published_at) for r in found)
            out[key] = Source(key, row.department, snap.get("department_name") or row.department,
                              snap.get("title") or row.dataset, snap.get("description") or "",
                              list(snap.get("tags") or []), row.licence, row.version, first,
                              aware(row.published_at), list(snap.get("files") or []), extras)
        return out


class ReaderView(View):
    """A signed-in person's view: what their reader may read, live."""

    open = False

    def __init__(self, reader: Reader):
        self.reader = reader

    def keys(self, s: Session) -> list[str]:
        rows = s.exec(select(Dataset.department, Dataset.slug)
                      .where(readable(self.reader), Dataset.retired == False)  # noqa: E712
                      .order_by(Dataset.department, Dataset.slug)).all()
        return [f"{d}/{slug}" for d, slug in rows]

    def sources(self, s: Session, keys: Iterable[str]) -> dict[str, Source]:
        pairs = [tuple(k.split("/", 1)) for k in keys if "/" in k]
        if not pairs:
            return {}
        rows = s.exec(select(Dataset).where(
            readable(self.reader), Dataset.retired == False,  # noqa: E712
            tuple_(Dataset.department, Dataset.slug).in_(pairs))).all()
        names = dict(s.exec(select(Department.slug, Department.name)).all())
        files: dict[int, list[dict[str, Any]]] = {}
        current = {r.id: r for r in rows
                   if r.version_count >= first_readable_version(self.reader, r)}
        if current:
            for dataset_id, f in s.exec(
                    select(Version.dataset_id, VersionFile)
                    .join(VersionFile, VersionFile.version_id == Version.id)
                    .join(Dataset, Dataset.id == Version.dataset_id)
                    .where(Version.dataset_id.in_(list(current)),
                           Version.number == Dataset.version_count)
                    .order_by(VersionFile.path)):
                files.setdefault(dataset_id, []).append(
                    {"path": f.path, "md5": f.md5, "size": f.size, "nfiles": f.nfiles})
        out = {}
        for r in rows:
            extras = {"contact": r.contact, "temporal_coverage": r.temporal_coverage,
                      "spatial_coverage": r.spatial_coverage,
                      "update_frequency": r.update_frequency, "version_number": r.version_count,
                      "classification": r.classification, "visibility": r.visibility,
                      "personal_data": r.personal_data, "owners": ", ".join(r.owners or []),
                      "derived_from": ", ".join(r.derived_from or [])}
            out[r.key] = Source(r.key, r.department, names.get(r.department, r.department),
                                r.title, r.description or "", list(r.tags or []), r.licence or "",
                                r.version_count, r.created_at, r.updated_at,
                                files.get(r.id, []), extras)
        return out


def view_for(reader: Reader | None) -> View:
    """The public's view without a reader; else that reader's."""
    return OpenView() if reader is None else ReaderView(reader)


def organization(slug: str, name: str, count: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": organization_id(slug), "name": slug, "title": name, "display_name": name,
        "description": "", "image_url": "", "type": "organization", "is_organization": True,
        "state": "active", "approval_status": "approved",
    }
    if count is not None:
        body["package_count"] = count
    return body


def package(src: Source, links: Links) -> Package:
    licence = OPEN_LICENCES.get(src.licence)
    pid = package_id(src.key)
    dept, slug = src.key.split("/", 1)
    resources = [resource(src, f, i, links) for i, f in enumerate(src.files)]
    tags = [{"id": str(uuid.uuid5(NAMESPACE, f"tag:{t}")), "name": t, "display_name": t,
             "state": "active", "vocabulary_id": None} for t in src.tags]
    return {
        "id": pid, "name": package_name(src.key), "title": src.title, "notes": src.notes,
        "url": links.page(dept, slug), "version": f"v{src.version}",
        "author": None, "author_email": None, "maintainer": None,
        "maintainer_email": src.extras.get("contact"),
        "license_id": src.licence, "license_title": licence.title if licence else src.licence,
        "license_url": licence.url if licence else None, "isopen": licence is not None,
        "metadata_created": ckan_time(src.created), "metadata_modified": ckan_time(src.modified),
        "owner_org": organization_id(src.department),
        "organization": organization(src.department, src.department_name),
        "tags": tags, "groups": [], "resources": resources,
        "num_resources": len(resources), "num_tags": len(tags), "state": "active",
        "type": "dataset", "private": False, "creator_user_id": None,
        "relationships_as_object": [], "relationships_as_subject": [],
        "extras": [{"key": k, "value": str(v)} for k, v in src.extras.items()
                   if v not in (None, "")],
    }


def resource(src: Source, f: dict[str, Any], position: int, links: Links) -> dict[str, Any]:
    dept, slug = src.key.split("/", 1)
    is_dir = f["md5"].endswith(".dir")
    extension = posixpath.splitext(f["path"])[1].lstrip(".")
    return {
        "id": resource_id(src.key, src.version, f["path"]), "package_id": package_id(src.key),
        "name": f["path"], "description": "", "position": position,
        "url": links.download(dept, slug, src.version, f["path"]),
        "format": "Folder" if is_dir else extension.upper(),
        "mimetype": None if is_dir else mimetypes.guess_type(f["path"])[0],
        "size": f.get("size"), "hash": f["md5"], "created": ckan_time(src.modified),
        "last_modified": ckan_time(src.modified), "state": "active", "url_type": None,
        "resource_type": "folder" if is_dir else "file",
    }


def find_resource(s: Session, view: View, ident: str, links: Links) -> dict[str, Any]:
    """A resource by id: looked for among the files of every package this view reads."""
    keys = view.keys(s)
    for start in range(0, len(keys), 500):
        for src in view.sources(s, keys[start:start + 500]).values():
            for i, f in enumerate(src.files):
                if resource_id(src.key, src.version, f["path"]) == ident:
                    return resource(src, f, i, links)
    raise NotFoundError("Resource was not found.")


def open_changed_at(s: Session) -> datetime | None:
    """When what the public may read last changed: the latest release or withdrawal."""
    published, withdrawn = s.exec(select(func.max(ReleaseRequest.published_at),
                                         func.max(ReleaseRequest.withdrawn_at))).one()
    moments = [aware(m) for m in (published, withdrawn) if m is not None]
    return max(moments) if moments else None


def licences() -> list[dict[str, Any]]:
    return [{"id": lic.id, "title": lic.title, "url": lic.url, "status": "active",
             "od_conformance": "approved", "osd_conformance": "not reviewed",
             "domain_content": True, "domain_data": True, "domain_software": False,
             "maintainer": "", "family": "", "is_generic": False, "is_okd_compliant": True,
             "is_osi_compliant": False}
            for lic in OPEN_LICENCES.values()]
