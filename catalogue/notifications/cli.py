"""`catalogue mail …`: the email outbox from the command line, for operators and cron (the web
app sends in a background thread of its own; both may run: an email is claimed before it is
sent, so it goes once). catalogue.cli loads this module only when `mail` runs."""

from __future__ import annotations

import click

from catalogue.cli import INSTANCE
from catalogue.notifications.mailer import BATCH


@click.group()
def mail() -> None:
    """Send the email notifications waiting in the outbox."""


@mail.command("send")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1),
              help="Send at most this many emails in this run.")
@INSTANCE
def send(limit: int, instance: str) -> None:
    """Send the emails that are due (new ones, and failed ones whose retry time has come).

    Failures are recorded and retried later with a growing delay (each given up after a
    number of attempts); this command lists them on stderr and still exits 0.
    """
    from catalogue.core import Catalogue

    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        mailer = cat.notifications.mailer
        if mailer is None:
            raise click.ClickException("no SMTP server is configured: set CATALOGUE_SMTP_URL "
                                       "(and CATALOGUE_MAIL_FROM)")
        sent = failed = 0
        while sent + failed < limit:
            batch = min(BATCH, limit - sent - failed)
            report = mailer.send_pending(batch)
            sent, failed = sent + report.sent, failed + report.failed
            for email_id, recipient, error in report.failures:
                given_up = " (given up)" if email_id in report.gave_up else ""
                click.echo(f"Email {email_id} to {recipient} failed{given_up}: {error}", err=True)
            if report.sent + report.failed < batch or not report.sent:
                break  # nothing more is due, or the server is not taking mail
        click.echo(f"Sent {sent} email(s) through {mailer.server}"
                   + (f"; {failed} failed, to be retried later" if failed else ""))
    finally:
        cat.close()
