"""Finding discoverable datasets that the reader may not read, for the search page.

The search index holds what a reader may read, column names included; a discoverable
dataset's column names must not be searchable by those who may only discover it. So they are
found here, in the database, by the words of their title, description, tags, owners and
department only, and listed apart, marked restricted.
"""

from __future__ import annotations

import re

from sqlalchemy import Text, and_, case, cast, func, not_
from sqlmodel import Session, select

from catalogue.access import INTERNAL, Reader, readable
from catalogue.browse import _department_names, _restricted
from catalogue.models import Dataset, Department
from catalogue.schemas import DatasetSummary

WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8
LIMIT = 20
FILTERS = ("department", "tag")
"""The only filters a restricted match can be told by: any other one leaves none."""


def find(s: Session, reader: Reader, q: str, filters: dict[str, list[str]] | None = None,
         limit: int = LIMIT) -> list[DatasetSummary]:
    """Discoverable datasets the reader may not read whose title, description, tags, owners or
    department has every word of `q` (all of them, when `q` has none), best titles first."""
    filters = {k: v for k, v in (filters or {}).items() if v}
    if reader.sees_everything or INTERNAL not in reader.principals \
            or set(filters) - set(FILTERS):
        return []
    words = [w.lower() for w in WORD.findall(q or "")][:MAX_WORDS]
    text = func.lower(Dataset.title + " " + Dataset.description + " "
                      + cast(Dataset.tags, Text) + " " + cast(Dataset.owners, Text) + " "
                      + Dataset.department + " " + func.coalesce(Department.name, ""))
    query = (select(Dataset).outerjoin(Department, Department.slug == Dataset.department)
             .where(Dataset.discoverable == True, Dataset.retired == False,  # noqa: E712
                    not_(readable(reader))))
    for word in words:
        query = query.where(text.like(f"%{_escape(word)}%", escape="\\"))
    if filters.get("department"):
        query = query.where(Dataset.department.in_(filters["department"]))
    for tag in filters.get("tag", []):
        query = query.where(func.lower(cast(Dataset.tags, Text))
                            .like(f'%"{_escape(tag.lower())}"%', escape="\\"))
    in_title = and_(*[func.lower(Dataset.title).like(f"%{_escape(w)}%", escape="\\")
                      for w in words]) if words else None
    order = [case((in_title, 0), else_=1)] if in_title is not None else []
    rows = s.exec(query.order_by(*order, Dataset.title).limit(limit)).all()
    names = _department_names(s)
    return [_restricted(d, names) for d in rows]


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
