"""The shape every release check answers in, and the options of the content checks.

A check never raises for bad data: it answers `fail` (or `warn`) with the reason in `summary`
and the details in `evidence`, which is JSON-serialisable and never holds a raw personal value
(samples are masked before they reach it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Outcome = Literal["pass", "warn", "fail"]
OUTCOMES: tuple[Outcome, ...] = ("pass", "warn", "fail")

PERSONAL_DATA = "personal-data"
DISCLOSURE = "disclosure-control"

DEFAULT_DISCLOSURE_THRESHOLD = 5
DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024
DEFAULT_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class CheckResult:
    """One automated check's answer: `{name, outcome, summary, evidence}`."""

    name: str
    outcome: Outcome
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {self.outcome!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "outcome": self.outcome, "summary": self.summary,
                "evidence": self.evidence}


def worst(outcomes: list[Outcome]) -> Outcome:
    """The most serious of several outcomes (`pass` when there are none)."""
    return max(outcomes, key=OUTCOMES.index, default="pass")


@dataclass(frozen=True)
class ScanOptions:
    """How the content checks read a file.

    `disclosure_threshold`: counts from 1 to threshold-1 are small (a registry's catalogue.yaml
    sets it as `disclosure_threshold`); 1 or less turns the disclosure check off.
    `chunk_bytes`: how much of a delimited text file is checked at a time (parsed in blocks of
    at most 1 MiB, then joined); memory grows with it. `chunk_rows`: rows per chunk for
    Parquet, Excel and JSON lines.
    `today`: the date against which dates are judged to be in the past (birth dates).
    `threads`: let pyarrow parse and compute on several cores.
    """

    disclosure_threshold: int = DEFAULT_DISCLOSURE_THRESHOLD
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    chunk_rows: int = DEFAULT_CHUNK_ROWS
    today: date | None = None
    threads: bool = True

    def __post_init__(self) -> None:
        if self.chunk_bytes < 1024:
            raise ValueError("chunk_bytes must be at least 1024")
        if self.chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
