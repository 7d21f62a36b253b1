"""Measure reads of bytes the way users meet them, through a served catalogue (`catalogue serve`
in its own process, read over HTTP with a governance officer's API token) and the CLI
(`catalogue index` as a subprocess), on a copy of the benchmark registry (2,000 datasets, every
version's bytes in its DVC remote):

- full:     `catalogue index` of the whole registry into a new catalogue (wall time, the load
            average at its start), then how long after it ends until every dataset's column
            names are searchable: the search API's count for `benchmark_row_id`, a column of
            every generated file and nowhere else, equals the number of datasets.
- download: one small file (the newest version of `corpus.big_dataset`, a CSV) downloaded
            through `GET /api/v1/datasets/<dept>/<name>/versions/<n>/files/<path>`, to the
            last byte, from this registry and from a 20-dataset registry made by the same
            code (`reads.small_corpus`), each served by its own catalogue, requests
            interleaved; one warm-up each, then `reads.downloads` timed; every body's md5
            checked against the `.dvc` file.
- commit:   a new version of one dataset (a CSV with a brand-new column name; its bytes
            written into the registry's remote first, then committed with plain git), then
            `catalogue index` timed, while the search API is polled every 50 ms from the start
            of that run until the new column name is found; `reads.commit_runs` times, each
            after a no-op `catalogue index` (medians of each kind).

Every wait has a deadline (`reads` in params.yaml, or the flags): a figure not reached in time
is recorded as missed (`<figure>_missed_after_s`) and the run goes on (a `catalogue index` past
its deadline is stopped; if it had printed its report, every version is recorded and the other
parts still run). Parts run in the order full, download, commit; `--only` picks some (download
and commit first index the registry untimed, and wait, within the columns deadline, for its
column names). With DATABASE_URL set, each catalogue is a new database on that PostgreSQL
server; otherwise a SQLite file. What the catalogue's commands leave running for the
benchmark's instances (a background reader of column names) is ended at the end.

    python -m benchmarks.bench_reads [--registry PATH] [--metrics PATH] [--only PART ...]
        [--downloads N] [--download-budget S] [--index-deadline S] [--columns-deadline S]
        [--new-column-deadline S] [--commit-runs N] [--catalogue COMMAND]

`--catalogue` measures another build's `catalogue` command (say a script that puts an older
checkout first on sys.path) with this benchmark.

The copy's first new commit points `.dvc/config` at a remote of its own (an empty directory),
so the corpus's remote is only read; the new version's bytes go to the copy's remote.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.common import (
    REGISTRY,
    ROOT,
    commit_files,
    copy_registry,
    database_kind,
    end_processes_naming,
    fresh_database,
    git,
    load_average,
    load_params,
    median,
    move_remote,
    percentile,
    storage_beside,
    verdict,
    write_metrics,
)
from benchmarks.make_registry import make_registry
from benchmarks.vocabulary import UNIQUE_COLUMN

METRICS = ROOT / "benchmarks" / "metrics" / "reads.json"
PARTS = ("full", "download", "commit")
PUSHER = ("Tomasz Nowak", "tomasz.nowak@northmoor.example.gov.uk")
READER = "reads.bench@northmoor.example.gov.uk"
POLL_S = 0.05  # the search API, while a new column name is awaited
POLL_FULL_S = 0.25  # while 2,000 datasets' column names are awaited (each poll costs a search)
START_DEADLINE_S = 120  # for `catalogue serve` to listen, and for other short commands
REQUEST_TIMEOUT_S = 300
REPORT = re.compile(r": (\d+) new commit\(s\), (\d+) new version\(s\)")


COMMAND: list[str] = []  # --catalogue: another build's command, to compare with


def catalogue_command() -> str:
    """The `catalogue` script of the environment running this benchmark."""
    if COMMAND:
        return COMMAND[0]
    return shutil.which("catalogue", path=str(Path(sys.executable).parent)) or "catalogue"


@dataclass
class Run:
    """A `catalogue index` process: when it started, printed its report, and ended."""

    process: subprocess.Popen
    started: float
    ended: float | None = None
    reported: float | None = None
    commits: int | None = None
    versions: int | None = None
    output: list[str] = field(default_factory=list)
    follower: threading.Thread | None = None

    @property
    def wall_s(self) -> float | None:
        return None if self.ended is None else self.ended - self.started

    @property
    def report_s(self) -> float | None:
        return None if self.reported is None else self.reported - self.started


class Instance:
    """One catalogue: an instance folder, its database, its CLI, and its server once started."""

    def __init__(self, folder: Path, database_url: str):
        self.folder = folder
        # no profile worker beside `catalogue serve`: its 20,000 jobs would share the cores
        # with what is measured here (the `profiles` stage measures the worker)
        self.env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1",
                    "CATALOGUE_NO_WORKER": "1"}
        self.server: subprocess.Popen | None = None
        self.base = ""
        self.headers: dict[str, str] = {}
        self.groups: set[int] = set()  # process groups started here, ended on close

    def cli(self, *args: str) -> str:
        done = subprocess.run([catalogue_command(), *args, "--instance", str(self.folder)],
                              env=self.env, capture_output=True, text=True,
                              timeout=START_DEADLINE_S)
        if done.returncode != 0:
            raise SystemExit(f"catalogue {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def add_reader(self) -> None:
        """A governance officer (reads every dataset) and an API token, made with the CLI."""
        self.cli("user", "add", READER, "--name", "Reads Benchmark", "--role", "governance",
                 "--department", "finance")
        token = self.cli("token", "create", READER, "--name", "bench_reads").split()[0]
        self.headers = {"Authorization": f"Bearer {token}"}

    def serve(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.server = subprocess.Popen(
            [catalogue_command(), "serve", "--port", str(port), "--instance", str(self.folder)],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        self.groups.add(self.server.pid)
        deadline = time.monotonic() + START_DEADLINE_S
        while True:
            if self.server.poll() is not None:
                raise SystemExit(f"catalogue serve ended with {self.server.returncode}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"catalogue serve not listening after "
                                     f"{START_DEADLINE_S} s") from None
                time.sleep(0.05)
        self.base = f"http://127.0.0.1:{port}"

    def get(self, path: str) -> bytes:
        request = urllib.request.Request(self.base + path, headers=self.headers)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            raise Unanswered(exc.code, f"GET {path}: {exc.code} "
                             f"{exc.read()[:300].decode(errors='replace')}") from None

    def json(self, path: str) -> Any:
        return json.loads(self.get(path))

    def search_count(self, words: str) -> tuple[int, list[str]]:
        """How many datasets the search API finds for the phrase `words`, and the first ids;
        an answer of 503 (the index busy) counts as none yet."""
        try:
            found = self.json("/api/v1/search?" + urllib.parse.urlencode({"q": f'"{words}"'}))
        except Unanswered as exc:
            if exc.status != 503:
                raise
            return 0, []
        return found["count"], [r["id"] for r in found["results"]]

    def index(self, registry: Path, deadline_s: float) -> Run:
        """Run `catalogue index` (as users do) to its end, or until the deadline."""
        run = self.start_index(registry)
        self.finish(run, deadline_s)
        return run

    def start_index(self, registry: Path) -> Run:
        process = subprocess.Popen(
            [catalogue_command(), "index", str(registry), "--instance", str(self.folder)],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        run = Run(process, time.perf_counter())
        self.groups.add(process.pid)

        def follow() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                run.output.append(line.rstrip())
                if run.reported is None and (found := REPORT.search(line)):
                    run.reported = time.perf_counter()
                    run.commits, run.versions = int(found[1]), int(found[2])
            process.wait()
            run.ended = time.perf_counter()

        run.follower = threading.Thread(target=follow, daemon=True)
        run.follower.start()
        return run

    def finish(self, run: Run, deadline_s: float) -> None:
        """Wait for the run's process to end; stop it (its process group) at the deadline.
        Whatever it left running in its group (a background reader, say) is ended on close."""
        assert run.follower is not None
        run.follower.join(max(0.0, run.started + deadline_s - time.perf_counter()))
        if run.follower.is_alive():
            _end_group(run.process.pid)
            run.follower.join(30)
            run.ended = None
            return
        if not _alive(run.process.pid):
            self.groups.discard(run.process.pid)
        if run.process.returncode != 0:
            raise SystemExit(f"catalogue index failed ({run.process.returncode}):\n"
                             + "\n".join(run.output[-20:]))

    def close(self) -> None:
        """End the server, and whatever this benchmark's commands left running for this
        instance (an index run past its deadline, a background reader of column names)."""
        if self.server is not None:  # reaped here, or it would count as alive
            self.groups.discard(self.server.pid)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with suppress(ProcessLookupError):
                    os.killpg(self.server.pid, sig)
                with suppress(subprocess.TimeoutExpired):
                    self.server.wait(10)
                    break
        for group in self.groups:
            _end_group(group)
        end_processes_naming(self.folder)


class Unanswered(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _end_group(group: int) -> None:
    """End what is left of a process group started by this benchmark (the server, an index run
    and whatever it started in its group): SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not _alive(group):
            return
        os.killpg(group, sig)
        for _ in range(50):
            if not _alive(group):
                return
            time.sleep(0.1)


