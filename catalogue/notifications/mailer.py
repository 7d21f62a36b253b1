"""Sending the outbox's emails over SMTP, and retrying those that failed.

An email is queued (an `OutboxEmail` row) in the same transaction as what it tells of; this
module sends it afterwards, so that an SMTP server that is down or slow never fails nor holds
up a request. Each email is first claimed with a compare-and-swap on its `next_attempt_at`, so
several senders (web workers, `catalogue mail send` from cron) never send one email twice at
once; a sender that dies mid-way leaves its claims to expire after `CLAIM`, and the email is sent
again then (at least once, never lost). A failure is logged, counted in `attempts`, and retried
after a growing delay (`BACKOFF`); after `max_attempts` it is given up, and logged as such.

`smtplib` and `email` are imported only when something is sent: a command that merely queues
mail (an index run) stays as quick to start as before.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from sqlalchemy import func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from catalogue.clock import aware, utcnow
from catalogue.db import read_session, write_session
from catalogue.errors import CatalogueError
from catalogue.notifications.models import OutboxEmail

if TYPE_CHECKING:
    import smtplib
    import ssl
    from email.message import EmailMessage

log = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6), timedelta(hours=12))
"""The wait after the 1st, 2nd, … failure of an email; the last one repeats."""
MAX_ATTEMPTS = 8  # about a day and a half of trying
CLAIM = timedelta(minutes=10)  # how long a sender holds an email it is sending
POLL = 60.0  # seconds: the sender thread looks for mail queued by other processes this often
TIMEOUT = 30.0  # seconds for the SMTP server to answer
BATCH = 50  # emails per connection
SCHEMES = {"smtp": 25, "smtps": 465}


class MailConfigError(CatalogueError):
    """CATALOGUE_SMTP_URL or CATALOGUE_MAIL_FROM cannot be used."""


@dataclass(frozen=True)
class SmtpServer:
    """Where to send: from `smtp://user:password@host:587` (STARTTLS whenever the server offers
    it; a password is never sent without TLS) or `smtps://host:465` (TLS from the start)."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url.strip())
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise MailConfigError("CATALOGUE_SMTP_URL: write smtp://[user:password@]host[:port] "
                                  "or smtps://[user:password@]host[:port]")
        try:
            port = parts.port or SCHEMES[parts.scheme]
        except ValueError:
            raise MailConfigError("CATALOGUE_SMTP_URL: the port is not a number") from None
        return cls(parts.hostname, port, parts.scheme == "smtps",
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password is not None else None)

    def __str__(self) -> str:
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"


@dataclass
class SendReport:
    sent: int = 0
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    """(email id, recipient, error) of each email that failed this time."""
    gave_up: list[int] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)


@dataclass(frozen=True)
class _Claimed:
    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try of an email that has failed `attempts` times."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


