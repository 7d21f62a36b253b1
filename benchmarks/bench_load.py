"""Load: the demo catalogue on PostgreSQL under 50 users for 60 s (locust, headless, on
loopback) while a push lands every 5 s; once served by gunicorn with 4 workers, once by one
waitress process, each on a new database and instance folder.

The users (benchmarks/locustfile.py) are members of staff with an API token, waiting 1 to 3 s
between requests, mixing the search page and API, dataset and version pages, the JSON API's
reads and downloads. Beside them, `catalogue push` publishes a new version of one dataset every
5 s to a central registry whose hooks tell the catalogue (dvc add, commit, dvc push, git push).

    python -m benchmarks.bench_load [--metrics PATH] [--users N] [--seconds S] [--only NAME]

PostgreSQL: DATABASE_URL's server when it names one (a new database on it for each run), else
a throwaway cluster that this script starts on 127.0.0.1 (Debian's PostgreSQL 15) and removes.
Targets (params.yaml `load`): no failed request, p95 <= 300 ms. The machine's load average is
recorded beside the figures: other work on it slows every request.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from benchmarks.common import (
    ROOT,
    end_processes_naming,
    load_average,
    load_params,
    verdict,
    write_metrics,
)
from catalogue.db import scratch_database

METRICS = ROOT / "benchmarks" / "metrics" / "load.json"
LOGS = ROOT / "benchmarks" / "out" / "load"  # each run's server log and locust's tables
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
PGBIN = Path("/usr/lib/postgresql/15/bin")
PUSHED = "housing/load-pushes"
EMAIL = "load.reader@northmere.example.gov.uk"
WARM_UP = 12  # rounds of each kind of request before measuring


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def catalogue(env: dict[str, str], *args: str, cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", "from catalogue.cli import main; main()",
                           *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"catalogue {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout


@contextmanager
def postgres_server(folder: Path) -> Iterator[str]:
    """A PostgreSQL server's URL: DATABASE_URL's, or a throwaway cluster's in `folder`."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql")):
        yield given
        return
    if not (PGBIN / "postgres").exists():
        raise SystemExit("the load stage needs PostgreSQL: set DATABASE_URL to a server, or "
                         "install Debian's postgresql-15 (apt-get install postgresql-15)")
    data = folder / "pg"
    data.mkdir()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        shutil.chown(data, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_postgres, str(PGBIN / "initdb"), "-D", str(data / "data"), "-U",
                    "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                   check=True, capture_output=True, cwd=data)
    port = free_port()
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    subprocess.run([*as_postgres, str(PGBIN / "pg_ctl"), "-D", str(data / "data"), "-l",
                    str(data / "server.log"), "-w", "-t", "60", "-o", options, "start"],
                   check=True, capture_output=True, cwd=data)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_postgres, str(PGBIN / "pg_ctl"), "-D", str(data / "data"), "-m",
                        "immediate", "-w", "stop"], capture_output=True, cwd=data)


class Server:
    """`catalogue serve` in a process group of its own, on a free loopback port."""

    def __init__(self, env: dict[str, str], instance: Path, workers: int, log: Path):
        self.url = f"http://127.0.0.1:{free_port()}"
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from catalogue.cli import main; main()", "serve",
             "--port", self.url.rsplit(":", 1)[1], "--workers", str(workers),
             "--instance", str(instance)],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, headers: dict[str, str], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("catalogue serve stopped; see its log")
            try:
                get(f"{self.url}/api/v1/", headers)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(60)
        self._log.close()


def get(url: str, headers: dict[str, str]) -> Any:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
        body = r.read()
    return json.loads(body) if r.headers.get_content_type() == "application/json" else body


def targets(base: str, headers: dict[str, str]) -> dict[str, list]:
    """What the users ask for: every dataset, its versions, their files, words of titles."""
    datasets = get(f"{base}/api/v1/datasets?per_page=100", headers)["results"]
    found: dict[str, list] = {"datasets": [], "versions": [], "files": [], "words": []}
    for summary in datasets:
        key = summary["id"]
        found["datasets"].append(key)
        found["words"].extend(w.strip(",.()").lower() for w in summary["title"].split()
                              if len(w) > 4)
        versions = get(f"{base}/api/v1/datasets/{key}/versions", headers)["results"]
        for version in versions[:3]:
            found["versions"].append([key, version["number"]])
            detail = get(f"{base}/api/v1/datasets/{key}/versions/{version['number']}", headers)
            found["files"].extend(f["download_url"].removeprefix(base)
                                  for f in detail["files"] if not f["is_dir"])
    found["words"] = sorted(set(found["words"]))
    return found