@contextmanager
def instance(folder: Path) -> Iterator[Instance]:
    folder.mkdir(parents=True)
    with fresh_database(folder) as url:
        found = Instance(folder, url)
        try:
            yield found
        finally:
            found.close()


def dvc_entry(registry: Path, path: str, rev: str = "main") -> tuple[str, int]:
    """The md5 and size a `.dvc` file records at `rev`."""
    text = git("show", f"{rev}:{path}.dvc", cwd=registry)
    md5 = re.search(r"md5: ([0-9a-f]{32})", text)
    size = re.search(r"size: (\d+)", text)
    assert md5 and size, text
    return md5[1], int(size[1])


def check_index(run: Run, label: str, commits: int | None = None) -> None:
    if run.ended is None:
        return
    if run.commits is None or (commits is not None and run.commits != commits):
        raise SystemExit(f"{label}: catalogue index reported {run.commits} commits "
                         f"(expected {commits}):\n" + "\n".join(run.output[-20:]))


# The parts


def measure_full(big: Instance, registry: Path, corpus: dict[str, Any],
                 settings: argparse.Namespace) -> dict[str, Any]:
    commits = int(git("rev-list", "--count", "main", cwd=registry))
    load = load_average()
    run = big.index(registry, settings.index_deadline)
    figures: dict[str, Any] = {"full_load_average": load, "full_commits": commits}
    if run.ended is None:  # stopped at the deadline
        figures["full_index_missed_after_s"] = settings.index_deadline
        if run.reported is not None:  # it had recorded everything, and was still reading
            figures["full_index_report_s"] = round(run.report_s, 2)
            figures["columns_datasets_searchable"], _ = big.search_count(UNIQUE_COLUMN)
        return figures
    check_index(run, "full index", commits)
    count = big.json("/api/v1/")["dataset_count"]
    if count != corpus["datasets"] or run.versions != corpus["versions"]:
        raise SystemExit(f"the full index recorded {run.versions} versions and {count} "
                         f"datasets; expected {corpus['versions']} and {corpus['datasets']}")
    figures["full_index_s"] = round(run.wall_s, 2)
    figures["full_index_report_s"] = round(run.report_s, 2)
    took, found = wait_for_columns(big, run.ended, corpus["datasets"], settings.columns_deadline)
    if took is not None:
        figures["columns_after_full_s"] = round(took, 2)
    else:
        figures["columns_after_full_missed_after_s"] = settings.columns_deadline
    figures["columns_datasets_searchable"] = found
    figures["columns_load_average_at_end"] = load_average()
    return figures