class Mailer:
    """Sends due outbox emails (`send_pending`), from the caller's thread or from a background
    sender thread (`start`/`stop`) that `wake` rouses when mail is queued."""

    def __init__(self, engine: Engine, smtp_url: str, mail_from: str | None, *,
                 max_attempts: int = MAX_ATTEMPTS, ssl_context: ssl.SSLContext | None = None,
                 poll: float = POLL):
        self.engine = engine
        self.server = SmtpServer.parse(smtp_url)
        self.mail_from = (mail_from or "").strip() or "data-catalogue@localhost"
        if "@" not in self.mail_from:
            raise MailConfigError(f"CATALOGUE_MAIL_FROM: {self.mail_from!r} is not an address")
        self.max_attempts = max_attempts
        self.ssl_context = ssl_context  # None: the system's trusted certificates
        self.poll = poll
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # Sending

    def send_pending(self, limit: int = 100) -> SendReport:
        """Send up to `limit` due emails over one connection. A failure to send (the server
        down or refusing, an address it will not take) is recorded and logged, never raised."""
        report = SendReport()
        claimed = self._claim(limit)
        if not claimed:
            return report
        done: set[int] = set()
        try:
            with self._connect() as smtp:
                for email in claimed:
                    try:
                        smtp.send_message(self._message(email))
                    except _one_email_errors() as exc:  # this email only; the link is fine
                        self._failed(email, exc, report)
                    else:
                        self._sent(email, report)
                    done.add(email.id)
        except Exception as exc:  # the server: down, refused us, hung up, bad TLS…
            for email in claimed:
                if email.id not in done:
                    self._failed(email, exc, report)
        return report

    def _claim(self, limit: int) -> list[_Claimed]:
        now = utcnow()
        due = [OutboxEmail.sent_at.is_(None), OutboxEmail.attempts < self.max_attempts,
               or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now)]
        claimed = []
        with write_session(self.engine) as s:
            rows = s.exec(select(OutboxEmail).where(*due).order_by(OutboxEmail.id)
                          .limit(limit)).all()
            for row in rows:
                taken = s.exec(update(OutboxEmail).where(OutboxEmail.id == row.id, *due)
                               .values(next_attempt_at=now + CLAIM))
                if taken.rowcount == 1:
                    claimed.append(_Claimed(row.id, row.recipient, row.subject, row.body,
                                            row.attempts))
        return claimed

    def _connect(self) -> smtplib.SMTP:
        import smtplib
        import ssl

        context = self.ssl_context or ssl.create_default_context()
        server = self.server
        if server.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT,
                                                  context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT)
        try:
            smtp.ehlo()
            if not server.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
            if server.username is not None:
                if not server.implicit_tls and smtp.sock is not None and \
                        not isinstance(smtp.sock, ssl.SSLSocket):
                    raise MailConfigError(f"{server} does not offer STARTTLS: the password is "
                                          "not sent without TLS")
                smtp.login(server.username, server.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _message(self, email: _Claimed) -> EmailMessage:
        from email.message import EmailMessage
        from email.utils import formatdate, make_msgid

        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = email.recipient
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(f"outbox-{email.id}",
                                           domain=self.mail_from.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
        message.set_content(email.body)
        return message

    def _sent(self, email: _Claimed, report: SendReport) -> None:
        with write_session(self.engine) as s:
            s.exec(update(OutboxEmail).where(OutboxEmail.id == email.id)
                   .values(sent_at=utcnow(), attempts=email.attempts + 1, last_error=None,
                           next_attempt_at=None))
        report.sent += 1
        log.info("Sent email %d to %s: %s", email.id, email.recipient, email.subject)

    def _failed(self, email: _Claimed, exc: BaseException, report: SendReport) -> None:
        attempts = email.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:2000]
        give_up = attempts >= self.max_attempts
        retry_at = None if give_up else utcnow() + retry_delay(attempts)
        with write_session(self.engine) as s:
            s.exec(update(OutboxEmail).where(OutboxEmail.id == email.id)
                   .values(attempts=attempts, last_error=error, next_attempt_at=retry_at))
        report.failures.append((email.id, email.recipient, error))
        if give_up:
            report.gave_up.append(email.id)
            log.error("Gave up on email %d to %s after %d attempts: %s", email.id,
                      email.recipient, attempts, error)
        else:
            log.warning("Email %d to %s failed (attempt %d; next at %s): %s", email.id,
                        email.recipient, attempts, retry_at.isoformat(), error)

    def next_due(self) -> datetime | None:
        """When the next queued email is due (now or in the past: it is due now)."""
        with read_session(self.engine) as s:
            moment = s.exec(select(func.min(func.coalesce(OutboxEmail.next_attempt_at,
                                                          OutboxEmail.created_at)))
                            .where(OutboxEmail.sent_at.is_(None),
                                   OutboxEmail.attempts < self.max_attempts)).one()
        return aware(moment)

    # The background sender

    def wake(self) -> None:
        """Mail was queued: the sender thread (if running) looks at once."""
        self._wake.set()

    def start(self) -> None:
        """Start the sender thread (again, in a process forked from one that had started it)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._wake.set()  # mail queued while nothing was sending
            self._thread = threading.Thread(target=self._run, name="catalogue-mailer",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        self._wake.set()
        thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before looking: a wake while sending means look again
            wait = self.poll
            try:
                while not self._stopping.is_set():
                    report = self.send_pending(BATCH)
                    if report.sent + report.failed < BATCH:
                        break  # a full batch may have left more behind
                due = self.next_due()
                if due is not None:
                    wait = min(wait, (due - utcnow()).total_seconds())
            except Exception:
                log.exception("The mail sender failed; it tries again in %.0f s", wait)
            self._wake.wait(max(wait, 0.05))


def _one_email_errors() -> tuple[type[BaseException], ...]:
    """Errors about one email (its recipient refused, its data rejected, a header that cannot
    be written), after which the connection can carry the next one."""
    import smtplib

    return (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused,
            smtplib.SMTPNotSupportedError, ValueError)
