"""Search documents made from the catalogue's database: one per dataset that is not retired.

Everything a document holds comes from the database, except column names, which come from the
header rows of the current version's tabular files (catalogue.search.columns, cached by hash).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.engine import Engine

from catalogue.access import dataset_principals
from catalogue.models import Dataset, Department, Grant, Problem, Registry, Version, VersionFile
from catalogue.search.schema import exact_title, sections
from catalogue.tags.reads import accepted_tags

DATASETS, VERSIONS, FILES = Dataset.__table__, Version.__table__, VersionFile.__table__
MANY = 500  # more keys than this: read every row and pick them out
WELL_DESCRIBED = 200  # characters of description that count as a full description
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&-]{1,}\b")
_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_BLOCK_MARK = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+"
                         r"|(?:[-*_=][ \t]*){3,}$|\|?[ \t]*:?-{3,}.*$)", re.M)
_INLINE_MARK = re.compile(r"\*\*|__|~~|`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


@dataclass(frozen=True)
class SourceFile:
    """A file (or directory) of a dataset's current version, where its bytes can be read."""

    dataset: str  # department/slug
    git_path: str
    rev: str
    path: str  # registry-relative
    md5: str
    is_dir: bool
    source: str = ""  # the .dvc file or dvc.lock recording it, registry-relative

    @property
    def extension(self) -> str:
        return "folder" if self.is_dir else posixpath.splitext(self.path)[1].lstrip(".").lower()


@dataclass
class DatasetDocument:
    key: str
    row: Any
    department_name: str
    problems: int
    grant_ids: list[str] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)
    accepted_tags: list[str] = field(default_factory=list)
    """Suggested tags its owners accepted, not yet in dataset.yaml (catalogue.tags)."""

    @property
    def tags(self) -> list[str]:
        return list(dict.fromkeys([*(self.row.tags or []), *self.accepted_tags]))

    def sections(self, columns: list[str]) -> dict[str, str]:
        """The searchable texts, by section of the weighted `text` field (FIELD_WEIGHTS)."""
        row = self.row
        description = plain_text(row.description or "")
        return {"title": row.title, "tags": " | ".join(self.tags),
                "columns": " ".join(columns),
                "owners": " ".join(_owner_words(o) for o in row.owners or []),
                "department_name": f"{self.department_name} {row.department}",
                "keywords": " ".join(extract_keywords(row, description)),
                "description": description}

    def fields(self, columns: list[str]) -> dict[str, Any]:
        """The Whoosh document, with the column names known for the current version."""
        row = self.row
        texts = self.sections(columns)
        formats = sorted({f.extension for f in self.files if f.extension})
        updated = _aware(row.updated_at)
        facets = [("department", row.department), ("classification", row.classification),
                  ("visibility", row.visibility), ("licence", row.licence)]
        facets += [("tag", tag) for tag in self.tags]
        facets += [("format", f) for f in formats]
        if row.update_frequency:
            facets.append(("update_frequency", row.update_frequency))
        meta = {"f": facets, "u": updated.timestamp(), "t": exact_title(row.title),
                "q": self.quality(texts["description"], bool(columns)),
                "n": self.department_name}
        return {
            "id": self.key,
            "text": sections(texts),
            "title": row.title,
            "title_exact": exact_title(row.title),
            "title_words": row.title,
            "description": texts["description"],
            "columns": texts["columns"],
            "spell": " ".join(texts.values()),
            "principals": " ".join(sorted(dataset_principals(row.department, row.visibility,
                                                             self.grant_ids, row.owners or ()))),
            "meta": json.dumps(meta).encode(),
            "display": {"department_name": self.department_name, "tags": self.tags,
                        "classification": row.classification, "slug": row.slug,
                        "department": row.department, "version_count": row.version_count,
                        "updated": updated.isoformat(), "problems": self.problems},
        }

    def quality(self, text: str, has_columns: bool) -> float:
        """How well described and trusted a dataset is, from 0 to 1: a missing piece counts 0."""
        row = self.row
        checks = [min(len(text) / WELL_DESCRIBED, 1.0), bool(row.owners), bool(self.tags),
                  bool(row.update_frequency), has_columns, self.problems == 0,
                  row.metadata_sha is not None]
        return round(sum(float(c) for c in checks) / len(checks), 4)


