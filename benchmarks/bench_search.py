"""Measure search over 10,000 generated datasets: the full index build, the incremental update
of one dataset, and the search API's p50/p95 over 200 mixed queries (words, phrases, typos,
column names, owners' names; half with a facet filter; every one through the permission filter
of one of five readers), then the same queries against SQLite FTS5 over the same documents,
side by side, with the ratio; and the price of grants: the same queries for a reader holding
20 grants (`grant:<id>` principals on 20 shared datasets' documents) beside a reader with no
permission filter at all (issue 3: within 10%). Writes a DVC metrics file and prints the
figures.

    python -m benchmarks.bench_search [--datasets N] [--metrics PATH]

The datasets are written straight into a new catalogue database (SQLite, or a new PostgreSQL
database when DATABASE_URL is set), their column names into the search's column cache: no
registry, no DVC bytes. The API is called in-process through the Flask test client.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import secrets
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, update

from benchmarks import vocabulary as words
from benchmarks.common import (
    ROOT,
    cpu_timed,
    database_kind,
    fresh_catalogue,
    load_average,
    median,
    percentile,
    timed,
    verdict,
    write_metrics,
)
from catalogue.access import Reader, reader_principals
from catalogue.core import Catalogue
from catalogue.models import Dataset, Department, Grant, Registry, Version, VersionFile
from catalogue.search import SearchRequest
from catalogue.search.documents import load_documents
from catalogue.search.query import parse
from catalogue.search.schema import FIELD_WEIGHTS
from web import create_app
from web.auth import TEST_PRINCIPALS

METRICS = ROOT / "benchmarks" / "metrics" / "search.json"
SEED = 20240605
QUERIES = 200
TARGETS = {"index_build_s": 30.0, "incremental_update_s": 0.2, "api_p50_ms": 10.0,
           "api_p95_ms": 30.0, "grants_to_no_filter_api_p50_ratio": 1.10}
GRANTS = 20
GRANTEE = "housing"
GRANT_ROUNDS = 3  # each query for both readers in turn, so load on the machine hits both
READERS = [["internal", "department:housing"], ["internal", "department:finance"],
           ["department:childrens-services"], ["internal"],
           ["internal", "department:public-health", "partner:nhs-trust"]]
YEARS = ["2019", "2020", "2021", "2022", "2023", "2024"]
COLUMNS = ["ward_code", "ward_name", "lsoa_code", "month", "quarter", "financial_year",
           "households", "people", "cases_opened", "cases_closed", "rate_per_1000", "amount_gbp",
           "age_band", "tenure", "provider_name", "postcode_sector", "count", "target_met",
           "days_to_complete", "ethnicity", "gender", "locality", "budget_gbp", "spend_gbp"]
FORMATS = {".csv": "data.csv", ".parquet": "data.parquet", ".xlsx": "data.xlsx"}
# catalogue.search.schema's FIELD_WEIGHTS, in the order of the FTS5 table's columns
FTS5_WEIGHTS = tuple(FIELD_WEIGHTS[name] for name in ("title", "tags", "columns", "description",
                                                        "owners", "department_name", "keywords"))


def generate(cat: Catalogue, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Write `count` datasets (one version, one file each) and their columns; return them."""
    now = datetime.now(UTC)
    people = [f"{f}.{s}".lower().replace("'", "") for f in words.FIRST_NAMES
              for s in words.LAST_NAMES]
    plans = []
    for dept, (_, subjects, sources) in words.DEPARTMENTS.items():
        for subject in subjects:
            for qualifier in words.QUALIFIERS:
                for variant in words.VARIANTS:
                    for year in YEARS:
                        plans.append((dept, f"{subject}-{qualifier}{variant}-{year}", sources))
    rng.shuffle(plans)
    rows = []
    for i, (dept, slug, sources) in enumerate(plans[:count]):
        title = " ".join(words.ACRONYMS.get(w, w) for w in slug.split("-")).capitalize()
        subject = slug.split("-by-")[0].replace("-", " ")
        ext = rng.choices(list(FORMATS), weights=[80, 12, 8])[0]
        description = (f"# {title}\n\n{subject.capitalize()} for {words.AREA}, from "
                       f"{rng.choice(sources)}. " + " ".join(rng.sample(words.CAVEATS, 2))
                       if rng.random() > 0.1 else "")
        rows.append({
            "id": i + 1, "department": dept, "slug": slug, "title": title,
            "description": description, "tags": sorted({subject, slug.split("-by-")[1]
                                                        .split("-")[0], dept}),
            "owners": [f"{p}@{words.EMAIL_DOMAIN}" for p in rng.sample(people, 2)],
            "visibility": "department" if rng.random() < 0.2 else "internal",
            "update_frequency": rng.choice(words.FREQUENCIES),
            "licence": "OGL-UK-3.0", "classification": rng.choice(["OFFICIAL"] * 4
                                                                  + ["OFFICIAL-SENSITIVE"]),
            "updated_at": now - timedelta(days=rng.randint(0, 2000)),
            "columns": rng.sample(COLUMNS, rng.randint(4, 9)), "file": FORMATS[ext],
        })
    _insert(cat, rows, now)
    return rows


