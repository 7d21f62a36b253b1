"""Building the demo registries into the instance folder, once, and indexing them every time.

Each registry gets a local DVC remote beside it holding every version's bytes. Dates count back
from the day of the build, so the demo looks current; the data are seeded (`data_common`), so a
build on a given day gives the same bytes.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalogue.core import Catalogue
from catalogue.demo.council import COUNCIL
from catalogue.demo.data_common import rng
from catalogue.demo.nhs import NHS
from catalogue.demo.people import ensure_demo_people
from catalogue.demo.periods import period_fields
from catalogue.demo.releases import ensure_demo_releases
from catalogue.demo.spec import STAFF, DemoDataset, DemoRegistry
from registry.create import init_registry
from registry.writer import Author, RegistryWriter, git_date

Echo = Callable[[str], None]
DONE = ".complete"
try:
    LONDON: Any = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time zone database: UTC will do for a demo
    LONDON = UTC


@dataclass(frozen=True)
class Step:
    """One commit of the build: a version (number ≥ 1) or a metadata revision (changes)."""

    when: datetime
    dataset: DemoDataset
    number: int
    author: Author
    message: str
    changes: dict[str, Any] | None = None


def ensure_demo(cat: Catalogue, echo: Echo) -> None:
    """Build the demo registries in `<instance>/demo` unless they are there, then index them."""
    root = cat.settings.instance.resolve() / "demo"
    if (root / DONE).exists():
        echo(f"Reusing the demo registries in {root}.")
    else:
        if root.exists():
            echo(f"Removing an unfinished demo build in {root}…")
            shutil.rmtree(root)
        started = time.perf_counter()
        build_demo(root, cat.settings.dvc_site_cache, echo)
        echo(f"Built the demo registries in {time.perf_counter() - started:.1f} s.")
    for registry in (NHS, COUNCIL):  # the partner first, so the council's import resolves
        echo(f"Indexing {registry.name}…")
        report = cat.indexer.index(str(root / registry.folder))
        echo(f"  {report.commits} new commit(s), {len(report.new_versions)} new version(s), "
             f"{len(report.problems)} problem(s)")
    ensure_demo_people(cat, echo)
    ensure_demo_releases(cat, echo)


def build_demo(root: Path, site_cache: Path, echo: Echo, today: date | None = None) -> None:
    """Create both registries under `root`, each with its DVC remote beside it, then mark
    `root` complete. Stage commands (`python3 …`) run with this interpreter."""
    today = today or datetime.now(LONDON).date()
    root.mkdir(parents=True)
    with _environment(PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"):
        partner = _build(NHS, root, site_cache, today, echo, None)
        _build(COUNCIL, root, site_cache, today, echo, partner)
    (root / DONE).write_text(f"Demo registries built on {today.isoformat()}\n")


def _build(spec: DemoRegistry, root: Path, site_cache: Path, today: date, echo: Echo,
           partner: Path | None) -> Path:
    days, who = spec.created
    stamp = git_date(_moment(today, days, spec.folder, 0))
    echo(f"Creating registry {spec.name}…")
    with _environment(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp):
        path = init_registry(root / spec.folder, site_cache, name=spec.name,
                             departments=spec.departments, partners=spec.partners,
                             author=(STAFF[who].name, STAFF[who].email),
                             agreements=[{"reference": ref, "title": title, "partner": partner,
                                          "expires": today + timedelta(days=days)}
                                         for ref, title, partner, days in spec.agreements])
    with RegistryWriter(path, site_cache) as writer:
        for step in timeline(spec, today):
            _apply(writer, step, echo, partner)
    return path


def timeline(spec: DemoRegistry, today: date) -> list[Step]:
    """Every commit of a registry, in date order."""
    steps = []
    for ds in spec.datasets:
        for number, (days, who, message) in enumerate(ds.history, 1):
            when = _moment(today, days, ds.key, number, late=ds.derived)
            steps.append(Step(when, ds, number, STAFF[who],
                               message.format(**period_fields(when.date()))))
    by_key = {ds.key: ds for ds in spec.datasets}
    for days, who, key, changes, message in spec.revisions:
        steps.append(Step(_moment(today, days, key, 0), by_key[key], 0, STAFF[who], message,
                           changes))
    return sorted(steps, key=lambda step: step.when)


def _moment(today: date, days: int, key: str, number: int, late: bool = False) -> datetime:
    """A weekday working-hours moment `days` before `today` (weekends move to the Friday)."""
    day = today - timedelta(days=days)
    day -= timedelta(days=max(0, day.weekday() - 4))
    minutes = 17 * 60 + 5 if late else 9 * 60 + int(rng("at", key, number).integers(0, 450))
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=LONDON)


def _apply(writer: RegistryWriter, step: Step, echo: Echo, partner: Path | None) -> None:
    ds, who = step.dataset, step.author
    by = f"(by {who.name}, {step.when:%-d %b %Y})"
    if step.changes is not None:
        echo(f"Committing {ds.key} metadata {by}…")
        writer.write_metadata(ds.key, {**ds.meta, **step.changes})
        writer.commit(step.message, who, [ds.key], step.when)
        return
    first = step.number == 1
    if ds.make is not None:
        echo(f"Committing {ds.key} v{step.number} {by}…")
        writer.write_version(ds.key, ds.make(step.number - 1, step.when.date()), step.message,
                             who, when=step.when, metadata=ds.meta if first else None)
        return
    if first:
        writer.write_metadata(ds.key, ds.meta)
    if ds.pipeline is not None:
        echo(f"Running the pipeline of {ds.key} (dvc repro) for v{step.number} {by}…")
        if first:
            writer.put(ds.key, ds.pipeline)
        writer.reproduce(f"{ds.key}/dvc.yaml")
        targets = [f"{ds.key}/dvc.yaml"]
    elif ds.imports is not None and partner is not None:
        echo(f"Importing {ds.key} v{step.number} from {partner.name} (dvc import) {by}…")
        source, name = ds.imports
        targets = [writer.import_data(str(partner), source, f"{ds.key}/{name}")]
    else:
        raise ValueError(f"{ds.key} has no data: give it make, pipeline or imports")
    writer.commit(step.message, who, [ds.key], step.when)
    writer.push(targets)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for a block (for the git and dvc commands it runs)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
