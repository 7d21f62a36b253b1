"""Public Health's demo datasets, among them the ward populations other rates divide by."""

from __future__ import annotations

from catalogue.demo import data_health as data
from catalogue.demo.spec import dataset, metadata

PUBLIC_HEALTH = [
    dataset("public-health/ward-population-estimates", metadata(
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
    dataset("public-health/air-quality-monitoring", metadata(
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
    dataset("public-health/childhood-obesity", metadata(
        "Childhood overweight and obesity by ward (NCMP)", "rajesh", "obesity, children, NCMP",
        "Reception and Year 6 children measured, and the share overweight or obese.",
        update_frequency="Annually", temporal_coverage="Latest three school years"),
        [(215, "rajesh", "Add National Child Measurement Programme results by ward")],
        data.childhood_obesity),
    dataset("public-health/stop-smoking-services", metadata(
        "Stop smoking services: quit dates and quits", "emily", "smoking, tobacco",
        "Quit dates set and four-week quits (self-reported and CO-validated), by setting.",
        update_frequency="Quarterly", temporal_coverage="Latest eight financial quarters"),
        [(185, "emily", "Add stop smoking service quits to {quarter}")],
        data.smoking_cessation),
]