def _insert(cat: Catalogue, rows: list[dict[str, Any]], now: datetime) -> None:
    with cat.engine.begin() as conn:
        registry_id = conn.execute(insert(Registry.__table__).values(
            name="Generated", url="/generated", git_path="/generated")).inserted_primary_key[0]
        conn.execute(insert(Department.__table__), [
            {"slug": d, "name": name, "registry_id": registry_id}
            for d, (name, _, _) in words.DEPARTMENTS.items()])
        conn.execute(insert(Dataset.__table__), [
            {**{k: r[k] for k in ("id", "department", "slug", "title", "description", "tags",
                                  "owners", "visibility", "update_frequency", "licence",
                                  "classification", "updated_at")},
             "registry_id": registry_id, "created_at": now - timedelta(days=2500),
             "personal_data": False, "derived_from": [], "extra": {}, "retired": False,
             "version_count": 1, "metadata_sha": "a" * 40} for r in rows])
        conn.execute(insert(Version.__table__), [
            {"id": r["id"], "dataset_id": r["id"], "number": 1, "commit_sha": f"{r['id']:040x}",
             "author_name": "A", "author_email": "a@b.c", "authored_at": r["updated_at"],
             "message": "v1", "size": 1} for r in rows])
        conn.execute(insert(VersionFile.__table__), [
            {"version_id": r["id"], "path": r["file"], "md5": _md5(r), "size": 1,
             "source": r["file"] + ".dvc"} for r in rows])
    for r in rows:
        cat.search.columns.put(_md5(r), r["columns"])


def _md5(row: dict[str, Any]) -> str:
    return hashlib.md5(f"{row['department']}/{row['slug']}".encode()).hexdigest()


