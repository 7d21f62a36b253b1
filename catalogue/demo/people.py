"""The demo's people: one of each role, a partner organisation's analyst, and two shares, so
that signing in as each shows what they may see. One password for them all, generated for this
instance and kept in `<instance>/demo/accounts.txt` (never in the repository)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import date
from pathlib import Path

from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.errors import NotFound
from catalogue.people import add_account, find

Echo = Callable[[str], None]
DOMAIN = "northmere.example.gov.uk"
PEOPLE = [
    # email, name, departments or partner, role
    (f"hannah.whitfield@{DOMAIN}", "Hannah Whitfield", ["childrens-services"], None, "publisher"),
    (f"priya.shah@{DOMAIN}", "Priya Shah", ["housing"], None, "publisher"),
    (f"tom.gallagher@{DOMAIN}", "Tom Gallagher", ["housing"], None, "staff"),
    (f"margaret.okonkwo@{DOMAIN}", "Margaret Okonkwo", ["adult-social-care"], None, "publisher"),
    (f"grace.adeyemi@{DOMAIN}", "Grace Adeyemi", ["finance"], None, "governance"),
    (f"it.admin@{DOMAIN}", "Ian Admin", ["finance"], None, "admin"),
    ("sarah.mitchell@riverbank.example.nhs.uk", "Sarah Mitchell", [], "riverbank-nhs", "staff"),
]
SHARES = [
    # dataset, with, from version, expiry (days from today), purpose, agreement
    ("adult-social-care/safeguarding-concerns", "partner:riverbank-nhs", None, 365,
     "Joint review of safeguarding concerns raised on discharge from hospital", "DSA-2025-014"),
    ("adult-social-care/safeguarding-concerns", "department:housing", 2, 90,
     "Tenancy sustainment: safeguarding concerns among council tenants", None),
]
APPROVER = f"grace.adeyemi@{DOMAIN}"  # the governance officer who approves the shares that
# need it (an OFFICIAL-SENSITIVE dataset shared with the NHS trust under DSA-2025-014)


def ensure_demo_people(cat: Catalogue, echo: Echo) -> Path:
    """Add the demo's accounts and shares unless they are there; print how to sign in."""
    actor = Actor.command_line()
    file = cat.settings.instance.resolve() / "demo" / "accounts.txt"
    try:
        find(cat.engine, PEOPLE[0][0])
    except NotFound:
        password = f"demo-{secrets.token_urlsafe(9)}"
        for email, name, departments, partner, role in PEOPLE:
            add_account(cat.engine, actor, email, name, departments=departments,
                        partner=partner, role=role, password=password)
        approver = find(cat.engine, APPROVER)
        for key, grantee, from_version, days, purpose, agreement in SHARES:
            expires = date.fromordinal(date.today().toordinal() + days)
            grant = cat.sharing.share(None, actor, key, grantee, from_version=from_version,
                                      expires_on=expires, purpose=purpose, agreement=agreement)
            if grant.status == "pending":
                cat.sharing.decide(approver, Actor(approver.email, "command line"), grant.id,
                                   "approve", "Covered by DSA-2025-014")
        _write(file, password)
    echo(f"Demo accounts (the password of each is in {file}):")
    for email, _name, departments, partner, role in PEOPLE:
        where = f"partner {partner}" if partner else ", ".join(departments)
        echo(f"  {email:<45} {role:<10} {where}")
    return file


def _write(file: Path, password: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"password: {password}\n")
        for email, *_ in PEOPLE:
            f.write(f"{email}\n")
