"""One column's statistics, accumulated chunk by chunk in bounded memory.

Each chunk's cells arrive as bytes (the release checks' readers spell every format the way a
CSV would). They are decoded as UTF-8, or, where that fails, as cp1252 (`fell_back` records
it). The column's type is the narrowest that every value seen so far parses as: boolean,
integer, number, date, datetime, else text. Types are inferred on a chunk's distinct values
(`value_counts`), so a column of a few hundred values costs a few hundred parses a chunk.

- distinct values: counted exactly up to `EXACT_DISTINCT`, then estimated by a HyperLogLog
  sketch (Apache DataSketches), which keeps a few kilobytes whatever the column;
- top values: exact while the distinct values are counted exactly, then the heaviest
  `TOP_KEPT` values of each merge (heavy hitters: a value frequent overall is frequent in the
  chunks that carry it), marked approximate;
- numbers: min, max, mean, and quantiles from a KLL sketch fed each chunk's values;
- dates: earliest and latest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EXACT_DISTINCT = 10_000
TOP_KEPT = 1_000
TOP_SHOWN = 10
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
HISTOGRAM_BINS = 10
HLL_LG_K = 12
KLL_K = 200
VALUE_CHARS = 200  # a top value or range end is cut to this many characters

# the order in which a column's type is widened; a type's `next` is tried when it fails
WIDER = {"boolean": "text", "integer": "number", "number": "text", "date": "datetime",
         "datetime": "text", "text": "text"}
FIRST_GUESSES = ("boolean", "integer", "number", "date", "datetime")
BOOLEAN_WORDS = ["true", "false", "yes", "no", "TRUE", "FALSE", "True", "False", "Yes", "No",
                 "YES", "NO"]
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def decode(raw: pa.Array) -> tuple[pa.Array, bool]:
    """Bytes as text: UTF-8, or cp1252 when the bytes are not UTF-8 (True then)."""
    try:
        return raw.cast(pa.string()), False
    except (pa.ArrowInvalid, UnicodeError):
        return pa.array([None if v is None else v.decode("cp1252", "replace")
                         for v in raw.to_pylist()], pa.string()), True


def _parses(values: pa.Array, kind: str) -> pa.Array | None:
    """`values` (non-null, trimmed text) as `kind`, or None when any of them is not one."""
    try:
        if kind == "boolean":
            return values if pc.all(pc.is_in(values, pa.array(BOOLEAN_WORDS))).as_py() \
                else None
        if kind == "integer":
            return values.cast(pa.int64())
        if kind == "number":
            return values.cast(pa.float64())
        if kind == "date":
            for fmt in DATE_FORMATS:
                parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
                if parsed.null_count == 0:
                    return parsed
            return None
        if kind == "datetime":
            return values.cast(pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return values


@dataclass
class ColumnStats:
    name: str
    native: str | None = None  # the type the format itself declares (Parquet), if any
    cells: int = 0
    nulls: int = 0
    kind: str | None = None  # None until a non-null value is seen
    fell_back: bool = False
    _counts: pa.Table | None = None  # value, count: exact while `_sketch` is None
    _sketch: Any = None  # datasketches.hll_sketch once past EXACT_DISTINCT
    _top: pa.Table | None = None  # heavy hitters once past EXACT_DISTINCT
    _quantiles: Any = None  # datasketches.kll_doubles_sketch
    _sum: float = 0.0
    _numbers: int = 0
    _min: Any = None
    _max: Any = None
    _date_format: str | None = None
    examples: list[str] = field(default_factory=list)

    # ---- feeding ---------------------------------------------------------------------------

    def observe(self, raw: pa.Array) -> None:
        self.cells += len(raw)
        self.nulls += raw.null_count
        if raw.null_count == len(raw):
            return
        text, fell_back = decode(raw)
        self.fell_back |= fell_back
        counted = pc.value_counts(text)
        values, counts = counted.field("values"), counted.field("counts")
        valid = pc.is_valid(values)
        values, counts = values.filter(valid), counts.filter(valid)
        if self.native is None or self.native == "nested":
            self._infer(pc.utf8_trim_whitespace(values), text)
        else:
            self.kind = self.native
            self._numeric_or_dates(text)
        self._count(values, counts)

    def _infer(self, distinct: pa.Array, cells: pa.Array) -> None:
        if self.native == "nested":
            self.kind = "nested"
            return
        if self.kind is None:
            kind = next((g for g in FIRST_GUESSES if _parses(distinct, g) is not None), "text")
        else:
            kind = self.kind
            while kind != "text" and _parses(distinct, kind) is None:
                kind = WIDER[kind]  # every value before parses as the wider type too
            if kind == "text" and self.kind != "text":
                self._quantiles, self._min, self._max, self._sum, self._numbers = \
                    None, None, None, 0.0, 0
        self.kind = kind
        self._numeric_or_dates(cells if kind in ("integer", "number") else distinct)

    def _numeric_or_dates(self, cells: pa.Array) -> None:
        if self.kind not in ("integer", "number", "date", "datetime"):
            return
        present = pc.utf8_trim_whitespace(pc.drop_null(cells))
        if self.kind in ("integer", "number"):
            numbers = _parses(present, "number")
            if numbers is None:
                return
            finite = numbers.filter(pc.is_finite(numbers))
            if not len(finite):
                return
            import datasketches

            if self._quantiles is None:
                self._quantiles = datasketches.kll_doubles_sketch(KLL_K)
            self._quantiles.update(np.array(finite.to_numpy(zero_copy_only=False),
                                            dtype=np.float64))
            self._sum += pc.sum(finite).as_py() or 0.0
            self._numbers += len(finite)
            self._bounds(pc.min_max(finite))
            return
        parsed = _parses(present, self.kind)
        if parsed is not None and len(parsed):
            self._bounds(pc.min_max(parsed))

    def _bounds(self, found: pa.StructScalar) -> None:
        low, high = found["min"].as_py(), found["max"].as_py()
        if low is not None and (self._min is None or low < self._min):
            self._min = low
        if high is not None and (self._max is None or high > self._max):
            self._max = high

    def _count(self, values: pa.Array, counts: pa.Array) -> None:
        chunk = pa.table({"value": values, "count": counts})
        if self._sketch is None:
            merged = chunk if self._counts is None else _merge(self._counts, chunk)
            if merged.num_rows <= EXACT_DISTINCT:
                self._counts = merged
                return
            import datasketches

            self._sketch = datasketches.hll_sketch(HLL_LG_K)
            self._feed(merged.column("value"))
            self._top, self._counts = _heaviest(merged, TOP_KEPT), None
            return
        self._feed(values)
        self._top = _heaviest(_merge(self._top, chunk), TOP_KEPT)

    def _feed(self, values: pa.Array | pa.ChunkedArray) -> None:
        update = self._sketch.update
        for value in values.to_pylist():
            update(value)

    # ---- reading ---------------------------------------------------------------------------

    def _histogram(self) -> dict[str, list] | None:
        """Counts of values in HISTOGRAM_BINS equal ranges from min to max (from the KLL
        sketch: approximate on a large column), for a chart of the column's distribution."""
        low, high = float(self._min), float(self._max)
        if not high > low:
            return None
        edges = _edges(low, high)
        masses = self._quantiles.get_pmf(edges[1:-1])
        return {"edges": [round(e, 6) for e in edges],
                "counts": [int(round(m * self._numbers)) for m in masses]}

    @property
    def approximate(self) -> bool:
        return self._sketch is not None

    def distinct(self) -> int:
        if self._sketch is not None:
            return max(int(round(self._sketch.get_estimate())), EXACT_DISTINCT)
        return 0 if self._counts is None else self._counts.num_rows

    def top(self) -> list[dict[str, Any]]:
        table = self._counts if self._sketch is None else self._top
        if table is None or table.num_rows == 0:
            return []
        best = _heaviest(table, TOP_SHOWN)
        rows = [{"value": _cut(v), "count": c}
                for v, c in zip(best.column("value").to_pylist(),
                                best.column("count").to_pylist(), strict=True)]
        return [] if rows and rows[0]["count"] == 1 and table.num_rows > TOP_SHOWN else rows

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind or "empty"
        found: dict[str, Any] = {
            "name": self.name, "type": kind, "nulls": self.nulls,
            "distinct": self.distinct(), "distinct_approximate": self.approximate,
            "min": None, "max": None, "mean": None, "quantiles": None, "top": [],
        }
        if self.native and self.native != kind:
            found["stored_type"] = self.native
        if kind in ("integer", "number") and self._numbers:
            found["min"], found["max"] = _number(self._min, kind), _number(self._max, kind)
            found["mean"] = round(self._sum / self._numbers, 6)
            if self._quantiles is not None and not self._quantiles.is_empty():
                found["quantiles"] = {str(q): round(self._quantiles.get_quantile(q), 6)
                                      for q in QUANTILES}
                found["histogram"] = self._histogram()
        elif kind in ("date", "datetime") and self._min is not None:
            found["min"], found["max"] = _moment(self._min, kind), _moment(self._max, kind)
        if kind in ("text", "boolean", "nested") or (
                kind in ("integer", "date") and self.distinct() <= 50):
            found["top"] = self.top()
            found["top_approximate"] = self.approximate
        return found


def _edges(low: float, high: float) -> list[float]:
    step = (high - low) / HISTOGRAM_BINS
    return [low + step * i for i in range(HISTOGRAM_BINS + 1)]


def _merge(left: pa.Table, right: pa.Table) -> pa.Table:
    both = pa.concat_tables([left, right.cast(left.schema)])
    summed = both.group_by("value").aggregate([("count", "sum")])
    return summed.rename_columns(["value", "count"])


def _heaviest(table: pa.Table, n: int) -> pa.Table:
    if table.num_rows <= n:
        return table.sort_by([("count", "descending"), ("value", "ascending")])
    indices = pc.select_k_unstable(table, k=n, sort_keys=[("count", "descending")])
    return table.take(indices).sort_by([("count", "descending"), ("value", "ascending")])


def _cut(value: Any) -> Any:
    if isinstance(value, str) and len(value) > VALUE_CHARS:
        return value[:VALUE_CHARS - 1] + "…"
    return value


def _number(value: Any, kind: str) -> Any:
    if value is None:
        return None
    return int(value) if kind == "integer" and float(value).is_integer() else round(value, 6)


def _moment(value: Any, kind: str) -> str:
    if kind == "date" and hasattr(value, "date"):
        return value.date().isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