def wait_for_columns(big: Instance, since: float, datasets: int,
                     deadline_s: float) -> tuple[float | None, int]:
    """Poll the search API until every dataset's column names are searchable (the count for
    UNIQUE_COLUMN is `datasets`): the seconds from `since`, or None at the deadline; and how
    many datasets were found."""
    while True:
        found, _ = big.search_count(UNIQUE_COLUMN)
        now = time.perf_counter()
        if found >= datasets:
            return now - since, found
        if now > since + deadline_s:
            return None, found
        time.sleep(max(0.0, POLL_FULL_S - (time.perf_counter() - now)))


@dataclass
class Target:
    label: str
    instance: Instance
    url: str
    md5: str
    size: int
    samples: list[float] = field(default_factory=list)
    first_ms: float | None = None

    def download(self) -> float:
        start = time.perf_counter()
        body = self.instance.get(self.url)
        took = (time.perf_counter() - start) * 1000
        if hashlib.md5(body).hexdigest() != self.md5:
            raise SystemExit(f"{self.label}: {self.url} answered {len(body)} bytes that are not "
                             f"the file's ({self.size} bytes, md5 {self.md5})")
        return took


def download_target(label: str, where: Instance, registry: Path, key: str) -> Target:
    name = key.split("/")[1]
    versions = where.json(f"/api/v1/datasets/{key}/versions")["count"]
    path = f"{key}/{name}.csv"
    md5, size = dvc_entry(registry, path)
    return Target(label, where, f"/api/v1/datasets/{key}/versions/{versions}/files/{name}.csv",
                  md5, size)


