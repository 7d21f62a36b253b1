"""The demo's open releases: Housing's street counts released openly by a governance officer
(so the open-data portal has something to show), and the empty homes awaiting review (so the
review queue does)."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from catalogue import browse
from catalogue.access import Reader
from catalogue.audit import Actor
from catalogue.core import Catalogue
from catalogue.demo.people import DOMAIN
from catalogue.people import find
from catalogue.releases.models import ReleaseRequest
from catalogue.releases.rules import UNOVERRIDABLE

Echo = Callable[[str], None]
RELEASES = [
    # dataset, requester, justification, decider (None: left for review), reason
    ("housing/rough-sleeping-counts", "priya.shah", "Partners and the public ask for the "
     "monthly counts; they are counts by area, with no one named.", "grace.adeyemi",
     "Aggregated street counts by area; the small counts are of areas, not people."),
    ("housing/empty-homes", "priya.shah", "Empty homes by ward are asked for under FOI "
     "every year: publishing them saves the work.", None, None),
]


def ensure_demo_releases(cat: Catalogue, echo: Echo) -> None:
    """Ask for (and decide on) the demo's releases, unless any request exists already."""
    with cat.session() as s:
        if s.exec(select(ReleaseRequest.id)).first():
            return
    actor = Actor.command_line()
    for key, requester, justification, decider, reason in RELEASES:
        department, _, slug = key.partition("/")
        with cat.session() as s:
            current = browse.dataset(s, Reader.everyone(), department, slug).current_version
        asked = cat.releases.request(find(cat.engine, f"{requester}@{DOMAIN}"), actor, key,
                                     current.number, justification)
        cat.releases.wait_for_checks(timeout=600)
        if decider is None:
            echo(f"  {key} v{current.number}: release requested, awaiting review")
            continue
        officer = find(cat.engine, f"{decider}@{DOMAIN}")
        failed = [c.name for c in cat.releases.detail(officer, asked.id).checks
                  if c.outcome == "fail"]
        if set(failed) & UNOVERRIDABLE:
            echo(f"  {key} v{current.number}: not released ({', '.join(failed)} failed)")
            continue
        cat.releases.decide(officer, actor, asked.id, "approve", reason, override=failed)
        echo(f"  {key} v{current.number}: released openly (see /open/)")
