"""Demo data of Finance: council tax collection and base, spend over £500."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from catalogue.demo.data_common import (
    Files,
    base_population,
    cross,
    csv,
    excel,
    poisson,
    rng,
    ward_frame,
    whole,
)
from catalogue.demo.periods import months

BANDS = "ABCDEFGH"  # council tax bands


def _per_band(frame: pd.DataFrame, values: list[float]) -> pd.Series:
    """`values` (one a band, A first) looked up by the `band` of each row."""
    return frame["band"].map(dict(zip(BANDS, values, strict=True)))


def council_tax_collection(version: int, asof: date) -> Files:
    """An Excel workbook: cumulative collection this financial year, by band."""
    first = date(asof.year if asof.month >= 4 else asof.year - 1, 4, 1)
    frame = cross([m for m in months(asof, 12) if m >= first] or [first], list(BANDS),
                  ("month", "band"))
    dwellings = _per_band(frame, [14200, 21800, 17600, 11900, 7100, 3400, 1900, 300])
    charge = _per_band(frame, [1541.7, 1798.6, 2055.6, 2312.5, 2826.4, 3340.3, 3854.2, 4625.0])
    frame["net_collectable_debit_gbp"] = (dwellings * charge).round(2)
    done = (frame["month"].map(lambda m: (m.month - 3) % 12) / 12).clip(upper=1)
    rate = done * 0.968 + poisson(frame, "ctax", 50) / 10000
    frame["collected_to_date_gbp"] = (frame["net_collectable_debit_gbp"] * rate).round(2)
    frame["collection_rate_pct"] = (100 * rate).round(2)
    return {"council_tax_collection.xlsx": excel(frame, "Collection")}


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
    frame = cross(ward_frame(), list(BANDS), ("w", "band"))
    share = _per_band(frame, [.18, .27, .22, .15, .09, .05, .03, .01])
    frame["dwellings"] = poisson(frame, "dwellings", base_population(frame) / 2.3 * share)
    frame["single_person_discounts"] = whole(frame["dwellings"] * 0.31)
    ratio = _per_band(frame, [6, 7, 8, 9, 11, 13, 15, 18])
    frame["band_d_equivalents"] = ((frame["dwellings"] - 0.25 * frame["single_person_discounts"])
                                   * ratio / 9).round(1)
    return {"council_tax_base.csv": csv(frame)}