def make_queries(rows: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """200 queries people type, half of them with a facet filter, each with a reader."""
    queries = []
    for n in range(QUERIES):
        row = rng.choice(rows)
        title_words = [w for w in row["title"].split() if len(w) > 2]
        kind = rng.choices(["words", "tag", "phrase", "typo", "column", "owner"],
                           weights=[40, 15, 10, 15, 10, 10])[0]
        if kind == "words":
            text = " ".join(rng.sample(title_words, min(len(title_words), rng.randint(2, 3))))
        elif kind == "tag":
            text = rng.choice(row["tags"])
        elif kind == "phrase":
            start = rng.randrange(max(len(title_words) - 1, 1))
            text = '"' + " ".join(title_words[start:start + 2]) + '"'
        elif kind == "typo":
            word = max(title_words, key=len)
            cut = rng.randrange(1, len(word) - 1)
            text = f"{word[:cut]}{word[cut + 1:]} {rng.choice(title_words)}"
        elif kind == "column":
            text = rng.choice(row["columns"])
        else:
            text = " ".join(p.capitalize() for p in row["owners"][0].split("@")[0].split("."))
        filters: dict[str, list[str]] = {}
        if rng.random() < 0.5:
            name = rng.choice(["department", "format", "tag", "update_frequency"])
            value = {"department": row["department"], "tag": rng.choice(row["tags"]),
                     "format": row["file"].rsplit(".", 1)[1],
                     "update_frequency": row["update_frequency"]}[name]
            filters[name] = [value]
        queries.append({"q": text, "filters": filters, "reader": READERS[n % len(READERS)],
                        "kind": kind})
    return queries


def measure_api(app, queries: list[dict[str, Any]]) -> list[float]:
    client = app.test_client()

    def run(query: dict[str, Any]) -> dict:
        app.config[TEST_PRINCIPALS] = query["reader"]
        response = client.get("/api/v1/search", query_string={"q": query["q"],
                                                                **query["filters"]})
        assert response.status_code == 200, response.data
        return response.get_json()

    for query in queries:  # warm up: each reader's permission filter, the searcher
        run(query)
    samples = []
    for query in queries:
        seconds, _ = timed(lambda query=query: run(query))
        samples.append(seconds * 1000)
    return samples


class Fts5:
    """The same documents in an SQLite FTS5 table (porter stemming, the same field weights),
    searched the same way in SQL: all words, else any; only the reader's documents (a table
    made once per set of principals, as the index caches a set); the facet filter; the count,
    facet counts (a filtered facet's own counts without its filter), the top 20 by bm25 with
    snippets."""

    def __init__(self, documents: list[tuple[dict[str, str], dict[str, Any]]]):
        self.db = sqlite3.connect(":memory:")
        self.db.executescript(
            "CREATE VIRTUAL TABLE fts USING fts5(title, tags, columns, description, owners, "
            "department_name, keywords, tokenize='porter unicode61');"
            "CREATE TABLE principal (doc INTEGER, principal TEXT);"
            "CREATE INDEX principal_by_name ON principal (principal, doc);"
            "CREATE TABLE facet (doc INTEGER, name TEXT, value TEXT);"
            "CREATE INDEX facet_by_doc ON facet (doc, name, value);")
        for n, (texts, doc) in enumerate(documents, 1):
            self.db.execute("INSERT INTO fts (rowid, title, tags, columns, description, owners, "
                            "department_name, keywords) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (n, texts["title"], texts["tags"], texts["columns"],
                             texts["description"], texts["owners"], texts["department_name"],
                             texts["keywords"]))
            self.db.executemany("INSERT INTO principal VALUES (?, ?)",
                                [(n, p) for p in doc["principals"].split()])
            self.db.executemany("INSERT INTO facet VALUES (?, ?, ?)",
                                [(n, name, value) for name, value in
                                 json.loads(doc["meta"])["f"]])
        self.db.commit()
        self._readers: dict[frozenset[str], str] = {}

    def search(self, query: dict[str, Any]) -> dict[str, Any]:
        allowed = self._allowed(query["reader"])
        parsed = parse(query["q"])
        quoted = ['"' + " ".join(c.words).replace('"', "") + '"' for c in parsed.clauses]
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.hits")
        db.execute("DROP TABLE IF EXISTS temp.kept")
        for joiner in (" AND ", " OR "):
            db.execute("DROP TABLE IF EXISTS temp.hits")
            db.execute(f"CREATE TEMP TABLE hits AS SELECT f.rowid AS doc, "
                       f"bm25(fts, {', '.join(map(str, FTS5_WEIGHTS))}) AS score FROM fts f "
                       f"JOIN {allowed} a ON a.doc = f.rowid WHERE fts MATCH ?",
                       [joiner.join(quoted) or '""'])
            if db.execute("SELECT EXISTS (SELECT 1 FROM hits)").fetchone()[0]:
                break
        [(name, values)] = query["filters"].items() or [(None, [])]
        marks = ",".join("?" * len(values))
        db.execute("CREATE TEMP TABLE kept AS SELECT * FROM hits" + (
            f" WHERE EXISTS (SELECT 1 FROM facet WHERE facet.doc = hits.doc AND name = ? "
            f"AND value IN ({marks}))" if name else ""), [name, *values] if name else [])
        count = db.execute("SELECT count(*) FROM kept").fetchone()[0]
        facets = db.execute(
            "SELECT name, value, count(*) FROM kept JOIN facet USING (doc) WHERE name IS NOT ? "
            "GROUP BY name, value UNION ALL SELECT name, value, count(*) FROM hits "
            "JOIN facet USING (doc) WHERE name IS ? GROUP BY name, value",
            [name, name]).fetchall()
        top = [doc for (doc,) in db.execute("SELECT doc FROM kept ORDER BY score LIMIT 20")]
        snippets = db.execute(
            f"SELECT rowid, snippet(fts, 3, '<mark>', '</mark>', '…', 24) FROM fts "
            f"WHERE fts MATCH ? AND rowid IN ({','.join('?' * len(top))})",
            [" OR ".join(quoted), *top]).fetchall() if top else []
        return {"count": count, "top": top, "facets": facets, "snippets": snippets}

    def match_only(self, query: dict[str, Any]) -> list[int]:
        """What FTS5 is usually timed on: the top 20 readable matches, nothing counted."""
        allowed = self._allowed(query["reader"])
        quoted = ['"' + " ".join(c.words).replace('"', "") + '"' for c in parse(query["q"]).clauses]
        for joiner in (" AND ", " OR "):
            top = [doc for (doc,) in self.db.execute(
                f"SELECT f.rowid FROM fts f JOIN {allowed} a ON a.doc = f.rowid "
                f"WHERE fts MATCH ? ORDER BY bm25(fts, {', '.join(map(str, FTS5_WEIGHTS))}) "
                f"LIMIT 20", [joiner.join(quoted) or '""'])]
            if top:
                break
        return top

    def _allowed(self, principals: list[str]) -> str:
        """A table of the documents a set of principals may read, made once per set."""
        key = frozenset(principals)
        if key not in self._readers:
            table = f"allowed_{len(self._readers)}"
            marks = ",".join("?" * len(key))
            self.db.execute(f"CREATE TEMP TABLE {table} (doc INTEGER PRIMARY KEY)")
            self.db.execute(f"INSERT OR IGNORE INTO {table} SELECT doc FROM principal "
                            f"WHERE principal IN ({marks})", sorted(key))
            self._readers[key] = table
        return self._readers[key]


