"""`catalogue releases` and `catalogue release show`: the release requests for scripts and
operators. The command line is run by whoever runs the catalogue, so it reads every request
(`OPERATOR`, as `Reader.everyone()` reads every dataset); deciding stays with governance
officers, in the web pages and the API. catalogue.cli loads this module only when one of these
commands runs."""

from __future__ import annotations

import json

import click

from catalogue.cli import INSTANCE
from catalogue.core import Catalogue
from catalogue.releases.models import STATUSES
from catalogue.releases.schemas import ReleaseRequestDetail
from catalogue.releases.service import OPERATOR
from catalogue.releases.views import age, queue_order

COLUMNS = ("ID", "DATASET", "VERSION", "STATUS", "REQUESTED BY", "AGE")


@click.command()
@click.option("--status", type=click.Choice(STATUSES), help="Only the requests in this status.")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON, as GET /api/v1/release-requests answers.")
@INSTANCE
def releases(status: str | None, as_json: bool, instance: str) -> None:
    """List the release requests: id, dataset, version, status, requested by, age."""
    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        found = queue_order(cat.releases.requests(OPERATOR, status))
    finally:
        cat.close()
    if as_json:
        click.echo(json.dumps({"count": len(found),
                               "results": [r.model_dump(mode="json") for r in found]}, indent=2))
        return
    if not found:
        click.echo(f"No release requests{f' {status}' if status else ''}.")
        return
    rows = [COLUMNS, *((r.id, r.dataset, f"v{r.version}", r.status, r.requested_by,
                        age(r.requested_at)) for r in found)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    for row in rows:
        click.echo("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)),
                              row[-1]]))


@click.group()
def release() -> None:
    """Look at one release request."""


@release.command("show")
@click.argument("request_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON, as GET /api/v1/release-requests/ID answers.")
@INSTANCE
def release_show(request_id: str, as_json: bool, instance: str) -> None:
    """Show release request ID: its version, status, decision and each check's outcome."""
    cat = Catalogue.from_env(instance, background_reads=False)
    try:
        detail = cat.releases.detail(OPERATOR, request_id)
    finally:
        cat.close()
    if as_json:
        click.echo(json.dumps(detail.model_dump(mode="json"), indent=2))
        return
    for line in _describe(detail):
        click.echo(line)


def _describe(d: ReleaseRequestDetail) -> list[str]:
    version = d.snapshot.get("version", {})
    lines = [f"{d.id}: {d.dataset} v{d.version} ({d.title})",
             f"Status:        {d.status}",
             f"Commit:        {version.get('commit_sha', '')}  {version.get('message', '')}",
             f"Requested by:  {d.requested_by}, {age(d.requested_at)} ago",
             f"Licence:       {d.licence}",
             f"Justification: {d.justification}"]
    if d.decided_by:
        lines.append(f"Decided by:    {d.decided_by}: {d.reason}")
    if d.overrides:
        lines.append(f"Overridden:    {', '.join(d.overrides)}")
    if d.status == "approved":
        lines.append("Published:     " + ("yes, tags " + ", ".join(d.tags) if d.published
                                         else f"not yet: {d.publish_error or 'waiting'}"))
    if d.withdrawn_by:
        lines.append(f"Withdrawn by:  {d.withdrawn_by}: {d.withdrawal_reason}")
    lines.append("Checks:" if d.checks else "Checks:        not run yet")
    lines += [f"  {c.outcome.upper():<4}  {c.name}: {c.summary}" for c in d.checks]
    return lines
