"""Profiles, keyed by the file's md5: the same bytes are profiled once, whichever dataset or
version holds them. A directory output's profile lists its files (`members`, path → md5),
each profiled under its own md5. Whether a profile is queued, running or failed (and why) is
its job's status (catalogue.jobs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel


class FileProfile(SQLModel, table=True):
    __tablename__ = "file_profile"

    md5: str = Field(primary_key=True)
    format: str = Field(description="csv, tsv, excel, parquet, json, jsonl or directory")
    rows: int | None = None
    encoding: str | None = None
    tables: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False),
        description="One per table (an Excel workbook's sheets): name, rows, columns, sample")
    members: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    seconds: float = 0.0
    profiled_at: datetime
