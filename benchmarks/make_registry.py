"""Generate the benchmark registry: a bare git repository in the registry format, written with
`git fast-import` (real git objects and commits, 20,000 of them in seconds rather than the half
hour `git commit` would take), and its local DVC remote holding every version's bytes.

History, oldest first: one commit creating the registry (catalogue.yaml, DVC's config naming the
remote), then one commit per version (the first creates the dataset with its dataset.yaml and
.dvc file; the rest change the .dvc file's md5 and size), with a few commits changing only a
dataset.yaml among them. One dataset (`corpus.big_dataset`, a CSV) gets
`corpus.big_dataset_versions`; the others share the rest unevenly.

Each version's file is a small table (benchmarks.datafiles: CSV, Parquet or Excel, a few hundred
bytes to a few KB) whose columns suit the dataset's subject, plus `benchmark_row_id`, found in
every file and nowhere else. Its bytes go straight into the remote directory in DVC 3's layout
(as `dvc push` leaves them) and its `.dvc` file records their real md5 and size, so stock DVC
reads the registry (`dvc get --rev <sha> <registry> <path>`) without a `dvc add` per file.

Everything is drawn from one seeded generator, so the same parameters give the same commits,
byte for byte and sha for sha, given the same absolute path of the remote (which `.dvc/config`
names) and the same pyarrow (whose version is written into each Parquet file).

    python -m benchmarks.make_registry [OUTPUT] [--storage DIR]   # parameters: `corpus`
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

import yaml

from benchmarks import vocabulary as words
from benchmarks.common import REGISTRY, dvc_config, git, load_params, storage_beside
from benchmarks.datafiles import WRITERS, Remote, Schema, make_table, schema_for

LONDON = ZoneInfo("Europe/London")


class _Dumper(yaml.SafeDumper):
    """Writes multi-line text as a `|` block, as people write descriptions by hand."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


@dataclass(frozen=True)
class Person:
    name: str
    email: str

    def signature(self, when: datetime) -> str:
        offset = when.utcoffset() or timedelta()
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        return (f"{self.name} <{self.email}> {int(when.timestamp())} "
                f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}")


