"""Disclosure control: small counts in a table can identify people.

A cell is *small* when it is a count from 1 to threshold-1 (threshold 5 by default, a
registry's `disclosure_threshold`). Only count-like columns are looked at, so that a ward
number, a year or a rank of 3 is not mistaken for three people:

- the column's name says it counts (`names.is_count_name`: `households`, `number_of_cases`,
  `total`, a tidy table's `value`, a wide table's `2019/20` or `16-64`), and does not name an
  identifier, code, date, year, rank, rate, money or coordinate;
- every value is a whole number of 0 or more (`1,234` allowed), or a suppression marker
  (`*`, `c`, `[c]`, `x`, `..`, `-`, `<5`…, which are already protected); a single other value
  (`3.5`, `-2`, `n/a as text`) and the column is not a count.

One or more small cells → **warn**, naming the columns, their small cells and the first rows
that hold them (a reviewer decides: suppress, round or aggregate). Otherwise **pass**.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from catalogue.releases.checks import DISCLOSURE, CheckResult
from catalogue.releases.chunks import ColumnValues
from catalogue.releases.names import is_count_name

FIRST_ROWS = 5
_INTEGER = r"^\s*\+?([0-9]{1,18}|[0-9]{1,3}(,[0-9]{3}){1,5})\s*$"
_SUPPRESSED = (r"(?i)^\s*(\*+|\.\.|-+|–|:|~|c|x|z|u|s|\[[a-z]{1,4}\]|low|supp|suppressed|"
               r"redacted|n/?a|null|none|<\s*[0-9]+|≤\s*[0-9]+)\s*$")


@dataclass
class _Counts:
    table: str | None
    column: str
    cells: int = 0
    suppressed: int = 0
    small: int = 0
    first_rows: list[int] = field(default_factory=list)
    counts: bool = True  # every value so far was a count or a marker


class DisclosureScan:
    """Accumulates one file's count columns. `threshold` ≤ 1 turns the check off."""

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.columns: dict[tuple[str | None, int], _Counts] = {}
        self.rows = 0

    def start_table(self, table: str | None, columns: list[str]) -> None:
        for index, name in enumerate(columns):
            if is_count_name(name):
                self.columns[(table, index)] = _Counts(table, name)

    def wants(self, table: str | None, index: int) -> bool:
        state = self.columns.get((table, index))
        return self.threshold > 1 and state is not None and state.counts

    def observe(self, index: int, column: ColumnValues) -> None:
        state = self.columns[(column.table, index)]
        if not len(column.values):
            return
        integer = pc.match_substring_regex(column.values, _INTEGER)
        others = column.where(pc.invert(integer))
        if len(others.values):
            marked = pc.match_substring_regex(others.values, _SUPPRESSED)
            if not pc.all(marked).as_py():
                state.counts = False
                return
            state.suppressed += others.cells
        whole = column.where(integer)
        state.cells += column.cells
        if not len(whole.values):
            return
        digits = pc.replace_substring_regex(whole.values, r"[\s,+]", b"")
        numbers = pc.cast(pc.cast(digits, pa.string()), pa.int64())
        small = pc.and_(pc.greater_equal(numbers, 1), pc.less(numbers, self.threshold))
        cells = whole.total(small)
        if not cells:
            return
        state.small += cells
        if len(state.first_rows) < FIRST_ROWS:
            small_values = whole.values.filter(small)
            rows = pc.indices_nonzero(pc.fill_null(
                pc.is_in(column.raw, value_set=small_values), False))
            state.first_rows.extend(column.first_row + int(i)
                                    for i in rows[:FIRST_ROWS - len(state.first_rows)]
                                    .to_pylist())

    def result(self, stats: dict[str, Any], error: str | None = None) -> CheckResult:
        t = self.threshold
        if t <= 1:
            return CheckResult(DISCLOSURE, "pass", f"Disclosure control is off (threshold {t})",
                               {**stats, "threshold": t, "columns": [], "small_cells": 0})
        counted = [c for c in self.columns.values() if c.counts and c.cells]
        flagged = [c for c in counted if c.small]
        small = sum(c.small for c in flagged)
        evidence = {
            **stats, "threshold": t, "small_cells": small,
            "count_columns": [_where(c) for c in counted],
            "columns": [{**_where(c), "small_cells": c.small, "cells": c.cells,
                         "suppressed_cells": c.suppressed, "first_rows": c.first_rows}
                        for c in flagged]}
        if error is not None:
            evidence["error"] = error
            return CheckResult(DISCLOSURE, "fail",
                               f"The file could not be checked for small counts: {error}",
                               evidence)
        if flagged:
            listed = ", ".join(f"{_label(c)} ({c.small:,})" for c in flagged)
            return CheckResult(
                DISCLOSURE, "warn",
                f"{_plural(small, 'cell')} in {_plural(len(flagged), 'count column')} "
                f"{'holds' if small == 1 else 'hold'} counts from 1 to {t - 1} "
                f"(threshold {t}): {listed}", evidence)
        if counted:
            return CheckResult(
                DISCLOSURE, "pass",
                f"No counts from 1 to {t - 1} in {_plural(len(counted), 'count column')}: "
                + ", ".join(_label(c) for c in counted),
                evidence)
        return CheckResult(DISCLOSURE, "pass", "No count columns in the table", evidence)


def _where(state: _Counts) -> dict[str, Any]:
    return {"column": state.column} if state.table is None else \
        {"sheet": state.table, "column": state.column}


def _label(state: _Counts) -> str:
    return repr(state.column) if state.table is None else f"{state.table}!{state.column}"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
