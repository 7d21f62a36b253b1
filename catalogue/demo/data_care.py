"""Demo data of Adult Social Care and Children's Services."""

from __future__ import annotations

import json
import re
from datetime import date

import pandas as pd

from catalogue.demo.data_common import (
    Files,
    base_population,
    cross,
    csv,
    deprivation,
    poisson,
    rng,
    ward_frame,
    ward_name,
    whole,
)
from catalogue.demo.periods import academic_year, iso, last_month_end, months, quarters, year_label

# Adult social care

def care_packages(version: int, asof: date) -> Files:
    services = {"Home care": (820, 410.0), "Residential care": (390, 980.0),
                "Nursing care": (210, 1150.0), "Direct payments": (450, 360.0),
                "Supported living": (260, 1320.0), "Day opportunities": (300, 190.0)}
    groups = {"Older people (65+)": 0.62, "Learning disability": 0.16,
              "Physical disability": 0.14, "Mental health": 0.08}
    frame = cross(cross(iso(months(asof, 18)), list(services), ("month", "service_type")),
                  list(groups), ("x", "client_group"))
    mean = frame["service_type"].map(lambda s: services[s][0]) * frame["client_group"].map(groups)
    frame["packages"] = poisson(frame, "packages", mean)
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
        "care_home": HOMES, "ward_name": [ward_name(i % 18) for i in range(len(HOMES))],
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
    frame = cross(quarters(asof, 8), list(kinds), ("quarter", "type_of_abuse"))
    frame["concerns_received"] = poisson(frame, "concerns", frame["type_of_abuse"].map(kinds))
    frame["section_42_enquiries"] = whole(frame["concerns_received"] * 0.34)
    return {"safeguarding_concerns.csv": csv(frame)}


def care_provider_directory(version: int, asof: date) -> Files:
    r = rng("providers")
    kinds = ["Home care", "Supported living", "Day opportunities", "Extra care housing"]
    providers = [{
        "provider_id": f"NBC-P{100 + i}", "name": name, "service_type": kinds[i % 4],
        "cqc_rating": str(r.choice(["Outstanding", "Good", "Requires improvement"],
                                   p=[0.1, 0.75, 0.15])),
        "wards_served": sorted({ward_name(j) for j in r.integers(0, 18, 5)}),
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
    snapshot = pd.Timestamp(last_month_end(asof))
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
        "ward_of_origin": [ward_name(i) for i in r.integers(0, 18, n)],
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
                rows.append((year_label(start + ahead), "Forecast", area,
                             137100 + i * 13, name, phase, capacity,
                             int(roll * (1 + trend) ** ahead)))
    frame = pd.DataFrame(rows, columns=["academic_year", "basis", "planning_area", "urn",
                                        "school_name", "phase", "capacity", "number_on_roll"])
    frame["surplus_places"] = frame["capacity"] - frame["number_on_roll"]
    frame["surplus_pct"] = (100 * frame["surplus_places"] / frame["capacity"]).round(1)
    return {"school_places.csv": csv(frame)}


def early_years_take_up(version: int, asof: date) -> Files:
    frame = ward_frame()
    frame["eligible_two_year_olds"] = (base_population(frame) / 180 *
                                       (0.5 + deprivation(frame))).astype(int)
    frame["funded_places_taken"] = poisson(frame, "eyfe", frame["eligible_two_year_olds"] * 0.74)
    frame["take_up_pct"] = (100 * frame["funded_places_taken"] /
                            frame["eligible_two_year_olds"]).round(1)
    return {"two_year_old_funding_take_up.csv": csv(frame)}


def send_ehcps(version: int, asof: date) -> Files:
    needs = {"Autistic spectrum disorder": 520, "Speech, language and communication": 380,
             "Social, emotional and mental health": 330, "Moderate learning difficulty": 190,
             "Severe learning difficulty": 120, "Physical disability": 60,
             "Profound and multiple learning difficulty": 35, "Hearing impairment": 25}
    frame = cross(list(range(asof.year - 5, asof.year)), list(needs),
                  ("calendar_year", "primary_need"))
    growth = 1.09 ** (frame["calendar_year"] - asof.year + 5)
    frame["ehcps_maintained"] = poisson(frame, "ehcp", frame["primary_need"].map(needs) * growth)
    frame["new_plans_issued"] = whole(frame["ehcps_maintained"] * 0.16)
    frame["issued_within_20_weeks_pct"] = poisson(frame, "timely", 48).clip(0, 100)
    return {"ehcps_by_primary_need.csv": csv(frame)}
