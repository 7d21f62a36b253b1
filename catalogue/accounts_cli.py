"""`catalogue user …`, `catalogue token …`, `catalogue share` / `unshare` / `shares`: people,
API tokens and grants from the command line (run by whoever runs the catalogue, audited as
`command line`). catalogue.cli loads this module only when one of these commands runs."""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

from catalogue.audit import Actor
from catalogue.cli import INSTANCE
from catalogue.core import Catalogue
from catalogue.people import (
    ROLES,
    add_account,
    disable,
    find,
    list_accounts,
    set_password,
    set_role,
)
from catalogue.sharing import end_of
from catalogue.tokens import SCOPES, create_token

DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group()
def user() -> None:
    """Add and look after people's accounts."""

@user.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--department", "departments", multiple=True, metavar="SLUG",
              help="A department they belong to; repeat for several.")
@click.option("--partner", metavar="SLUG", help="Or: the partner organisation they are of.")
@click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True)
@click.option("--password-stdin", is_flag=True,
              help="Read a password from standard input (else: single sign-on only).")
@INSTANCE
def user_add(email: str, name: str, departments: tuple[str, ...], partner: str | None,
             role: str, password_stdin: bool, instance: str) -> None:
    """Add an account for EMAIL."""
    password = _read_password() if password_stdin else None
    cat = Catalogue.from_env(instance)
    person = add_account(cat.engine, Actor.command_line(), email, name,
                         departments=departments, partner=partner, role=role,
                         password=password)
    click.echo(f"Added {person.email} ({person.role}, {person.belongs_to})")

@user.command("list")
@INSTANCE
def user_list(instance: str) -> None:
    """Every account: email, role, departments or partner, and whether disabled."""
    people = list_accounts(Catalogue.from_env(instance).engine)
    if not people:
        click.echo("No accounts yet: add one with `catalogue user add`.")
    width = max((len(p.email) for p in people), default=0)
    for p in people:
        state = "  (disabled)" if p.disabled else ""
        click.echo(f"{p.email:<{width}}  {p.role:<10}  {p.belongs_to}  {p.name}{state}")

@user.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@INSTANCE
def user_set_role(email: str, role: str, instance: str) -> None:
    """Give EMAIL the role ROLE."""
    person = set_role(Catalogue.from_env(instance).engine, Actor.command_line(), email, role)
    click.echo(f"{person.email} is now {person.role}")

@user.command("disable")
@click.argument("email")
@INSTANCE
def user_disable(email: str, instance: str) -> None:
    """Disable EMAIL's account: its sessions and tokens stop on their next request."""
    person = disable(Catalogue.from_env(instance).engine, Actor.command_line(), email)
    click.echo(f"Disabled {person.email}")

@user.command("set-password")
@click.argument("email")
@INSTANCE
def user_set_password(email: str, instance: str) -> None:
    """Set EMAIL's password, read from standard input."""
    engine = Catalogue.from_env(instance).engine
    find(engine, email)
    set_password(engine, Actor.command_line(), email, _read_password())
    click.echo(f"Set the password of {email.lower()}")

@click.group()
def token() -> None:
    """API tokens, sent as `Authorization: Bearer <token>`."""

@token.command("create")
@click.argument("email")
@click.option("--name", default="API token", show_default=True, help="What it is for.")
@click.option("--expires", type=DATE, help="The last day it works (YYYY-MM-DD).")
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True)
@INSTANCE
def token_create(email: str, name: str, expires: datetime | None, scope: str,
                 instance: str) -> None:
    """Make an API token for EMAIL; it is printed once, and only its hash is kept."""
    expires_at = end_of(expires.date()) if expires else None
    info, secret = create_token(Catalogue.from_env(instance).engine, Actor.command_line(),
                                email, name, scope, expires_at)
    click.echo(secret)
    until = f", until the end of {expires.date().isoformat()}" if expires else ""
    click.echo(f"A {info.scope} token for {email.lower()} ({info.name}{until}). It is "
               "shown only now: keep it somewhere safe.", err=True)

@click.command()
@click.argument("dataset", metavar="DEPT/DATASET")
@click.option("--with", "grantee", required=True, metavar="department:SLUG|partner:SLUG")
@click.option("--expires", type=DATE, help="The last day it is shared (YYYY-MM-DD).")
@click.option("--from-version", type=int, help="Share this version and later ones only.")
@click.option("--purpose", help="What it is shared for.")
@click.option("--agreement", help="The information-sharing agreement (from catalogue.yaml) "
              "it is shared under: needed for sensitive or personal data and a partner.")
@INSTANCE
def share(dataset: str, grantee: str, expires: datetime | None, from_version: int | None,
          purpose: str | None, agreement: str | None, instance: str) -> None:
    """Share DEPT/DATASET with a department or a partner organisation."""
    cat = Catalogue.from_env(instance)
    try:
        grant = cat.sharing.share(None, Actor.command_line(), dataset, grantee,
                                  expires_on=expires.date() if expires else None,
                                  from_version=from_version, purpose=purpose,
                                  agreement=agreement)
    finally:
        cat.close()
    versions = f"from version {grant.from_version}" if grant.from_version else "all versions"
    until = f" until the end of {_day(grant.expires_on)}" if grant.expires_on else ""
    pending = f" (pending: a governance officer approves grant {grant.id})" \
        if grant.status == "pending" else ""
    click.echo(f"Shared {dataset} with {grant.grantee_name} ({grant.grantee_ref}): "
               f"{versions}{until}{pending}")

@click.command()
@click.argument("dataset", metavar="DEPT/DATASET")
@click.option("--with", "grantee", required=True, metavar="department:SLUG|partner:SLUG")
@INSTANCE
def unshare(dataset: str, grantee: str, instance: str) -> None:
    """Stop sharing DEPT/DATASET with a department or partner organisation."""
    cat = Catalogue.from_env(instance)
    try:
        cat.sharing.unshare(None, Actor.command_line(), dataset, grantee)
    finally:
        cat.close()
    click.echo(f"{dataset} is no longer shared with {grantee}")

@click.command()
@click.argument("dataset", metavar="DEPT/DATASET")
@INSTANCE
def shares(dataset: str, instance: str) -> None:
    """List whom DEPT/DATASET is shared with."""
    cat = Catalogue.from_env(instance)
    try:
        grants = cat.sharing.grants(None, dataset)
    finally:
        cat.close()
    if not grants:
        click.echo(f"{dataset} is not shared with anyone outside its department.")
    for g in grants:
        versions = f"from version {g.from_version}" if g.from_version else "all versions"
        until = f", until the end of {_day(g.expires_on)}" if g.expires_on else ""
        state = "" if g.in_force else f"  ({g.status})"
        click.echo(f"{g.grantee_ref}  {g.grantee_name}: {versions}{until}{state}")


def _read_password() -> str:
    line = sys.stdin.readline()
    if not line.strip():
        raise click.ClickException("no password on standard input")
    return line.rstrip("\r\n")


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""