def measure_download(big: Instance, big_registry: Path, small: Instance, small_registry: Path,
                     key: str, settings: argparse.Namespace) -> dict[str, Any]:
    targets = [download_target("2,000 datasets", big, big_registry, key),
               download_target("20 datasets", small, small_registry, key)]
    load = load_average()
    for target in targets:
        target.first_ms = target.download()
    start, rounds = time.perf_counter(), 0
    while rounds < settings.downloads and time.perf_counter() - start < settings.download_budget:
        rounds += 1
        for target in targets if rounds % 2 else reversed(targets):
            target.samples.append(target.download())
    big_target, small_target = targets
    figures: dict[str, Any] = {"download_load_average": load, "download_requests": rounds,
                               "download_file_bytes": big_target.size,
                               "download_small_registry_file_bytes": small_target.size,
                               "download_load_average_at_end": load_average()}
    for prefix, target in (("download", big_target), ("download_small_registry", small_target)):
        figures[f"{prefix}_first_ms"] = round(target.first_ms or 0, 1)
        figures[f"{prefix}_median_ms"] = round(median(target.samples), 1)
        figures[f"{prefix}_p95_ms"] = round(percentile(target.samples, 0.95), 1)
    figures["download_ratio"] = round(figures["download_median_ms"]
                                      / figures["download_small_registry_median_ms"], 2)
    if rounds < settings.downloads:
        figures["download_budget_spent_after_requests"] = rounds
    return figures


def new_version_bytes(storage: Path, md5: str, column: str) -> bytes:
    """The dataset's current CSV with one more column, `column`."""
    old = (storage / "files" / "md5" / md5[:2] / md5[2:]).read_text()
    rows = list(csv.reader(io.StringIO(old)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*rows[0], column])
    writer.writerows([*row, i] for i, row in enumerate(rows[1:], 1))
    return out.getvalue().encode()


def pick_datasets(registry: Path, big_key: str, count: int) -> list[tuple[str, str]]:
    """`count` CSV datasets from the middle of the registry (not the big one): key, file."""
    paths = sorted(p for p in git("ls-tree", "-r", "--name-only", "main", cwd=registry).split()
                   if p.endswith(".csv.dvc") and not p.startswith(big_key + "/"))
    middle = len(paths) // 2
    return [("/".join(p.split("/")[:2]), p.removesuffix(".dvc"))
            for p in paths[middle:middle + count]]


def commit_new_column(registry: Path, corpus_storage: Path, own_storage: Path, key: str,
                      path: str) -> str:
    """A new version of `path` whose CSV has a brand-new column: the bytes into the remote
    that `.dvc/config` names (as `dvc push` does), then the `.dvc` file committed with plain
    git. Returns the new column's name."""
    column = f"reads_probe_{uuid.uuid4().hex[:10]}"
    md5, _ = dvc_entry(registry, path)
    data = new_version_bytes(corpus_storage, md5, column)
    new_md5 = hashlib.md5(data).hexdigest()
    target = own_storage / "files" / "md5" / new_md5[:2] / new_md5[2:]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    dvc_file = (f"outs:\n- md5: {new_md5}\n  size: {len(data)}\n  hash: md5\n"
                f"  path: {path.rsplit('/', 1)[1]}\n")
    commit_files(registry, {f"{path}.dvc": dvc_file.encode()},
                 f"Add a {column} column to {key}", PUSHER)
    return column


def index_until_found(big: Instance, registry: Path, key: str, column: str,
                      settings: argparse.Namespace) -> tuple[Run, float | None]:
    """Run `catalogue index`, polling the search API every 50 ms from its start until
    `column` is found (in dataset `key` only); the run, and the seconds until found."""
    run = big.start_index(registry)
    deadline = run.started + settings.new_column_deadline
    found_at = None
    while found_at is None:
        count, ids = big.search_count(column)
        now = time.perf_counter()
        if count:
            if ids != [key]:
                raise SystemExit(f"the search for {column} found {ids}, not {key}")
            found_at = now
        elif now > deadline:
            break
        else:
            time.sleep(max(0.0, POLL_S - (time.perf_counter() - now)))
    big.finish(run, settings.index_deadline)
    check_index(run, "index after one commit", 1)
    return run, None if found_at is None else found_at - run.started


