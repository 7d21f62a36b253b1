"""The tables of governed sharing: information-sharing agreements (read from catalogue.yaml,
so git is their record) and requests for access to a dataset.

Grants themselves stay in `catalogue.models.Grant`; they gained a purpose, an agreement and a
status (see catalogue.sharing.rules)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel


class Agreement(SQLModel, table=True):
    """An information-sharing agreement (ISA/DSA) with a partner organisation, as listed in a
    registry's catalogue.yaml: rebuilt from git on every change of that file."""

    reference: str = Field(primary_key=True)
    title: str
    partner: str = Field(index=True)
    expires: date = Field(description="The last day the agreement is in force")
    registry_id: int = Field(foreign_key="registry.id", index=True)


class AccessRequest(SQLModel, table=True):
    """Someone asked to read `department/dataset`, for a purpose; its owners or its
    department's publishers approve (a grant to that person is made) or refuse (with a reason).

    `open_key` is `department/dataset/email` while the request is pending and NULL once decided:
    unique, so one person has one pending request per dataset however often they click."""

    __tablename__ = "access_request"

    id: str = Field(primary_key=True)
    department: str = Field(index=True)
    dataset: str
    account_id: int = Field(foreign_key="account.id", index=True)
    requested_by: str = Field(index=True)
    purpose: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(index=True, description="pending, approved or refused")
    open_key: str | None = Field(default=None, unique=True)
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))
    grant_id: str | None = None
