"""Synthetic but realistic local-government data for the demo registries, made with pandas.

Every generator takes the version number (0-based) and the date the version is committed, and
returns the dataset's files as bytes. Randomness is seeded by what a value describes (a ward,
a month, a quarter), so a later version repeats the earlier rows it shares and adds new ones,
and the same build date always gives the same bytes.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from datetime import date, timedelta

import numpy as np
import pandas as pd

Files = dict[str, bytes]

WARDS = [
    ("E05015101", "Abbey"), ("E05015102", "Brookfield"), ("E05015103", "Castle"),
    ("E05015104", "Denmead"), ("E05015105", "Eastgate"), ("E05015106", "Fairfield"),
    ("E05015107", "Greenhill"), ("E05015108", "Harbour"), ("E05015109", "Kingsmead"),
    ("E05015110", "Lowther"), ("E05015111", "Millbrook"), ("E05015112", "Northfield"),
    ("E05015113", "Orchard"), ("E05015114", "Parkside"), ("E05015115", "Queensway"),
    ("E05015116", "Riverside"), ("E05015117", "St Mary's"), ("E05015118", "Westcliffe"),
]
# How deprived each ward is (0 = least): drives homelessness, obesity, fly-tipping and the rest.
DEPRIVATION = dict(zip([c for c, _ in WARDS], np.random.default_rng(18).uniform(0.1, 1.0, 18),
                       strict=True))
BASE_POPULATION = dict(zip([c for c, _ in WARDS],
                           np.random.default_rng(7).integers(8_500, 14_500, 18), strict=True))


def rng(*parts: object) -> np.random.Generator:
    """A generator seeded by what the numbers describe."""
    return np.random.default_rng(zlib.crc32("|".join(map(str, parts)).encode()))


def csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n").encode()


# Periods, all counted back from the date a version is committed.

def months(asof: date, n: int) -> list[date]:
    """The first days of the `n` whole months before `asof`, oldest first."""
    first = asof.replace(day=1)
    out = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def quarters(asof: date, n: int) -> list[str]:
    """The `n` whole financial-year quarters before `asof`, as `2026/27 Q1`, oldest first."""
    index = (asof.year * 12 + asof.month - 4) // 3 - 1  # quarters since April of year 0
    labels = []
    for q in range(index - n + 1, index + 1):
        year, part = divmod(q, 4)
        labels.append(f"{year}/{(year + 1) % 100:02d} Q{part + 1}")
    return labels


def weeks(asof: date, n: int) -> list[date]:
    """The Sundays ending the `n` whole weeks before `asof`, oldest first."""
    last = asof - timedelta(days=asof.isoweekday() % 7 or 7)
    return [last - timedelta(weeks=k) for k in range(n - 1, -1, -1)]


def latest_mid_year(asof: date) -> int:
    """ONS publishes mid-year estimates for year Y in the summer of Y + 1."""
    return asof.year - 1 if asof.month >= 7 else asof.year - 2


def academic_year(asof: date) -> str:
    start = asof.year if asof.month >= 9 else asof.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def period_fields(asof: date) -> dict[str, str]:
    """Names of the periods a version committed on `asof` covers, for its commit message."""
    return {"month": months(asof, 1)[0].strftime("%B %Y"), "quarter": quarters(asof, 1)[0],
            "mid_year": str(latest_mid_year(asof)), "academic_year": academic_year(asof),
            "week": weeks(asof, 1)[0].strftime("%-d %B %Y")}


def _wards(n: int | None = None) -> pd.DataFrame:
    frame = pd.DataFrame(WARDS, columns=["ward_code", "ward_name"])
    return frame if n is None else frame.head(n)


def _cross(left: pd.DataFrame | list, right: pd.DataFrame | list, names=("a", "b")) -> pd.DataFrame:
    def frame(x, name):
        return x if isinstance(x, pd.DataFrame) else pd.DataFrame({name: x})
    return frame(left, names[0]).merge(frame(right, names[1]), how="cross")


def _poisson(keys: pd.DataFrame, seed: str, mean) -> np.ndarray:
    """One Poisson draw per row, seeded by the row's values (stable across versions)."""
    return np.array([rng(seed, *row).poisson(m) for row, m in
                     zip(keys.itertuples(index=False), np.broadcast_to(mean, len(keys)),
                         strict=True)])


# Public health