def measure_commit(big: Instance, registry: Path, corpus_storage: Path, own_storage: Path,
                   key_to_skip: str, settings: argparse.Namespace) -> dict[str, Any]:
    """No-op runs and runs after one new commit, alternately (`--commit-runs` of each)."""
    noops: list[float] = []
    walls: list[float | None] = []
    reports: list[float] = []
    found: list[float | None] = []
    load = load_average()
    for key, path in pick_datasets(registry, key_to_skip, settings.commit_runs):
        run = big.index(registry, settings.index_deadline)
        check_index(run, "no-op index", 0)
        if run.wall_s is not None:
            noops.append(run.wall_s)
        column = commit_new_column(registry, corpus_storage, own_storage, key, path)
        run, took = index_until_found(big, registry, key, column, settings)
        walls.append(run.wall_s)
        if run.report_s is not None:
            reports.append(run.report_s)
        found.append(took)
    figures: dict[str, Any] = {"commit_load_average": load, "commit_runs": len(walls)}
    if noops:
        figures["noop_index_s"] = round(median(noops), 2)
        figures["noop_index_max_s"] = round(max(noops), 2)
    if None in walls:
        figures["commit_index_missed_after_s"] = settings.index_deadline
    else:
        figures["commit_index_s"] = round(median(walls), 2)
        figures["commit_index_max_s"] = round(max(walls), 2)
    if reports:
        figures["commit_index_report_s"] = round(median(reports), 2)
    if None in found:
        figures["new_column_searchable_missed_after_s"] = settings.new_column_deadline
        figures["new_column_found_runs"] = sum(t is not None for t in found)
    else:
        figures["new_column_searchable_s"] = round(median(found), 2)
        figures["new_column_searchable_max_s"] = round(max(found), 2)
    figures["commit_load_average_at_end"] = load_average()
    return figures


def measure(registry: Path, parts: list[str], settings: argparse.Namespace) -> dict[str, Any]:
    corpus = load_params("corpus")
    small_params = {**corpus, **load_params("reads")["small_corpus"]}
    key = corpus["big_dataset"]
    corpus_storage = storage_beside(registry)
    if not corpus_storage.is_dir():
        raise SystemExit(f"no DVC remote at {corpus_storage}: run `dvc repro corpus`")
    figures: dict[str, Any] = {"database": database_kind(), "datasets": corpus["datasets"],
                               "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-reads-", ignore_cleanup_errors=True) as tmp, \
            ExitStack() as stack:
        folder = Path(tmp)
        copy = copy_registry(registry, folder / "registry.git")
        own_storage = folder / "storage"
        move_remote(copy, own_storage, PUSHER)
        big = stack.enter_context(instance(folder / "instance"))
        big.add_reader()
        big.serve()
        if "full" in parts:
            figures.update(measure_full(big, copy, corpus, settings))
            if "full_index_report_s" not in figures:
                print("the full index did not end in time: the other parts are left",
                      file=sys.stderr)
                return figures
        else:  # the other parts measure a catalogue that has caught up with the registry
            run = big.index(copy, settings.index_deadline)
            check_index(run, "full index")
            if run.ended is None:
                raise SystemExit("the full index did not end in time")
            _, found = wait_for_columns(big, run.ended, corpus["datasets"],
                                        settings.columns_deadline)
            figures["columns_datasets_searchable_before"] = found
        if "download" in parts:
            small_registry = folder / "small.git"
            make_registry(small_registry, small_params, folder / "small-storage")
            small = stack.enter_context(instance(folder / "small-instance"))
            small.add_reader()
            check_index(small.index(small_registry, settings.index_deadline), "small index")
            small.serve()
            figures["small_registry_datasets"] = small_params["datasets"]
            figures.update(measure_download(big, copy, small, small_registry, key, settings))
        if "commit" in parts:
            figures.update(measure_commit(big, copy, corpus_storage, own_storage, key,
                                          settings))
    return figures