@dataclass
class DatasetPlan:
    department: str
    slug: str
    title: str
    filename: str
    staff: list[Person]
    schema: Schema
    metadata: dict[str, Any] = field(default_factory=dict)
    md5: str = ""
    size: int = 0

    @property
    def key(self) -> str:
        return f"{self.department}/{self.slug}"

    def dvc_file(self) -> str:
        """Exactly what `dvc add` writes."""
        return (f"outs:\n- md5: {self.md5}\n  size: {self.size}\n  hash: md5\n"
                f"  path: {self.filename}\n")

    def dataset_yaml(self) -> str:
        return yaml.dump(self.metadata, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


@dataclass(frozen=True)
class Commit:
    author: Person
    when: datetime
    message: str
    files: dict[str, str]
    data: bytes | None = None  # the version's bytes, for the DVC remote


VARIANT_WORDS = {v.lstrip("-") for v in words.VARIANTS + words.MORE_VARIANTS if v}


def _title(slug: str) -> str:
    """`rough-sleeping-by-ward-summary` → `Rough sleeping by ward (summary)`."""
    parts = [words.ACRONYMS.get(w, w) for w in slug.split("-")]
    variant = f" ({parts.pop()})" if parts[-1] in VARIANT_WORDS else ""
    title = " ".join(parts) + variant
    return title[0].upper() + title[1:]


class CorpusPlanner:
    """Draws the registry's departments, staff, datasets and commits from one seeded generator."""

    def __init__(self, params: dict[str, Any], remote_url: str):
        self.params = params
        self.remote_url = remote_url
        self.rng = random.Random(params["seed"])
        self.next_row_id = 1
        self.people = self._people()
        self.staff = {dept: [next(self.people) for _ in range(6)] for dept in words.DEPARTMENTS}
        self.data_team = [next(self.people) for _ in range(3)]
        self.datasets = self._datasets()

    def _people(self) -> Iterator[Person]:
        pairs = [(f, s) for f in words.FIRST_NAMES for s in words.LAST_NAMES]
        self.rng.shuffle(pairs)
        for first, last in pairs:
            local = f"{first}.{last}".lower().replace("'", "")
            yield Person(f"{first} {last}", f"{local}@{words.EMAIL_DOMAIN}")

    def _datasets(self) -> list[DatasetPlan]:
        total = self.params["datasets"]
        big_dept, big_slug = self.params["big_dataset"].split("/")
        depts = list(words.DEPARTMENTS)
        plans = []
        for index, dept in enumerate(depts):
            _, subjects, _ = words.DEPARTMENTS[dept]
            variants = words.VARIANTS + (words.MORE_VARIANTS
                                         if self.params.get("more_variants") else [])
            slugs = [f"{s}-{q}{v}" for s in subjects for q in words.QUALIFIERS
                     for v in variants]
            self.rng.shuffle(slugs)
            if dept == big_dept:
                slugs.remove(big_slug)
                slugs.insert(0, big_slug)
            count = total // len(depts) + (1 if index < total % len(depts) else 0)
            if count > len(slugs):
                raise SystemExit(f"the vocabulary has only {len(slugs)} datasets for {dept}")
            for slug in slugs[:count]:
                ext = self.rng.choices([f for f, _ in words.FORMATS],
                                       [w for _, w in words.FORMATS])[0]
                if (dept, slug) == (big_dept, big_slug):
                    ext = ".csv"  # the file the read benchmark downloads
                plans.append(DatasetPlan(dept, slug, _title(slug), f"{slug}{ext}",
                                         self.rng.sample(self.staff[dept], 3),
                                         schema_for(slug, self.rng)))
        return plans

    def _version_counts(self) -> list[int]:
        """Versions per dataset: the big one gets its share, the rest at least one each."""
        big = self.params["big_dataset_versions"]
        others = len(self.datasets) - 1
        spare = self.params["versions"] - big - others
        if spare < 0:
            raise SystemExit("corpus.versions is too small for corpus.datasets")
        weights = [min(self.rng.lognormvariate(0, 1), 12.0) for _ in range(others)]
        scale = spare / sum(weights)
        extra = [int(w * scale) for w in weights]
        for i in self.rng.sample(range(others), spare - sum(extra)):
            extra[i] += 1
        counts = [big] + [1 + e for e in extra]
        if max(counts[1:], default=0) >= big:
            raise SystemExit("another dataset would have as many versions as the big one")
        return counts

    def _times(self, count: int) -> list[datetime]:
        """`count` sorted moments in office hours (London time) between the start and end."""
        start = date.fromisoformat(self.params["start"])
        days = (date.fromisoformat(self.params["end"]) - start).days
        moments = []
        while len(moments) < count:
            day = start + timedelta(days=self.rng.randrange(days))
            if day.weekday() >= 5:
                continue
            minute = self.rng.randrange(8 * 60, 18 * 60)
            moments.append(datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                                    self.rng.randrange(60), tzinfo=LONDON))
        return sorted(moments)

    def _author(self, plan: DatasetPlan) -> Person:
        return self.rng.choice(self.data_team) if self.rng.random() < 0.08 \
            else self.rng.choice(plan.staff)

    def _new_content(self, plan: DatasetPlan, when: datetime) -> bytes:
        """A new version's bytes (rows numbered on from the last file's, so never the same
        bytes twice); records their md5 and size in the plan."""
        table = make_table(plan.schema, self.rng, when, self.next_row_id)
        self.next_row_id += len(table.rows)
        data = WRITERS[plan.filename[plan.filename.rindex("."):]](table)
        plan.md5 = hashlib.md5(data).hexdigest()
        plan.size = len(data)
        return data

    def _metadata(self, plan: DatasetPlan, created: list[DatasetPlan]) -> dict[str, Any]:
        dept_name, subjects, sources = words.DEPARTMENTS[plan.department]
        sensitive = self.rng.random() < self.params.get("sensitive_share", 0.1)
        personal = sensitive and self.rng.random() < 0.5
        caveats = self.rng.sample(words.CAVEATS, 2)
        meta: dict[str, Any] = {
            "title": plan.title,
            "description": (f"{plan.title} for {words.AREA}, published by {dept_name}.\n\n"
                            f"Extracted from {self.rng.choice(sources)}.\n\n"
                            f"- {caveats[0]}\n- {caveats[1]}\n"),
            "owners": [p.email for p in plan.staff[:self.rng.choice((1, 1, 2))]],
            "tags": sorted({plan.department, plan.slug.split("-by-")[0]}),
            "licence": "OGL-UK-3.0",
            "classification": "OFFICIAL-SENSITIVE" if sensitive else "OFFICIAL",
            "personal_data": personal,
            "update_frequency": self.rng.choice(words.FREQUENCIES),
            "temporal_coverage": f"{self.params['start']}/{self.params['end']}",
            "spatial_coverage": words.AREA,
            "contact": f"{plan.department}.data@{words.EMAIL_DOMAIN}",
        }
        upstream = [d for d in created[-200:] if d.department == plan.department]
        if upstream and self.rng.random() < 0.05:
            meta["derived_from"] = [self.rng.choice(upstream).key]
        return meta

    def _revise_metadata(self, plan: DatasetPlan, template: str) -> None:
        meta = plan.metadata
        if template.startswith("Describe"):
            meta["description"] = meta["description"] + f"- {self.rng.choice(words.CAVEATS)}\n"
        elif template.startswith("Add tags"):
            meta["tags"] = sorted({*meta["tags"], "statistics", "published"})
        elif template.startswith("Hand"):
            meta["owners"] = [self.rng.choice(self.staff[plan.department]).email]
        else:
            meta["update_frequency"] = self.rng.choice(words.FREQUENCIES)

    def commits(self) -> Iterator[Commit]:
        counts = self._version_counts()
        sequence = [i for i, n in enumerate(counts) for _ in range(n)]
        self.rng.shuffle(sequence)
        metadata_at = set(self.rng.sample(range(len(sequence) // 10, len(sequence)),
                                          self.params["metadata_commits"]))
        times = self._times(len(sequence) + len(metadata_at) + 1)
        admin = self.data_team[0]
        yield Commit(admin, times[0], f"Create the data registry of {words.COUNCIL}", {
            "catalogue.yaml": yaml.safe_dump({
                "name": f"{words.COUNCIL} data registry",
                "departments": [{"slug": s, "name": n}
                                for s, (n, _, _) in words.DEPARTMENTS.items()],
                "partners": [{"slug": "northmoor-nhs-trust", "name": "Northmoor NHS Trust"}],
            }, sort_keys=False),
            ".dvc/config": dvc_config(self.remote_url),
            ".dvc/.gitignore": "/config.local\n/tmp\n/cache\n",
            ".dvcignore": "# Add patterns of files dvc should ignore\n",
        })
        moments = iter(times[1:])
        created: list[DatasetPlan] = []
        for position, index in enumerate(sequence):
            if position in metadata_at:
                plan = self.rng.choice(created)
                template = self.rng.choice(words.METADATA_MESSAGES)
                self._revise_metadata(plan, template)
                yield Commit(self.rng.choice(plan.staff), next(moments),
                             template.format(title=plan.title),
                             {f"{plan.key}/dataset.yaml": plan.dataset_yaml()})
            plan = self.datasets[index]
            when = next(moments)
            data = self._new_content(plan, when)
            files = {f"{plan.key}/{plan.filename}.dvc": plan.dvc_file()}
            if not plan.metadata:
                plan.metadata = self._metadata(plan, created)
                created.append(plan)
                files[f"{plan.key}/dataset.yaml"] = plan.dataset_yaml()
                files[f"{plan.key}/.gitignore"] = f"/{plan.filename}\n"
                message = f"Add {plan.title}"
            else:
                _, _, sources = words.DEPARTMENTS[plan.department]
                message = self.rng.choice(words.UPDATE_MESSAGES).format(
                    title=plan.title, period=when.strftime("%B %Y"),
                    source=self.rng.choice(sources))
                message = message[0].upper() + message[1:]
            yield Commit(self._author(plan), when, message, files, data)


def write_stream(commits: Iterator[Commit], out: BinaryIO) -> int:
    """Write commits on `main` as a git fast-import stream; returns how many."""
    count = 0
    for commit in commits:
        count += 1
        message = (commit.message + "\n").encode()
        out.write(b"commit refs/heads/main\n")
        out.write(f"author {commit.author.signature(commit.when)}\n".encode())
        out.write(f"committer {commit.author.signature(commit.when)}\n".encode())
        out.write(b"data %d\n%s" % (len(message), message))
        for path, content in commit.files.items():
            data = content.encode()
            out.write(f"M 100644 inline {path}\n".encode())
            out.write(b"data %d\n%s\n" % (len(data), data))
        out.write(b"\n")
    out.write(b"done\n")
    return count


def stored(commits: Iterator[Commit], remote: Remote) -> Iterator[Commit]:
    """The commits, each version's bytes written into the DVC remote on the way."""
    for commit in commits:
        if commit.data is not None:
            remote.put(commit.data)
        yield commit


def make_registry(output: Path, params: dict[str, Any], storage: Path | None = None) -> int:
    """Write the registry as a bare repository at `output`, and its DVC remote at `storage`
    (default: `<output>-storage` beside it), replacing both; returns the number of commits."""
    output = output.resolve()
    storage = (storage or storage_beside(output)).resolve()
    for folder in (output, storage):
        if folder.exists():
            shutil.rmtree(folder)
    output.parent.mkdir(parents=True, exist_ok=True)
    storage.mkdir(parents=True)
    git("init", "-q", "--bare", "-b", "main", str(output), cwd=output.parent)
    importer = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=output,
                                stdin=subprocess.PIPE)
    assert importer.stdin is not None
    try:
        commits = CorpusPlanner(params, str(storage)).commits()
        count = write_stream(stored(commits, Remote(storage)), importer.stdin)
    finally:
        importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", nargs="?", type=Path, default=REGISTRY)
    parser.add_argument("--storage", type=Path,
                        help="the DVC remote directory (default: OUTPUT-storage beside it)")
    args = parser.parse_args(argv)
    params = load_params("corpus")
    storage = args.storage or storage_beside(args.output)
    start = time.perf_counter()
    count = make_registry(args.output, params, storage)
    head = git("rev-parse", "main", cwd=args.output).strip()
    print(f"{args.output}: {count} commits, {params['datasets']} datasets, "
          f"{params['versions']} versions ({params['big_dataset']}: "
          f"{params['big_dataset_versions']}), main at {head[:12]}; DVC remote {storage}; "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