def ward_population_estimates(version: int, asof: date) -> Files:
    latest = latest_mid_year(asof)
    frame = _cross(_wards(), list(range(latest - 4, latest + 1)), ("w", "mid_year"))
    growth = 1 + 0.006 * (frame["mid_year"] - 2020)
    revision = 1 + rng("population revision", version).normal(0, 0.004, len(frame)) * bool(version)
    total = (frame["ward_code"].map(BASE_POPULATION) * growth * revision).round().astype(int)
    young = (total * (0.17 + 0.05 * frame["ward_code"].map(DEPRIVATION))).round().astype(int)
    old = (total * (0.24 - 0.07 * frame["ward_code"].map(DEPRIVATION))).round().astype(int)
    frame = frame.assign(aged_0_15=young, aged_16_64=total - young - old, aged_65_plus=old,
                         population=total)
    return {"ward_population_estimates.csv": csv(frame)}


SITES = pd.DataFrame([
    ("NM1", "Town Hall", "Urban background", 52.4212, -1.5123, True),
    ("NM2", "Eastgate Road", "Roadside", 52.4188, -1.4987, True),
    ("NM3", "Harbour Street", "Roadside", 52.4102, -1.5301, False),
    ("NM4", "Kingsmead School", "Urban background", 52.4325, -1.5044, False),
    ("NM5", "Ring Road North", "Kerbside", 52.4391, -1.5189, True),
    ("NM6", "Millbrook Lane", "Suburban", 52.4019, -1.4876, False),
], columns=["site_id", "site_name", "site_type", "latitude", "longitude", "measures_pm25"])


def air_quality_monitoring(version: int, asof: date) -> Files:
    """A directory: one CSV of daily means per monitoring site, and the list of sites."""
    start, end = months(asof, 12)[0], months(asof, 1)[0] + pd.offsets.MonthEnd(0)
    days = pd.date_range(start, end, freq="D")
    files = {"readings/sites.csv": csv(SITES)}
    for site in SITES.itertuples():
        roadside = {"Kerbside": 16, "Roadside": 11}.get(site.site_type, 0)
        winter = 6 * np.cos((days.day_of_year.to_numpy() - 15) / 365 * 2 * np.pi)
        noise = np.array([rng(site.site_id, d.date()).normal(0, 4) for d in days])
        no2 = (19 + roadside + winter + noise).clip(4).round(1)
        pm25 = (7.5 + 0.3 * roadside + 0.6 * winter + noise / 2).clip(1).round(1)
        frame = pd.DataFrame({"date": days.date, "no2_ugm3": no2,
                              "pm25_ugm3": pm25 if site.measures_pm25 else np.nan})
        files[f"readings/{site.site_id.lower()}.csv"] = csv(frame)
    return files


def childhood_obesity(version: int, asof: date) -> Files:
    start = int(academic_year(asof)[:4])
    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(start - 3, start)]
    frame = _cross(_wards(), years, ("w", "school_year"))
    dep = frame["ward_code"].map(DEPRIVATION)
    noise = rng("ncmp", version).normal(0, 1.2, (2, len(frame)))
    frame["reception_measured"] = (frame["ward_code"].map(BASE_POPULATION) / 95).astype(int)
    frame["reception_overweight_or_obese_pct"] = (18 + 8 * dep + noise[0]).round(1)
    frame["year6_measured"] = (frame["reception_measured"] * 0.97).astype(int)
    frame["year6_overweight_or_obese_pct"] = (31 + 12 * dep + noise[1]).round(1)
    return {"ncmp_by_ward.csv": csv(frame)}


def smoking_cessation(version: int, asof: date) -> Files:
    settings = ["Specialist stop smoking service", "Community pharmacy", "GP practice",
                "Maternity (hospital)"]
    frame = _cross(quarters(asof, 8), settings, ("quarter", "setting"))
    frame["quit_dates_set"] = _poisson(frame, "quit dates", 140)
    frame["quit_4wk_self_reported"] = (frame["quit_dates_set"] * 0.52).round().astype(int)
    frame["quit_4wk_co_validated"] = (frame["quit_4wk_self_reported"] * 0.71).round().astype(int)
    return {"stop_smoking_quits.csv": csv(frame)}


# Housing

