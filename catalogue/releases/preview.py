"""A masked preview of a table's first rows, for the reviewer of a release: what the file
holds, without showing anyone's personal data. A cell of a column named for personal data is
masked whole; anywhere else, each value a detector confirms (an email address, a phone, NI or
NHS number, a postcode, a pupil number) is masked where it stands."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, BinaryIO

from catalogue.releases import names
from catalogue.releases.checks import ScanOptions
from catalogue.releases.chunks import NotATable, TableUnreadable
from catalogue.releases.detectors import DETECTORS, mask_date, mask_name
from catalogue.releases.tables import read_chunks

ROWS = 10
COLUMNS = 30
CELL = 80  # characters of a cell shown at most
WHOLE_CELL = {
    names.PERSON_NAME: mask_name, names.NAME: mask_name, names.DATE_OF_BIRTH: mask_date,
    names.ADDRESS: lambda value: "***" if value.strip() else value,
    **{d.kind: d.mask for d in DETECTORS},
}


def masked_preview(handle: BinaryIO, filename: str, rows: int = ROWS) -> dict[str, Any]:
    """`{"columns", "rows", "masked_columns"}` of the first `rows` rows (the first sheet or
    table), or `{"error": …}` for bytes that are not a readable table."""
    options = ScanOptions(chunk_rows=rows, chunk_bytes=1024 * 1024, threads=False)
    try:
        chunk = next(iter(read_chunks(handle, filename, options)), None)
    except (NotATable, TableUnreadable) as exc:
        return {"error": str(exc)}
    if chunk is None:
        return {"columns": [], "rows": [], "masked_columns": []}
    columns = [str(c) for c in chunk.columns[:COLUMNS]]
    kinds = {c: names.personal_kind(c) for c in columns}
    table = chunk.batch.slice(0, rows)
    values = [[_text(v) for v in table.column(i).to_pylist()] for i in range(len(columns))]
    return {
        "columns": columns,
        "rows": [[_masked(values[i][r], kinds[c]) for i, c in enumerate(columns)]
                 for r in range(table.num_rows)],
        "masked_columns": [c for c in columns if kinds[c] in WHOLE_CELL],
    }


def mask_value(value: str, column: str) -> str:
    """One cell as the masked preview shows it: whole when its column is named for personal
    data, else with every value a detector confirms masked where it stands."""
    return _masked(value, names.personal_kind(column))


def masks_whole(column: str) -> bool:
    """Whether every cell of a column of this name is masked."""
    return names.personal_kind(column) in WHOLE_CELL


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    return text if len(text) <= CELL else text[:CELL - 1] + "…"


def _masked(value: str, kind: str | None) -> str:
    if not value:
        return value
    if kind in WHOLE_CELL:
        return WHOLE_CELL[kind](value)
    for detector, pattern in _patterns():
        value = pattern.sub(lambda m, d=detector: _hide(m, d), value)
    return value


def _hide(match: re.Match[str], detector) -> str:
    found = match.group("v")
    if not detector.confirm(found):
        return match.group(0)
    start, end = match.span("v")
    whole = match.group(0)
    offset = match.start()
    return whole[:start - offset] + detector.mask(found) + whole[end - offset:]


@cache
def _patterns() -> list[tuple[Any, re.Pattern[str]]]:
    return [(d, re.compile(d.pattern)) for d in DETECTORS]
