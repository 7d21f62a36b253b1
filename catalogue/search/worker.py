"""Reading the column names that search documents still lack, in a process of its own.

A short-lived command (`catalogue index`, `catalogue reindex`) records new versions and updates
their search documents at once, but does not stay open to read their files' header rows from the
DVC remote: it starts this worker, detached, and returns. Bursts coalesce: each start marks the
work pending; the worker holding the instance's lock reads everything still missing and goes
round again while a mark is there; a worker that finds the lock taken leaves at once.

    python -m catalogue.search.worker --instance PATH
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from catalogue.after_push import LOCKS, IndexQueue

if TYPE_CHECKING:
    from catalogue.settings import Settings

LOG_FILE = "columns.log"


def start_detached(instance: Path) -> int:
    """Start the worker for this instance in the background; its process id. Its messages go
    to `<instance>/search/columns.log`."""
    log_path = instance / "search" / LOG_FILE
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "catalogue.search.worker", "--instance", str(instance)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    return child.pid


def read_columns(settings: Settings) -> bool:
    """Read what is missing unless a worker already holds the lock (it will find the mark);
    True when this process did the reading."""
    state: dict = {}

    def work() -> None:
        if "catalogue" not in state:
            from catalogue.core import Catalogue

            state["catalogue"] = Catalogue(settings)
        state["catalogue"].search.read_missing_columns()

    try:
        return IndexQueue(settings.instance / LOCKS, "*", "columns").run(work)
    finally:
        if "catalogue" in state:
            state["catalogue"].close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m catalogue.search.worker",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance")
    args = parser.parse_args(argv)
    from catalogue.settings import Settings

    read_columns(Settings.from_env(args.instance))
    return 0


if __name__ == "__main__":
    sys.exit(main())