def homelessness_applications(version: int, asof: date) -> Files:
    frame = _cross(quarters(asof, 8), _wards(), ("quarter", "w"))
    mean = 6 + 34 * frame["ward_code"].map(DEPRIVATION)
    frame["households_assessed"] = _poisson(frame, "assessed", mean)
    share = rng("duties", version).uniform(0.5, 0.6)
    frame["owed_prevention_duty"] = (frame["households_assessed"] * share).round().astype(int)
    frame["owed_relief_duty"] = frame["households_assessed"] - frame["owed_prevention_duty"]
    frame["main_duty_accepted"] = (frame["owed_relief_duty"] * 0.31).round().astype(int)
    frame["households_with_children"] = (frame["households_assessed"] * 0.38).round().astype(int)
    return {"homelessness_applications.csv": csv(frame)}


def rough_sleeping_counts(version: int, asof: date) -> Files:
    areas = ["Town centre", "Eastgate", "Harbour", "Riverside", "Railway station", "Parkside"]
    frame = _cross([m.isoformat() for m in months(asof, 12)], areas, ("count_date", "area"))
    frame["people_seen"] = _poisson(frame, "rough", [9, 3, 4, 2, 3, 1] * 12)
    frame["new_to_the_street"] = _poisson(frame, "new", frame["people_seen"] * 0.3)
    frame["long_term"] = _poisson(frame, "long", frame["people_seen"] * 0.25)
    return {"rough_sleeping_counts.csv": csv(frame)}


def temporary_accommodation(version: int, asof: date) -> Files:
    kinds = {"Bed and breakfast": 35, "Nightly paid self-contained": 120, "Hostel": 60,
             "Private sector leased": 140, "Council stock": 90}
    frame = _cross([m.isoformat() for m in months(asof, 24)], list(kinds),
                   ("month", "accommodation_type"))
    frame["households"] = _poisson(frame, "ta", frame["accommodation_type"].map(kinds))
    frame["with_children"] = (frame["households"] * 0.55).round().astype(int)
    costs = {"Bed and breakfast": 68.0, "Nightly paid self-contained": 52.5}
    frame["avg_nightly_cost_gbp"] = frame["accommodation_type"].map(costs).fillna(24.0)
    return {"temporary_accommodation.csv": csv(frame)}


def housing_register(version: int, asof: date) -> Files:
    frame = _cross(["A (emergency)", "B (urgent)", "C (housing need)", "D (no priority)"],
                   ["1", "2", "3", "4+"], ("band", "bedrooms_needed"))
    frame["households"] = _poisson(frame, "register", [40, 25, 20, 8, 300, 210, 160, 60,
                                                       900, 640, 380, 120, 700, 420, 160, 40])
    frame["median_wait_days"] = _poisson(frame, "wait", [60, 90, 150, 260, 300, 420, 610, 900,
                                                         700, 860, 1100, 1500] + [0] * 4)
    return {"housing_register.csv": csv(frame)}


def empty_homes(version: int, asof: date) -> Files:
    frame = _wards()
    frame["long_term_empty_6m_plus"] = _poisson(frame, "empty", 40 + 60 * frame["ward_code"]
                                                .map(DEPRIVATION))
    frame["empty_2y_plus"] = (frame["long_term_empty_6m_plus"] * 0.3).round().astype(int)
    frame["premium_charged"] = (frame["empty_2y_plus"] * 0.8).round().astype(int)
    return {"empty_homes_by_ward.csv": csv(frame)}


# Adult social care

def care_packages(version: int, asof: date) -> Files:
    services = {"Home care": (820, 410.0), "Residential care": (390, 980.0),
                "Nursing care": (210, 1150.0), "Direct payments": (450, 360.0),
                "Supported living": (260, 1320.0), "Day opportunities": (300, 190.0)}
    groups = {"Older people (65+)": 0.62, "Learning disability": 0.16,
              "Physical disability": 0.14, "Mental health": 0.08}
    frame = _cross(_cross([m.isoformat() for m in months(asof, 18)], list(services),
                          ("month", "service_type")), list(groups), ("x", "client_group"))
    mean = frame["service_type"].map(lambda s: services[s][0]) * frame["client_group"].map(groups)
    frame["packages"] = _poisson(frame, "packages", mean)
    cost = frame["service_type"].map(lambda s: services[s][1])
    frame["avg_weekly_cost_gbp"] = (cost * rng("fees", version).uniform(0.98, 1.03)).round(2)
    return {"care_packages.csv": csv(frame)}


