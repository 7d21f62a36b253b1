"""What a git hook reads on its standard input: one `<old> <new> <ref>` line per updated ref.

Kept apart from `registry.receive` (which needs pygit2 and the metadata parsers) so that the
post-receive hook starts without them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ZERO = "0" * 40


@dataclass(frozen=True)
class RefUpdate:
    """One line of what a hook reads on its standard input: `<old> <new> <ref>`."""

    old: str
    new: str
    ref: str

    @property
    def creates(self) -> bool:
        return self.old == ZERO

    @property
    def deletes(self) -> bool:
        return self.new == ZERO


def parse_updates(lines: Iterable[str]) -> list[RefUpdate]:
    updates = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3:
            updates.append(RefUpdate(*parts))
    return updates
