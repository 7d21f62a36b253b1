"""Suggested tags: drawn lazily when someone who may accept them looks (and again whenever the
text they come from changes), stored, and decided one by one by the dataset's owners, its
department's publishers or a governance officer (the people who may share it).

Accepting writes nothing to git: the tag is then searched, and the dataset's page shows the
`tags:` line to put in dataset.yaml, until a push carries it there. Dismissing keeps the tag
from being suggested again. Each decision is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import yaml
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from catalogue.access import Reader, readable
from catalogue.audit import Actor, record
from catalogue.clock import utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import DatasetNotFound, Forbidden, InvalidInput
from catalogue.models import Dataset, Version, VersionFile
from catalogue.people import Person
from catalogue.profiles.reads import column_descriptions
from catalogue.profiles.store import SEARCHED_TYPES, profile_columns
from catalogue.sharing import may_share
from catalogue.tags.extract import Text, suggest
from catalogue.tags.models import ACCEPTED, DISMISSED, SUGGESTED, TagSuggestion

DECISIONS = {"accept": ACCEPTED, "dismiss": DISMISSED}


@dataclass(frozen=True)
class SuggestedTag:
    tag: str
    score: float
    status: str
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class TagReview:
    """What the dataset's page shows someone who may decide: the open suggestions, the tags
    accepted but not yet in dataset.yaml, and the line that would put them there."""

    dataset: str
    suggested: list[SuggestedTag]
    accepted: list[SuggestedTag]
    dataset_yaml_line: str | None


def dataset_yaml_line(tags: list[str], added: list[str]) -> str | None:
    """The `tags:` line of dataset.yaml with the accepted tags added (None: nothing to add)."""
    new = [tag for tag in added if tag not in tags]
    if not new:
        return None
    return yaml.safe_dump({"tags": [*tags, *new]}, default_flow_style=None,
                          allow_unicode=True, width=10_000).strip()


class TagSuggestions:
    """`listeners` hear the keys of datasets whose accepted tags changed (search re-indexes)."""

    def __init__(self, engine: Engine, listeners: list[Callable[[set[str]], None]] | None = None):
        self.engine = engine
        self.listeners = list(listeners or [])

    def review(self, person: Person | None, reader: Reader, key: str,
               operator: bool = False) -> TagReview | None:
        """The suggestions for a dataset this person may decide on (None: they may not),
        drawn first when there are none yet for its current text. `operator`: the command
        line, run by whoever runs the catalogue."""
        with read_session(self.engine) as s:
            dataset = self._dataset(s, reader, key)
            if not (operator or may_share(person, dataset.department, dataset.owners)):
                return None
            text = self._text(s, dataset)
            fresh = s.exec(select(TagSuggestion).where(
                TagSuggestion.department == dataset.department,
                TagSuggestion.dataset == dataset.slug,
                TagSuggestion.basis == text.basis())).first() is not None
        if not fresh:
            self.refresh(key)
        return self._review(reader, key)

    def refresh(self, key: str) -> None:
        """Draw the dataset's suggestions from its current text: open ones from an older text
        go, decided ones stay (a dismissed tag is not suggested again). Two pages opened at
        once (two web workers) may both draw: the second finds the first's rows and gives way,
        since both drew the same suggestions from the same text."""
        try:
            self._draw(key)
        except (IntegrityError, StaleDataError):
            pass

    def _draw(self, key: str) -> None:
        with write_session(self.engine) as s:
            dataset = self._dataset(s, Reader.everyone(), key)
            text = self._text(s, dataset)
            basis = text.basis()
            rows = s.exec(select(TagSuggestion).where(
                TagSuggestion.department == dataset.department,
                TagSuggestion.dataset == dataset.slug)).all()
            known = {row.tag: row for row in rows}
            drawn = dict(suggest(text, existing=[*dataset.tags, *(
                tag for tag, row in known.items() if row.status != SUGGESTED)]))
            for tag, row in known.items():
                if row.status == SUGGESTED and tag not in drawn:
                    s.delete(row)
                else:  # the text last read, whatever was drawn from it
                    row.basis, row.score = basis, drawn.get(tag, row.score)
                    s.add(row)
            for tag, score in drawn.items():
                if tag not in known:
                    s.add(TagSuggestion(department=dataset.department, dataset=dataset.slug,
                                        tag=tag, score=score, basis=basis,
                                        created_at=utcnow()))
            if not drawn and not known:  # remember the text was read: no drawing at each look
                s.add(TagSuggestion(department=dataset.department, dataset=dataset.slug,
                                    tag="", score=0.0, basis=basis, status=DISMISSED,
                                    created_at=utcnow()))

    def decide(self, person: Person | None, reader: Reader, actor: Actor, key: str, tag: str,
               decision: str, operator: bool = False) -> TagReview:
        """Accept or dismiss one suggested tag."""
        if decision not in DECISIONS:
            raise InvalidInput("decision", "choose accept or dismiss")
        tag = (tag or "").strip().lower()
        with write_session(self.engine) as s:
            dataset = self._dataset(s, reader, key)
            if not (operator or may_share(person, dataset.department, dataset.owners)):
                raise Forbidden("Only the dataset's owners, its department's publishers and "
                                "governance officers decide its tags")
            row = s.exec(select(TagSuggestion).where(
                TagSuggestion.department == dataset.department,
                TagSuggestion.dataset == dataset.slug, TagSuggestion.tag == tag)).first()
            if row is None or not tag:
                raise InvalidInput("tag", f"{tag!r} is not a tag suggested for {key}")
            row.status = DECISIONS[decision]
            row.decided_by, row.decided_at = actor.email or "command line", utcnow()
            s.add(row)
            record(s, actor, f"tag.{row.status}", key, tag=tag)
        for listener in self.listeners:
            listener({key})
        return self._review(reader, key)

    def forget(self, key: str) -> None:
        """Drop every suggestion and decision of a dataset (tests and operators)."""
        department, slug = key.split("/", 1)
        with write_session(self.engine) as s:
            s.exec(delete(TagSuggestion).where(TagSuggestion.department == department,
                                               TagSuggestion.dataset == slug))

    def _review(self, reader: Reader, key: str) -> TagReview:
        with read_session(self.engine) as s:
            dataset = self._dataset(s, reader, key)
            rows = s.exec(select(TagSuggestion).where(
                TagSuggestion.department == dataset.department,
                TagSuggestion.dataset == dataset.slug, TagSuggestion.tag != "")
                .order_by(TagSuggestion.score.desc(), TagSuggestion.tag)).all()
        shown = [SuggestedTag(r.tag, r.score, r.status, r.decided_by, r.decided_at)
                 for r in rows]
        accepted = [t for t in shown if t.status == ACCEPTED and t.tag not in dataset.tags]
        return TagReview(key, [t for t in shown if t.status == SUGGESTED], accepted,
                         dataset_yaml_line(list(dataset.tags), [t.tag for t in accepted]))

    @staticmethod
    def _dataset(s: Session, reader: Reader, key: str) -> Dataset:
        department, _, slug = key.partition("/")
        row = s.exec(select(Dataset).where(Dataset.department == department,
                                           Dataset.slug == slug, readable(reader))).first()
        if row is None:
            raise DatasetNotFound(key)
        return row

    def _text(self, s: Session, dataset: Dataset) -> Text:
        """The title, description and columns: those dataset.yaml describes, then those the
        current version's profiles found."""
        described = column_descriptions(dataset)
        md5s = s.exec(select(VersionFile.md5).join(Version, Version.id == VersionFile.version_id)
                      .where(Version.dataset_id == dataset.id,
                             Version.number == dataset.version_count)).all()
        names = dict.fromkeys(described)
        for found in profile_columns(self.engine, md5s).values():
            names.update(dict.fromkeys(n for n in found if n not in SEARCHED_TYPES))
        columns = tuple((name, str(described.get(name, {}).get("description") or ""))
                        for name in names)
        return Text(dataset.title, dataset.description or "", columns)