HOMES = [f"{n} {k}" for n, k in zip(
    ["Abbeyfield", "Brook House", "Castle View", "Cedars", "Elm Lodge", "Fairhaven", "Greenacres",
     "Harbour Lights", "Hollybank", "Kingsmead", "Laurel Court", "Maple Grange", "Millbrook",
     "Oaklands", "Orchard House", "Parkside", "Queens Court", "Riverside", "St Mary's",
     "Willows"], ["Care Home", "Nursing Home"] * 10, strict=True)]


def care_home_placements(version: int, asof: date) -> Files:
    r = rng("homes")
    beds = r.integers(24, 90, len(HOMES))
    frame = pd.DataFrame({
        "care_home": HOMES, "ward_name": [WARDS[i % 18][1] for i in range(len(HOMES))],
        "cqc_rating": r.choice(["Outstanding", "Good", "Requires improvement", "Inadequate"],
                               len(HOMES), p=[0.08, 0.67, 0.22, 0.03]),
        "nursing": ["Nursing" in h for h in HOMES], "registered_beds": beds,
        "council_funded_residents": (beds * r.uniform(0.3, 0.7, len(HOMES))).astype(int),
        "weekly_fee_gbp": r.normal(1010, 120, len(HOMES)).round(2)})
    return {"care_home_placements.csv": csv(frame)}


def safeguarding_concerns(version: int, asof: date) -> Files:
    kinds = {"Neglect and acts of omission": 120, "Financial or material": 70, "Physical": 65,
             "Psychological": 50, "Self-neglect": 40, "Domestic abuse": 30, "Sexual": 10,
             "Organisational": 15}
    frame = _cross(quarters(asof, 8), list(kinds), ("quarter", "type_of_abuse"))
    frame["concerns_received"] = _poisson(frame, "concerns", frame["type_of_abuse"].map(kinds))
    frame["section_42_enquiries"] = (frame["concerns_received"] * 0.34).round().astype(int)
    return {"safeguarding_concerns.csv": csv(frame)}


def care_provider_directory(version: int, asof: date) -> Files:
    r = rng("providers")
    kinds = ["Home care", "Supported living", "Day opportunities", "Extra care housing"]
    providers = [{
        "provider_id": f"NBC-P{100 + i}", "name": name, "service_type": kinds[i % 4],
        "cqc_rating": str(r.choice(["Outstanding", "Good", "Requires improvement"],
                                   p=[0.1, 0.75, 0.15])),
        "wards_served": sorted({WARDS[int(j)][1] for j in r.integers(0, 18, 5)}),
        "accepting_new_clients": bool(r.random() < 0.7),
        "website": f"https://www.{re.sub(r'[^a-z]', '', name.lower())}.example.co.uk",
    } for i, name in enumerate(["Helping Hands Northmere", "Caremark Riverside", "Brightwater Care",
                                "Kingsmead Support", "Abbey Home Care", "Sunrise Supported Living",
                                "Compass Day Services", "Westcliffe Extra Care", "Allied Homecare",
                                "Northmere Shared Lives", "Harbour Community Care",
                                "Greenhill Enablement"])]
    return {"providers.json": json.dumps({"providers": providers}, indent=2).encode()}


# Children's services

def looked_after_children(version: int, asof: date) -> Files:
    """Child-level records (pseudonymised) of the children in care on the snapshot date."""
    snapshot = pd.Timestamp(months(asof, 1)[0] + pd.offsets.MonthEnd(0))
    r = rng("children")
    n = 900
    start = pd.Timestamp("2018-01-01") + pd.to_timedelta(r.integers(0, 3300, n), unit="D")
    born = start - pd.to_timedelta(r.integers(0, 17 * 365, n), unit="D")
    frame = pd.DataFrame({
        "child_ref": [f"LAC-{i:05d}" for i in range(1, n + 1)],
        "date_of_birth": born.to_period("M").to_timestamp().date,
        "gender": r.choice(["Female", "Male"], n),
        "ethnicity": r.choice(["White", "Mixed", "Asian", "Black", "Other"], n,
                              p=[0.72, 0.1, 0.08, 0.07, 0.03]),
        "legal_status": r.choice(["C2 Full care order", "V2 Section 20", "E1 Placement order",
                                  "C1 Interim care order"], n, p=[0.55, 0.2, 0.1, 0.15]),
        "placement_type": r.choice(["Foster care (in-house)", "Foster care (agency)",
                                    "Kinship / connected person", "Children's home",
                                    "Placed with parents", "Supported accommodation (16+)"], n,
                                   p=[0.36, 0.24, 0.15, 0.1, 0.08, 0.07]),
        "period_of_care_start": start.date,
        "ward_of_origin": [WARDS[i][1] for i in r.integers(0, 18, n)],
        "distance_from_home_km": r.gamma(1.6, 9, n).round(1),
    })
    end = start + pd.to_timedelta(r.integers(90, 2600, n), unit="D")
    in_care = (start <= snapshot) & (end > snapshot) & (born > snapshot - pd.DateOffset(years=18))
    frame = frame[in_care].assign(snapshot_date=snapshot.date())
    return {"children_in_care.csv": csv(frame)}


