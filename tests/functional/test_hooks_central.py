"""A central registry with the catalogue's hooks, end to end: ten pushes from three clones race
each other and the indexer, and every version is recorded once, numbered in commit order on
main, visible through the JSON API; the stock dvc gets and imports versions by commit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest

from catalogue.core import Catalogue
from catalogue.settings import Settings
from tests.builders import sh
from tests.catalogue.snapshot import snapshot
from tests.central import Clone, make_central

BASE = "http://catalogue.test"
META = "title: {title}\nowners: [data@council.example.gov.uk]\n"
PLANS = [
    ["housing/a", "housing/a", "housing/b", "housing/a"],
    ["housing/a", "public-health/c", "public-health/c"],
    ["housing/b", "housing/a", "public-health/d"],
]
DEADLINE_S = 480  # generous: each push runs three Python processes on a 2-core machine


def catalogue_push(clone: Clone, key: str, data: Path, meta: Path, message: str,
                   env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "catalogue", "push", key, str(data), "-m", message,
         "--metadata", str(meta)],
        cwd=clone.path, env=env, capture_output=True, text=True)


def pusher(clone: Clone, plan: list[str], folder: Path, env: dict[str, str],
           record: dict) -> None:
    """Push each planned version; on losing a race, pull (or start again on top of main when
    the rebase conflicts, as a person would) and run the same command again."""
    deadline = time.monotonic() + DEADLINE_S
    for i, key in enumerate(plan):
        data = folder / f"{clone.path.name}-{i}.csv"
        data.write_text(f"clone,push\n{clone.path.name},{i}\n")
        meta = folder / f"{key.replace('/', '-')}.yaml"
        meta.write_text(META.format(title=key.split("/")[1].upper()))
        while True:
            assert time.monotonic() < deadline, "pushes did not finish in time"
            done = catalogue_push(clone, key, data, meta, f"{clone.path.name} push {i}", env)
            if done.returncode == 0:
                record["pushed"].append((key, clone.head(), done.stdout))
                break
            assert "git pull --rebase" in done.stderr, done.stdout + done.stderr
            record["lost"].append(done.stderr)
            if clone.run("git", "pull", "-q", "--rebase", check=False).returncode != 0:
                clone.run("git", "rebase", "--abort")
                clone.run("git", "reset", "-q", "--hard", "origin/main")


def versions_by_commit_order(central_path: Path) -> dict[str, list[str]]:
    """For each dataset, the commits on main that changed its data, oldest first."""
    expected: dict[str, list[str]] = {}
    shas = sh(["git", "rev-list", "--first-parent", "--reverse", "main"],
              central_path).stdout.split()
    for sha in shas:
        files = sh(["git", "diff-tree", "--no-commit-id", "--name-only", "-r", sha],
                   central_path).stdout.split()
        for key in sorted({"/".join(f.split("/")[:2]) for f in files if f.endswith(".dvc")}):
            expected.setdefault(key, []).append(sha)
    return expected


@pytest.mark.timeout(DEADLINE_S + 120)
def test_ten_racing_pushes_from_three_clones_are_each_one_version_in_commit_order(
        tmp_path, settings, catalogue, client, make_database_url):
    central = make_central(tmp_path, catalogue.settings.dvc_site_cache,
                           instance=settings.instance, database_url=settings.database_url,
                           catalogue_url=BASE)
    clones = [central.clone(tmp_path / f"clone{n}", who=who)
              for n, who in enumerate(("asha", "ben", "cara"))]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    record: dict[str, list] = {"pushed": [], "lost": []}
    errors: list[BaseException] = []
    stop = threading.Event()

    def guarded(target, *args) -> None:
        try:
            target(*args)
        except BaseException as exc:  # reported by the test's thread below
            errors.append(exc)

    def indexer() -> None:  # an index run every 0.25 s at most, until the pushes are done
        while not stop.wait(0.25):
            catalogue.indexer.index(str(central.path))

    racer = threading.Thread(target=guarded, args=(indexer,))
    racer.start()
    workers = [threading.Thread(target=guarded, args=(pusher, clone, plan, tmp_path, env, record))
               for clone, plan in zip(clones, PLANS, strict=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(DEADLINE_S + 30)
    stop.set()
    racer.join(60)
    assert not errors, "".join("".join(traceback.format_exception(e)) for e in errors)

    assert len(record["pushed"]) == 10
    for message in record["lost"]:
        assert "someone else pushed to main first" in message
    for key, _, said in record["pushed"]:  # post-receive did not wait: a dataset page link
        assert f"  catalogue:   {key}  {BASE}/datasets/{key}" in lines(said), said

    catalogue.indexer.index(str(central.path))
    expected = versions_by_commit_order(central.path)
    assert sum(len(v) for v in expected.values()) == 10
    assert {sha for _, sha, _ in record["pushed"]} == {s for v in expected.values() for s in v}
    for key, shas in expected.items():
        body = client.get(f"/api/v1/datasets/{key}/versions").json
        listed = [(v["number"], v["commit_sha"]) for v in reversed(body["results"])]
        assert listed == list(enumerate(shas, 1)), key

    fresh = Catalogue(Settings(tmp_path / "fresh", make_database_url()))
    fresh.indexer.index(str(central.path))
    assert snapshot(fresh.engine)["versions"] == snapshot(catalogue.engine)["versions"]
    fresh.close()


def lines(said: str) -> list[str]:
    """git push's output, line by line (git pads the hooks' lines with spaces)."""
    return [line.rstrip() for line in said.splitlines()]


def published(clone: Clone, key: str, content: str, message: str) -> tuple[str, str]:
    """dvc add, commit, dvc push, git push: the new commit and what git push printed."""
    sha = clone.commit(key, {"counts.csv": content}, message)
    clone.run("dvc", "push", "-q")
    done = clone.push()
    assert done.returncode == 0, done.stderr
    return sha, done.stderr


def test_post_receive_links_at_once_and_the_version_follows(tmp_path, settings, catalogue,
                                                            client):
    central = make_central(tmp_path, catalogue.settings.dvc_site_cache,
                           instance=settings.instance, database_url=settings.database_url,
                           catalogue_url=BASE)
    clone = central.clone(tmp_path / "clone")
    shas = []
    for n in range(3):  # back to back: the notifies meet, one index run serves them
        sha, said = published(clone, "housing/counts", f"ward,count\nAbbey,{n}\n", f"Count {n}")
        assert f"remote: catalogue:   housing/counts  {BASE}/datasets/housing/counts" in \
            lines(said), said
        shas.append(sha)
    deadline = time.monotonic() + 120
    while True:  # indexed by the hook's detached process alone
        body = client.get("/api/v1/datasets/housing/counts/versions").json
        listed = [(v["number"], v["commit_sha"]) for v in reversed(body.get("results", []))]
        if listed == list(enumerate(shas, 1)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert listed == list(enumerate(shas, 1))


def test_a_refused_push_ends_the_process_started_to_index_it(tmp_path, settings, catalogue):
    central = make_central(tmp_path, catalogue.settings.dvc_site_cache,
                           instance=settings.instance, database_url=settings.database_url,
                           catalogue_url=BASE)
    clone = central.clone(tmp_path / "clone")
    clone.commit("housing/counts", {"counts.csv": "ward,count\nAbbey,3\n"}, "Never uploaded")
    done = clone.push()  # no dvc push: refused
    assert done.returncode != 0 and "push to main refused" in done.stderr
    assert not list(central.path.glob("catalogue-ready-*"))
    listed = sh(["ps", "-eo", "args"], tmp_path).stdout
    assert f"catalogue.after_push {central.path}" not in listed


def test_post_receive_installed_with_a_wait_links_each_new_version(tmp_path, settings,
                                                                   catalogue):
    central = make_central(tmp_path, catalogue.settings.dvc_site_cache,
                           instance=settings.instance, database_url=settings.database_url,
                           catalogue_url=BASE, wait_seconds=60)
    clone = central.clone(tmp_path / "clone")
    _, said = published(clone, "housing/counts", "ward,count\nAbbey,3\n", "First count")
    assert lines(said)[:2] == [
        "remote: catalogue: 1 new version(s) in the catalogue:",
        f"remote: catalogue:   housing/counts v1  {BASE}/datasets/housing/counts/versions/1"], said


def test_the_stock_dvc_gets_and_imports_indexed_versions_by_commit(tmp_path, catalogue, client):
    central = make_central(tmp_path, catalogue.settings.dvc_site_cache)
    clone = central.clone(tmp_path / "clone")
    contents = ["ward,count\nAbbey,3\n", "ward,count\nAbbey,4\nCastle,1\n"]
    for n, content in enumerate(contents, 1):
        clone.commit("housing/counts", {"counts.csv": content}, f"Count {n}")
        clone.run("dvc", "push", "-q")
        assert clone.push().returncode == 0
    catalogue.indexer.index(str(central.path))
    versions = client.get("/api/v1/datasets/housing/counts/versions").json["results"]
    assert [v["number"] for v in versions] == [2, 1]

    consumer = tmp_path / "consumer"
    consumer.mkdir()
    sh(["git", "init", "-q", "-b", "main"], consumer)
    sh(["dvc", "init", "-q"], consumer)
    for version in versions:
        sha, n = version["commit_sha"], version["number"]
        sh(["dvc", "get", str(central.path), "housing/counts/counts.csv", "--rev", sha,
            "-o", f"got-v{n}.csv"], consumer)
        assert (consumer / f"got-v{n}.csv").read_text() == contents[n - 1]
        sh(["dvc", "import", "-q", str(central.path), "housing/counts/counts.csv",
            "--rev", sha, "-o", f"imported-v{n}.csv"], consumer)
        assert (consumer / f"imported-v{n}.csv").read_text() == contents[n - 1]
        assert f"rev_lock: {sha}" in (consumer / f"imported-v{n}.csv.dvc").read_text()