def report(figures: dict[str, Any], targets: dict[str, Any]) -> None:
    """Print the figures against their targets, each with the load average beside it."""

    def line(label: str, name: str, unit: str, target: float | None = None,
             load: str | None = None, note: str = "") -> None:
        if name in figures:
            value = figures[name]
            shown = f"{value:10.2f} {unit}"
            judged = verdict(value, target) if target is not None else ""
        elif (missed := name.removesuffix("_s") + "_missed_after_s") in figures:
            shown = f"> {figures[missed]:.0f} s (gave up)"
            judged = "MISSED" if target is not None else ""
        else:
            return
        aim = f"target <= {target:g} {unit}" if target is not None else ""
        beside = f"load average {figures[load]}" if load in figures else ""
        print(f"  {label:<54} {shown:<20} {aim:<20} {judged:<7} {beside} {note}".rstrip())

    print(f"reads ({figures['database']}, {figures['cores']} cores), "
          f"{figures['datasets']:,} datasets; parts: {figures['parts']}")
    if (before := figures.get("columns_datasets_searchable_before")) is not None:
        print(f"  indexed first (not measured); then {before} of {figures['datasets']} "
              "datasets' column names were searchable")
    line("full index (`catalogue index`, wall time)", "full_index_s", "s",
         targets[f"target_full_{figures['database']}_s"], "full_load_average", "at start")
    line("  its report printed after", "full_index_report_s", "s")
    if "full_index_missed_after_s" in figures and "columns_datasets_searchable" in figures:
        print(f"    it had printed its report (every version recorded) and was still reading "
              f"column names: {figures['columns_datasets_searchable']} of "
              f"{figures['datasets']} datasets' searchable when it was stopped")
    elif "columns_datasets_searchable" in figures:
        line("every dataset's column names searchable after", "columns_after_full_s", "s",
             targets["target_columns_after_full_s"], "columns_load_average_at_end",
             f"at end; {figures['columns_datasets_searchable']} of {figures['datasets']} "
             "searchable")
    if "download_requests" in figures:
        line(f"download of {figures['download_file_bytes']} bytes, 2,000 datasets, median",
             "download_median_ms", "ms", targets["target_download_median_ms"],
             "download_load_average", "at start")
        line("  p95", "download_p95_ms", "ms")
        line("  first request (not counted)", "download_first_ms", "ms")
        line(f"download of {figures['download_small_registry_file_bytes']} bytes, "
             f"{figures['small_registry_datasets']} datasets, median",
             "download_small_registry_median_ms", "ms")
        line("  p95", "download_small_registry_p95_ms", "ms")
        line("  first request (not counted)", "download_small_registry_first_ms", "ms")
        line(f"ratio of the medians ({figures['download_requests']} each, interleaved)",
             "download_ratio", "x", targets["target_download_ratio"],
             "download_load_average_at_end", "at end")
    runs = figures.get("commit_runs")
    line(f"`catalogue index`, nothing new (median of {runs})", "noop_index_s", "s", None,
         "commit_load_average", "at start")
    line("  slowest", "noop_index_max_s", "s")
    limit = (round(figures["noop_index_s"] + targets["target_commit_over_noop_s"], 2)
             if "noop_index_s" in figures else None)
    line(f"`catalogue index` after one new commit (median of {runs})", "commit_index_s", "s",
         limit)
    line("  slowest", "commit_index_max_s", "s")
    line("  its report printed after (median)", "commit_index_report_s", "s")
    line("its new column searchable after its start (median)", "new_column_searchable_s", "s",
         targets["target_new_column_s"], "commit_load_average_at_end", "at end")
    line("  slowest", "new_column_searchable_max_s", "s")
    if "new_column_found_runs" in figures:
        print(f"    found within the deadline in {figures['new_column_found_runs']} of {runs} "
              "runs")


def main(argv: list[str] | None = None) -> None:
    params = load_params("reads")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registry", type=Path, default=REGISTRY)
    parser.add_argument("--metrics", type=Path, default=METRICS)
    parser.add_argument("--only", action="append", choices=PARTS,
                        help="measure this part only (repeat for several)")
    parser.add_argument("--downloads", type=int, default=params["downloads"])
    parser.add_argument("--commit-runs", type=int, default=params["commit_runs"])
    parser.add_argument("--download-budget", type=float, default=params["download_budget_s"],
                        help="seconds for all the timed downloads; then stop counting")
    parser.add_argument("--index-deadline", type=float, default=params["index_deadline_s"])
    parser.add_argument("--columns-deadline", type=float, default=params["columns_deadline_s"])
    parser.add_argument("--new-column-deadline", type=float,
                        default=params["new_column_deadline_s"])
    parser.add_argument("--catalogue", help="the `catalogue` command to measure (default: "
                                            "the one beside this Python)")
    args = parser.parse_args(argv)
    COMMAND[:] = [args.catalogue] if args.catalogue else []
    parts = [p for p in PARTS if p in (args.only or PARTS)]
    figures = measure(args.registry.resolve(), parts, args)
    figures["parts"] = ",".join(parts)
    write_metrics(args.metrics, figures)
    report(figures, params)


if __name__ == "__main__":
    main()