SCHOOLS = [(f"{w} {k}", area, phase) for w, k, area, phase in [
    ("Abbey", "Primary School", "Central", "Primary"), ("Brookfield", "Infant School", "North",
    "Primary"), ("Castle", "Primary Academy", "Central", "Primary"), ("Denmead", "Primary School",
    "South", "Primary"), ("Eastgate", "Community Primary", "East", "Primary"), ("Fairfield",
    "Junior School", "North", "Primary"), ("Greenhill", "Primary School", "West", "Primary"),
    ("Harbour", "Primary School", "South", "Primary"), ("Kingsmead", "CofE Primary", "North",
    "Primary"), ("Lowther", "Primary School", "West", "Primary"), ("St Mary's", "RC Primary",
    "Central", "Primary"), ("Orchard", "Primary School", "East", "Primary"), ("Northmere",
    "Academy", "Central", "Secondary"), ("Riverside", "High School", "South", "Secondary"),
    ("Kingsmead", "School", "North", "Secondary"), ("Westcliffe", "Community College", "West",
    "Secondary"), ("St Mary's", "Catholic High School", "East", "Secondary")]]


def school_places(version: int, asof: date) -> Files:
    """Capacity and pupils on roll; the census update refreshes rolls, then forecasts arrive."""
    year = academic_year(asof)
    rows = []
    for i, (name, area, phase) in enumerate(SCHOOLS):
        r = rng("school", name)
        capacity = int(r.choice([210, 315, 420, 630]) if phase == "Primary"
                       else r.choice([900, 1150, 1500]))
        roll = capacity * r.uniform(0.82, 1.02)
        if version >= 1:
            roll *= rng("census", name, year).uniform(0.97, 1.02)
        rows.append((year, "January census" if version else "October census", area,
                     137100 + i * 13, name, phase, capacity, int(roll)))
        if version >= 2:
            start = int(year[:4])
            trend = -0.012 if phase == "Primary" else 0.015
            for ahead in range(1, 6):
                rows.append((f"{start + ahead}/{(start + ahead + 1) % 100:02d}", "Forecast", area,
                             137100 + i * 13, name, phase, capacity,
                             int(roll * (1 + trend) ** ahead)))
    frame = pd.DataFrame(rows, columns=["academic_year", "basis", "planning_area", "urn",
                                        "school_name", "phase", "capacity", "number_on_roll"])
    frame["surplus_places"] = frame["capacity"] - frame["number_on_roll"]
    frame["surplus_pct"] = (100 * frame["surplus_places"] / frame["capacity"]).round(1)
    return {"school_places.csv": csv(frame)}


def early_years_take_up(version: int, asof: date) -> Files:
    frame = _wards()
    frame["eligible_two_year_olds"] = (frame["ward_code"].map(BASE_POPULATION) / 180 *
                                       (0.5 + frame["ward_code"].map(DEPRIVATION))).astype(int)
    frame["funded_places_taken"] = _poisson(frame, "eyfe", frame["eligible_two_year_olds"] * 0.74)
    frame["take_up_pct"] = (100 * frame["funded_places_taken"] /
                            frame["eligible_two_year_olds"]).round(1)
    return {"two_year_old_funding_take_up.csv": csv(frame)}


