"""Riverbank NHS Foundation Trust's demo registry: the partner whose data the council imports."""

from __future__ import annotations

from catalogue.demo import data_health as data
from catalogue.demo.spec import DemoRegistry, dataset, metadata

TRUST = [
    dataset("integrated-care/delayed-discharges", metadata(
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
    dataset("emergency-care/ae-attendances", metadata(
        "A&E attendances by ward of residence", "james", "A&E, urgent care, NHS",
        "Type 1 A&E attendances by Northmere residents, admissions and four-hour performance.",
        update_frequency="Monthly", temporal_coverage="Latest 12 months"),
        [(200, "james", "Add A&E attendances to {month}"),
         (45, "james", "Add A&E attendances to {month}")], data.ae_attendances),
]

NHS = DemoRegistry(
    "Riverbank NHS Foundation Trust", "riverbank-nhs-trust", (250, "sarah"),
    {"integrated-care": "Integrated Care", "emergency-care": "Urgent and Emergency Care"},
    {"northmere-council": "Northmere Borough Council"},
    TRUST,
)
