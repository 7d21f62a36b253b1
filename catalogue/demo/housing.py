"""Housing's demo datasets, one of them derived by a DVC pipeline."""

from __future__ import annotations

from textwrap import dedent

from catalogue.demo import data_housing as data
from catalogue.demo.spec import dataset, metadata

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

HOUSING = [
    dataset("housing/homelessness-applications", metadata(
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
    dataset("housing/homelessness-rate", metadata(
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
    dataset("housing/rough-sleeping-counts", metadata(
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
    dataset("housing/temporary-accommodation", metadata(
        "Households in temporary accommodation", "priya", "temporary accommodation, housing",
        """
        Households placed in temporary accommodation at each month end, by type, with the
        average nightly cost to the council. Bed and breakfast use for families beyond six
        weeks is unlawful: watch the `with_children` column for that row.
        """, update_frequency="Monthly", temporal_coverage="Latest 24 months",
        primary_key=["month", "accommodation_type"],
        columns={"month": "Month end of the snapshot",
                 "accommodation_type": "Kind of temporary accommodation",
                 "households": {"description": "Households placed at the month end",
                                "unit": "households"},
                 "with_children": "Of those, households with dependent children",
                 "avg_nightly_cost_gbp": {"description": "Average nightly cost to the council",
                                          "unit": "GBP"}}),
        [(230, "priya", "Add temporary accommodation placements to {month}"),
         (30, "priya", "Add placements to {month}, with the average length of stay; hostel "
                       "counts revised after the move to the new case system")],
        data.temporary_accommodation),
    dataset("housing/housing-register", metadata(
        "Housing register by band and bedroom need", "tom", "housing register, allocations",
        """
        Households on the housing register by priority band and the number of bedrooms they
        need, with the median time they have waited so far.
        """, update_frequency="Annually", temporal_coverage="Snapshot at 1 April"),
        [(210, "tom", "Add housing register snapshot")], data.housing_register),
    dataset("housing/empty-homes", metadata(
        "Long-term empty homes by ward", "priya", "empty homes, council tax",
        """
        Dwellings empty for six months or more, from council tax records, and those charged
        the long-term empty homes premium.
        """, update_frequency="Annually", temporal_coverage="Snapshot at 1 October",
        derived_from=["finance/council-tax-base"]),
        [(170, "priya", "Add long-term empty homes by ward")], data.empty_homes),
]