def all_indexed(base: str, headers: dict[str, str], expected: int,
                deadline_s: float = 60) -> int:
    """The pushed dataset's versions once all `expected` are listed (the last push's index
    run may still be under way when it returns), or as many as there are at the deadline."""
    give_up = time.monotonic() + deadline_s
    while True:
        count = get(f"{base}/api/v1/datasets/{PUSHED}/versions", headers)["count"]
        if count >= expected or time.monotonic() > give_up:
            return count
        time.sleep(0.2)


def warm_up(base: str, headers: dict[str, str], found: dict[str, list]) -> None:
    """A few of each kind of request, so that every worker has opened its search index and
    compiled its templates before the measurement (as a server that has run a while has)."""
    for n in range(WARM_UP):
        key, number = found["versions"][n % len(found["versions"])]
        word = found["words"][n % len(found["words"])]
        for path in (f"/search?q={word}", f"/api/v1/search?q={word}", f"/datasets/{key}",
                     f"/datasets/{key}/versions/{number}", f"/api/v1/datasets/{key}",
                     f"/api/v1/datasets/{key}/versions/{number}",
                     found["files"][n % len(found["files"])]):
            get(f"{base}{path}", headers)


class Pusher(threading.Thread):
    """`catalogue push` of a new version every `every` seconds until stopped; the machine's
    load average sampled at each tick."""

    def __init__(self, env: dict[str, str], clone: Path, every: float, folder: Path):
        super().__init__(daemon=True)
        self.env, self.clone, self.every, self.folder = env, clone, every, folder
        self.stopping = threading.Event()
        self.took: list[float] = []
        self.failed: list[str] = []
        self.loads: list[float] = []

    def run(self) -> None:
        started, tick = time.monotonic(), 0
        while not self.stopping.wait(max(0.0, started + tick * self.every - time.monotonic())):
            self.loads.append(load_average())
            tick += 1
            data = self.folder / f"counts-{tick}.csv"
            data.write_text("ward,count\n" + "".join(f"W{n},{(n * tick) % 97}\n"
                                                     for n in range(200)))
            began = time.monotonic()
            try:
                catalogue(self.env, "push", PUSHED, str(data), "-m", f"Load push {tick}",
                          "-C", str(self.clone))
                self.took.append(time.monotonic() - began)
            except RuntimeError as exc:
                self.failed.append(str(exc)[-500:])


def locust(base: str, token: str, target_file: Path, users: int, seconds: int,
           prefix: Path) -> dict[str, Any]:
    """Run the users; locust's aggregated figures and the slowest kinds of request."""
    env = dict(os.environ, LOAD_TARGETS=str(target_file), LOAD_TOKEN=token)
    subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
                    "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s",
                    "--host", base, "--csv", str(prefix), "--only-summary",
                    "--stop-timeout", "10", "--loglevel", "WARNING"],
                   env=env, capture_output=True, timeout=seconds + 120)
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    kinds = {r["Name"]: {"requests": int(r["Request Count"]),
                         "failures": int(r["Failure Count"]),
                         "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"])}
             for r in rows if r["Name"] != "Aggregated"}
    failures_file = Path(f"{prefix}_failures.csv")
    failures = failures_file.read_text() if failures_file.exists() else ""
    return {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "requests_per_s": round(float(total["Requests/s"]), 1),
            "p50_ms": float(total["50%"]), "p95_ms": float(total["95%"]),
            "p99_ms": float(total["99%"]), "max_ms": round(float(total["Max Response Time"])),
            "by_request": kinds, "failure_lines": failures.splitlines()[1:6]}


