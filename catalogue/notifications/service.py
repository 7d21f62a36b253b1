"""Telling people things: in the app (a `Notification` each, shown with an unread count) and,
when an SMTP server is configured, by email (an `OutboxEmail` each, sent by the Mailer).

`tell` writes in the caller's open transaction, so a notification exists exactly when what it
tells of does: a request rolled back tells nobody. Once that transaction ends and its
connection goes back to the pool, the mail sender is woken (a pool `checkin` listener: the
one moment known to follow the commit, whoever began the transaction).

People follow datasets they may read; after each index run they are told of the newest
version of each dataset they follow, if they may read that version and were not told of it
(nor had it when they began to follow: `Follow.seen_version`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, event, func, tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalogue.access import Reader, can_read, first_readable_version
from catalogue.clock import aware, utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import DatasetNotFound, NotFound
from catalogue.models import Account, Dataset, Version
from catalogue.notifications.models import Follow, Notification, OutboxEmail
from catalogue.people import Person, person_by_id

if TYPE_CHECKING:
    from catalogue.notifications.mailer import Mailer

NEW_VERSION = "dataset.version"
WAKE_MAILER = "catalogue.notifications.wake"  # set on a connection that queued mail


@dataclass(frozen=True)
class NotificationInfo:
    id: int
    at: datetime
    kind: str
    subject: str
    body: str
    link: str | None
    read_at: datetime | None

    @property
    def read(self) -> bool:
        return self.read_at is not None


class Notifications:
    def __init__(self, engine: Engine, mailer: Mailer | None = None,
                 base_url: str | None = None):
        """`base_url`: the catalogue's public address, to make the links in emails absolute
        (None: emails carry no link)."""
        self.engine = engine
        self.mailer = mailer
        self.base_url = base_url.rstrip("/") if base_url else None
        if mailer is not None:
            event.listen(engine, "checkin", self._checked_in)

    def close(self) -> None:
        if self.mailer is not None:
            self.mailer.stop()
            event.remove(self.engine, "checkin", self._checked_in)

    # Telling

    def tell(self, s: Session, emails: Iterable[str], kind: str, subject: str, body: str,
             link: str | None = None) -> None:
        """Notify the accounts with these emails (unknown ones ignored, disabled ones skipped),
        and queue an email to each when mail is configured, in `s`'s transaction."""
        wanted = {e.strip().lower() for e in emails if e and e.strip()}
        if not wanted:
            return
        accounts = s.exec(select(Account.id, Account.email).where(
            col(Account.email).in_(wanted), Account.disabled == False)  # noqa: E712
            .order_by(Account.email)).all()
        now = utcnow()
        for account_id, email in accounts:
            s.add(Notification(account_id=account_id, at=now, kind=kind, subject=subject,
                               body=body, link=link))
            if self.mailer is not None:
                s.add(OutboxEmail(recipient=email, subject=subject,
                                  body=self.email_body(body, link), created_at=now))
        if accounts and self.mailer is not None:
            s.connection().info[WAKE_MAILER] = True

    def tell_governance(self, s: Session, kind: str, subject: str, body: str,
                        link: str | None = None, exclude: Iterable[str] = ()) -> None:
        """Notify every governance officer but those excluded (e.g. the one who acted)."""
        excluded = {e.strip().lower() for e in exclude}
        officers = s.exec(select(Account.email).where(
            Account.role == "governance", Account.disabled == False)).all()  # noqa: E712
        self.tell(s, [e for e in officers if e not in excluded], kind, subject, body, link)

    def email_body(self, body: str, link: str | None) -> str:
        if link and self.base_url and link.startswith("/"):
            return f"{body.rstrip()}\n\n{self.base_url}{link}\n"
        return body.rstrip() + "\n"

    def _checked_in(self, _dbapi_connection, record) -> None:
        """A connection is back in the pool, its transaction over: if it queued mail, the
        sender looks now (a rolled-back transaction only wakes it for nothing)."""
        if record is not None and record.info.pop(WAKE_MAILER, False) and self.mailer:
            self.mailer.wake()

    # Following

    def followers(self, s: Session, department: str, dataset: str) -> list[str]:
        """The emails of the people (accounts not disabled) who follow `department/dataset`."""
        return list(s.exec(
            select(Account.email).join(Follow, col(Follow.account_id) == Account.id)
            .where(Follow.department == department, Follow.dataset == dataset,
                   Account.disabled == False)  # noqa: E712
            .order_by(Account.email)).all())

    def follow(self, person: Person, key: str) -> None:
        """Follow a dataset the person may read (following it again changes nothing)."""
        try:
            with write_session(self.engine) as s:
                dataset = _readable(s, person, key)
                if _follow_row(s, person, dataset) is None:
                    s.add(Follow(account_id=person.id, department=dataset.department,
                                 dataset=dataset.slug, since=utcnow(),
                                 seen_version=dataset.version_count))
        except IntegrityError:
            pass  # followed by a concurrent request a moment ago

    def unfollow(self, person: Person, key: str) -> None:
        """Stop following; allowed even after losing access to the dataset (but a dataset the
        person neither follows nor may read is not found, as anywhere else)."""
        department, _, slug = key.partition("/")
        with write_session(self.engine) as s:
            gone = s.exec(delete(Follow).where(Follow.account_id == person.id,
                                               Follow.department == department,
                                               Follow.dataset == slug))
            if gone.rowcount == 0:
                _readable(s, person, key)

    def follows(self, person: Person, key: str) -> bool:
        with read_session(self.engine) as s:
            return _follow_row(s, person, _readable(s, person, key)) is not None

    # Reading one's own

    def unread_count(self, person: Person) -> int:
        with read_session(self.engine) as s:
            return s.exec(select(func.count(col(Notification.id))).where(
                Notification.account_id == person.id,
                col(Notification.read_at).is_(None))).one()

    def inbox(self, person: Person, page: int = 1,
              per_page: int = 20) -> tuple[int, list[NotificationInfo]]:
        """A page of the person's notifications, newest first, and how many there are."""
        with read_session(self.engine) as s:
            mine = Notification.account_id == person.id
            count = s.exec(select(func.count(col(Notification.id))).where(mine)).one()
            rows = s.exec(select(Notification).where(mine)
                          .order_by(col(Notification.at).desc(), col(Notification.id).desc())
                          .offset((max(page, 1) - 1) * per_page).limit(per_page)).all()
            return count, [NotificationInfo(r.id, aware(r.at), r.kind, r.subject, r.body,
                                            r.link, aware(r.read_at)) for r in rows]

    def mark_read(self, person: Person, ids: Iterable[int] | None = None) -> int:
        """Mark some of the person's notifications read (None: all of them); how many were
        unread. An id that is not theirs is not found, and nothing is marked."""
        with write_session(self.engine) as s:
            mine = [Notification.account_id == person.id]
            if ids is not None:
                wanted = set(ids)
                found = set(s.exec(select(Notification.id).where(
                    *mine, col(Notification.id).in_(wanted))).all())
                if wanted - found:
                    raise NotFound("No such notification")
                mine.append(col(Notification.id).in_(wanted))
            done = s.exec(update(Notification).where(*mine, col(Notification.read_at).is_(None))
                          .values(read_at=utcnow()))
            return done.rowcount

    # The indexer's listener

    def new_versions(self, keys: set[str] | None) -> None:
        """Tell the followers of these datasets (None: of every dataset) of each one's newest
        version, if they may read it and were not told of it yet."""
        if keys is not None and not keys:
            return
        query = select(Follow, Dataset).join(Dataset, (Dataset.department == Follow.department)
                                             & (Dataset.slug == Follow.dataset)).where(
            Dataset.version_count > Follow.seen_version)
        if keys is not None:
            pairs = [tuple(k.split("/", 1)) for k in keys if "/" in k]
            query = query.where(tuple_(Follow.department, Follow.dataset).in_(pairs))
        with write_session(self.engine) as s:
            readers: dict[int, tuple[Person, Reader] | None] = {}
            for follow, dataset in s.exec(query.order_by(Follow.id)).all():
                if follow.account_id not in readers:
                    person = person_by_id(s, follow.account_id)
                    readers[follow.account_id] = (person, person.reader(s)) if person else None
                found = readers[follow.account_id]
                newest = dataset.version_count
                if found is None or not can_read(found[1], dataset) \
                        or first_readable_version(found[1], dataset) > newest:
                    continue  # not told; told of the newest once they may read it
                told = s.exec(update(Follow).where(Follow.id == follow.id,
                                                   Follow.seen_version < newest)
                              .values(seen_version=newest))
                if told.rowcount == 1:  # a concurrent run did not tell them first
                    self._tell_version(s, found[0], dataset)

    def _tell_version(self, s: Session, person: Person, dataset: Dataset) -> None:
        number = dataset.version_count
        version = s.exec(select(Version).where(Version.dataset_id == dataset.id,
                                               Version.number == number)).first()
        body = f"{dataset.title}: version {number}"
        if version is not None:
            body += f", by {version.author_name}: {version.message.strip()}"
        self.tell(s, [person.email], NEW_VERSION,
                  f"{dataset.key} has a new version: v{number}", body,
                  f"/datasets/{dataset.department}/{dataset.slug}/versions/{number}")


def _readable(s: Session, person: Person, key: str) -> Dataset:
    """The dataset, if this person may read it; else not found, as a missing one would be."""
    department, _, slug = key.partition("/")
    dataset = s.exec(select(Dataset).where(Dataset.department == department,
                                           Dataset.slug == slug)).first()
    if dataset is None or not can_read(person.reader(s), dataset):
        raise DatasetNotFound(key)
    return dataset


def _follow_row(s: Session, person: Person, dataset: Dataset) -> Follow | None:
    return s.exec(select(Follow).where(Follow.account_id == person.id,
                                       Follow.department == dataset.department,
                                       Follow.dataset == dataset.slug)).first()
