"""The catalogue's tables: an index of what the registries' git history holds.

The index tables can be rebuilt from git (`catalogue reindex`). The people tables (accounts,
their departments, sign-in sessions, API tokens, grants, the audit trail) cannot: reindex never
touches them, which is why grants name a dataset by department and slug, not by row id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Registry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    url: str = Field(unique=True, description="Where it was registered from: a path or a URL")
    git_path: str = Field(description="The local git directory the indexer reads")
    head_sha: str | None = Field(default=None, description="The last commit of main indexed")
    indexed_at: datetime | None = None


class Department(SQLModel, table=True):
    slug: str = Field(primary_key=True)
    name: str
    registry_id: int = Field(foreign_key="registry.id", index=True)


class Partner(SQLModel, table=True):
    slug: str = Field(primary_key=True)
    name: str
    registry_id: int = Field(foreign_key="registry.id", index=True)


class Dataset(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("department", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    registry_id: int = Field(foreign_key="registry.id", index=True)
    department: str = Field(index=True)
    slug: str
    title: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    licence: str = "OGL-UK-3.0"
    classification: str = "OFFICIAL"
    personal_data: bool = False
    visibility: str = "internal"
    update_frequency: str | None = None
    derived_from: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    temporal_coverage: str | None = None
    spatial_coverage: str | None = None
    contact: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime
    updated_at: datetime
    metadata_sha: str | None = Field(default=None, description="Commit of the last good metadata")
    retired: bool = False
    retired_sha: str | None = None
    version_count: int = 0
    discoverable: bool = False

    @property
    def key(self) -> str:
        return f"{self.department}/{self.slug}"


class Version(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("dataset_id", "number"),
        UniqueConstraint("dataset_id", "commit_sha"),
    )

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: int = Field(foreign_key="dataset.id", index=True)
    number: int
    commit_sha: str = Field(index=True)
    author_name: str
    author_email: str
    authored_at: datetime
    message: str = Field(sa_column=Column(Text, nullable=False))
    size: int = 0


class VersionFile(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id", index=True)
    path: str = Field(description="Relative to the dataset folder")
    md5: str = Field(index=True)
    size: int | None = None
    nfiles: int | None = None
    source: str = Field(description="The .dvc file or dvc.lock that records it")


class LineageEdge(SQLModel, table=True):
    """Version `version_id` was derived from something upstream.

    kind: `declared` (derived_from in dataset.yaml), `pipeline` (dvc.lock deps), `import`
    (a `dvc import` from another registry). The upstream is a dataset of this catalogue
    (`upstream_key`, and `upstream_version_id` where the hash pins one), or outside it
    (`upstream_ref`: a URL or another registry's repo url).
    """

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="version.id", index=True)
    kind: str
    upstream_key: str | None = Field(default=None, index=True, description="department/dataset")
    upstream_version_id: int | None = Field(default=None, foreign_key="version.id")
    upstream_ref: str | None = None
    upstream_path: str | None = None
    upstream_rev: str | None = None
    upstream_md5: str | None = Field(default=None, description="Hash of what was imported")


class Problem(SQLModel, table=True):
    """Something wrong in a registry, on one dataset (`dataset_key`) or on the registry itself."""

    id: int | None = Field(default=None, primary_key=True)
    registry_id: int = Field(foreign_key="registry.id", index=True)
    dataset_key: str | None = Field(default=None, index=True)
    file: str
    line: int | None = None
    message: str = Field(sa_column=Column(Text, nullable=False))
    commit_sha: str


class WebhookSecret(SQLModel, table=True):
    """A registry's shared secret for forge webhooks (`POST /api/v1/hooks/push`).

    Kept as given, because verifying an HMAC signature needs the secret itself; never shown
    back by any page, API or command once set.
    """

    registry_id: int = Field(foreign_key="registry.id", primary_key=True)
    secret: str
    set_at: datetime


class Account(SQLModel, table=True):
    """A person who signs in: staff of one or more departments (`Membership`), or a member of a
    partner organisation (`partner`). Roles: staff, publisher, governance, admin."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, description="Lower-cased; the name people sign in with")
    name: str
    role: str = "staff"
    partner: str | None = Field(default=None, index=True)
    password_hash: str | None = Field(default=None, description="argon2; None: single sign-on")
    oidc_subject: str | None = Field(default=None, unique=True)
    disabled: bool = False
    created_at: datetime
    last_sign_in_at: datetime | None = None


class Membership(SQLModel, table=True):
    account_id: int = Field(foreign_key="account.id", primary_key=True)
    department: str = Field(primary_key=True, index=True)


class SignInSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is kept here, so
    signing out (deleting the row) ends the session wherever the cookie went."""

    token_hash: str = Field(primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: datetime
    expires_at: datetime
    source: str | None = None


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    name: str
    token_hash: str = Field(unique=True)
    prefix: str = Field(description="The token's first characters, to recognise it in lists")
    scope: str = "read"
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class Grant(SQLModel, table=True):
    """Dataset `department/dataset` shared with a department, a partner organisation or one
    person (`person`: an account's email, from an access request), for every version or from
    `from_version` on, until `expires_at` (checked at read time) or the end of its
    `agreement` (an information-sharing agreement of catalogue.yaml).

    `status`: `active`, `pending` (awaiting a governance officer's approval), `refused` or
    `revoked`; only an active grant that has not expired is in force.

    `id` is random and never reused: the search index names readers of a shared dataset
    `grant:<id>`, and a reader holds that principal only while the grant is in force.
    """

    __tablename__ = "dataset_grant"
    __table_args__ = (UniqueConstraint("department", "dataset", "grantee_kind", "grantee"),)

    id: str = Field(primary_key=True)
    department: str = Field(index=True)
    dataset: str
    grantee_kind: str = Field(description="department or partner")
    grantee: str = Field(index=True)
    from_version: int | None = None
    expires_at: datetime | None = None
    granted_by: str
    granted_at: datetime
    purpose: str | None = Field(default=None, sa_column=Column(Text))
    agreement: str | None = Field(default=None, index=True)
    status: str = Field(default="active", index=True)
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = Field(default=None, sa_column=Column(Text))


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what, when, from where. Triggers refuse UPDATE and DELETE."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str | None = Field(default=None, index=True)
    action: str = Field(index=True)
    target: str | None = None
    source: str | None = Field(default=None, description="The client's address")
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
