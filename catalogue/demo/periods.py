"""The periods a demo version covers, all counted back from the date it is committed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def months(asof: date, n: int) -> list[date]:
    """The first days of the `n` whole months before `asof`, oldest first."""
    first = asof.replace(day=1)
    out = []
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return out[::-1]


def last_month_end(asof: date) -> date:
    """The last day of the last whole month before `asof`."""
    return asof.replace(day=1) - timedelta(days=1)


def quarters(asof: date, n: int) -> list[str]:
    """The `n` whole financial-year quarters before `asof`, as `2026/27 Q1`, oldest first."""
    index = (asof.year * 12 + asof.month - 4) // 3 - 1  # quarters since April of year 0
    labels = []
    for q in range(index - n + 1, index + 1):
        year, part = divmod(q, 4)
        labels.append(f"{year_label(year)} Q{part + 1}")
    return labels


def weeks(asof: date, n: int) -> list[date]:
    """The Sundays ending the `n` whole weeks before `asof`, oldest first."""
    last = asof - timedelta(days=asof.isoweekday() % 7 or 7)
    return [last - timedelta(weeks=k) for k in range(n - 1, -1, -1)]


def latest_mid_year(asof: date) -> int:
    """ONS publishes mid-year estimates for year Y in the summer of Y + 1."""
    return asof.year - 1 if asof.month >= 7 else asof.year - 2


def academic_year(asof: date) -> str:
    return year_label(asof.year if asof.month >= 9 else asof.year - 1)


def year_label(start: int) -> str:
    """A financial or academic year that starts in `start`, as `2026/27`."""
    return f"{start}/{(start + 1) % 100:02d}"


def iso(days: Iterable[date]) -> list[str]:
    """Dates as the data files write them: `2026-04-01`."""
    return [day.isoformat() for day in days]


def period_fields(asof: date) -> dict[str, str]:
    """Names of the periods a version committed on `asof` covers, for its commit message."""
    return {"month": months(asof, 1)[0].strftime("%B %Y"), "quarter": quarters(asof, 1)[0],
            "mid_year": str(latest_mid_year(asof)), "academic_year": academic_year(asof),
            "week": weeks(asof, 1)[0].strftime("%-d %B %Y")}