def run(folder: Path, server: str, workers: int, params: dict[str, Any], users: int,
        seconds: int) -> dict[str, Any]:
    folder.mkdir(parents=True)
    instance = folder / "instance"
    with scratch_database(folder, server, "load") as database:
        env = dict(os.environ, DATABASE_URL=database, DVC_NO_ANALYTICS="1",
                   PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        catalogue(env, "demo", "--no-serve", "--instance", str(instance))
        central = folder / "central.git"
        catalogue(env, "registry", "init", str(central), "--bare", "--name", "Load pushes",
                  "--department", "housing=Housing", "--instance", str(instance))
        catalogue(env, "registry", "install-hooks", str(central), "--instance", str(instance))
        clone = folder / "clone"
        git("clone", "-q", str(central), str(clone), cwd=folder)
        git("config", "user.name", "Load Pusher", cwd=clone)
        git("config", "user.email", "load.pusher@northmere.example.gov.uk", cwd=clone)
        (folder / "dataset.yaml").write_text(yaml.safe_dump({
            "title": "Load test pushes", "owners": ["load.pusher@northmere.example.gov.uk"],
            "classification": "OFFICIAL"}))
        (folder / "counts.csv").write_text("ward,count\nW0,0\n")
        catalogue(env, "push", PUSHED, str(folder / "counts.csv"), "-m", "First", "--metadata",
                  str(folder / "dataset.yaml"), "-C", str(clone))
        catalogue(env, "user", "add", EMAIL, "--name", "Load Reader", "--department",
                  "housing", "--instance", str(instance))  # staff: what most readers are
        token = catalogue(env, "token", "create", EMAIL, "--instance", str(instance)).strip()
        headers = {"Authorization": f"Bearer {token}"}

        served = Server(env, instance, workers, folder / "serve.log")
        try:
            served.wait_ready(headers)
            found = targets(served.url, headers)
            target_file = folder / "targets.json"
            target_file.write_text(json.dumps(found))
            warm_up(served.url, headers, found)
            pusher = Pusher(env, clone, params["push_every_s"], folder)
            load_before = load_average()
            pusher.start()
            figures = locust(served.url, token, target_file, users, seconds, folder / "locust")
            pusher.stopping.set()
            pusher.join()
            load_after = load_average()
            versions = all_indexed(served.url, headers, len(pusher.took) + 1)
        finally:
            served.stop()
            end_processes_naming(instance)
            keep = LOGS / folder.name
            shutil.rmtree(keep, ignore_errors=True)
            keep.mkdir(parents=True)
            for found in [folder / "serve.log", *folder.glob("locust_*.csv")]:
                shutil.copy(found, keep / found.name)
    loads = [load_before, *pusher.loads, load_after]
    return {**figures, "pushes": len(pusher.took), "push_failures": len(pusher.failed),
            "push_failure_lines": pusher.failed[:3],
            "push_median_s": round(sorted(pusher.took)[len(pusher.took) // 2], 2)
            if pusher.took else None,
            "versions_of_pushed_dataset": versions,  # pushes + the first, all indexed
            "load_average_1m_start": load_before, "load_average_1m_end": load_after,
            "load_average_1m_max": max(loads)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--metrics", type=Path, default=METRICS)
    parser.add_argument("--only", choices=["gunicorn", "waitress"])
    params = load_params("load")
    parser.add_argument("--users", type=int, default=params["users"])
    parser.add_argument("--seconds", type=int, default=params["seconds"])
    args = parser.parse_args(argv)
    runs = {"gunicorn": params["workers"], "waitress": 1}
    if args.only:
        runs = {args.only: runs[args.only]}
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-load-", ignore_cleanup_errors=True) as tmp, \
            postgres_server(Path(tmp)) as server:
        for name, workers in runs.items():
            print(f"load: {name} ({workers} worker(s)), {args.users} users for {args.seconds} s",
                  file=sys.stderr)
            results[name] = {"workers": workers,
                             **run(Path(tmp) / name, server, workers, params, args.users,
                                   args.seconds)}
    for name, r in results.items():
        print(f"{name}: {r['requests']} requests, {r['failures']} failed, "
              f"{r['requests_per_s']}/s, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms "
              f"[{verdict(r['p95_ms'], params['target_p95_ms'])}], {r['pushes']} pushes "
              f"({r['push_failures']} failed), load average {r['load_average_1m_start']}"
              f"-{r['load_average_1m_max']}")
    write_metrics(args.metrics, {"database": "postgresql", "users": args.users,
                                 "seconds": args.seconds, "cpus": os.cpu_count(),
                                 "target_p95_ms": params["target_p95_ms"], **results})


if __name__ == "__main__":
    main()
