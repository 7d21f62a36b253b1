"""Who may read what: the one place every reader of the catalogue goes through.

A reader carries principals: `public` (anyone), `internal` (any member of staff),
`department:<slug>`, `partner:<slug>`, `person:<email>` (whoever signed in), and `grant:<id>`
for each grant in force that reaches it. A dataset is readable by the principals its
visibility names, by its grants' principals, and by its owners (`person:<email>` for each email
in its dataset.yaml's `owners`): an owner always reads what they own, all of it, whatever their
department or organisation.
`readable()` is the same rule as a SQL clause, so lists, counts and lookups filter in the
query; the search index stores each dataset's principals and filters by them in the query.

Grants can start at a version: `first_readable_version()` is the rule for versions, applied
by every lookup of a version (pages, API, downloads, lineage).

A grant is in force while it is active (approved, not revoked), before its expiry, and before
the end of the information-sharing agreement it names, if any: all checked at read time.

Discoverable datasets (`discoverable: true`): every member of staff may *discover* them, that
is see their title, description, department, owners, tags and version count
(`can_discover()`, `discoverable()`), never their versions, files, columns or lineage, which
stay behind `can_read()`. Partners and the public discover nothing.

Governance officers read everything (they review releases and sharing). Administrators manage
people; they read what their own departments may.

Open releases: a version a governance officer approved, whose release tags are written and
which has not been withdrawn, is open to everyone, signed in or not, as the metadata was when
it was approved (`openly_released()`, the rule every open-data page and feed reads through).
Nothing else of its dataset is: its other versions stay exactly as visible as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Text, and_, cast, false, func, or_, true, tuple_
from sqlmodel import Session, select

from catalogue.clock import utcnow
from catalogue.models import Dataset, Grant
from catalogue.releases.models import APPROVED, ReleaseRequest
from catalogue.sharing.models import Agreement

EVERYTHING = "*"
PUBLIC = "public"
INTERNAL = "internal"


@dataclass(frozen=True)
class Reader:
    principals: frozenset[str]
    shared: Mapping[str, int] = field(default_factory=dict)
    """Datasets readable through grants: key → the first version readable (1: all of them)."""

    @classmethod
    def everyone(cls) -> Reader:
        """Sees every dataset: the command line's reader, run by whoever runs the catalogue."""
        return cls(frozenset({EVERYTHING}))

    @classmethod
    def anonymous(cls) -> Reader:
        return cls(frozenset({PUBLIC}))

    @classmethod
    def of(cls, *principals: str) -> Reader:
        return cls(frozenset(principals))

    @property
    def sees_everything(self) -> bool:
        return EVERYTHING in self.principals


ACTIVE = "active"


def dataset_principals(department: str, visibility: str, grant_ids: Iterable[str] = (),
                       owners: Iterable[str] = ()) -> frozenset[str]:
    """The principals that may read a dataset of this department, visibility and owners."""
    own = ({f"department:{department}"} | {f"grant:{g}" for g in grant_ids}
           | {f"person:{o.strip().lower()}" for o in owners})
    if visibility == "internal":
        return frozenset(own | {INTERNAL})
    if visibility == "open":
        return frozenset(own | {PUBLIC, INTERNAL})
    return frozenset(own)


def reader_principals(departments: Iterable[str], partner: str | None,
                      everything: bool = False, email: str | None = None) -> frozenset[str]:
    """The principals a person holds before grants: staff are `internal` and members of their
    departments; a partner organisation's people are only `partner:<slug>`; with an email,
    everyone is also `person:<email>` (an owner's, a person's grants)."""
    if everything:
        return frozenset({EVERYTHING})
    person = {f"person:{email.strip().lower()}"} if email else set()
    if partner:
        return frozenset({PUBLIC, f"partner:{partner}"} | person)
    return frozenset({PUBLIC, INTERNAL} | {f"department:{d}" for d in departments} | person)