def add_grants(cat: Catalogue, rows: list[dict[str, Any]], rng: random.Random) -> list[str]:
    """Share 20 department-only datasets of other departments with GRANTEE, as
    `catalogue share` does (rows in the grant table, the datasets re-indexed); their ids."""
    shared = rng.sample([r for r in rows if r["visibility"] == "department"
                         and r["department"] != GRANTEE], GRANTS)
    now = datetime.now(UTC)
    grants = [{"id": secrets.token_hex(12), "department": r["department"], "dataset": r["slug"],
               "grantee_kind": "department", "grantee": GRANTEE, "from_version": None,
               "expires_at": None, "granted_by": "bench@council.example", "granted_at": now}
              for r in shared]
    with cat.engine.begin() as conn:
        conn.execute(insert(Grant.__table__), grants)
    keys = {f"{r['department']}/{r['slug']}" for r in shared}
    cat.search.update(keys)
    principals = [*reader_principals([GRANTEE], None), *(f"grant:{g['id']}" for g in grants)]
    for r in shared:  # the grants are on the documents: the reader finds each shared one
        found = cat.search.search(Reader.of(*principals), SearchRequest.build(q=r["title"]))
        assert f"{r['department']}/{r['slug']}" in {h.id for h in found.results}, r["slug"]
        hidden = cat.search.search(Reader.of(*reader_principals([GRANTEE], None)),
                                   SearchRequest.build(q=r["title"]))
        assert f"{r['department']}/{r['slug']}" not in {h.id for h in hidden.results}
    return principals


