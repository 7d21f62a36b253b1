"""Northmere Borough Council's demo registry: seven departments, months of history by the staff
who keep the data, a dataset derived by a DVC pipeline and one imported from the NHS trust."""

from __future__ import annotations

from catalogue.demo.care import ADULT_SOCIAL_CARE, CHILDRENS_SERVICES
from catalogue.demo.finance import FINANCE
from catalogue.demo.health import PUBLIC_HEALTH
from catalogue.demo.housing import HOUSING
from catalogue.demo.planning_waste import PLANNING, WASTE
from catalogue.demo.spec import DemoRegistry

COUNCIL = DemoRegistry(
    "Northmere Borough Council", "northmere-council", (300, "nadia"),
    {"housing": "Housing", "adult-social-care": "Adult Social Care",
     "childrens-services": "Children's Services", "public-health": "Public Health",
     "finance": "Finance", "planning": "Planning", "waste": "Waste and Recycling"},
    {"riverbank-nhs": "Riverbank NHS Foundation Trust"},
    HOUSING + ADULT_SOCIAL_CARE + CHILDRENS_SERVICES + PUBLIC_HEALTH + FINANCE + PLANNING + WASTE,
    [(90, "nadia", "finance/spend-over-500",
      {"tags": ["spending", "transparency", "suppliers", "open data candidate"]},
      "Tag spend over £500 as a candidate for the open data portal")],
    [("DSA-2025-014", "Hospital discharge and adult safeguarding data sharing agreement",
      "riverbank-nhs", 540)],
)