def grants_in_force(s: Session, principals: frozenset[str],
                    now: datetime | None = None) -> list[Grant]:
    """The grants that reach these principals and have not expired (checked now, at read time)."""
    kinds = [tuple(p.split(":", 1)) for p in principals
             if p.startswith(("department:", "partner:", "person:"))]
    if not kinds:
        return []
    now = now or utcnow()
    return list(s.exec(select(Grant).outerjoin(Agreement, Agreement.reference == Grant.agreement)
                       .where(tuple_(Grant.grantee_kind, Grant.grantee).in_(kinds),
                              Grant.status == ACTIVE,
                              or_(Grant.expires_at.is_(None), Grant.expires_at > now),
                              or_(Grant.agreement.is_(None), Agreement.expires >= now.date()),
                              )).all())


def with_grants(s: Session, principals: frozenset[str], now: datetime | None = None) -> Reader:
    """A reader of these principals plus the grants in force that reach them."""
    if EVERYTHING in principals:
        return Reader(principals)
    grants = grants_in_force(s, principals, now)
    shared: dict[str, int] = {}
    for g in grants:
        key = f"{g.department}/{g.dataset}"
        shared[key] = min(shared.get(key, 1 << 30), g.from_version or 1)
    return Reader(principals | {f"grant:{g.id}" for g in grants}, shared)


def _reads_by_visibility(reader: Reader, dataset: Dataset) -> bool:
    return bool(reader.principals & dataset_principals(dataset.department, dataset.visibility,
                                                       owners=dataset.owners or ()))


def can_read(reader: Reader, dataset: Dataset) -> bool:
    if reader.sees_everything:
        return True
    return _reads_by_visibility(reader, dataset) or dataset.key in reader.shared


def first_readable_version(reader: Reader, dataset: Dataset) -> int:
    """The oldest version number this reader may see of a dataset it can read."""
    if reader.sees_everything or _reads_by_visibility(reader, dataset):
        return 1
    return reader.shared.get(dataset.key, 1 << 30)


def readable(reader: Reader) -> ColumnElement[bool]:
    """A WHERE clause on Dataset selecting exactly what `can_read` allows."""
    if reader.sees_everything:
        return true()
    departments = [p.split(":", 1)[1] for p in reader.principals if p.startswith("department:")]
    clauses = []
    if departments:
        clauses.append(Dataset.department.in_(departments))
    if INTERNAL in reader.principals:
        clauses.append(Dataset.visibility.in_(("internal", "open")))
    if PUBLIC in reader.principals:
        clauses.append(Dataset.visibility == "open")
    if reader.shared:
        pairs = [tuple(key.split("/", 1)) for key in reader.shared]
        clauses.append(tuple_(Dataset.department, Dataset.slug).in_(pairs))
    clauses += [owned_by(p.split(":", 1)[1]) for p in reader.principals
                if p.startswith("person:")]
    return or_(*clauses) if clauses else false()


def owned_by(email: str) -> ColumnElement[bool]:
    """A WHERE clause on Dataset: `email` is one of its owners. The owners are a JSON list,
    which SQLite and PostgreSQL both write as text with each email in double quotes."""
    quoted = '"' + email.lower().replace("\\", "\\\\").replace("%", "\\%") \
        .replace("_", "\\_") + '"'
    return func.lower(cast(Dataset.owners, Text)).like(f"%{quoted}%", escape="\\")


def can_discover(reader: Reader, dataset: Dataset) -> bool:
    """Whether this reader may see that the dataset exists (its title, description, owners,
    tags, version count), though perhaps not read it: staff discover discoverable ones."""
    return can_read(reader, dataset) or (dataset.discoverable and INTERNAL in reader.principals
                                         and not dataset.retired)


def discoverable(reader: Reader) -> ColumnElement[bool]:
    """A WHERE clause on Dataset selecting what `can_discover` allows."""
    if reader.sees_everything:
        return true()
    if INTERNAL not in reader.principals:
        return readable(reader)
    return or_(readable(reader), and_(Dataset.discoverable == True,  # noqa: E712
                                      Dataset.retired == False))  # noqa: E712


def openly_released() -> ColumnElement[bool]:
    """A WHERE clause on ReleaseRequest selecting the versions open to everyone now: approved,
    their release tags written to the registry, not withdrawn."""
    return and_(ReleaseRequest.status == APPROVED, ReleaseRequest.published_at.is_not(None))
