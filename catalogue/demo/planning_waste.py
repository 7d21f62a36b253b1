"""The demo datasets of Planning and of Waste and Recycling."""

from __future__ import annotations

from catalogue.demo import data_planning_waste as data
from catalogue.demo.spec import dataset, metadata

PLANNING = [
    dataset("planning/planning-applications", metadata(
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
    dataset("planning/housing-completions", metadata(
        "Net additional dwellings by ward", "aisha", "housing supply, completions",
        "Homes completed and demolished each financial year, and affordable completions.",
        update_frequency="Annually", temporal_coverage="Latest four financial years"),
        [(155, "aisha", "Add net additional dwellings by ward")], data.housing_completions),
    dataset("planning/tree-preservation-orders", metadata(
        "Tree preservation orders", "oliver", "trees, TPO, environment",
        "Confirmed tree preservation orders, with species and location, as JSON.",
        update_frequency="When orders are made"),
        [(130, "oliver", "Add tree preservation orders")], data.tree_preservation_orders),
]

WASTE = [
    dataset("waste/household-waste-tonnages", metadata(
        "Household waste tonnages by stream", "liam claire", "waste, recycling, tonnages",
        """
        Tonnes of household waste collected each month by stream, from weighbridge tickets,
        as reported to WasteDataFlow.
        """, update_frequency="Monthly", temporal_coverage="Latest 24 months"),
        [(255, "liam", "Add waste tonnages to {month}"),
         (145, "claire", "Add waste tonnages to {month}"),
         (40, "liam", "Add waste tonnages to {month}")], data.household_waste_tonnages),
    dataset("waste/recycling-rates", metadata(
        "Household recycling rate", "claire", "recycling, waste, performance",
        "Share of household waste reused, recycled or composted each month (ex-NI 192).",
        update_frequency="Monthly", temporal_coverage="Latest 24 months",
        derived_from=["waste/household-waste-tonnages"]),
        [(255, "claire", "Add recycling rate to {month}"),
         (40, "claire", "Add recycling rate to {month}")], data.recycling_rates),
    dataset("waste/fly-tipping", metadata(
        "Fly-tipping incidents by ward", "claire", "fly-tipping, enforcement, street scene",
        "Fly-tipping incidents cleared each month, the largest size, and fixed penalties.",
        update_frequency="Monthly", temporal_coverage="Latest 12 months"),
        [(205, "claire", "Add fly-tipping incidents to {month}")], data.fly_tipping_incidents),
    dataset("waste/missed-bin-collections", metadata(
        "Missed bin collections by round", "", "bins, waste collection",
        "Missed collections reported each week by round, and how many were put right in 24h.",
        update_frequency="Weekly", temporal_coverage="Latest 26 weeks"),
        [(110, "liam", "Add missed bin collections (no owners yet: deliberately left "
                       "incomplete in the demo to show a problem on the dataset's page)")],
        data.missed_bin_collections),
]