def measure_grants(app, cat: Catalogue, queries: list[dict[str, Any]],
                   principals: list[str]) -> dict[str, float]:
    """p50 of the same queries for the reader with 20 grants and for one with no permission
    filter (`*`), through the API and in the core; each query is run for both readers in turn
    (GRANT_ROUNDS times), so a busy machine slows both alike."""
    readers = {"grants": principals, "no_filter": ["*"]}
    client = app.test_client()

    def api(query: dict[str, Any], reader: list[str]) -> None:
        app.config[TEST_PRINCIPALS] = reader
        response = client.get("/api/v1/search", query_string={"q": query["q"],
                                                                **query["filters"]})
        assert response.status_code == 200, response.data

    def core(query: dict[str, Any], reader: list[str]) -> None:
        cat.search.search(Reader.of(*reader), _request(query))

    samples: dict[str, list[float]] = {f"{where}_{name}": [] for where in ("api", "core")
                                       for name in readers}
    for query in queries:  # warm up: each reader's mask, the searcher
        for reader in readers.values():
            api(query, reader)
            core(query, reader)
    for _ in range(GRANT_ROUNDS):
        for query in queries:
            for name, reader in readers.items():
                samples[f"api_{name}"].append(
                    timed(lambda q=query, r=reader: api(q, r))[0] * 1000)
                samples[f"core_{name}"].append(
                    timed(lambda q=query, r=reader: core(q, r))[0] * 1000)
    p50 = {key: round(median(values), 2) for key, values in samples.items()}
    return {
        "grants_reader_principals": len(principals),
        "grants_reader_api_p50_ms": p50["api_grants"],
        "no_filter_api_p50_ms": p50["api_no_filter"],
        "grants_to_no_filter_api_p50_ratio": round(p50["api_grants"] / p50["api_no_filter"], 3),
        "grants_reader_core_p50_ms": p50["core_grants"],
        "no_filter_core_p50_ms": p50["core_no_filter"],
        "grants_to_no_filter_core_p50_ratio": round(p50["core_grants"] / p50["core_no_filter"],
                                                    3),
    }


def measure(action: Callable[[dict[str, Any]], Any], queries: list[dict[str, Any]],
            ) -> list[float]:
    for query in queries:
        action(query)
    return [timed(lambda q=query: action(q))[0] * 1000 for query in queries]


