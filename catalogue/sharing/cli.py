"""`catalogue grants …`: the register of shares and grant decisions from the command line.
catalogue.cli loads this module only when `grants` runs."""

from __future__ import annotations

import click

from catalogue.cli import INSTANCE
from catalogue.sharing.rules import SHOWN_STATES


@click.group()
def grants() -> None:
    """The register of shares: list grants, approve or refuse pending ones."""


@grants.command("list")
@click.option("--status", type=click.Choice(SHOWN_STATES))
@click.option("--dataset", metavar="DEPT/DATASET")
@click.option("--partner", metavar="SLUG")
@click.option("--agreement", metavar="REFERENCE")
@click.option("--csv", "as_csv", is_flag=True, help="Write the register as CSV.")
@INSTANCE
def list_grants(status: str | None, dataset: str | None, partner: str | None,
                agreement: str | None, as_csv: bool, instance: str) -> None:
    """List every grant with its status (the register of shares)."""
    from catalogue.core import Catalogue
    from catalogue.sharing.register import RegisterFilter, register, to_csv

    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        found = register(cat.engine, None, RegisterFilter(
            dataset=dataset, partner=partner, agreement=agreement, status=status))
    finally:
        cat.close()
    if as_csv:
        click.echo(to_csv(found), nl=False)
        return
    for g in found:
        under = f" under {g.agreement}" if g.agreement else ""
        click.echo(f"{g.id}  {g.status:<9} {g.dataset} → {g.grantee_ref}{under}"
                   f"{' (' + g.purpose + ')' if g.purpose else ''}")
    if not found:
        click.echo("No grant matches.")


@grants.command("decide")
@click.argument("grant_id")
@click.argument("decision", type=click.Choice(("approve", "refuse")))
@click.option("--by", "email", required=True,
              help="The governance officer deciding (never the one who asked).")
@click.option("--reason", help="Why (needed to refuse).")
@INSTANCE
def decide(grant_id: str, decision: str, email: str, reason: str | None,
           instance: str) -> None:
    """Approve or refuse a pending grant (a share of sensitive data with a partner)."""
    from catalogue.audit import Actor
    from catalogue.core import Catalogue
    from catalogue.people import find

    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        officer = find(cat.engine, email)
        done = cat.sharing.decide(officer, Actor(officer.email, "command line"), grant_id,
                                  decision, reason)
    finally:
        cat.close()
    click.echo(f"{done.dataset} → {done.grantee_ref}: {done.status}")