def load_documents(engine: Engine, keys: Iterable[str] | None = None,
                   ) -> tuple[list[DatasetDocument], set[str]]:
    """Documents for the datasets with these keys (every dataset when None), and the keys
    that have no document: retired, or no longer in the catalogue."""
    wanted = None if keys is None else set(keys)
    d = DATASETS.c
    query = select(DATASETS).where(d.retired.is_(False))
    if wanted is not None and len(wanted) <= MANY:
        pairs = [tuple(key.split("/", 1)) for key in sorted(wanted) if "/" in key]
        if not pairs:
            return [], wanted
        query = query.where(tuple_(d.department, d.slug).in_(pairs))
    with engine.connect() as conn:
        rows = [row for row in conn.execute(query)
                if wanted is None or f"{row.department}/{row.slug}" in wanted]
        names = dict(conn.execute(select(Department.slug, Department.name)).all())
        git_paths = dict(conn.execute(select(Registry.id, Registry.git_path)).all())
        ids = [row.id for row in rows]
        problems = _problem_counts(conn, [f"{r.department}/{r.slug}" for r in rows])
        grants: dict[str, list[str]] = {}
        for gid, department, slug in conn.execute(select(Grant.id, Grant.department,
                                                         Grant.dataset)):
            grants.setdefault(f"{department}/{slug}", []).append(gid)
        files = _current_files(conn, ids) if ids else {}
        accepted = accepted_tags(conn, None if wanted is None else wanted)
    documents = []
    for row in rows:
        key = f"{row.department}/{row.slug}"
        doc = DatasetDocument(key, row, names.get(row.department, row.department),
                              problems.get(key, 0), grants.get(key, []),
                              accepted_tags=accepted.get(key, []))
        doc.files = [SourceFile(key, git_paths[row.registry_id], sha, f"{key}/{path}", md5,
                                md5.endswith(".dir"), f"{key}/{source}")
                     for sha, path, md5, source in files.get(row.id, [])]
        documents.append(doc)
    found = {doc.key for doc in documents}
    missing = set() if wanted is None else set(wanted) - found
    return documents, missing


def _current_files(conn, ids: list[int]) -> dict[int, list[tuple[str, str, str, str]]]:
    out: dict[int, list[tuple[str, str, str, str]]] = {}
    for start in range(0, len(ids), MANY):
        chunk = ids[start:start + MANY]
        rows = conn.execute(
            select(DATASETS.c.id, VERSIONS.c.commit_sha, FILES.c.path, FILES.c.md5,
                   FILES.c.source)
            .join(VERSIONS, (VERSIONS.c.dataset_id == DATASETS.c.id)
                  & (VERSIONS.c.number == DATASETS.c.version_count))
            .join(FILES, FILES.c.version_id == VERSIONS.c.id)
            .where(DATASETS.c.id.in_(chunk))
            .order_by(DATASETS.c.id, FILES.c.path))
        for dataset_id, sha, path, md5, source in rows:
            out.setdefault(dataset_id, []).append((sha, path, md5, source))
    return out


def _problem_counts(conn, keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    query = select(Problem.dataset_key, func.count(Problem.id)).group_by(Problem.dataset_key)
    if len(keys) <= MANY:
        query = query.where(Problem.dataset_key.in_(keys))
    wanted = set(keys)
    return {key: n for key, n in conn.execute(query) if key in wanted}


def plain_text(markdown: str) -> str:
    """A Markdown description as plain text, near enough for searching and snippets: link
    texts without their addresses, no heading, list, quote, emphasis or code marks."""
    text = _LINK.sub(r"\1", markdown)
    text = _BLOCK_MARK.sub("", text)
    text = _INLINE_MARK.sub("", text)
    return " ".join(text.replace("|", " ").split())


def extract_keywords(row: Any, text: str) -> list[str]:
    """Words that say what a dataset is about beyond its title and description: acronyms,
    coverage, the contact's name and the values of the team's own metadata keys."""
    found = list(dict.fromkeys(ACRONYM.findall(f"{row.title} {text}")))
    for value in (row.temporal_coverage, row.spatial_coverage):
        if value:
            found.append(value)
    if row.contact:
        name, address = parseaddr(row.contact)
        found.append(name or address.split("@")[0])
    found.extend(_flatten(row.extra or {}))
    return [word for word in found if word]


def _flatten(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key).replace("_", " ")
            yield from _flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _owner_words(owner: str) -> str:
    """An owner's address as the words of their name: `priya.shah@…` → `priya shah`."""
    return owner.split("@", 1)[0]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
