"""What a demo registry is made of: its staff, its datasets' metadata, history and makers.

The registries themselves are in `council` and `nhs`; `build` turns them into git commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from textwrap import dedent
from typing import Any

from catalogue.demo.data_common import Files
from registry.writer import Author

Make = Callable[[int, date], Files]
COUNCIL_DOMAIN = "northmere.example.gov.uk"
NHS_DOMAIN = "riverbank.example.nhs.uk"


def _person(name: str, domain: str = COUNCIL_DOMAIN) -> Author:
    local = ".".join(part for part in name.lower().replace("'", "").split())
    return Author(name, f"{local}@{domain}")


STAFF = {key: _person(name) for key, name in [
    ("nadia", "Nadia Hussain"), ("priya", "Priya Shah"), ("tom", "Tom Gallagher"),
    ("margaret", "Margaret Okonkwo"), ("david", "David Lewis"), ("hannah", "Hannah Whitfield"),
    ("yusuf", "Yusuf Ahmed"), ("emily", "Emily Carter"), ("rajesh", "Rajesh Kumar"),
    ("gareth", "Gareth Evans"), ("sophie", "Sophie Turner"), ("oliver", "Oliver Bennett"),
    ("aisha", "Aisha Mensah"), ("liam", "Liam O'Connor"), ("claire", "Claire Robinson"),
]} | {"sarah": _person("Sarah Mitchell", NHS_DOMAIN), "james": _person("James Whitaker",
                                                                        NHS_DOMAIN)}



@dataclass(frozen=True)
class DemoDataset:
    """A dataset of a demo registry: its metadata, its versions' history and how each is made.

    `history` holds (days before the build, staff key, commit message); the message may name
    the period it covers (`{month}`, `{quarter}`, … from `periods.period_fields`). Versions
    of data by month are at least 35 days apart, by quarter 95 (a weekend moves a commit back
    by up to two days), so each covers a new period whatever the day of the build.
    """

    key: str
    meta: dict[str, Any]
    history: list[tuple[int, str, str]]
    make: Make | None = None
    pipeline: dict[str, str] | None = None  # files of a dvc.yaml pipeline, run with dvc repro
    imports: tuple[str, str] | None = None  # (path in the partner registry, file name here)

    @property
    def derived(self) -> bool:
        """Made from other datasets of its registry: committed after them, late in the day."""
        refs = self.meta.get("derived_from", [])
        return self.pipeline is not None or any("://" not in ref for ref in refs)


@dataclass(frozen=True)
class DemoRegistry:
    name: str
    folder: str
    created: tuple[int, str]
    departments: dict[str, str]
    partners: dict[str, str]
    datasets: list[DemoDataset]
    revisions: list[tuple[int, str, str, dict[str, Any], str]] = field(default_factory=list)
    agreements: list[tuple[str, str, str, int]] = field(default_factory=list)
    """Information-sharing agreements: (reference, title, partner, days from the build until
    it expires)."""


def metadata(title: str, owners: str, tags: str, description: str, **more: Any) -> dict[str, Any]:
    """dataset.yaml keys: owners and tags as space- and comma-separated shorthands."""
    meta: dict[str, Any] = {"title": title}
    if owners:
        meta["owners"] = [STAFF[key].email for key in owners.split()]
    meta["description"] = dedent(description).strip() + "\n"
    meta["tags"] = [tag.strip() for tag in tags.split(",")]
    meta["licence"] = more.pop("licence", "OGL-UK-3.0")
    meta["classification"] = more.pop("classification", "OFFICIAL")
    meta["personal_data"] = more.pop("personal_data", False)
    meta.update(more)
    return meta


CONTACTS = {
    "housing": "Housing Intelligence Team", "adult-social-care": "Adult Social Care Performance",
    "childrens-services": "Children's Services Performance and Information",
    "public-health": "Public Health Intelligence", "finance": "Corporate Finance",
    "planning": "Planning Policy and Monitoring", "waste": "Waste and Street Scene",
    "integrated-care": "Integrated Discharge Team", "emergency-care": "Urgent and Emergency Care",
}
AREA = "Northmere Borough Council area (18 wards)"


def dataset(key: str, meta: dict[str, Any], history: list[tuple[int, str, str]],
            make: Make | None = None, **kind: Any) -> DemoDataset:
    """A demo dataset; its department's contact and the council's area unless `meta` has them."""
    dept = key.split("/")[0]
    domain = NHS_DOMAIN if dept in ("integrated-care", "emergency-care") else COUNCIL_DOMAIN
    meta.setdefault("contact", f"{CONTACTS[dept]} <{dept}.data@{domain}>")
    meta.setdefault("spatial_coverage", AREA)
    return DemoDataset(key, meta, history, make, **kind)
