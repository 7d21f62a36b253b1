"""`catalogue demo`: demo registries in the instance folder, built once, indexed every time.

Two registries, as a council and its partner would keep them: Northmere Borough Council's
(seven departments, months of history by the staff who keep the data, a dataset derived by a DVC
pipeline, one imported from the partner with `dvc import`) and Riverbank NHS Foundation Trust's.
Each has a local DVC remote beside it holding every version's bytes. Dates count back from the
day of the build, so the demo looks current; the data are seeded (`catalogue.demo_data`), so a
build on a given day gives the same bytes.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from textwrap import dedent
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from catalogue import demo_data as data
from catalogue.core import Catalogue
from registry.create import init_registry
from registry.writer import Author, RegistryWriter, git_date

Echo = Callable[[str], None]
Make = Callable[[int, date], data.Files]
DONE = ".complete"
COUNCIL_DOMAIN = "northmere.example.gov.uk"
NHS_DOMAIN = "riverbank.example.nhs.uk"
try:
    LONDON: Any = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # no time zone database: UTC will do for a demo
    LONDON = UTC


def _person(name: str, domain: str = COUNCIL_DOMAIN) -> Author:
    local = ".".join(part for part in name.lower().replace("'", "").split())
    return Author(name, f"{local}@{domain}")


STAFF = {key: _person(name) for key, name in [
    ("nadia", "Nadia Hussain"), ("priya", "Priya Shah"), ("tom", "Tom Gallagher"),
    ("margaret", "Margaret Okonkwo"), ("david", "David Lewis"), ("hannah", "Hannah Whitfield"),
    ("yusuf", "Yusuf Ahmed"), ("emily", "Emily Carter"), ("rajesh", "Rajesh Kumar"),
    ("gareth", "Gareth Evans"), ("sophie", "Sophie Turner"), ("oliver", "Oliver Bennett"),
    ("aisha", "Aisha Mensah"), ("liam", "Liam O'Connor"), ("claire", "Claire Robinson"),
]} | {"sarah": _person("Sarah Mitchell", NHS_DOMAIN), "james": _person("James Whitaker",
                                                                        NHS_DOMAIN)}


@dataclass(frozen=True)
class DemoDataset:
    """A dataset of a demo registry: its metadata, its versions' history and how each is made.

    `history` holds (days before the build, staff key, commit message); the message may name
    the period it covers (`{month}`, `{quarter}`, … from `demo_data.period_fields`). Versions
    of data by month are at least 35 days apart, by quarter 95 (a weekend moves a commit back
    by up to two days), so each covers a new period whatever the day of the build.
    """

    key: str
    meta: dict[str, Any]
    history: list[tuple[int, str, str]]
    make: Make | None = None
    pipeline: dict[str, str] | None = None  # files of a dvc.yaml pipeline, run with dvc repro
    imports: tuple[str, str] | None = None  # (path in the partner registry, file name here)

    @property
    def derived(self) -> bool:
        """Made from other datasets of its registry: committed after them, late in the day."""
        refs = self.meta.get("derived_from", [])
        return self.pipeline is not None or any("://" not in ref for ref in refs)


@dataclass(frozen=True)
class DemoRegistry:
    name: str
    folder: str
    created: tuple[int, str]
    departments: dict[str, str]
    partners: dict[str, str]
    datasets: list[DemoDataset]
    revisions: list[tuple[int, str, str, dict[str, Any], str]] = field(default_factory=list)


def _meta(title: str, owners: str, tags: str, description: str, **more: Any) -> dict[str, Any]:
    """dataset.yaml keys: owners and tags as space- and comma-separated shorthands."""
    meta: dict[str, Any] = {"title": title}
    if owners:
        meta["owners"] = [STAFF[key].email for key in owners.split()]
    meta["description"] = dedent(description).strip() + "\n"
    meta["tags"] = [tag.strip() for tag in tags.split(",")]
    meta["licence"] = more.pop("licence", "OGL-UK-3.0")
    meta["classification"] = more.pop("classification", "OFFICIAL")
    meta["personal_data"] = more.pop("personal_data", False)
    meta.update(more)
    return meta


RATE_PIPELINE = {
    "dvc.yaml": dedent("""\
        stages:
          rate:
            cmd: python3 derive_rate.py
            deps:
            - derive_rate.py
            - ../homelessness-applications/homelessness_applications.csv
            - ../../public-health/ward-population-estimates/ward_population_estimates.csv
            outs:
            - homelessness_rate.csv
        """),
    "derive_rate.py": dedent('''\
        """Households assessed as homeless per 1,000 residents, by ward and quarter.

        Uses the latest mid-year population estimate for every quarter. Standard library only,
        so `dvc repro` runs it with any Python 3.
        """
        import csv

        with open("../../public-health/ward-population-estimates/ward_population_estimates.csv",
                  newline="") as f:
            estimates = list(csv.DictReader(f))
        year = max(int(row["mid_year"]) for row in estimates)
        population = {row["ward_code"]: int(row["population"])
                      for row in estimates if int(row["mid_year"]) == year}

        with open("../homelessness-applications/homelessness_applications.csv", newline="") as f, \\
                open("homelessness_rate.csv", "w", newline="") as out:
            writer = csv.writer(out, lineterminator="\\n")
            writer.writerow(["quarter", "ward_code", "ward_name", "households_assessed",
                             "population", "population_mid_year", "rate_per_1000"])
            for row in csv.DictReader(f):
                people = population[row["ward_code"]]
                rate = 1000 * int(row["households_assessed"]) / people
                writer.writerow([row["quarter"], row["ward_code"], row["ward_name"],
                                 row["households_assessed"], people, year, f"{rate:.2f}"])
        '''),
}

CONTACTS = {
    "housing": "Housing Intelligence Team", "adult-social-care": "Adult Social Care Performance",
    "childrens-services": "Children's Services Performance and Information",
    "public-health": "Public Health Intelligence", "finance": "Corporate Finance",
    "planning": "Planning Policy and Monitoring", "waste": "Waste and Street Scene",
    "integrated-care": "Integrated Discharge Team", "emergency-care": "Urgent and Emergency Care",
}
AREA = "Northmere Borough Council area (18 wards)"


def _ds(key: str, meta: dict[str, Any], history: list[tuple[int, str, str]],
        make: Make | None = None, **kind: Any) -> DemoDataset:
    dept = key.split("/")[0]
    domain = NHS_DOMAIN if dept in ("integrated-care", "emergency-care") else COUNCIL_DOMAIN
    meta.setdefault("contact", f"{CONTACTS[dept]} <{dept}.data@{domain}>")
    meta.setdefault("spatial_coverage", AREA)
    return DemoDataset(key, meta, history, make, **kind)


HOUSING = [
    _ds("housing/homelessness-applications", _meta(
        "Homelessness applications by ward", "priya tom", "homelessness, H-CLIC, housing",
        """
        Households who applied to the council as homeless or at risk of homelessness, and the
        duties they were owed under the Homelessness Reduction Act 2017.

        ## Source
        - Case-level H-CLIC returns to MHCLG, aggregated by ward of last settled address.

        ## Caveats
        - The latest quarter is **provisional** until MHCLG publishes the national statistics.
        - Counts below 5 are not suppressed: this is internal data. Suppress before publishing.
        """, update_frequency="Quarterly", temporal_coverage="Latest eight financial quarters"),
        [(292, "priya", "Add homelessness applications to {quarter}"),
         (197, "tom", "Add {quarter} H-CLIC returns"),
         (102, "priya", "Add {quarter} returns; relief duty split corrected for Harbour ward"),
         (7, "tom", "Add {quarter} H-CLIC returns (provisional)")],
        data.homelessness_applications),
    _ds("housing/homelessness-rate", _meta(
        "Homelessness rate per 1,000 residents", "priya", "homelessness, rates, housing",
        """
        Households assessed as homeless or threatened with homelessness **per 1,000 residents**,
        by ward and quarter, so that wards of different sizes can be compared.

        ## How it is made
        A DVC pipeline (`dvc.yaml` in this folder) joins
        1. `housing/homelessness-applications`, and
        2. `public-health/ward-population-estimates` (latest mid-year estimate).

        Run `dvc repro` after either changes; `dvc.lock` pins the exact versions used.
        """, update_frequency="Quarterly", temporal_coverage="Latest eight financial quarters",
        derived_from=["housing/homelessness-applications",
                      "public-health/ward-population-estimates"]),
        [(292, "priya", "Derive homelessness rate per 1,000 residents"),
         (197, "tom", "Re-run homelessness rate for {quarter}"),
         (102, "priya", "Re-run homelessness rate after the Harbour correction"),
         (60, "priya", "Re-run homelessness rate with mid-{mid_year} population estimates"),
         (7, "tom", "Re-run homelessness rate for {quarter}")],
        pipeline=RATE_PIPELINE),
    _ds("housing/rough-sleeping-counts", _meta(
        "Rough sleeping: monthly street counts", "tom priya", "rough sleeping, homelessness",
        """
        People seen sleeping rough on the night of the monthly street count by the outreach
        team, by area of the town.

        - `new_to_the_street`: not seen in any earlier count.
        - `long_term`: seen in three or more of the last six counts.
        """, update_frequency="Monthly", temporal_coverage="Latest 12 months"),
        [(250, "tom", "Add {month} street count"), (180, "priya", "Add {month} street count"),
         (40, "tom", "Add {month} count, with the new Railway station patch")],
        data.rough_sleeping_counts),
    _ds("housing/temporary-accommodation", _meta(
        "Households in temporary accommodation", "priya", "temporary accommodation, housing",
        """
        Households placed in temporary accommodation at each month end, by type, with the
        average nightly cost to the council. Bed and breakfast use for families beyond six
        weeks is unlawful: watch the `with_children` column for that row.
        """, update_frequency="Monthly", temporal_coverage="Latest 24 months"),
        [(230, "priya", "Add temporary accommodation placements to {month}"),
         (30, "priya", "Add placements to {month}")], data.temporary_accommodation),
    _ds("housing/housing-register", _meta(
        "Housing register by band and bedroom need", "tom", "housing register, allocations",
        """
        Households on the housing register by priority band and the number of bedrooms they
        need, with the median time they have waited so far.
        """, update_frequency="Annually", temporal_coverage="Snapshot at 1 April"),
        [(210, "tom", "Add housing register snapshot")], data.housing_register),
    _ds("housing/empty-homes", _meta(
        "Long-term empty homes by ward", "priya", "empty homes, council tax",
        """
        Dwellings empty for six months or more, from council tax records, and those charged
        the long-term empty homes premium.
        """, update_frequency="Annually", temporal_coverage="Snapshot at 1 October",
        derived_from=["finance/council-tax-base"]),
        [(170, "priya", "Add long-term empty homes by ward")], data.empty_homes),
]

ADULT_SOCIAL_CARE = [
    _ds("adult-social-care/care-packages", _meta(
        "Adult social care packages and costs", "margaret david", "social care, care packages",
        """
        Long-term care packages funded by the council at each month end, by service type and
        primary support reason, with the average weekly cost per package.

        ## Source
        - Mosaic case management system; costs from the Controcc payments system.

        ## Caveats
        - Packages for people who fund their own care are not included.
        """, update_frequency="Monthly", temporal_coverage="Latest 18 months"),
        [(270, "margaret", "Add care packages to {month}"),
         (160, "david", "Add care packages to {month}; 2026/27 fee uplift applied"),
         (50, "margaret", "Add care packages to {month}")], data.care_packages),
    _ds("adult-social-care/care-home-placements", _meta(
        "Care homes: beds, fees and council-funded residents", "david",
        "care homes, CQC, social care",
        "Care homes in the borough with their CQC rating, registered beds, council-funded "
        "residents and the council's usual weekly fee.",
        update_frequency="Quarterly", derived_from=["https://www.cqc.org.uk/about-us/transparency/using-cqc-data"]),
        [(240, "david", "Add care home placements and fees")], data.care_home_placements),
    _ds("adult-social-care/safeguarding-concerns", _meta(
        "Adult safeguarding concerns and enquiries", "margaret", "safeguarding, social care",
        """
        Safeguarding concerns received and Section 42 enquiries started, by type of abuse.
        Aggregated, but small counts could identify people: **do not share outside the
        department** without the Safeguarding Adults Board's agreement.
        """, classification="OFFICIAL-SENSITIVE", update_frequency="Quarterly",
        temporal_coverage="Latest eight financial quarters"),
        [(220, "margaret", "Add safeguarding concerns to {quarter}"),
         (120, "margaret", "Add safeguarding concerns to {quarter}")],
        data.safeguarding_concerns),
    _ds("adult-social-care/care-provider-directory", _meta(
        "Care provider directory", "david", "providers, home care, directory",
        "Providers the council commissions, as JSON for the *Find care* web pages.",
        update_frequency="When providers change"),
        [(205, "david", "Add care provider directory (JSON for the Find care pages)")],
        data.care_provider_directory),
    _ds("adult-social-care/hospital-discharge-delays", _meta(
        "Hospital discharge delays (Riverbank NHS FT)", "david margaret",
        "hospital discharge, NHS, social care",
        """
        Patients medically fit for discharge from Riverbank hospitals but still in a bed,
        by discharge pathway and reason, **imported with `dvc import`** from the Riverbank NHS
        Foundation Trust's registry under the data sharing agreement.

        Update with `dvc update hospital-discharge-delays/delayed_discharges.csv.dvc`.
        """, update_frequency="Weekly", temporal_coverage="Latest 26 weeks",
        spatial_coverage="Northmere residents in Riverbank NHS Foundation Trust hospitals",
        data_sharing_agreement="DSA-2025-014 (Riverbank NHS FT and Northmere BC)"),
        [(15, "david", "Import delayed discharges from the Riverbank NHS FT registry")],
        imports=("integrated-care/delayed-discharges/delayed_discharges.csv",
                 "delayed_discharges.csv")),
]

CHILDRENS_SERVICES = [
    _ds("childrens-services/children-in-care", _meta(
        "Children in care: placements (child level)", "hannah yusuf",
        "looked after children, placements, children's services",
        """
        One row per child looked after by the council on the snapshot date (the SSDA903
        return's population): legal status, placement type and distance from home.

        ## Handling
        - **Personal data** about children: pseudonymised (`child_ref`), but dates of birth and
          placement details make re-identification possible.
        - Visible to Children's Services only. Never release; publish only the DfE aggregates.
        """, classification="OFFICIAL-SENSITIVE", personal_data=True, visibility="department",
        update_frequency="Monthly", temporal_coverage="Month-end snapshot",
        retention="Until the child's 75th birthday (Children Act 1989 records)"),
        [(260, "hannah", "Add children in care snapshot at the end of {month}"),
         (150, "yusuf", "Monthly children in care snapshot for {month}"),
         (45, "hannah", "Children in care snapshot for {month}")], data.looked_after_children),
    _ds("childrens-services/school-places", _meta(
        "School places: capacity, pupils on roll and forecasts", "yusuf hannah",
        "schools, school places, SCAP, education",
        """
        Capacity and pupils on roll for every state-funded school, by planning area, as sent to
        the DfE in the School Capacity (SCAP) survey.

        ## Columns
        - `basis`: `October census`, `January census` or `Forecast`.
        - `surplus_pct`: the DfE expects 2–5% surplus for parental choice.
        """, update_frequency="Termly", temporal_coverage="Current academic year and forecasts"),
        [(285, "yusuf", "Add school capacity (SCAP) for {academic_year}"),
         (190, "hannah", "Update pupils on roll from the January census"),
         (70, "yusuf", "Add five-year pupil place forecasts")], data.school_places),
    _ds("childrens-services/early-years-funding", _meta(
        "Funded early education for two-year-olds: take-up", "hannah",
        "early years, childcare, funded places",
        "Eligible two-year-olds (from the DWP list) and funded places taken, by ward.",
        update_frequency="Termly", temporal_coverage="Spring term"),
        [(200, "hannah", "Add spring term take-up of funded places for two-year-olds")],
        data.early_years_take_up),
    _ds("childrens-services/ehcp-plans", _meta(
        "Education, health and care plans by primary need", "yusuf", "SEND, EHCP, education",
        "EHC plans maintained each January and new plans issued, by primary need (SEN2).",
        update_frequency="Annually", temporal_coverage="Latest five calendar years"),
        [(175, "yusuf", "Add EHC plans by primary need (SEN2 return)")], data.send_ehcps),
]

PUBLIC_HEALTH = [
    _ds("public-health/ward-population-estimates", _meta(
        "Ward population estimates", "rajesh emily", "population, demography, wards",
        """
        Mid-year population estimates by ward and broad age group: the denominator for most
        rates the council publishes.

        ## Source
        - ONS small area population estimates, aggregated from output areas to wards.
        """, update_frequency="Annually", temporal_coverage="Latest five mid-years",
        derived_from=["https://www.ons.gov.uk/peoplepopulationandcommunity/"
                      "populationandmigration/populationestimates"]),
        [(295, "rajesh", "Add ward population estimates to mid-{mid_year}"),
         (60, "emily", "Apply ONS revised mid-year estimates (to mid-{mid_year})")],
        data.ward_population_estimates),
    _ds("public-health/air-quality-monitoring", _meta(
        "Air quality: NO2 and PM2.5 daily means by site", "emily rajesh",
        "air quality, NO2, PM2.5, environment",
        """
        Daily mean nitrogen dioxide and fine particulate concentrations (µg/m³) at the
        council's monitoring sites: one CSV per site in `readings/`, and `sites.csv`.

        ## Notes
        - PM2.5 is measured only at the continuous analysers (`measures_pm25`).
        - Data are ratified quarterly; the latest months may change.
        - Objective: annual mean NO2 of 40 µg/m³.
        """, update_frequency="Monthly", temporal_coverage="Latest 12 months, daily",
        derived_from=["https://uk-air.defra.gov.uk/"]),
        [(275, "emily", "Add air quality readings to {month}"),
         (165, "rajesh", "Add readings to {month}; NM3 tube exposure dates fixed"),
         (35, "emily", "Add ratified readings to {month}")], data.air_quality_monitoring),
    _ds("public-health/childhood-obesity", _meta(
        "Childhood overweight and obesity by ward (NCMP)", "rajesh", "obesity, children, NCMP",
        "Reception and Year 6 children measured, and the share overweight or obese.",
        update_frequency="Annually", temporal_coverage="Latest three school years"),
        [(215, "rajesh", "Add National Child Measurement Programme results by ward")],
        data.childhood_obesity),
    _ds("public-health/stop-smoking-services", _meta(
        "Stop smoking services: quit dates and quits", "emily", "smoking, tobacco",
        "Quit dates set and four-week quits (self-reported and CO-validated), by setting.",
        update_frequency="Quarterly", temporal_coverage="Latest eight financial quarters"),
        [(185, "emily", "Add stop smoking service quits to {quarter}")],
        data.smoking_cessation),
]

FINANCE = [
    _ds("finance/council-tax-collection", _meta(
        "Council tax collection by band", "gareth sophie", "council tax, collection, income",
        """
        Net collectable debit and the amount collected so far this financial year, by band, as
        an Excel workbook (sheet `Collection`) for the monthly budget monitoring pack.
        """, update_frequency="Monthly", temporal_coverage="Current financial year to date"),
        [(265, "gareth", "Add council tax collection to {month}"),
         (25, "sophie", "Council tax collection to {month}")], data.council_tax_collection),
    _ds("finance/spend-over-500", _meta(
        "Spend over £500", "sophie gareth", "spending, transparency, suppliers",
        """
        Every payment to a supplier of £500 or more, as the Local Government Transparency
        Code 2015 requires. Payments to individuals are excluded.
        """, update_frequency="Monthly", temporal_coverage="Latest 12 months",
        source_system="Unit4 ERP (accounts payable)"),
        [(245, "sophie", "Add payments over £500 for {month}"),
         (140, "gareth", "Add payments over £500 for {month}"),
         (20, "sophie", "Add payments over £500 for {month}")], data.spend_over_500),
    _ds("finance/council-tax-base", _meta(
        "Council tax base by ward and band", "gareth", "council tax, tax base, dwellings",
        "Dwellings, single person discounts and Band D equivalents, from the CTB return.",
        update_frequency="Annually", temporal_coverage="October of the current year"),
        [(225, "gareth", "Add council tax base (CTB return)")], data.council_tax_base),
]

PLANNING = [
    _ds("planning/planning-applications", _meta(
        "Planning applications decided", "oliver aisha", "planning, development management",
        """
        Every planning application decided, with the time taken and whether it met the
        statutory target (8 weeks; 13 for major development). A Parquet file: dates are dates.

        ## Notes
        - References are `YY/NNNNN/TYPE`, as on the public planning register.
        """, update_frequency="Quarterly", temporal_coverage="Latest eight financial quarters"),
        [(280, "oliver", "Add planning decisions to {quarter}"),
         (185, "aisha", "Add planning decisions to {quarter}"),
         (85, "oliver", "Add planning decisions to {quarter}")], data.planning_applications),
    _ds("planning/housing-completions", _meta(
        "Net additional dwellings by ward", "aisha", "housing supply, completions",
        "Homes completed and demolished each financial year, and affordable completions.",
        update_frequency="Annually", temporal_coverage="Latest four financial years"),
        [(155, "aisha", "Add net additional dwellings by ward")], data.housing_completions),
    _ds("planning/tree-preservation-orders", _meta(
        "Tree preservation orders", "oliver", "trees, TPO, environment",
        "Confirmed tree preservation orders, with species and location, as JSON.",
        update_frequency="When orders are made"),
        [(130, "oliver", "Add tree preservation orders")], data.tree_preservation_orders),
]

WASTE = [
    _ds("waste/household-waste-tonnages", _meta(
        "Household waste tonnages by stream", "liam claire", "waste, recycling, tonnages",
        """
        Tonnes of household waste collected each month by stream, from weighbridge tickets,
        as reported to WasteDataFlow.
        """, update_frequency="Monthly", temporal_coverage="Latest 24 months"),
        [(255, "liam", "Add waste tonnages to {month}"),
         (145, "claire", "Add waste tonnages to {month}"),
         (40, "liam", "Add waste tonnages to {month}")], data.household_waste_tonnages),
    _ds("waste/recycling-rates", _meta(
        "Household recycling rate", "claire", "recycling, waste, performance",
        "Share of household waste reused, recycled or composted each month (ex-NI 192).",
        update_frequency="Monthly", temporal_coverage="Latest 24 months",
        derived_from=["waste/household-waste-tonnages"]),
        [(255, "claire", "Add recycling rate to {month}"),
         (40, "claire", "Add recycling rate to {month}")], data.recycling_rates),
    _ds("waste/fly-tipping", _meta(
        "Fly-tipping incidents by ward", "claire", "fly-tipping, enforcement, street scene",
        "Fly-tipping incidents cleared each month, the largest size, and fixed penalties.",
        update_frequency="Monthly", temporal_coverage="Latest 12 months"),
        [(205, "claire", "Add fly-tipping incidents to {month}")], data.fly_tipping_incidents),
    _ds("waste/missed-bin-collections", _meta(
        "Missed bin collections by round", "", "bins, waste collection",
        "Missed collections reported each week by round, and how many were put right in 24h.",
        update_frequency="Weekly", temporal_coverage="Latest 26 weeks"),
        [(110, "liam", "Add missed bin collections (no owners yet: deliberately left "
                       "incomplete in the demo to show a problem on the dataset's page)")],
        data.missed_bin_collections),
]

COUNCIL = DemoRegistry(
    "Northmere Borough Council", "northmere-council", (300, "nadia"),
    {"housing": "Housing", "adult-social-care": "Adult Social Care",
     "childrens-services": "Children's Services", "public-health": "Public Health",
     "finance": "Finance", "planning": "Planning", "waste": "Waste and Recycling"},
    {"riverbank-nhs": "Riverbank NHS Foundation Trust"},
    HOUSING + ADULT_SOCIAL_CARE + CHILDRENS_SERVICES + PUBLIC_HEALTH + FINANCE + PLANNING + WASTE,
    [(90, "nadia", "finance/spend-over-500",
      {"tags": ["spending", "transparency", "suppliers", "open data candidate"]},
      "Tag spend over £500 as a candidate for the open data portal")],
)

NHS = DemoRegistry(
    "Riverbank NHS Foundation Trust", "riverbank-nhs-trust", (250, "sarah"),
    {"integrated-care": "Integrated Care", "emergency-care": "Urgent and Emergency Care"},
    {"northmere-council": "Northmere Borough Council"},
    [_ds("integrated-care/delayed-discharges", _meta(
        "Delayed discharges from hospital", "sarah james", "discharge, NHS, social care",
        """
        Patients who no longer meet the criteria to reside but remain in hospital, each week,
        by discharge pathway and reason, for residents of Northmere. Shared with Northmere
        Borough Council under the data sharing agreement DSA-2025-014.
        """, update_frequency="Weekly", temporal_coverage="Latest 26 weeks",
        spatial_coverage="Northmere residents in Riverbank hospitals"),
        [(240, "sarah", "Add delayed discharges to week ending {week}"),
         (150, "james", "Add delayed discharges to week ending {week}"),
         (18, "sarah", "Add delayed discharges to week ending {week}")], data.delayed_discharges),
     _ds("emergency-care/ae-attendances", _meta(
         "A&E attendances by ward of residence", "james", "A&E, urgent care, NHS",
         "Type 1 A&E attendances by Northmere residents, admissions and four-hour performance.",
         update_frequency="Monthly", temporal_coverage="Latest 12 months"),
         [(200, "james", "Add A&E attendances to {month}"),
          (45, "james", "Add A&E attendances to {month}")], data.ae_attendances)],
)


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
                             author=(STAFF[who].name, STAFF[who].email))
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
                               message.format(**data.period_fields(when.date()))))
    by_key = {ds.key: ds for ds in spec.datasets}
    for days, who, key, changes, message in spec.revisions:
        steps.append(Step(_moment(today, days, key, 0), by_key[key], 0, STAFF[who], message,
                           changes))
    return sorted(steps, key=lambda step: step.when)


def _moment(today: date, days: int, key: str, number: int, late: bool = False) -> datetime:
    """A weekday working-hours moment `days` before `today` (weekends move to the Friday)."""
    day = today - timedelta(days=days)
    day -= timedelta(days=max(0, day.weekday() - 4))
    minutes = 17 * 60 + 5 if late else 9 * 60 + int(data.rng("at", key, number).integers(0, 450))
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
