"""The release content checks over a big CSV: throughput and peak memory (issue 10: at least
50 MB/s, at most 500 MB).

    python -m benchmarks.bench_scan generate benchmarks/out/scan/big.csv [--mb N]
    python -m benchmarks.bench_scan measure benchmarks/out/scan/big.csv [--metrics PATH]
    python -m benchmarks.bench_scan measure FILE --profile /tmp/scan.html   # pyinstrument

`generate` writes an aggregate table as a council would publish it (period, ward, age band,
sex, measure, counts, a rate, a report date, a case reference, a free-text note), mostly
clean, with one row in about 2,000 whose note holds personal data (an email address, a phone
number, a National Insurance or NHS number, a postcode) and a few counts under 5, so that
every detector has work. The same parameters give the same file, byte for byte.

`measure` runs `run_content_checks` on the file in a child process (as the catalogue would
read a version's bytes: one binary stream) and reports its wall-clock throughput, its CPU
time and its peak resident memory (the child's maximum RSS, from getrusage(RUSAGE_CHILDREN)),
with the machine's load average beside them: this two-core machine is shared.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

# benchmarks.common is imported where it is used: it loads the whole catalogue, and the
# scanning child's memory should be the scan's own
ROOT = Path(__file__).resolve().parent.parent
METRICS = ROOT / "benchmarks" / "metrics" / "scan.json"
ROWS_PER_BLOCK = 200_000
WARDS = [f"{a} {b}" for a in ("Abbey", "Bank", "Castle", "Dale", "Elm", "Fen", "Grove",
                              "Heath", "Iron", "Kings", "Lea", "Mill", "North", "Oak",
                              "Park", "Queens", "River", "South", "Town", "Wood")
         for b in ("Ward", "East", "West", "Central", "Green", "Hill", "Vale", "Bridge")]
AGE_BANDS = ["0-15", "16-24", "25-34", "35-49", "50-64", "65-74", "75-84", "85+"]
MEASURES = ["rough sleepers", "households in temporary accommodation", "homelessness "
            "applications", "prevention duty owed", "relief duty owed"]
NOTES = ["", "", "", "", "", "", "Figures revised after audit", "Provisional",
         "Includes estimates for two wards", "Data supplied by the housing options team",
         "Count taken on a single night in autumn", "See methodology note 3"]
FIRST = ["jane", "john", "amira", "tom", "priya", "li", "sam", "olu", "maria", "dev"]
LAST = ["smith", "jones", "patel", "nguyen", "okafor", "brown", "khan", "wilson"]


def _people_notes(rng: np.random.Generator, n: int) -> list[str]:
    """Notes that hold personal data, each of one kind."""
    notes = []
    for i in range(n):
        first, last = FIRST[rng.integers(len(FIRST))], LAST[rng.integers(len(LAST))]
        kind = i % 5
        if kind == 0:
            notes.append(f"Contact {first}.{last}@norfolk-council.gov.uk about this case")
        elif kind == 1:
            notes.append(f"Resident phoned from 07812 {rng.integers(100000, 999999)}")
        elif kind == 2:
            digits = rng.integers(0, 10, 6)
            notes.append(f"NI number AB{''.join(map(str, digits))}C recorded in error")
        elif kind == 3:
            notes.append(f"NHS no {_nhs(rng)} passed to adult social care")
        else:
            notes.append(f"Moved to NR{rng.integers(1, 30)} {rng.integers(1, 9)}"
                         f"{'ABDEFGHJ'[rng.integers(8)]}{'LNPQRSTU'[rng.integers(8)]}")
    return notes


def _nhs(rng: np.random.Generator) -> str:
    while True:
        digits = [4, *rng.integers(0, 10, 8)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, [*digits, check]))


def _block(rng: np.random.Generator, n: int, start: int, pd_every: int) -> pa.Table:
    months = rng.integers(0, 72, n)
    periods = np.array([f"{2019 + m // 12}-{m % 12 + 1:02d}" for m in range(72)])[months]
    report = np.array([f"{2019 + m // 12}-{m % 12 + 1:02d}-28" for m in range(72)])[months]
    ward = rng.integers(0, len(WARDS), n)
    households = rng.integers(5, 400, n)
    households[rng.random(n) < 0.002] = 3  # a few small counts for disclosure control
    people = households + rng.integers(0, 600, n)
    notes = np.array(NOTES, dtype=object)[rng.integers(0, len(NOTES), n)]
    personal = np.flatnonzero(rng.random(n) < 1 / pd_every)
    notes[personal] = _people_notes(rng, len(personal))
    return pa.table({
        "period": periods,
        "ward_code": [f"E05{13000 + w:06d}" for w in ward],
        "ward_name": np.array(WARDS)[ward],
        "age_band": np.array(AGE_BANDS)[rng.integers(0, len(AGE_BANDS), n)],
        "sex": np.array(["female", "male", "all"])[rng.integers(0, 3, n)],
        "measure": np.array(MEASURES)[rng.integers(0, len(MEASURES), n)],
        "households": households,
        "people": people,
        "rate_per_1000": np.round(rng.random(n) * 40, 2),
        "report_date": report,
        "case_ref": [f"HOU-{start + i:09d}" for i in range(n)],
        "notes": pa.array(notes.tolist(), pa.string()),
    })


def generate(out: Path, megabytes: int, seed: int, pd_every: int) -> None:
    rng = np.random.default_rng(seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    target, rows = megabytes * 1024 * 1024, 0
    with pa.OSFile(str(out), "wb") as sink:
        first = True
        while sink.tell() < target:
            table = _block(rng, ROWS_PER_BLOCK, rows, pd_every)
            pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=first,
                                                          quoting_style="none"))
            first, rows = False, rows + table.num_rows
    print(f"wrote {out}: {out.stat().st_size / 1e6:,.0f} MB, {rows:,} rows")


def _scan(path: Path, chunk_mb: int, profile: Path | None) -> None:
    """The child: scan the file, print the results' outcomes and the evidence's counts."""
    from catalogue.releases import ScanOptions, run_content_checks

    options = ScanOptions(chunk_bytes=chunk_mb * 1024 * 1024)
    started = time.perf_counter()
    if profile is not None:
        from benchmarks.common import profiled
        with profiled(profile, 0.01), path.open("rb") as handle:
            results = run_content_checks(handle, path.name, options)
    else:
        with path.open("rb") as handle:
            results = run_content_checks(handle, path.name, options)
    print(json.dumps({"seconds": time.perf_counter() - started,
                      "results": [r.to_dict() for r in results]}))


def _params() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "params.yaml").read_text())["scan"]


def measure(path: Path, chunk_mb: int, profile: Path | None) -> dict[str, Any]:
    from benchmarks.common import load_average

    size = path.stat().st_size
    load_start = load_average()
    command = [sys.executable, "-m", "benchmarks.bench_scan", "_scan", str(path),
               "--chunk-mb", str(chunk_mb)] + (["--profile", str(profile)] if profile else [])
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"scan failed:\n{done.stderr}")
    if profile is not None:
        print(done.stderr, file=sys.stderr)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    personal, disclosure = report["results"]
    params = _params()
    mb_s = size / 1e6 / report["seconds"]
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return {
        "file_mb": round(size / 1e6, 1),
        "rows": personal["evidence"]["rows_scanned"],
        "chunks": personal["evidence"]["chunks"],
        "chunk_mb": chunk_mb,
        "scan_s": round(report["seconds"], 2),
        "process_s": round(wall, 2),
        "throughput_mb_s": round(mb_s, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(peak_mb, 1),
        "target_mb_s": params["target_mb_s"],
        "target_peak_mb": params["target_peak_mb"],
        "personal_data": personal["outcome"],
        "personal_data_findings": {f"{f['column']}:{f['kind']}": f["matches"]
                                   for f in personal["evidence"]["findings"]},
        "disclosure": disclosure["outcome"],
        "small_cells": disclosure["evidence"]["small_cells"],
        "load_average_at_start": load_start,
        "load_average_at_end": load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate", help="write the CSV")
    make.add_argument("out", type=Path)
    make.add_argument("--mb", type=int, help="size in MiB (default: params.yaml scan.size_mb)")
    for name in ("measure", "_scan"):
        sub = commands.add_parser(name)
        sub.add_argument("file", type=Path)
        sub.add_argument("--chunk-mb", type=int, default=None)
        sub.add_argument("--profile", type=Path, default=None)
        sub.add_argument("--metrics", type=Path, default=METRICS)
    args = parser.parse_args()
    params = _params()
    if args.command == "generate":
        generate(args.out, args.mb or params["size_mb"], params["seed"], params["pd_every"])
        return
    chunk_mb = args.chunk_mb or params["chunk_mb"]
    if args.command == "_scan":
        _scan(args.file, chunk_mb, args.profile)
        return
    from benchmarks.common import write_metrics

    metrics = measure(args.file, chunk_mb, args.profile)
    write_metrics(args.metrics, metrics)
    print(f"{metrics['file_mb']:,} MB, {metrics['rows']:,} rows in {metrics['scan_s']} s: "
          f"{metrics['throughput_mb_s']} MB/s (target ≥ {metrics['target_mb_s']}), "
          f"peak {metrics['peak_rss_mb']} MB (target ≤ {metrics['target_peak_mb']}), "
          f"CPU {metrics['cpu_s']} s; load average {metrics['load_average_at_start']} at start, "
          f"{metrics['load_average_at_end']} at end")
    print(f"personal data: {metrics['personal_data']} {metrics['personal_data_findings']}; "
          f"disclosure: {metrics['disclosure']} ({metrics['small_cells']} small cells)")


if __name__ == "__main__":
    main()
