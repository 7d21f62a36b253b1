"""`catalogue demo`: the demo registries, built once into a fresh instance, indexed, reused."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

from catalogue import browse
from catalogue.access import Reader
from catalogue.demo import ensure_demo
from catalogue.demo.build import timeline
from catalogue.demo.council import COUNCIL
from catalogue.demo.data_care import looked_after_children
from catalogue.demo.data_finance import council_tax_collection, spend_over_500
from catalogue.demo.data_health import air_quality_monitoring
from catalogue.demo.data_planning_waste import planning_applications
from catalogue.demo.nhs import NHS
from catalogue.demo.periods import months, quarters, weeks
from catalogue.people import find
from catalogue.sharing.register import RegisterFilter, register

EVERYONE = Reader.everyone()


def git(registry: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=registry, capture_output=True, text=True,
                          check=True).stdout


def in_remote(remote: Path, md5: str) -> bool:
    return (remote / "files" / "md5" / md5[:2] / md5[2:]).is_file()


def test_the_demo_is_built_indexed_and_then_reused(catalogue):
    lines: list[str] = []
    ensure_demo(catalogue, lines.append)
    root = catalogue.settings.instance / "demo"
    council, nhs = root / COUNCIL.folder, root / NHS.folder

    assert lines[0] == f"Creating registry {NHS.name}…"
    assert any(line.startswith("Committing housing/rough-sleeping-counts v2 (by ")
               for line in lines)
    assert any(line.startswith("Running the pipeline of housing/homelessness-rate")
               for line in lines)

    with catalogue.session() as s:
        departments = [d for d in browse.departments(s, EVERYONE) if d.dataset_count]
        total, datasets = browse.datasets(s, EVERYONE, per_page=500)
        versions = {d.id: browse.versions(s, EVERYONE, d.department, d.slug) for d in datasets}
        files = {(key, v.number): browse.version(s, EVERYONE, *key.split("/"), v.number).files
                 for key, vs in versions.items() for v in vs}
        rate = browse.lineage(s, EVERYONE, "housing", "homelessness-rate")
        rate_v1 = browse.version(s, EVERYONE, "housing", "homelessness-rate", 1)
        imported = browse.lineage(s, EVERYONE, "adult-social-care", "hospital-discharge-delays")
        upstream_registry = browse.dataset(s, EVERYONE, "integrated-care",
                                           "delayed-discharges").registry
        in_care = browse.dataset(s, EVERYONE, "childrens-services", "children-in-care")
        imperfect = browse.dataset(s, EVERYONE, "waste", "missed-bin-collections")

    assert len(departments) >= 5
    assert total >= 25
    kept_by_several = [key for key, vs in versions.items()
                       if len(vs) >= 3 and len({v.author_email for v in vs}) >= 2]
    assert len(kept_by_several) >= 5

    pipeline = {link.dataset: link.version for link in rate.upstream if link.kind == "pipeline"}
    assert pipeline == {"housing/homelessness-applications": 4,
                        "public-health/ward-population-estimates": 2}
    assert {link.dataset: link.version for link in rate_v1.upstream
            if link.kind == "pipeline"} == dict.fromkeys(pipeline, 1)

    [link] = [link for link in imported.upstream if link.kind == "import"]
    assert (link.dataset, link.version, link.ref) == ("integrated-care/delayed-discharges", 3,
                                                       str(nhs))
    assert upstream_registry == NHS.name

    assert (in_care.classification, in_care.personal_data, in_care.visibility) == \
        ("OFFICIAL-SENSITIVE", True, "department")
    assert [p.message for p in imperfect.problems] == ["owners is required"]
    assert "deliberately" in imperfect.current_version.message

    current = [f for (key, n), fs in files.items() if n == len(versions[key]) for f in fs]
    assert {".csv", ".parquet", ".xlsx", ".json"} <= {Path(f.path).suffix for f in current}
    assert any(f.is_dir for f in current)

    # Every version's bytes are in a remote: the import's in the registry it came from.
    for (key, number), fs in files.items():
        remote = Path(f"{nhs}-storage") if key.startswith(("integrated-care", "emergency-care",
                                                           "adult-social-care/hospital")) \
            else Path(f"{council}-storage")
        assert all(in_remote(remote, f.md5) for f in fs), (key, number)

    # Dates: working days in the past, in commit order, by council and trust staff.
    for registry in (council, nhs):
        stamps = [datetime.fromisoformat(line.split()[0]) for line in
                  git(registry, "log", "--first-parent", "--reverse", "--format=%aI %ae")
                  .splitlines()]
        assert stamps == sorted(stamps) and stamps[-1] < datetime.now(stamps[-1].tzinfo)
        assert all(stamp.weekday() < 5 for stamp in stamps)
        assert (stamps[-1] - stamps[0]).days > 150

    heads = {registry: git(registry, "rev-parse", "main") for registry in (council, nhs)}
    lines.clear()
    ensure_demo(catalogue, lines.append)
    assert lines[0].startswith("Reusing the demo registries")
    assert {registry: git(registry, "rev-parse", "main") for registry in heads} == heads
    assert [line for line in lines if "new commit" in line] == \
        ["  0 new commit(s), 0 new version(s), 0 problem(s)",
         "  0 new commit(s), 0 new version(s), 1 problem(s)"]


def test_the_demo_data_depend_only_on_the_version_and_its_date():
    day = date(2026, 3, 4)
    for make in (council_tax_collection, planning_applications, air_quality_monitoring,
                 looked_after_children):
        assert make(0, day) == make(0, day)
    april, may = (spend_over_500(0, date(2026, m, 10))["spend_over_500.csv"]
                  .decode().splitlines() for m in (4, 5))
    assert len(set(may) - set(april)) > 100  # May adds the payments of April…
    assert set(april) - set(may) and len(set(april) & set(may)) > 1000  # …drops the oldest month


def test_each_version_covers_a_new_period_whatever_the_day_of_the_build():
    """Else a version could repeat the data of the one before (datasets made by the demo's
    generators; a pipeline's output also changes when any of its inputs does)."""
    period = {"{month}": months, "{week}": weeks, "{quarter}": quarters}
    for offset in range(366):
        today = date(2026, 1, 1) + timedelta(days=offset)
        for spec in (COUNCIL, NHS):
            steps = timeline(spec, today)
            assert all(step.when.date() < today and step.when.weekday() < 5 for step in steps)
            for ds in (ds for ds in spec.datasets if ds.make):
                [cover] = {period[p] for p in period for _, _, m in ds.history if p in m} or [None]
                dates = [step.when.date() for step in steps if step.dataset is ds and step.number]
                if cover:
                    assert len({str(cover(d, 1)) for d in dates}) == len(dates), (today, ds.key)


def test_the_demos_owners_read_their_own_and_its_shares_are_governed(catalogue):
    """Issue 13 on the demo: Sarah Mitchell of the NHS trust reads the dataset she owns; Adult
    Social Care's safeguarding concerns are discoverable (restricted) by other staff; its share
    with the trust is in force under DSA-2025-014, approved by a governance officer."""
    ensure_demo(catalogue, lambda line: None)
    sarah = find(catalogue.engine, "sarah.mitchell@riverbank.example.nhs.uk")
    hannah = find(catalogue.engine, "hannah.whitfield@northmere.example.gov.uk")
    with catalogue.session() as s:
        reader = sarah.reader(s)
        owned = browse.dataset(s, reader, "integrated-care", "delayed-discharges")
        assert [v.number for v in browse.versions(s, reader, "integrated-care",
                                                  "delayed-discharges")] == [3, 2, 1]
        counts = {d.slug: d.dataset_count for d in browse.departments(s, reader)}
        seen = browse.dataset_or_discovered(s, hannah.reader(s), "adult-social-care",
                                            "safeguarding-concerns")
    assert owned.owners[0] == sarah.email and counts["integrated-care"] == 1
    assert seen.restricted and "versions" not in seen.model_dump()
    [share] = register(catalogue.engine, None, RegisterFilter(partner="riverbank-nhs"))
    assert (share.dataset, share.status, share.agreement, share.decided_by) == (
        "adult-social-care/safeguarding-concerns", "in-force", "DSA-2025-014",
        "grace.adeyemi@northmere.example.gov.uk")
