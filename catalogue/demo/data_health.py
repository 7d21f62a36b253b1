"""Demo data of Public Health (the council's) and of the Riverbank NHS Foundation Trust."""

from __future__ import annotations

from datetime import date

import numpy as np
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
    whole,
)
from catalogue.demo.periods import (
    academic_year,
    iso,
    last_month_end,
    latest_mid_year,
    months,
    quarters,
    weeks,
    year_label,
)

# Public health

def ward_population_estimates(version: int, asof: date) -> Files:
    latest = latest_mid_year(asof)
    frame = cross(ward_frame(), list(range(latest - 4, latest + 1)), ("w", "mid_year"))
    growth = 1 + 0.006 * (frame["mid_year"] - 2020)
    revision = 1 + rng("population revision", version).normal(0, 0.004, len(frame)) * bool(version)
    total = whole(base_population(frame) * growth * revision)
    young = whole(total * (0.17 + 0.05 * deprivation(frame)))
    old = whole(total * (0.24 - 0.07 * deprivation(frame)))
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
    start, end = months(asof, 12)[0], last_month_end(asof)
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
    years = [year_label(y) for y in range(start - 3, start)]
    frame = cross(ward_frame(), years, ("w", "school_year"))
    dep = deprivation(frame)
    noise = rng("ncmp", version).normal(0, 1.2, (2, len(frame)))
    frame["reception_measured"] = (base_population(frame) / 95).astype(int)
    frame["reception_overweight_or_obese_pct"] = (18 + 8 * dep + noise[0]).round(1)
    frame["year6_measured"] = (frame["reception_measured"] * 0.97).astype(int)
    frame["year6_overweight_or_obese_pct"] = (31 + 12 * dep + noise[1]).round(1)
    return {"ncmp_by_ward.csv": csv(frame)}


def smoking_cessation(version: int, asof: date) -> Files:
    settings = ["Specialist stop smoking service", "Community pharmacy", "GP practice",
                "Maternity (hospital)"]
    frame = cross(quarters(asof, 8), settings, ("quarter", "setting"))
    frame["quit_dates_set"] = poisson(frame, "quit dates", 140)
    frame["quit_4wk_self_reported"] = whole(frame["quit_dates_set"] * 0.52)
    frame["quit_4wk_co_validated"] = whole(frame["quit_4wk_self_reported"] * 0.71)
    return {"stop_smoking_quits.csv": csv(frame)}


# Riverbank NHS Foundation Trust

def delayed_discharges(version: int, asof: date) -> Files:
    reasons = {"Awaiting care home placement": 9, "Awaiting home care package": 14,
               "Awaiting assessment": 7, "Awaiting equipment or adaptations": 3,
               "Patient or family choice": 4}
    frame = cross(cross(iso(weeks(asof, 26)),
                        ["Pathway 1 (home with support)", "Pathway 2 (rehabilitation bed)",
                         "Pathway 3 (care home)"], ("week_ending", "discharge_pathway")),
                  list(reasons), ("x", "delay_reason"))
    frame["patients_delayed"] = poisson(frame, "delayed", frame["delay_reason"].map(reasons) / 3)
    frame["bed_days_lost"] = poisson(frame, "beddays", frame["patients_delayed"] * 4.5)
    frame["local_authority"] = "Northmere"
    return {"delayed_discharges.csv": csv(frame)}


def ae_attendances(version: int, asof: date) -> Files:
    frame = cross(iso(months(asof, 12)), ward_frame(), ("month", "w"))
    frame["attendances"] = poisson(frame, "ae", base_population(frame) / 38)
    frame["admitted"] = whole(frame["attendances"] * 0.27)
    frame["seen_within_4_hours_pct"] = (70 + poisson(frame, "4h", 60) / 10).round(1)
    return {"ae_attendances_by_ward.csv": csv(frame)}
