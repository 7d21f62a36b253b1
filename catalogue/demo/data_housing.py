"""Demo data of Housing: homelessness, rough sleeping, temporary accommodation, the register."""

from __future__ import annotations

from datetime import date

from catalogue.demo.data_common import (
    Files,
    cross,
    csv,
    deprivation,
    poisson,
    rng,
    ward_frame,
    whole,
)
from catalogue.demo.periods import iso, months, quarters


def homelessness_applications(version: int, asof: date) -> Files:
    frame = cross(quarters(asof, 8), ward_frame(), ("quarter", "w"))
    mean = 6 + 34 * deprivation(frame)
    frame["households_assessed"] = poisson(frame, "assessed", mean)
    share = rng("duties", version).uniform(0.5, 0.6)
    frame["owed_prevention_duty"] = whole(frame["households_assessed"] * share)
    frame["owed_relief_duty"] = frame["households_assessed"] - frame["owed_prevention_duty"]
    frame["main_duty_accepted"] = whole(frame["owed_relief_duty"] * 0.31)
    frame["households_with_children"] = whole(frame["households_assessed"] * 0.38)
    return {"homelessness_applications.csv": csv(frame)}


def rough_sleeping_counts(version: int, asof: date) -> Files:
    areas = ["Town centre", "Eastgate", "Harbour", "Riverside", "Railway station", "Parkside"]
    frame = cross(iso(months(asof, 12)), areas, ("count_date", "area"))
    frame["people_seen"] = poisson(frame, "rough", [9, 3, 4, 2, 3, 1] * 12)
    frame["new_to_the_street"] = poisson(frame, "new", frame["people_seen"] * 0.3)
    frame["long_term"] = poisson(frame, "long", frame["people_seen"] * 0.25)
    return {"rough_sleeping_counts.csv": csv(frame)}


def temporary_accommodation(version: int, asof: date) -> Files:
    kinds = {"Bed and breakfast": 35, "Nightly paid self-contained": 120, "Hostel": 60,
             "Private sector leased": 140, "Council stock": 90}
    frame = cross(iso(months(asof, 24)), list(kinds), ("month", "accommodation_type"))
    frame["households"] = poisson(frame, "ta", frame["accommodation_type"].map(kinds))
    if version >= 1:  # from the second version: hostel placements had been under-counted
        frame.loc[frame["accommodation_type"] == "Hostel", "households"] += 4
    frame["with_children"] = whole(frame["households"] * 0.55)
    costs = {"Bed and breakfast": 68.0, "Nightly paid self-contained": 52.5}
    frame["avg_nightly_cost_gbp"] = frame["accommodation_type"].map(costs).fillna(24.0)
    if version >= 1:  # a column the second version added (comparing versions shows it)
        frame["avg_stay_days"] = poisson(frame, "stay", 80 + 0 * frame["households"])
    return {"temporary_accommodation.csv": csv(frame)}


def housing_register(version: int, asof: date) -> Files:
    frame = cross(["A (emergency)", "B (urgent)", "C (housing need)", "D (no priority)"],
                  ["1", "2", "3", "4+"], ("band", "bedrooms_needed"))
    frame["households"] = poisson(frame, "register", [40, 25, 20, 8, 300, 210, 160, 60,
                                                      900, 640, 380, 120, 700, 420, 160, 40])
    frame["median_wait_days"] = poisson(frame, "wait", [60, 90, 150, 260, 300, 420, 610, 900,
                                                        700, 860, 1100, 1500] + [0] * 4)
    return {"housing_register.csv": csv(frame)}


def empty_homes(version: int, asof: date) -> Files:
    frame = ward_frame()
    frame["long_term_empty_6m_plus"] = poisson(frame, "empty", 40 + 60 * deprivation(frame))
    frame["empty_2y_plus"] = whole(frame["long_term_empty_6m_plus"] * 0.3)
    frame["premium_charged"] = whole(frame["empty_2y_plus"] * 0.8)
    return {"empty_homes_by_ward.csv": csv(frame)}
