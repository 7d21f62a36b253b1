"""`dataset.yaml` and `catalogue.yaml`: the registry format's metadata, validated.

The same validator serves the indexer, `catalogue push` and the pre-receive hook, so a file that
one accepts the others accept too.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from registry.columns import Columns, PrimaryKey, as_extra, check_unique
from registry.problems import FileProblems, Problem, compose_yaml, line_of, load_yaml

DATASET_FILE = "dataset.yaml"
CATALOGUE_FILE = "catalogue.yaml"
DEFAULT_LICENCE = "OGL-UK-3.0"
CLASSIFICATIONS = ("OFFICIAL", "OFFICIAL-SENSITIVE")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")



def _as_text(value: object) -> object:
    """YAML reads `2024-04-01` as a date and `2024` as a number; both are fine as text here."""
    if isinstance(value, date | int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


Text = Annotated[str, BeforeValidator(_as_text)]
Email = Annotated[str, AfterValidator(_email)]


class DatasetMetadata(BaseModel):
    """The keys of `dataset.yaml`. Unknown keys are kept in `extra`."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    title: Text = Field(min_length=1)
    owners: list[Email] = Field(min_length=1)
    description: Text = ""
    tags: list[Text] = []
    licence: Text = DEFAULT_LICENCE
    classification: Literal["OFFICIAL", "OFFICIAL-SENSITIVE"] = "OFFICIAL"
    personal_data: bool = False
    visibility: Literal["department", "internal"] | None = None
    update_frequency: Text | None = None
    derived_from: list[Text] = []
    temporal_coverage: Text | None = None
    spatial_coverage: Text | None = None
    contact: Text | None = None
    discoverable: bool = False
    """Its title, description, owners and tags shown to all staff, its data still restricted."""
    columns: Columns = []
    """What each column holds (registry.columns)."""
    primary_key: PrimaryKey = []

    @field_validator("columns")
    @classmethod
    def _columns(cls, columns: list) -> list:
        return check_unique(columns)

    @field_validator("title")
    @classmethod
    def _not_blank(cls, title: str) -> str:
        if not title.strip():
            raise ValueError("must not be blank")
        return title.strip()

    @property
    def effective_visibility(self) -> str:
        """`department` for sensitive or personal data unless said otherwise, else `internal`."""
        if self.visibility:
            return self.visibility
        if self.classification == "OFFICIAL-SENSITIVE" or self.personal_data:
            return "department"
        return "internal"

    @property
    def extra(self) -> dict[str, Any]:
        return {**(self.model_extra or {}), **as_extra(self.columns, self.primary_key)}


class Organisation(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True)

    slug: str
    name: str = Field(min_length=1)

    @field_validator("slug")
    @classmethod
    def _slug(cls, slug: str) -> str:
        if not SLUG.match(slug):
            raise ValueError(f"{slug!r} is not a slug (lower-case letters, digits, hyphens)")
        return slug


class AgreementEntry(BaseModel):
    """An information-sharing agreement with a partner organisation (an ISA or DSA)."""

    model_config = ConfigDict(strict=True, frozen=True)

    reference: Text = Field(min_length=1)
    title: str = Field(min_length=1)
    partner: str
    expires: date
    """The last day it is in force."""

    @field_validator("reference")
    @classmethod
    def _reference(cls, reference: str) -> str:
        reference = reference.strip()
        if not reference or any(c.isspace() for c in reference):
            raise ValueError(f"{reference!r} must be one word, such as ISA-2025-004")
        return reference

    @field_validator("expires", mode="before")
    @classmethod
    def _date(cls, value: object) -> object:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValueError(f"{value!r} is not a date: write the last day the agreement is "
                             "in force as YYYY-MM-DD") from None


class CatalogueFile(BaseModel):
    """The keys of a registry's `catalogue.yaml`."""

    model_config = ConfigDict(extra="allow", strict=True, frozen=True)

    name: str = Field(min_length=1)
    departments: list[Organisation] = []
    partners: list[Organisation] = []
    disclosure_threshold: int = Field(default=5, ge=1, le=100)
    """Counts below it in a table asked to be released are flagged as small numbers."""
    agreements: list[AgreementEntry] = []

    @field_validator("agreements")
    @classmethod
    def _agreements(cls, agreements: list[AgreementEntry],
                    info: ValidationInfo) -> list[AgreementEntry]:
        """Each agreement names a partner declared above, and no reference is listed twice."""
        partners = {p.slug for p in info.data.get("partners") or []}
        seen: set[str] = set()
        for entry in agreements:
            if entry.partner not in partners:
                raise ValueError(f"{entry.reference}: partner {entry.partner!r} is not "
                                 "declared in partners")
            if entry.reference in seen:
                raise ValueError(f"{entry.reference} is listed twice")
            seen.add(entry.reference)
        return agreements


def _parse(model: type[BaseModel], path: str, text: str) -> Any:
    data = load_yaml(path, text)
    if not isinstance(data, dict):
        raise FileProblems([Problem(path, "must be a mapping of keys to values", 1)])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        node = compose_yaml(text)
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            field = ".".join(str(part) for part in loc) or "(file)"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing":
                message = f"{field} is required"
                problems.append(Problem(path, message, None))
                continue
            problems.append(Problem(path, f"{field}: {message}", line_of(node, loc)))
        raise FileProblems(problems) from None


def parse_dataset_yaml(path: str, text: str) -> DatasetMetadata:
    """Validate a `dataset.yaml`; raises FileProblems listing every problem found."""
    return _parse(DatasetMetadata, path, text)


def parse_catalogue_yaml(path: str, text: str) -> CatalogueFile:
    """Validate a `catalogue.yaml`; raises FileProblems listing every problem found."""
    return _parse(CatalogueFile, path, text)
