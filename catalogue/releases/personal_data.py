"""The personal-data scan: what the bytes hold, whatever dataset.yaml says.

Fed chunk by chunk (`PersonalDataScan.observe`), so a file of any size is read once in
bounded memory; `result()` gives the check's answer. What it reports:

- **fail**, when values are found: email addresses, UK phone numbers, National Insurance
  numbers, NHS numbers (valid check digit only), full postcodes, Unique Pupil Numbers (see
  `detectors`), in any column, in the column names themselves, or in rows that did not
  parse; dates in a column
  named as dates of birth (`dob`, `date_of_birth`…); any real value (not `redacted`, `*`…)
  in a column named for a person's name (`surname`, `first_name`, `client_name`…).
- **warn**, when nothing is proven but a reviewer should look: a column named for personal
  data whose values are not (an empty `email` column, a `phone` column of `withheld`); a
  bare `name` or an `address` column with values (a park has a name, a library an address);
  a date column whose values look like birth dates although its name does not say so (dates
  over 30 or more years, on 20 or more days of the month, none in the future: report dates
  span a few years or fall on month ends, so they do not qualify); rows that could not be
  split into columns (their text was still scanned).
- **pass** otherwise.

A column of identifiers can collide with a pattern (one random ten-digit number in eleven
passes the NHS check digit). So when most of a column's cells (and at least 20) have the shape
of one kind, but fewer than half of them are confirmed and the column's name does not announce
that kind, that column's matches are listed under `discounted`, not found: real NHS numbers
all pass their check. In free text (a column of notes) every confirmed value counts.

Confirming costs tens of microseconds a value, so a column's first 10,000 distinct candidates
of a kind are confirmed one by one; later ones are counted at the share of those that were
real, and the finding says how many matches were so estimated (`estimated_matches`): by then
the column is proven either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from catalogue.releases import names
from catalogue.releases.checks import PERSONAL_DATA, CheckResult, Outcome, worst
from catalogue.releases.chunks import ColumnValues
from catalogue.releases.dates import DateColumn
from catalogue.releases.detectors import (
    ANY,
    BY_KIND,
    DETECTORS,
    Detector,
    mask_date,
    mask_name,
)

CONFIRM_LIMIT = 10_000  # distinct candidates confirmed per column and kind; then estimated
# numbers that one string of digits can pass for more than one of: in a column named for one,
# the others are not looked for (0800 123456 is a phone number, and in an nhs_number column
# it is a mistyped NHS number)
DIGITS = {names.PHONE, names.NHS_NUMBER, names.UPN}
MIN_LENGTH = 5  # the shortest personal value the detectors know ("A11AA")
HEADERS = "(column names)"
UNPARSED = "(rows that did not parse)"
_PLACEHOLDER = (r"(?i)^[\s*.\-_/?#]*(redacted|withheld|removed|suppressed|unknown|not known|"
                r"not recorded|not provided|n/?a|none|null|nil|anon|anonymi[sz]ed|x+|"
                r"\[[a-z ]+\])?[\s*.\-_/?#]*$")
_LABELS = {**{d.kind: d.label for d in DETECTORS},
           names.DATE_OF_BIRTH: "dates of birth", names.PERSON_NAME: "people's names",
           names.NAME: "names", names.ADDRESS: "addresses"}


@dataclass
class _Finding:
    table: str | None
    column: str
    kind: str
    matches: int = 0
    candidates: int = 0
    sample: str | None = None
    estimated: int = 0  # matches estimated from the confirmed share, past CONFIRM_LIMIT
    confirmed: dict[str, bool] = field(default_factory=dict)


@dataclass
class _Column:
    table: str | None
    name: str
    kind: str | None  # what the name announces
    cells: int = 0
    texts: int = 0  # cells that are not placeholders (for name-like columns)
    text_sample: str | None = None
    dates: DateColumn | None = None


class PersonalDataScan:
    """Accumulates what one file's chunks show. `today` bounds birth dates."""

    def __init__(self, today: date | None = None):
        self.today = today or date.today()
        self.findings: dict[tuple[str | None, str, str], _Finding] = {}
        self.columns: dict[tuple[str | None, int], _Column] = {}
        self.rows: dict[str | None, int] = {}
        self.unparsed_rows = 0

    # ---- feeding -----------------------------------------------------------------------

    def start_table(self, table: str | None, columns: list[str]) -> None:
        """A table's header: judge each name, and scan the names themselves as values."""
        self.rows.setdefault(table, 0)
        for index, column in enumerate(columns):
            kind = names.personal_kind(column)
            self.columns[(table, index)] = _Column(
                table, column, kind, dates=DateColumn(keep=kind == names.DATE_OF_BIRTH))
        headers = pa.array([c.encode("utf-8", "replace") for c in columns], pa.binary())
        self._values(ColumnValues(table, HEADERS, headers, headers, None, 0), None)

    def observe(self, index: int, column: ColumnValues) -> None:
        state = self.columns[(column.table, index)]
        state.cells += column.cells
        self._values(column, state.kind)
        if state.kind in (names.PERSON_NAME, names.NAME, names.ADDRESS):
            self._texts(state, column)
        if state.dates is not None and not state.dates.observe(column):
            state.dates = None  # not a date column: stop looking

    def add_rows(self, table: str | None, rows: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows

    def observe_unparsed(self, texts: list[str]) -> None:
        """Rows that could not be split into columns: their text is scanned all the same."""
        if not texts:
            return
        self.unparsed_rows += len(texts)
        array = pa.array([t.encode("utf-8", "replace") for t in texts], pa.binary())
        self._values(ColumnValues(None, UNPARSED, array, array, None, 0), None)

    def _values(self, column: ColumnValues, announced: str | None) -> None:
        long = pc.greater_equal(pc.binary_length(column.values), MIN_LENGTH)
        candidates = column.where(long)
        if not len(candidates.values):
            return
        if announced in BY_KIND:  # looser spelling, in every cell of the column
            self._detect(BY_KIND[announced], candidates, True)
        hopeful = candidates.where(pc.match_substring_regex(candidates.values, ANY))
        if len(hopeful.values):
            for detector in DETECTORS:
                if detector.kind != announced and not (announced in DIGITS and
                                                       detector.kind in DIGITS):
                    self._detect(detector, hopeful, False)

    def _detect(self, detector: Detector, column: ColumnValues, announced: bool) -> None:
        pattern = detector.relaxed if announced else detector.pattern
        hits = pc.match_substring_regex(column.values, pattern)
        if not pc.any(hits).as_py():
            return
        hit = column.where(hits)
        key = (column.table, column.name, detector.kind)
        finding = self.findings.setdefault(key, _Finding(column.table, column.name,
                                                         detector.kind))
        if len(finding.confirmed) >= CONFIRM_LIMIT:  # proven either way: estimate
            self._estimate(finding, hit.cells)
            return
        found = pc.extract_regex(hit.values, pattern).field("v").to_pylist()
        counts = [1] * len(found) if hit.counts is None else hit.counts.to_pylist()
        unconfirmed = 0
        for raw, count in zip(found, counts, strict=True):
            value = raw.decode("utf-8", "replace")
            ok = finding.confirmed.get(value)
            if ok is None:
                if len(finding.confirmed) >= CONFIRM_LIMIT:
                    unconfirmed += count
                    continue
                ok = finding.confirmed[value] = detector.confirm(value)
            finding.candidates += count
            if ok:
                finding.matches += count
                if finding.sample is None:
                    finding.sample = detector.mask(value)
        if unconfirmed:
            self._estimate(finding, unconfirmed)

    @staticmethod
    def _estimate(finding: _Finding, cells: int) -> None:
        """Count `cells` candidates at the share of confirmed ones that were real."""
        share = sum(finding.confirmed.values()) / len(finding.confirmed)
        finding.candidates += cells
        finding.matches += round(cells * share)
        finding.estimated += round(cells * share)

    def _texts(self, state: _Column, column: ColumnValues) -> None:
        real = pc.invert(pc.match_substring_regex(column.values, _PLACEHOLDER))
        state.texts += column.total(real)
        if state.text_sample is None and pc.any(real).as_py():
            first = column.values.filter(real)[0].as_py().decode("utf-8", "replace")
            state.text_sample = mask_name(first)

    # ---- answering ---------------------------------------------------------------------

    def entries(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The findings (each with its outcome), and the matches discounted as collisions."""
        found: list[dict[str, Any]] = []
        discounted: list[dict[str, Any]] = []
        announced = {(c.table, c.name): c.kind for c in self.columns.values()}
        cells = {(c.table, c.name): c.cells for c in self.columns.values()}
        seen: set[tuple[str | None, str, str]] = set()
        for (table, column, kind), f in self.findings.items():
            if not f.matches:
                continue
            named = announced.get((table, column)) == kind
            if f.candidates >= 20 and f.matches * 2 < f.candidates and not named and \
                    f.candidates * 2 >= cells.get((table, column), 0):
                discounted.append({**_where(table, column), "kind": kind,
                                   "candidates": f.candidates, "valid": f.matches})
                continue
            seen.add((table, column, kind))
            entry = self._entry("fail", table, column, kind, f.matches, f.sample)
            if f.estimated:
                entry["estimated_matches"] = f.estimated
            found.append(entry)
        for state in self.columns.values():
            found.extend(self._column_entries(state, seen))
        return found, discounted

    def _column_entries(self, state: _Column,
                        seen: set[tuple[str | None, str, str]]) -> list[dict[str, Any]]:
        t, c, kind = state.table, state.name, state.kind
        dates = state.dates.summary(self.today) if state.dates is not None else None
        if kind == names.DATE_OF_BIRTH and dates is not None:
            return [self._entry("fail", t, c, kind, dates.count, mask_date(dates.sample))]
        if kind is None and dates is not None and dates.looks_like_births:
            return [self._entry("warn", t, c, names.DATE_OF_BIRTH, dates.count,
                                mask_date(dates.sample),
                                reason=f"dates over {dates.years} years, none in the future: "
                                       "they may be dates of birth")]
        if kind == names.PERSON_NAME and state.texts:
            return [self._entry("fail", t, c, kind, state.texts, state.text_sample)]
        if kind in (names.NAME, names.ADDRESS) and state.texts:
            return [self._entry("warn", t, c, kind, state.texts, state.text_sample,
                                reason=f"a column called {c!r} may hold people's "
                                       f"{'names' if kind == names.NAME else 'addresses'}")]
        if kind is None or any(k[:2] == (t, c) for k in seen):
            return []
        what = "is empty" if not state.cells else "holds no values recognised as such"
        return [self._entry("warn", t, c, kind, 0, None,
                            reason=f"named like {_LABELS[kind]}, but it {what}")]

    def _entry(self, outcome: Outcome, table: str | None, column: str, kind: str,
               matches: int, sample: str | None, reason: str | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "outcome": outcome, **_where(table, column), "kind": kind, "label": _LABELS[kind],
            "matches": matches, "rows_scanned": self._rows_for(table, column),
            "sample": sample}
        if reason:
            entry["reason"] = reason
        return entry

    def _rows_for(self, table: str | None, column: str) -> int:
        if column == HEADERS:
            return 1
        if column == UNPARSED:
            return self.unparsed_rows
        return self.rows.get(table, 0)

    def result(self, stats: dict[str, Any], error: str | None = None) -> CheckResult:
        """The check's answer; `error`, when the file could not be read to its end."""
        found, discounted = self.entries()
        evidence = {**stats, "unparsed_rows": self.unparsed_rows, "findings": found,
                    "discounted": discounted}
        failing = [f for f in found if f["outcome"] == "fail"]
        if error is not None:
            evidence["error"] = error
            what = "; ".join(_describe(f) for f in failing)
            return CheckResult(PERSONAL_DATA, "fail", f"The file could not be scanned: {error}"
                               + (f". Found before that: {what}" if what else ""), evidence)
        outcome = worst([f["outcome"] for f in found] +
                        (["warn"] if self.unparsed_rows else []))
        rows = stats.get("rows_scanned", 0)
        if failing:
            summary = "Personal data found: " + "; ".join(_describe(f) for f in failing)
        elif found:
            summary = "No personal data values found, but: " + "; ".join(
                f"column {f['column']!r}: {f['reason']}" for f in found)
        else:
            summary = f"No personal data found in {rows:,} rows"
        if self.unparsed_rows:
            rows_were = "1 row" if self.unparsed_rows == 1 else f"{self.unparsed_rows:,} rows"
            summary += f". {rows_were} could not be split into columns; their text was scanned"
        return CheckResult(PERSONAL_DATA, outcome, summary, evidence)


def _where(table: str | None, column: str) -> dict[str, Any]:
    return {"column": column} if table is None else {"sheet": table, "column": column}


def _describe(finding: dict[str, Any]) -> str:
    where = f"column {finding['column']!r}" + (f" of sheet {finding['sheet']!r}"
                                               if "sheet" in finding else "")
    return (f"{finding['label']} in {where} ({finding['matches']:,} of "
            f"{finding['rows_scanned']:,} rows)")


__all__ = ["PersonalDataScan"]