def summary(samples: list[float]) -> dict[str, float]:
    return {"p50": round(median(samples), 2), "p95": round(percentile(samples, 0.95), 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--metrics", type=Path, default=METRICS)
    args = parser.parse_args(argv)
    rng = random.Random(SEED)
    metrics: dict[str, Any] = {"datasets": args.datasets, "queries": QUERIES,
                               "database": database_kind(), "load_average_at_start":
                               load_average()}
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp, \
            fresh_catalogue(Path(tmp) / "instance") as cat:
        rows = generate(cat, args.datasets, rng)
        build_s, build_cpu_s, count = cpu_timed(lambda: cat.search.rebuild(read_columns=False))
        metrics["index_build_s"] = round(build_s, 2)
        metrics["index_build_cpu_s"] = round(build_cpu_s, 2)
        metrics["index_build_datasets_per_s"] = round(count / build_s)

        updates, visible = [], []
        for n in range(5):
            row = rows[rng.randrange(len(rows))]
            with cat.engine.begin() as conn:
                conn.execute(update(Dataset.__table__).where(Dataset.__table__.c.id == row["id"])
                             .values(title=f"Renamed dataset zqx{n}"))
            seconds, _ = timed(lambda row=row: cat.search.update(
                {f"{row['department']}/{row['slug']}"}))
            updates.append(seconds)
            found_s, found = timed(lambda n=n: cat.search.suggest(
                Reader.everyone(), f"renamed dataset zqx{n}"))
            assert [c.title for c in found] == [f"Renamed dataset zqx{n}"], found
            visible.append(found_s)
        metrics["incremental_update_s"] = round(median(updates), 4)
        metrics["first_search_after_update_ms"] = round(median(visible) * 1000, 1)

        queries = make_queries(rows, rng)
        app = create_app({"INSTANCE_PATH": str(cat.settings.instance), "TESTING": True,
                          "DATABASE_URL": cat.settings.database_url})
        try:
            api = summary(measure_api(app, queries))
            core = summary(measure(lambda q: cat.search.search(_reader(q), _request(q)),
                                   queries))
            by_kind = {kind: summary(measure(lambda q: cat.search.search(_reader(q),
                                                                         _request(q)),
                                             [q for q in queries if q["kind"] == kind]))["p50"]
                       for kind in sorted({q["kind"] for q in queries})}
            grants = measure_grants(app, cat, queries, add_grants(cat, rows, rng))
        finally:
            app.extensions["catalogue"].close()
        documents, _ = load_documents(cat.engine)
        known = cat.search.columns.get(f.md5 for d in documents for f in d.files)
        fields = [(d.sections(columns), d.fields(columns)) for d in documents
                  for columns in [[c for f in d.files for c in known.get(f.md5) or []]]]
        fts_build_s, fts = timed(lambda: Fts5(fields))
        fts5 = summary(measure(fts.search, queries))
        fts5_match = summary(measure(fts.match_only, queries))
    metrics.update({
        "api_p50_ms": api["p50"], "api_p95_ms": api["p95"],
        "core_p50_ms": core["p50"], "core_p95_ms": core["p95"],
        "core_p50_ms_by_kind": by_kind,
        "fts5_build_s": round(fts_build_s, 2),
        "fts5_p50_ms": fts5["p50"], "fts5_p95_ms": fts5["p95"],
        "fts5_match_only_p50_ms": fts5_match["p50"], "fts5_match_only_p95_ms": fts5_match["p95"],
        "api_to_fts5_p50_ratio": round(api["p50"] / max(fts5["p50"], 0.001), 1),
        "api_to_fts5_p95_ratio": round(api["p95"] / max(fts5["p95"], 0.001), 1),
        "api_to_fts5_match_only_p50_ratio": round(api["p50"] / max(fts5_match["p50"], 0.001), 1),
        "api_to_fts5_match_only_p95_ratio": round(api["p95"] / max(fts5_match["p95"], 0.001), 1),
        **grants,
        "load_average_at_end": load_average(),
    })
    write_metrics(args.metrics, metrics)
    _print(metrics)


def _reader(query: dict[str, Any]) -> Reader:
    return Reader.of(*query["reader"])


def _request(query: dict[str, Any]) -> SearchRequest:
    return SearchRequest.build(q=query["q"], filters=query["filters"])


def _print(m: dict[str, Any]) -> None:
    print(f"Search over {m['datasets']:,} generated datasets ({m['database']}, "
          f"load {m['load_average_at_start']}); {m['queries']} mixed queries with facets, "
          f"typos and the permission filter of {len(READERS)} readers")
    for key, label in (("index_build_s", "index build (s)"),
                       ("incremental_update_s", "incremental update of one dataset (s)")):
        judged = verdict(m[key], TARGETS[key])
        print(f"  {label:40} {m[key]:>8}   target {TARGETS[key]:>5}  {judged}")
    print(f"  {'  index build, CPU time of this process (s)':40} {m['index_build_cpu_s']:>8}")
    print(f"  {'first search after an update (ms)':40} {m['first_search_after_update_ms']:>8}")
    print(f"  {'search (ms)':40} {'API':>8} {'core':>6} {'FTS5':>6} {'ratio':>6} "
          f"{'FTS5 top 20':>12} {'ratio':>6}  target")
    for p in ("p50", "p95"):
        key = f"api_{p}_ms"
        print(f"  {'  ' + p:40} {m[key]:>8} {m[f'core_{p}_ms']:>6} {m[f'fts5_{p}_ms']:>6} "
              f"{m[f'api_to_fts5_{p}_ratio']:>5}x {m[f'fts5_match_only_{p}_ms']:>12} "
              f"{m[f'api_to_fts5_match_only_{p}_ratio']:>5}x  {TARGETS[key]:>5}  "
              f"{verdict(m[key], TARGETS[key])}")
    print(f"  core p50 by kind of query (ms): {m['core_p50_ms_by_kind']}")
    print("  FTS5: the same work in SQL (count, facets, top 20 with snippets); FTS5 top 20: the "
          "match alone. FTS5 corrects no typos: a misspelt query falls back to any word.")
    key = "grants_to_no_filter_api_p50_ratio"
    print(f"  search p50, a reader with {GRANTS} grants ({m['grants_reader_principals']} "
          f"principals) vs no permission filter (ms): API {m['grants_reader_api_p50_ms']} vs "
          f"{m['no_filter_api_p50_ms']} = {m[key]}x (target {TARGETS[key]}x "
          f"{verdict(m[key], TARGETS[key])}); core {m['grants_reader_core_p50_ms']} vs "
          f"{m['no_filter_core_p50_ms']} = {m['grants_to_no_filter_core_p50_ratio']}x; "
          f"load at the end {m['load_average_at_end']}")


if __name__ == "__main__":
    main()
