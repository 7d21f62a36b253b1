"""Demo data of Planning and of Waste and Recycling."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd

from catalogue.demo.data_common import (
    Files,
    cross,
    csv,
    deprivation,
    parquet,
    poisson,
    rng,
    ward_frame,
    ward_name,
    whole,
)
from catalogue.demo.periods import iso, months, quarters, weeks, year_label

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
                         received + timedelta(days=days), ward_name(r.integers(0, 18)),
                         kinds[code][0], str(r.choice(proposals)),
                         str(r.choice(["Granted", "Refused", "Withdrawn"], p=[.86, .1, .04])),
                         days, days <= kinds[code][1]))
    frame = pd.DataFrame(rows, columns=["reference", "received_date", "decision_date",
                                        "ward_name", "application_type", "proposal", "decision",
                                        "days_to_decision", "within_target"])
    frame = frame[frame["decision_date"] < asof].drop_duplicates("reference")
    return {"planning_applications.parquet": parquet(frame)}


def housing_completions(version: int, asof: date) -> Files:
    first = asof.year - (1 if asof.month >= 4 else 2)
    frame = cross([year_label(y) for y in range(first - 4, first)], ward_frame(),
                  ("financial_year", "w"))
    frame["gross_completions"] = poisson(frame, "built", 38)
    frame["demolitions"] = poisson(frame, "demolished", 3)
    frame["net_additional_dwellings"] = frame["gross_completions"] - frame["demolitions"]
    frame["affordable_completions"] = whole(frame["gross_completions"] * 0.24)
    return {"housing_completions.csv": csv(frame)}


def tree_preservation_orders(version: int, asof: date) -> Files:
    r = rng("trees")
    species = ["English oak", "Common beech", "Horse chestnut", "London plane", "Scots pine",
               "Sycamore", "Yew", "Silver birch", "Cedar of Lebanon"]
    orders = [{"reference": f"TPO/{int(y)}/{i:03d}", "ward": ward_name(r.integers(0, 18)),
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
    frame = cross(iso(months(asof, n)), list(STREAMS), ("month", "stream"))
    season = frame["month"].map(lambda m: 1 + 0.45 * np.sin((int(m[5:7]) - 3) / 12 * 2 * np.pi))
    garden = frame["stream"] == "Garden waste"
    mean = frame["stream"].map(STREAMS) * np.where(garden, season, 1)
    frame["tonnes"] = (poisson(frame, "tonnes", mean * 10) / 10).round(1)
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
    frame = cross(iso(months(asof, 12)), ward_frame(), ("month", "w"))
    frame["incidents"] = poisson(frame, "tips", 4 + 30 * deprivation(frame))
    frame["largest_size"] = [str(rng("size", *k).choice(["Single black bag", "Car boot",
                             "Small van", "Transit van", "Tipper lorry"], p=[.2, .3, .3, .15, .05]))
                             for k in frame[["month", "ward_code"]].itertuples(index=False)]
    frame["fixed_penalty_notices"] = poisson(frame, "fpn", frame["incidents"] * 0.05)
    return {"fly_tipping_incidents.csv": csv(frame)}


def missed_bin_collections(version: int, asof: date) -> Files:
    rounds = [f"{d} {x}" for d in ["Mon", "Tue", "Wed", "Thu", "Fri"] for x in "AB"]
    frame = cross(iso(weeks(asof, 26)), rounds, ("week_ending", "round"))
    frame["scheduled_collections"] = 4100
    frame["missed_reported"] = poisson(frame, "missed", 14)
    frame["put_right_within_24h"] = poisson(frame, "fixed", frame["missed_reported"] * 0.85)
    frame["put_right_within_24h"] = frame[["put_right_within_24h", "missed_reported"]].min(axis=1)
    return {"missed_bin_collections.csv": csv(frame)}
