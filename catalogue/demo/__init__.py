"""`catalogue demo`: demo registries in the instance folder, built once, indexed every time.

Two registries, as a council and its partner would keep them: Northmere Borough Council's
(`council`: seven departments, months of history by the staff who keep the data, a dataset
derived by a DVC pipeline, one imported from the partner with `dvc import`) and Riverbank NHS
Foundation Trust's (`nhs`). What a registry is made of is in `spec`; each group of departments
has its datasets' definitions (`housing`, `care`, `health`, `finance`, `planning_waste`) and
their seeded data generators (`data_housing`, …, over `data_common` and `periods`); `build`
turns the registries into git commits and indexes them.
"""

from catalogue.demo.build import ensure_demo

__all__ = ["ensure_demo"]
