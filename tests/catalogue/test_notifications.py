"""Notifications in the core: telling people in the caller's transaction, emails through a real
SMTP server (aiosmtpd on 127.0.0.1) with retries when it is down, following datasets, and the
indexer's listener that tells followers of new versions once, and only those who may read them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, update
from sqlmodel import select

from catalogue.audit import Actor
from catalogue.cli import main
from catalogue.core import Catalogue
from catalogue.db import read_session, write_session
from catalogue.errors import DatasetNotFound, NotFound
from catalogue.notifications.mailer import (
    BACKOFF,
    MailConfigError,
    Mailer,
    SmtpServer,
    retry_delay,
)
from catalogue.notifications.models import Notification, OutboxEmail
from catalogue.people import Person, add_account, disable, find
from catalogue.settings import Settings
from tests.builders import RegistryBuilder
from tests.smtp import SmtpSink

CLI = Actor.command_line()
HANA = "hana.housing@council.example.gov.uk"
PAT = "pat.health@council.example.gov.uk"
GITA = "gita.governance@council.example.gov.uk"
GARY = "gary.governance@council.example.gov.uk"
DORA = "dora.disabled@council.example.gov.uk"
SENDER = "data-catalogue@council.example.gov.uk"
BASE_URL = "https://data.council.example"
KEY = "housing/rough-sleeping"
CLOSED = "housing/casework"


class Boom(Exception):
    pass


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def mail_settings(settings: Settings, smtp_url: str) -> Settings:
    return replace(settings, smtp_url=smtp_url, mail_from=SENDER, base_url=BASE_URL)


@pytest.fixture
def mailing(settings: Settings, smtp: SmtpSink) -> Iterator[Catalogue]:
    """A catalogue whose emails go to the test's SMTP server."""
    cat = Catalogue(mail_settings(settings, smtp.url))
    yield cat
    cat.close()


def add_people(cat: Catalogue) -> dict[str, Person]:
    for email, department, role in [(HANA, "housing", "staff"), (PAT, "public-health", "staff"),
                                    (GITA, "housing", "governance"),
                                    (GARY, "finance", "governance"),
                                    (DORA, "housing", "staff")]:
        add_account(cat.engine, CLI, email, email.split(".")[0].title(),
                    departments=[department], role=role)
    disable(cat.engine, CLI, DORA)
    return {email: find(cat.engine, email) for email in (HANA, PAT, GITA, GARY)}


def notifications_of(cat: Catalogue, email: str) -> list[Notification]:
    person = find(cat.engine, email)
    with read_session(cat.engine) as s:
        return list(s.exec(select(Notification).where(Notification.account_id == person.id)
                           .order_by(Notification.id)))


def outbox(cat: Catalogue) -> list[OutboxEmail]:
    with read_session(cat.engine) as s:
        return list(s.exec(select(OutboxEmail).order_by(OutboxEmail.id)))


def eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    """Wait until `check()` holds, looking every few milliseconds, failing after `timeout`."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.02)


# Telling, in the caller's transaction


def test_tell_writes_notifications_and_emails_with_the_callers_transaction(mailing):
    add_people(mailing)
    everyone = [HANA, PAT.upper(), "nobody@council.example.gov.uk", DORA]
    with pytest.raises(Boom), write_session(mailing.engine) as s:
        mailing.notifications.tell(s, everyone, "test.kind", "Rolled back", "Never seen",
                                   "/datasets/housing/x")
        s.flush()
        assert s.exec(select(func.count(Notification.id))).one() == 2  # not the disabled one
        assert s.exec(select(func.count(OutboxEmail.id))).one() == 2
        raise Boom
    assert notifications_of(mailing, HANA) == [] and outbox(mailing) == []

    with write_session(mailing.engine) as s:
        mailing.notifications.tell(s, everyone, "test.kind", "Committed", "Line one",
                                   "/datasets/housing/x")
    [hana] = notifications_of(mailing, HANA)
    assert (hana.kind, hana.subject, hana.body, hana.link, hana.read_at) == (
        "test.kind", "Committed", "Line one", "/datasets/housing/x", None)
    assert len(notifications_of(mailing, PAT)) == 1
    assert notifications_of(mailing, DORA) == []
    emails = outbox(mailing)
    assert sorted(e.recipient for e in emails) == [HANA, PAT]
    assert emails[0].body == f"Line one\n\n{BASE_URL}/datasets/housing/x\n"
    assert all(e.sent_at is None and e.attempts == 0 for e in emails)


def test_without_smtp_only_the_app_is_told(catalogue):
    add_people(catalogue)
    assert catalogue.notifications.mailer is None
    with write_session(catalogue.engine) as s:
        catalogue.notifications.tell(s, [HANA], "test.kind", "In the app", "Only", None)
    assert [n.subject for n in notifications_of(catalogue, HANA)] == ["In the app"]
    assert outbox(catalogue) == []


def test_tell_governance_tells_every_officer_but_the_excluded(catalogue):
    add_people(catalogue)
    with write_session(catalogue.engine) as s:
        catalogue.notifications.tell_governance(s, "release.requested", "A request", "Body",
                                                "/x", exclude=[GITA.upper()])
    assert [n.subject for n in notifications_of(catalogue, GARY)] == ["A request"]
    assert notifications_of(catalogue, GITA) == [] and notifications_of(catalogue, HANA) == []


# Email


def test_emails_arrive_with_subject_body_and_link(mailing, smtp):
    add_people(mailing)
    with write_session(mailing.engine) as s:
        mailing.notifications.tell(s, [HANA, PAT], "test.kind", "Version 7 is ready",
                                   "Rough sleeping street counts: version 7",
                                   "/datasets/housing/rough-sleeping/versions/7")
    report = mailing.notifications.mailer.send_pending()
    assert (report.sent, report.failed) == (2, 0)
    messages = smtp.wait_for(2)
    assert sorted(m["To"] for m in messages) == [HANA, PAT]
    for message in messages:
        assert message["Subject"] == "Version 7 is ready"
        assert message["From"] == SENDER
        text = message.get_content()
        assert "Rough sleeping street counts: version 7" in text
        assert f"{BASE_URL}/datasets/housing/rough-sleeping/versions/7" in text
    assert all(e.sent_at is not None and e.attempts == 1 for e in outbox(mailing))
    assert mailing.notifications.mailer.send_pending().sent == 0  # sent once only


def test_a_refused_address_fails_its_own_email_only(mailing, smtp):
    add_people(mailing)
    smtp.refuse = {PAT}
    with write_session(mailing.engine) as s:
        mailing.notifications.tell(s, [PAT, HANA], "test.kind", "One of two", "Body", None)
    report = mailing.notifications.mailer.send_pending()
    assert report.sent == 1 and [(to, "550" in error) for _, to, error in report.failures] == \
        [(PAT, True)]
    assert [m["To"] for m in smtp.wait_for(1)] == [HANA]
    by_recipient = {e.recipient: e for e in outbox(mailing)}
    assert by_recipient[HANA].sent_at is not None
    assert by_recipient[PAT].sent_at is None and by_recipient[PAT].attempts == 1
    assert "No such mailbox" in by_recipient[PAT].last_error


def test_the_sender_is_woken_once_the_mail_is_committed(mailing, smtp):
    """The thread polls once a minute; it is woken when a transaction that queued mail ends
    (not before: the email would not be there yet for it to see)."""
    add_people(mailing)
    mailer = mailing.notifications.mailer
    with write_session(mailing.engine) as s:
        mailing.notifications.tell(s, [HANA], "test.kind", "First", "Queued", None)
        s.flush()
        assert not mailer._wake.is_set()
    assert mailer._wake.is_set()
    assert mailer.send_pending().sent == 1
    mailer._wake.clear()
    with write_session(mailing.engine) as s:
        mailing.notifications.tell(s, ["nobody@council.example.gov.uk"], "test.kind", "None",
                                   "Queues nothing", None)
    assert not mailer._wake.is_set()

    mailer.start()
    assert mailer.running
    with write_session(mailing.engine) as s:
        mailing.notifications.tell(s, [HANA], "test.kind", "Woken", "Sent by the thread", None)
    assert [m["Subject"] for m in smtp.wait_for(2, timeout=10)] == ["First", "Woken"]
    eventually(lambda: outbox(mailing)[1].sent_at is not None)
    mailer.stop()
    assert not mailer.running


def test_a_server_that_is_down_delays_the_email_and_it_is_sent_when_back(settings, caplog):
    down = SmtpSink()  # its port has no server yet
    cat = Catalogue(mail_settings(settings, down.url))
    try:
        add_people(cat)
        mailer = cat.notifications.mailer
        mailer.start()  # the thread meets the failure: nothing reaches whoever told
        with caplog.at_level(logging.WARNING, "catalogue.notifications.mailer"):
            with write_session(cat.engine) as s:
                cat.notifications.tell(s, [HANA], "test.kind", "Delayed", "Retried", "/x")
            eventually(lambda: bool(outbox(cat)) and outbox(cat)[0].attempts == 1)
        mailer.stop()
        [email] = outbox(cat)
        assert email.sent_at is None and "Connection refused" in email.last_error
        due_in = email.next_attempt_at.replace(tzinfo=UTC) - datetime.now(UTC)
        assert timedelta(seconds=50) < due_in <= BACKOFF[0]
        assert any("failed (attempt 1" in r.getMessage() for r in caplog.records)
        report = mailer.send_pending()
        assert (report.sent, report.failed) == (0, 0)  # not due yet

        with cat.engine.begin() as conn:  # its retry time comes
            conn.execute(update(OutboxEmail).values(
                next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        down.start()
        try:
            assert mailer.send_pending().sent == 1
            [message] = down.wait_for(1)
        finally:
            down.stop()
        assert message["Subject"] == "Delayed"
        [email] = outbox(cat)
        assert email.sent_at is not None and email.attempts == 2 and email.last_error is None
    finally:
        cat.close()


def test_retries_wait_longer_each_time_and_give_up_after_the_last(settings, caplog):
    assert [retry_delay(n) for n in range(1, len(BACKOFF) + 3)] == \
        [*BACKOFF, BACKOFF[-1], BACKOFF[-1]]
    assert list(BACKOFF) == sorted(BACKOFF)
    down = SmtpSink()
    cat = Catalogue(mail_settings(settings, down.url))
    try:
        add_people(cat)
        mailer = Mailer(cat.engine, down.url, SENDER, max_attempts=2)
        with write_session(cat.engine) as s:
            cat.notifications.tell(s, [HANA], "test.kind", "Never", "Gives up", None)
        assert mailer.send_pending().failed == 1
        with cat.engine.begin() as conn:
            conn.execute(update(OutboxEmail).values(
                next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))
        with caplog.at_level(logging.ERROR, "catalogue.notifications.mailer"):
            report = mailer.send_pending()
        [email] = outbox(cat)
        assert report.gave_up == [email.id] and email.attempts == 2
        assert email.next_attempt_at is None and email.sent_at is None
        assert any("Gave up on email" in r.getMessage() for r in caplog.records)
        assert mailer.send_pending().failed == 0 and mailer.next_due() is None
    finally:
        cat.close()


def test_mail_send_on_the_command_line(settings, smtp):
    cat = Catalogue(mail_settings(settings, smtp.url))
    try:
        add_people(cat)
        with write_session(cat.engine) as s:
            cat.notifications.tell(s, [HANA, PAT], "test.kind", "From cron", "Body", None)
    finally:
        cat.close()
    env = {"DATABASE_URL": settings.database_url, "CATALOGUE_MAIL_FROM": SENDER}
    args = ["mail", "send", "--instance", str(settings.instance)]
    without = CliRunner().invoke(main, args, env={**env, "CATALOGUE_SMTP_URL": ""})
    assert without.exit_code == 1 and "no SMTP server is configured" in without.output
    done = CliRunner().invoke(main, args, env={**env, "CATALOGUE_SMTP_URL": smtp.url})
    assert done.exit_code == 0, done.output
    assert f"Sent 2 email(s) through {smtp.url}" in done.output
    assert {m["Subject"] for m in smtp.wait_for(2)} == {"From cron"}


def test_smtp_urls():
    server = SmtpServer.parse("smtp://alerts%40council:p%40ss@mail.council.example:587")
    assert (server.host, server.port, server.implicit_tls, server.username,
            server.password) == ("mail.council.example", 587, False, "alerts@council", "p@ss")
    assert "p@ss" not in repr(server) and "p@ss" not in str(server)
    assert SmtpServer.parse("smtps://mail.council.example") == SmtpServer(
        "mail.council.example", 465, True)
    assert SmtpServer.parse("smtp://localhost:1025") == SmtpServer("localhost", 1025, False)
    for bad in ("http://mail.example", "smtp://", "smtp://host:port", "mail.example:25"):
        with pytest.raises(MailConfigError):
            SmtpServer.parse(bad)


# Reading one's own


def test_inbox_unread_count_and_mark_read_are_each_persons_own(catalogue):
    people = add_people(catalogue)
    hana, pat = people[HANA], people[PAT]
    notifications = catalogue.notifications
    for n in range(3):
        with write_session(catalogue.engine) as s:
            notifications.tell(s, [HANA], "test.kind", f"Hana {n}", "", None)
    with write_session(catalogue.engine) as s:
        notifications.tell(s, [PAT], "test.kind", "Pat's", "", None)

    count, items = notifications.inbox(hana, 1, 2)
    assert count == 3 and [n.subject for n in items] == ["Hana 2", "Hana 1"]
    assert [n.subject for n in notifications.inbox(hana, 2, 2)[1]] == ["Hana 0"]
    assert notifications.unread_count(hana) == 3
    [pats] = notifications.inbox(pat)[1]

    with pytest.raises(NotFound):
        notifications.mark_read(hana, [items[0].id, pats.id])
    assert notifications.unread_count(hana) == 3 and notifications.unread_count(pat) == 1
    assert notifications.mark_read(hana, [items[0].id]) == 1
    assert notifications.unread_count(hana) == 2
    assert notifications.inbox(hana)[1][0].read
    assert notifications.mark_read(hana, None) == 2
    assert notifications.unread_count(hana) == 0 and notifications.unread_count(pat) == 1


# Following, and the indexer's listener


@pytest.fixture
def indexed(catalogue: Catalogue, registry: RegistryBuilder) -> RegistryBuilder:
    """An internal dataset (every member of staff reads it) and a department-only one."""
    registry.metadata(CLOSED, title="Casework", visibility="department")
    registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count",
                     title="Rough sleeping street counts", visibility="internal")
    catalogue.indexer.index(str(registry.path))
    return registry


def test_follow_only_what_one_may_read(catalogue, indexed):
    people = add_people(catalogue)
    notifications = catalogue.notifications
    notifications.follow(people[HANA], KEY)
    notifications.follow(people[HANA], KEY)  # again: no change
    notifications.follow(people[PAT], KEY)
    notifications.follow(people[HANA], CLOSED)
    for key in (CLOSED, "housing/no-such-dataset"):  # hidden, or not there: the same answer
        with pytest.raises(DatasetNotFound, match=f"No dataset {key}"):
            notifications.follow(people[PAT], key)
        with pytest.raises(DatasetNotFound, match=f"No dataset {key}"):
            notifications.follows(people[PAT], key)
        with pytest.raises(DatasetNotFound):
            notifications.unfollow(people[PAT], key)
    with read_session(catalogue.engine) as s:
        assert notifications.followers(s, "housing", "rough-sleeping") == [HANA, PAT]
        assert notifications.followers(s, "housing", "casework") == [HANA]
    assert notifications.follows(people[HANA], KEY) and notifications.follows(people[PAT], KEY)
    notifications.unfollow(people[PAT], KEY)
    assert not notifications.follows(people[PAT], KEY)
    notifications.unfollow(people[PAT], KEY)  # again: no change
    with read_session(catalogue.engine) as s:
        assert notifications.followers(s, "housing", "rough-sleeping") == [HANA]


def test_a_follower_is_told_of_each_new_version_once(mailing, registry):
    registry.version(KEY, {"counts.csv": "ward,count\nAbbey,3\n"}, "First count",
                     title="Rough sleeping street counts", visibility="internal")
    mailing.indexer.index(str(registry.path))
    people = add_people(mailing)
    mailing.notifications.follow(people[HANA], KEY)

    mailing.indexer.index(str(registry.path))  # nothing new
    registry.metadata(KEY, title="Rough sleeping counts", visibility="internal")
    registry.commit("A better title", "ben")
    mailing.indexer.index(str(registry.path))  # the dataset changed, not its version
    assert notifications_of(mailing, HANA) == []

    registry.version(KEY, {"counts.csv": "ward,count\nAbbey,4\n"}, "Second count", "cara")
    mailing.indexer.index(str(registry.path))
    mailing.indexer.index(str(registry.path))  # nothing new again
    mailing.indexer.reindex()  # every dataset "changed"; still nothing new
    [told] = notifications_of(mailing, HANA)
    assert told.subject == f"{KEY} has a new version: v2"
    assert told.kind == "dataset.version"
    assert told.link == f"/datasets/{KEY}/versions/2"
    assert "Second count" in told.body and "Cara Jones" in told.body
    [email] = outbox(mailing)
    assert email.recipient == HANA and f"{BASE_URL}/datasets/{KEY}/versions/2" in email.body
    assert notifications_of(mailing, PAT) == []  # follows nothing


def test_a_follower_who_lost_access_is_not_told(catalogue, indexed):
    people = add_people(catalogue)
    for email in (HANA, PAT, GITA):
        catalogue.notifications.follow(people[email], KEY)
    indexed.metadata(KEY, title="Rough sleeping street counts", visibility="department")
    indexed.version(KEY, {"counts.csv": "ward,count\nAbbey,5\n"}, "Second count", "ben")
    catalogue.indexer.index(str(indexed.path))
    assert [n.subject for n in notifications_of(catalogue, HANA)] == \
        [f"{KEY} has a new version: v2"]
    assert [n.subject for n in notifications_of(catalogue, GITA)] == \
        [f"{KEY} has a new version: v2"]  # governance reads everything
    assert notifications_of(catalogue, PAT) == []  # public health: no longer allowed

    disable(catalogue.engine, CLI, HANA)
    indexed.version(KEY, {"counts.csv": "ward,count\nAbbey,6\n"}, "Third count", "ben")
    catalogue.indexer.index(str(indexed.path))
    assert len(notifications_of(catalogue, HANA)) == 1  # a disabled account is told nothing
    assert len(notifications_of(catalogue, GITA)) == 2
    assert notifications_of(catalogue, PAT) == []
