"""Who may read what: the one place every reader of the catalogue goes through.

A reader carries principals (`internal` for any member of staff, `department:<slug>`,
`partner:<slug>`, `public`); a dataset is readable by the principals its visibility names.
`readable()` is the same rule as a SQL clause, so lists, counts and lookups filter in the query.
Until accounts exist (a later issue) the web and CLI read as `Reader.everyone()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from catalogue.models import Dataset

EVERYTHING = "*"


@dataclass(frozen=True)
class Reader:
    principals: frozenset[str]

    @classmethod
    def everyone(cls) -> Reader:
        """Sees every dataset: the reader of the single-user embedded default and of the CLI."""
        return cls(frozenset({EVERYTHING}))

    @classmethod
    def of(cls, *principals: str) -> Reader:
        return cls(frozenset(principals))


def dataset_principals(department: str, visibility: str) -> frozenset[str]:
    """The principals that may read a dataset of this department and visibility."""
    if visibility == "internal":
        return frozenset({"internal", f"department:{department}"})
    if visibility == "open":
        return frozenset({"public", "internal", f"department:{department}"})
    return frozenset({f"department:{department}"})


def can_read(reader: Reader, dataset: Dataset) -> bool:
    if EVERYTHING in reader.principals:
        return True
    return bool(reader.principals & dataset_principals(dataset.department, dataset.visibility))


def readable(reader: Reader) -> ColumnElement[bool]:
    """A WHERE clause on Dataset selecting exactly what `can_read` allows."""
    if EVERYTHING in reader.principals:
        return true()
    departments = [p.split(":", 1)[1] for p in reader.principals if p.startswith("department:")]
    clauses = []
    if departments:
        clauses.append(Dataset.department.in_(departments))
    if "internal" in reader.principals:
        clauses.append(Dataset.visibility.in_(("internal", "open")))
    if "public" in reader.principals:
        clauses.append(Dataset.visibility == "open")
    return or_(*clauses) if clauses else false()
