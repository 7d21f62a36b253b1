"""What a reader outside a dataset's department sees of its values: masked as the release
checks' preview masks them (`catalogue.releases.preview`): a column named for personal data
whole, and elsewhere every value a detector confirms (an email address, a phone, NI or NHS
number, a postcode…) where it stands.

Members of the dataset's department and its owners (and those who see everything) see the
values as they are: the rule is `access.dataset_principals` for a department-only dataset.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from catalogue.access import Reader, dataset_principals
from catalogue.releases.preview import mask_value, masks_whole


def sees_unmasked(reader: Reader, department: str, owners: Iterable[str] = ()) -> bool:
    """Whether the reader sees a dataset's values unmasked: a member of its department or
    one of its owners."""
    return reader.sees_everything or bool(
        reader.principals & dataset_principals(department, "department", owners=owners))


def mask_rows(columns: list[str], rows: list[list[Any]]) -> tuple[list[list[Any]], list[str]]:
    """The rows with their personal values masked, and the columns where any was."""
    masked: set[str] = {c for c in columns if masks_whole(c)}
    out = []
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=False):
            if isinstance(value, str) and value:
                hidden = mask_value(value, column)
                if hidden != value:
                    masked.add(column)
                value = hidden
            cells.append(value)
        out.append(cells)
    return out, [c for c in columns if c in masked]


def mask_column(stats: dict[str, Any]) -> dict[str, Any]:
    """A column's statistics with its values (top values, range ends) masked."""
    name = stats["name"]
    masked = dict(stats)
    changed = masks_whole(name)
    top = []
    for entry in stats.get("top") or []:
        value = entry["value"]
        hidden = mask_value(value, name) if isinstance(value, str) and value else value
        changed |= hidden != value
        top.append({**entry, "value": hidden})
    masked["top"] = top
    if stats.get("type") not in ("integer", "number"):
        for end in ("min", "max"):
            value = stats.get(end)
            if isinstance(value, str) and value:
                hidden = mask_value(value, name)
                changed |= hidden != value
                masked[end] = hidden
    masked["masked"] = changed
    return masked
