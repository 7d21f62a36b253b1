"""`columns:` and `primary_key:` in dataset.yaml: what the team says about its columns.

`columns` is either a mapping of column name to description

    columns:
      ward_code: ONS code of the electoral ward
      households: Households assessed in the month

or a list of entries with `name`, `description` and an optional `unit`

    columns:
      - name: households
        description: Households assessed in the month
        unit: households

Both read as the list. `primary_key` names the column (or columns) that identify a row.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator


def _text(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class ColumnDescription(BaseModel):
    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")

    name: Annotated[str, BeforeValidator(_text)] = Field(min_length=1)
    description: Annotated[str, BeforeValidator(_text)] = ""
    unit: Annotated[str, BeforeValidator(_text)] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        if not name.strip():
            raise ValueError("must not be blank")
        return name.strip()


def _listed(value: Any) -> Any:
    """A mapping of name → description (or → {description, unit}) as the list form."""
    if isinstance(value, dict):
        return [{"name": _text(name), **(entry if isinstance(entry, dict) else
                                         {"description": "" if entry is None else entry})}
                for name, entry in value.items()]
    return value


def check_unique(columns: list[ColumnDescription]) -> list[ColumnDescription]:
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            raise ValueError(f"column {column.name!r} is described twice")
        seen.add(column.name)
    return columns


def _key(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Columns = Annotated[list[ColumnDescription], BeforeValidator(_listed)]
PrimaryKey = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_key)]


def as_extra(columns: list[ColumnDescription], primary_key: list[str]) -> dict[str, Any]:
    """The keys as the catalogue keeps them among a dataset's other keys (`extra`)."""
    kept: dict[str, Any] = {}
    if columns:
        kept["columns"] = [c.model_dump(exclude_none=True) for c in columns]
    if primary_key:
        kept["primary_key"] = list(primary_key)
    return kept