def send_ehcps(version: int, asof: date) -> Files:
    needs = {"Autistic spectrum disorder": 520, "Speech, language and communication": 380,
             "Social, emotional and mental health": 330, "Moderate learning difficulty": 190,
             "Severe learning difficulty": 120, "Physical disability": 60,
             "Profound and multiple learning difficulty": 35, "Hearing impairment": 25}
    frame = _cross(list(range(asof.year - 5, asof.year)), list(needs), ("calendar_year",
                                                                        "primary_need"))
    growth = 1.09 ** (frame["calendar_year"] - asof.year + 5)
    frame["ehcps_maintained"] = _poisson(frame, "ehcp", frame["primary_need"].map(needs) * growth)
    frame["new_plans_issued"] = (frame["ehcps_maintained"] * 0.16).round().astype(int)
    frame["issued_within_20_weeks_pct"] = _poisson(frame, "timely", 48).clip(0, 100)
    return {"ehcps_by_primary_need.csv": csv(frame)}


# Finance

def council_tax_collection(version: int, asof: date) -> Files:
    """An Excel workbook: cumulative collection this financial year, by band."""
    bands = dict(zip("ABCDEFGH", [14200, 21800, 17600, 11900, 7100, 3400, 1900, 300],
                     strict=True))
    first = date(asof.year if asof.month >= 4 else asof.year - 1, 4, 1)
    frame = _cross([m for m in months(asof, 12) if m >= first] or [first], list(bands),
                   ("month", "band"))
    charge = frame["band"].map(dict(zip("ABCDEFGH", [1541.7, 1798.6, 2055.6, 2312.5, 2826.4,
                                                     3340.3, 3854.2, 4625.0], strict=True)))
    frame["net_collectable_debit_gbp"] = (frame["band"].map(bands) * charge).round(2)
    done = (frame["month"].map(lambda m: (m.month - 3) % 12) / 12).clip(upper=1)
    rate = done * 0.968 + _poisson(frame, "ctax", 50) / 10000
    frame["collected_to_date_gbp"] = (frame["net_collectable_debit_gbp"] * rate).round(2)
    frame["collection_rate_pct"] = (100 * rate).round(2)
    return {"council_tax_collection.xlsx": excel(frame, "Collection")}


def excel(frame: pd.DataFrame, sheet: str) -> bytes:
    """An .xlsx whose bytes depend only on the data (openpyxl stamps the time of writing)."""
    raw = io.BytesIO()
    frame.to_excel(raw, index=False, sheet_name=sheet)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", data)
            dst.writestr(zipfile.ZipInfo(info.filename, (2020, 1, 1, 0, 0, 0)), data,
                         zipfile.ZIP_DEFLATED)
    return out.getvalue()


SUPPLIERS = {"Agency staffing": ["Hays Social Care", "Reed Specialist Recruitment"],
             "Care provision": ["Brightwater Care Ltd", "Caremark Riverside", "Oaklands Care"],
             "Waste disposal": ["Veolia ES (UK) Ltd", "Northmere Recycling Ltd"],
             "Highways maintenance": ["Ringway Infrastructure"],
             "IT services": ["Civica UK Ltd", "Softcat plc", "Capita Business Services"],
             "Temporary accommodation": ["Premier Lets Northmere", "Harbour View Hotel"],
             "Legal fees": ["Bevan Brittan LLP"], "Energy": ["EDF Energy Customers Ltd"]}
SERVICES = {"Agency staffing": "Children's Services", "Care provision": "Adult Social Care",
            "Waste disposal": "Waste", "Highways maintenance": "Planning",
            "IT services": "Finance", "Temporary accommodation": "Housing",
            "Legal fees": "Finance", "Energy": "Finance"}


def spend_over_500(version: int, asof: date) -> Files:
    rows = []
    for month in months(asof, 12):
        r = rng("spend", month)
        for i in range(int(r.integers(160, 220))):
            kind = str(r.choice(list(SUPPLIERS)))
            rows.append((month + timedelta(days=int(r.integers(0, 28))),
                         f"{month:%y%m}{i:04d}", SERVICES[kind], kind,
                         str(r.choice(SUPPLIERS[kind])), round(500 + r.lognormal(7.6, 1.3), 2)))
    frame = pd.DataFrame(rows, columns=["payment_date", "transaction_id", "service_area",
                                        "expense_type", "supplier_name", "amount_gbp"])
    return {"spend_over_500.csv": csv(frame.sort_values(["payment_date", "transaction_id"]))}


