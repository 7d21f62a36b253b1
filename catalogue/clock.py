"""The time, always timezone-aware UTC, so that expiry checks compare like with like."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from catalogue.errors import CatalogueError


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """A datetime read back from SQLite may come without its zone: it was stored as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


LAST_DAY = date.max - timedelta(days=1)  # the end of date.max is past what datetime holds


class DayOutOfRange(CatalogueError, ValueError):
    """A last day past what the catalogue can record (9999-12-31 is the calendar's end)."""

    def __init__(self, field: str, day: date):
        super().__init__(f"{field}: {day.isoformat()} is too far ahead: give a day up to "
                         f"{LAST_DAY.isoformat()}, or none for no end")
        self.field = field


def end_of_day(day: date, field: str = "expires") -> datetime:
    """The moment `day` ends (UTC): what is in force until `day` stops then."""
    if day > LAST_DAY:
        raise DayOutOfRange(field, day)
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
