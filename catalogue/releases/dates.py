"""Dates in a column, summarised in bounded memory, to tell dates of birth from other dates.

Dates are read as `YYYY-MM-DD` (ISO, also with `/` or `.`, and with a time after them) or
`DD/MM/YYYY` (the UK order, also with `-` or `.`); years 1900 to 2099. A column is a date
column when at least 90% of its non-empty cells are such dates. Its values *look like dates of
birth* when there are at least 20 of them, spread over at least 30 distinct years, falling on
at least 20 distinct days of the month, none in the future: a column of report dates spans a
few years, a monthly series falls on one or two days of the month, planned dates lie ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from catalogue.releases.chunks import ColumnValues

ISO = (r"^\s*(?P<y>(?:19|20)[0-9]{2})[-/.](?P<m>[0-9]{1,2})[-/.](?P<d>[0-9]{1,2})"
       r"(?:[ T][0-9:.+\-Z ]*)?\s*$")
UK = (r"^\s*(?P<d>[0-9]{1,2})[-/.](?P<m>[0-9]{1,2})[-/.](?P<y>(?:19|20)[0-9]{2})"
      r"(?:[ T][0-9:.+\-Z ]*)?\s*$")
_LOOKS_DATED = r"^\s*[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}"
DATE_SHARE = 0.9
GIVE_UP_AFTER = 1000  # non-empty cells seen, with under half of them dates
MIN_DATES, MIN_YEARS, MIN_DAYS = 20, 30, 20


@dataclass(frozen=True)
class DateSummary:
    count: int  # cells holding a date
    share: float  # of the column's non-empty cells
    years: int  # distinct years
    days: int  # distinct days of the month
    in_future: bool  # the latest date is after today
    sample: str

    @property
    def is_date_column(self) -> bool:
        return self.share >= DATE_SHARE

    @property
    def looks_like_births(self) -> bool:
        return (self.is_date_column and self.count >= MIN_DATES and self.years >= MIN_YEARS
                and self.days >= MIN_DAYS and not self.in_future)


@dataclass
class DateColumn:
    """What one column's dates look like so far. `keep`: never give up on this column (its
    name says it holds dates of birth)."""

    keep: bool = False
    cells: int = 0
    count: int = 0
    years: set[int] = field(default_factory=set)
    days: set[int] = field(default_factory=set)
    latest: int = 0  # the latest date seen, as yyyymmdd
    sample: str | None = None

    def observe(self, column: ColumnValues) -> bool:
        """Take one chunk's values; False once the column is plainly not a date column."""
        self.cells += column.cells
        dated = pc.match_substring_regex(column.values, _LOOKS_DATED)
        if pc.any(dated).as_py():
            candidates = column.where(dated)
            for pattern in (ISO, UK):
                self._take(candidates, pattern)
        if self.keep:
            return True
        return not (self.cells >= GIVE_UP_AFTER and self.count * 2 < self.cells)

    def _take(self, column: ColumnValues, pattern: str) -> None:
        parts = pc.extract_regex(column.values, pattern)
        valid = pc.is_valid(parts)
        if not pc.any(valid).as_py():
            return
        parts, counts = parts.filter(valid), column.where(valid)
        y, m, d = (pc.cast(pc.cast(parts.field(k), pa.string()), pa.int32())
                   for k in ("y", "m", "d"))
        real = pc.and_(pc.and_(pc.greater_equal(m, 1), pc.less_equal(m, 12)),
                       pc.and_(pc.greater_equal(d, 1), pc.less_equal(d, 31)))
        if not pc.any(real).as_py():
            return
        y, m, d = y.filter(real), m.filter(real), d.filter(real)
        counted = counts.where(real)
        self.count += counted.cells
        if len(self.years) < 200:
            self.years.update(pc.unique(y).to_pylist())
        if len(self.days) < 31:
            self.days.update(pc.unique(d).to_pylist())
        latest = pc.max(pc.add(pc.add(pc.multiply(y, 10000), pc.multiply(m, 100)), d)).as_py()
        self.latest = max(self.latest, latest)
        if self.sample is None:
            self.sample = counted.values[0].as_py().decode("utf-8", "replace").strip()

    def summary(self, today: date) -> DateSummary | None:
        """None when the column holds no dates at all."""
        if not self.count or self.sample is None:
            return None
        now = today.year * 10000 + today.month * 100 + today.day
        return DateSummary(self.count, self.count / max(self.cells, 1), len(self.years),
                           len(self.days), self.latest > now, self.sample)