def council_tax_base(version: int, asof: date) -> Files:
    frame = _cross(_wards(), list("ABCDEFGH"), ("w", "band"))
    share = frame["band"].map(dict(zip("ABCDEFGH", [.18, .27, .22, .15, .09, .05, .03, .01],
                                       strict=True)))
    frame["dwellings"] = _poisson(frame, "dwellings", frame["ward_code"].map(BASE_POPULATION)
                                  / 2.3 * share)
    frame["single_person_discounts"] = (frame["dwellings"] * 0.31).round().astype(int)
    ratio = frame["band"].map(dict(zip("ABCDEFGH", [6, 7, 8, 9, 11, 13, 15, 18], strict=True)))
    frame["band_d_equivalents"] = ((frame["dwellings"] - 0.25 * frame["single_person_discounts"])
                                   * ratio / 9).round(1)
    return {"council_tax_base.csv": csv(frame)}


# Planning

def planning_applications(version: int, asof: date) -> Files:
    """A Parquet file, typed: dates are dates, flags are booleans."""
    kinds = {"HOU": ("Householder", 56), "FUL": ("Full", 56), "OUT": ("Outline", 91),
             "LBC": ("Listed building consent", 56), "PA": ("Prior approval", 56),
             "TCA": ("Works to trees in a conservation area", 42)}
    proposals = ["Single storey rear extension", "Loft conversion with rear dormer",
                 "Change of use from offices to 6 flats", "Erection of 2 detached dwellings",
                 "Replacement windows", "Fell one oak tree", "Two storey side extension",
                 "Installation of solar panels", "Outline application for up to 40 dwellings"]
    rows = []
    for quarter in quarters(asof, 8):
        r = rng("planning", quarter)
        year, q = int(quarter[:4]), int(quarter[-1])
        start = date(year, 4, 1) + timedelta(days=91 * (q - 1))
        for _ in range(int(r.integers(230, 290))):
            code = str(r.choice(list(kinds), p=[.46, .2, .04, .06, .12, .12]))
            received = start + timedelta(days=int(r.integers(0, 91)))
            days = int(r.gamma(3, kinds[code][1] / 3.4))
            rows.append((f"{received:%y}/{int(r.integers(0, 3000)):05d}/{code}", received,
                         received + timedelta(days=days), WARDS[int(r.integers(0, 18))][1],
                         kinds[code][0], str(r.choice(proposals)),
                         str(r.choice(["Granted", "Refused", "Withdrawn"], p=[.86, .1, .04])),
                         days, days <= kinds[code][1]))
    frame = pd.DataFrame(rows, columns=["reference", "received_date", "decision_date",
                                        "ward_name", "application_type", "proposal", "decision",
                                        "days_to_decision", "within_target"])
    frame = frame[frame["decision_date"] < asof].drop_duplicates("reference")
    raw = io.BytesIO()
    frame.to_parquet(raw, index=False)
    return {"planning_applications.parquet": raw.getvalue()}


def housing_completions(version: int, asof: date) -> Files:
    first = asof.year - (1 if asof.month >= 4 else 2)
    frame = _cross([f"{y}/{(y + 1) % 100:02d}" for y in range(first - 4, first)], _wards(),
                   ("financial_year", "w"))
    frame["gross_completions"] = _poisson(frame, "built", 38)
    frame["demolitions"] = _poisson(frame, "demolished", 3)
    frame["net_additional_dwellings"] = frame["gross_completions"] - frame["demolitions"]
    frame["affordable_completions"] = (frame["gross_completions"] * 0.24).round().astype(int)
    return {"housing_completions.csv": csv(frame)}


def tree_preservation_orders(version: int, asof: date) -> Files:
    r = rng("trees")
    species = ["English oak", "Common beech", "Horse chestnut", "London plane", "Scots pine",
               "Sycamore", "Yew", "Silver birch", "Cedar of Lebanon"]
    orders = [{"reference": f"TPO/{int(y)}/{i:03d}", "ward": WARDS[int(r.integers(0, 18))][1],
               "species": str(r.choice(species)), "number_of_trees": int(r.integers(1, 12)),
               "confirmed": f"{int(y)}-{int(r.integers(1, 13)):02d}-{int(r.integers(1, 29)):02d}",
               "latitude": round(52.40 + r.uniform(0, 0.045), 5),
               "longitude": round(-1.535 + r.uniform(0, 0.05), 5)}
              for i, y in enumerate(sorted(r.integers(1974, asof.year, 64)), 1)]
    return {"tree_preservation_orders.json": json.dumps(orders, indent=2).encode()}


# Waste

STREAMS = {"Residual (black bin)": 3900, "Dry mixed recycling": 1450, "Glass": 380,
           "Garden waste": 1100, "Food waste": 520, "HWRC reuse and recycling": 610}


def _tonnages(asof: date, n: int) -> pd.DataFrame:
    frame = _cross([m.isoformat() for m in months(asof, n)], list(STREAMS), ("month", "stream"))
    season = frame["month"].map(lambda m: 1 + 0.45 * np.sin((int(m[5:7]) - 3) / 12 * 2 * np.pi))
    garden = frame["stream"] == "Garden waste"
    mean = frame["stream"].map(STREAMS) * np.where(garden, season, 1)
    frame["tonnes"] = (_poisson(frame, "tonnes", mean * 10) / 10).round(1)
    return frame


def household_waste_tonnages(version: int, asof: date) -> Files:
    return {"household_waste_tonnages.csv": csv(_tonnages(asof, 24))}


def recycling_rates(version: int, asof: date) -> Files:
    frame = _tonnages(asof, 24)
    frame["recycled"] = np.where(frame["stream"].str.startswith("Residual"), 0, frame["tonnes"])
    total = frame.groupby("month")[["tonnes", "recycled"]].sum().reset_index()
    total["recycling_rate_pct"] = (100 * total["recycled"] / total["tonnes"]).round(1)
    total.columns = ["month", "household_waste_tonnes", "reused_recycled_composted_tonnes",
                     "recycling_rate_pct"]
    return {"recycling_rates.csv": csv(total)}


def fly_tipping_incidents(version: int, asof: date) -> Files:
    frame = _cross([m.isoformat() for m in months(asof, 12)], _wards(), ("month", "w"))
    frame["incidents"] = _poisson(frame, "tips", 4 + 30 * frame["ward_code"].map(DEPRIVATION))
    frame["largest_size"] = [str(rng("size", *k).choice(["Single black bag", "Car boot",
                             "Small van", "Transit van", "Tipper lorry"], p=[.2, .3, .3, .15, .05]))
                             for k in frame[["month", "ward_code"]].itertuples(index=False)]
    frame["fixed_penalty_notices"] = _poisson(frame, "fpn", frame["incidents"] * 0.05)
    return {"fly_tipping_incidents.csv": csv(frame)}


def missed_bin_collections(version: int, asof: date) -> Files:
    rounds = [f"{d} {x}" for d in ["Mon", "Tue", "Wed", "Thu", "Fri"] for x in "AB"]
    frame = _cross([w.isoformat() for w in weeks(asof, 26)], rounds, ("week_ending", "round"))
    frame["scheduled_collections"] = 4100
    frame["missed_reported"] = _poisson(frame, "missed", 14)
    frame["put_right_within_24h"] = _poisson(frame, "fixed", frame["missed_reported"] * 0.85)
    frame["put_right_within_24h"] = frame[["put_right_within_24h", "missed_reported"]].min(axis=1)
    return {"missed_bin_collections.csv": csv(frame)}


# Riverbank NHS Foundation Trust

def delayed_discharges(version: int, asof: date) -> Files:
    reasons = {"Awaiting care home placement": 9, "Awaiting home care package": 14,
               "Awaiting assessment": 7, "Awaiting equipment or adaptations": 3,
               "Patient or family choice": 4}
    frame = _cross(_cross([w.isoformat() for w in weeks(asof, 26)],
                          ["Pathway 1 (home with support)", "Pathway 2 (rehabilitation bed)",
                           "Pathway 3 (care home)"], ("week_ending", "discharge_pathway")),
                   list(reasons), ("x", "delay_reason"))
    frame["patients_delayed"] = _poisson(frame, "delayed", frame["delay_reason"].map(reasons) / 3)
    frame["bed_days_lost"] = _poisson(frame, "beddays", frame["patients_delayed"] * 4.5)
    frame["local_authority"] = "Northmere"
    return {"delayed_discharges.csv": csv(frame)}


def ae_attendances(version: int, asof: date) -> Files:
    frame = _cross([m.isoformat() for m in months(asof, 12)], _wards(), ("month", "w"))
    frame["attendances"] = _poisson(frame, "ae", frame["ward_code"].map(BASE_POPULATION) / 38)
    frame["admitted"] = (frame["attendances"] * 0.27).round().astype(int)
    frame["seen_within_4_hours_pct"] = (70 + _poisson(frame, "4h", 60) / 10).round(1)
    return {"ae_attendances_by_ward.csv": csv(frame)}
