"""Release tags in GTO's format, written into real registries (built with the real `git`, `dvc
add` and `dvc push`) and read back by the stock `gto` and `dvc` commands, by
`read_release_events`, and by the central registry's pre-receive hook."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gto.constants import Action
from gto.tag import parse_name

from registry.history import RegistryHistory
from registry.receive import check_push, refusal
from registry.refupdates import ZERO, RefUpdate
from registry.release_tags import (
    REGISTRATION,
    RELEASE,
    WITHDRAWAL,
    PushFailed,
    ReleaseConflict,
    ReleaseRecord,
    ReleaseTagError,
    push_tags,
    read_release_events,
    tag_message,
    write_release,
    write_withdrawal,
)
from registry.remote_store import open_store
from registry.tag_names import check_dataset, next_counter, parse_tag, release_shaped
from tests.builders import RegistryBuilder, sh
from tests.central import make_central, refs

KEY = "housing/rough-sleeping"
SECRET = "the catalogue instance's secret"
TAGGER = "Data Catalogue <catalogue@localhost>"
V1 = "ward,count\nAbbey,3\n"
V2 = "ward,count\nAbbey,4\nCastle,1\n"
WHEN = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, list[str]]:
    """A registry with two versions of KEY (and one of another dataset), bytes in its remote."""
    builder = RegistryBuilder(tmp_path_factory.mktemp("built") / "registry",
                              {"housing": "Housing", "public-health": "Public Health"})
    shas = [builder.version(KEY, {"counts.csv": V1}, "March count"),
            builder.version(KEY, {"counts.csv": V2}, "April count", author="ben"),
            builder.version("public-health/clinics", {"sites.csv": "site\nA\n"}, "Clinics")]
    return builder.path, shas


@pytest.fixture
def registry(built, tmp_path) -> tuple[str, list[str]]:
    """A bare copy of the built registry, for one test's tags."""
    path = tmp_path / "registry.git"
    sh(["git", "clone", "-q", "--bare", str(built[0]), str(path)], tmp_path)
    return str(path), built[1]


def record(sha: str, version: int, action: str = RELEASE, dataset: str = KEY,
           **fields) -> ReleaseRecord:
    values = {"request_id": 42, "decided_by": "gita.officer@council.example.gov.uk",
              "decided_at": WHEN, "reason": "Aggregated counts, no personal data",
              "licence": "OGL-UK-3.0", "details": {"requested_by": "asha@council.example"}}
    return ReleaseRecord(dataset=dataset, version=version, commit=sha, action=action,
                         **{**values, **fields})


def tags(path: str) -> list[str]:
    return sh(["git", "tag", "-l"], Path(path)).stdout.split()


def gto_show(path: str, tmp_path: Path, dataset: str = KEY) -> dict[str, list[str]]:
    """`gto show <dataset> --json` in a fresh clone: each version and its active stages."""
    clone = tmp_path / f"clone-{len(list(tmp_path.glob('clone-*')))}"
    sh(["git", "clone", "-q", path, str(clone)], tmp_path)
    shown = json.loads(sh(["gto", "show", dataset, "--json"], clone).stdout)
    return {v["version"]: [s["stage"] for s in v["stages"] if s["is_active"]] for v in shown}


# Names


GTO_NAMES = [f"{KEY}@v7.0.0", f"{KEY}#open#3", f"{KEY}#open!#4", f"{KEY}@v1.2.3-rc.1!",
             f"{KEY}#prod", f"{KEY}@deprecated#5", "model@v1.0.0", "dir/a=model#dev#2",
             f"{KEY}@v1.0.0#9", "v1.0.0", "release-2024", f"{KEY}#open#", "-bad@v1.0.0",
             f"{KEY}-@v1.0.0", f"{KEY}@1.0.0"]


@pytest.mark.parametrize("name", GTO_NAMES)
def test_tag_names_parse_as_gto_parses_them(name):
    ours, theirs = parse_tag(name), parse_name(name, raise_on_fail=False)
    if not theirs:
        assert ours is None
        return
    assert ours is not None
    assert (ours.artifact, ours.action, ours.version, ours.stage, ours.counter) == (
        theirs["name"], Action(theirs["action"]).value, theirs.get("version"),
        theirs.get("stage"), theirs.get("counter"))


def test_release_shaped_means_a_gto_event_of_a_dataset():
    assert release_shaped(f"refs/tags/{KEY}@v1.0.0") and release_shaped(f"{KEY}#open!#2")
    assert release_shaped(f"{KEY}#prod#1") and release_shaped(f"{KEY}@deprecated")
    for other in ("v1.0.0", "model@v1.0.0", "housing/a/b@v1.0.0", "dir=housing/x#open#1",
                  "survey-2024", "housing/rough-sleeping"):
        assert release_shaped(other) is None, other
    with pytest.raises(ValueError, match="cannot be a GTO artifact name"):
        check_dataset("housing/rough-")  # a slug the catalogue allows, GTO does not


# Writing, read by gto and dvc


def test_gto_show_lists_a_release_and_no_longer_after_its_withdrawal(registry, tmp_path):
    path, shas = registry
    assert write_release(path, record(shas[0], 1), SECRET, TAGGER) == [
        f"{KEY}@v1.0.0", f"{KEY}#open#1"]
    assert gto_show(path, tmp_path) == {"v1.0.0": ["open"]}

    assert write_withdrawal(path, record(shas[0], 1, WITHDRAWAL), SECRET, TAGGER) == [
        f"{KEY}#open!#2"]
    assert gto_show(path, tmp_path) == {"v1.0.0": []}

    assert write_release(path, record(shas[0], 1), SECRET, TAGGER) == [f"{KEY}#open#3"]
    assert gto_show(path, tmp_path) == {"v1.0.0": ["open"]}
    tagger = sh(["git", "for-each-ref", "--format=%(taggername) <%(taggeremail:trim)>",
                 f"refs/tags/{KEY}#open#3"], Path(path)).stdout.strip()
    assert tagger == TAGGER


def test_decisions_back_to_back_read_in_order_in_gto(registry, tmp_path):
    path, shas = registry
    clinics = "public-health/clinics"
    for action in (RELEASE, WITHDRAWAL, RELEASE):  # within a second or two
        write = write_release if action == RELEASE else write_withdrawal
        write(path, record(shas[2], 1, action, dataset=clinics), SECRET, TAGGER)
    write_release(path, record(shas[1], 2), SECRET, TAGGER)
    write_withdrawal(path, record(shas[1], 2, WITHDRAWAL), SECRET, TAGGER)
    assert gto_show(path, tmp_path, clinics) == {"v1.0.0": ["open"]}
    assert gto_show(path, tmp_path) == {"v2.0.0": []}
    times = sh(["git", "for-each-ref", "--format=%(taggerdate:unix)", "refs/tags/"],
               Path(path)).stdout.split()
    assert max(map(int, times)) <= datetime.now(UTC).timestamp()  # never dated ahead


def test_k_is_the_number_gto_gives_the_next_event(registry, tmp_path):
    path, shas = registry
    write_release(path, record(shas[0], 1), SECRET, TAGGER)
    write_withdrawal(path, record(shas[0], 1, WITHDRAWAL), SECRET, TAGGER)
    clone = tmp_path / "clone"
    sh(["git", "clone", "-q", path, str(clone)], tmp_path)
    expected = next_counter(KEY, tags(str(clone)))
    said = sh(["gto", "assign", KEY, "--version", "v1.0.0", "--stage", "open", "--simple",
               "false", "-m", "by hand"], clone).stdout
    assert f"{KEY}#open#{expected}" in said and expected == 3
    made = read_release_events(str(clone), SECRET)[-1]
    assert (made.tag, made.valid, made.version) == (f"{KEY}#open#3", False, 1)
    assert "no catalogue record" in made.problem


def test_stock_dvc_gets_the_released_bytes_by_tag(registry, tmp_path):
    path, shas = registry
    write_release(path, record(shas[0], 1), SECRET, TAGGER)
    sh(["dvc", "get", path, f"{KEY}/counts.csv", "--rev", f"{KEY}@v1.0.0", "-o", "got.csv"],
       tmp_path)
    assert (tmp_path / "got.csv").read_text() == V1  # main holds V2


def test_writing_the_same_decision_twice_writes_nothing_more(registry):
    path, shas = registry
    first = write_release(path, record(shas[1], 2), SECRET, TAGGER)
    assert write_release(path, record(shas[1], 2), SECRET, TAGGER) == []
    assert write_withdrawal(path, record(shas[1], 2, WITHDRAWAL), SECRET, TAGGER) == [
        f"{KEY}#open!#2"] and len(first) == 2
    assert write_withdrawal(path, record(shas[1], 2, WITHDRAWAL), SECRET, TAGGER) == []
    assert len(tags(path)) == 3
    with pytest.raises(ReleaseTagError, match="v1 has no release here to withdraw"):
        write_withdrawal(path, record(shas[0], 1, WITHDRAWAL), SECRET, TAGGER)


def test_a_registration_that_says_otherwise_is_a_conflict(registry):
    path, shas = registry
    write_release(path, record(shas[0], 1), SECRET, TAGGER)
    with pytest.raises(ReleaseConflict, match=f"{KEY}@v1.0.0 already tags commit"):
        write_release(path, record(shas[1], 1), SECRET, TAGGER)
    with pytest.raises(ReleaseConflict, match="registered as another version"):
        write_release(path, record(shas[0], 2), SECRET, TAGGER)
    with pytest.raises(ReleaseTagError, match="is not in the registry"):
        write_release(path, record("f" * 40, 3), SECRET, TAGGER)
    with pytest.raises(ValueError, match="action is 'release'"):
        write_release(path, record(shas[1], 2, WITHDRAWAL), SECRET, TAGGER)
    assert len(tags(path)) == 2


def test_a_working_copy_takes_tags_too(built, tmp_path):
    clone = tmp_path / "work"
    sh(["git", "clone", "-q", str(built[0]), str(clone)], tmp_path)
    assert write_release(str(clone), record(built[1][2], 1, dataset="public-health/clinics"),
                         SECRET, TAGGER) == ["public-health/clinics@v1.0.0",
                                             "public-health/clinics#open#1"]
    assert sh(["git", "cat-file", "-t", "public-health/clinics#open#1"], clone).stdout == "tag\n"


# Reading


def test_read_release_events_restores_every_decision(registry):
    path, shas = registry
    written = [record(shas[0], 1, request_id="r-1"), record(shas[0], 1, WITHDRAWAL),
               record(shas[1], 2, reason="Ünïcode reason\nover two lines"),
               record(shas[2], 1, dataset="public-health/clinics")]
    for r in written:
        (write_release if r.action == RELEASE else write_withdrawal)(path, r, SECRET, TAGGER)
    events = read_release_events(path, SECRET)
    assert [(e.dataset, e.action, e.version, e.counter) for e in events] == [
        (KEY, REGISTRATION, 1, None), (KEY, RELEASE, 1, 1), (KEY, WITHDRAWAL, 1, 2),
        (KEY, REGISTRATION, 2, None), (KEY, RELEASE, 2, 3),
        ("public-health/clinics", REGISTRATION, 1, None),
        ("public-health/clinics", RELEASE, 1, 1)]
    assert all(e.valid and e.problem is None for e in events)
    assert [e.record for e in events if e.action != REGISTRATION] == written
    assert [e.commit for e in events[:3]] == [shas[0]] * 3
    assert events[0].tagger == TAGGER and events[0].tagged_at < events[1].tagged_at
    message = sh(["git", "tag", "-l", "-n99", f"{KEY}#open#3"], Path(path)).stdout
    assert "Release housing/rough-sleeping v2 openly (stage open), request 42" in message
    assert "Catalogue-Record: v1" in message and '"signature": "hmac-sha256:' in message


def test_a_hand_made_release_tag_is_invalid_and_releases_nothing(registry):
    path, shas = registry
    sh(["git", "tag", "-a", f"{KEY}@v1.0.0", "-m", "registered by hand", shas[0]], Path(path))
    sh(["git", "tag", "-a", f"{KEY}#open#9", "-m", "Released! Trust me.", shas[0]], Path(path))
    events = read_release_events(path, SECRET)
    assert [(e.tag, e.valid, e.version, e.record) for e in events] == [
        (f"{KEY}@v1.0.0", False, 1, None), (f"{KEY}#open#9", False, 1, None)]
    assert all("no catalogue record" in e.problem for e in events)
    # the catalogue's own release is not taken for done, and numbered after GTO's 9
    assert write_release(path, record(shas[0], 1), SECRET, TAGGER) == [f"{KEY}#open#10"]


def test_a_tag_signed_with_another_secret_or_renamed_is_invalid(registry):
    path, shas = registry
    write_release(path, record(shas[0], 1), "another catalogue's secret", TAGGER)
    events = read_release_events(path, SECRET)
    assert len(events) == 2 and not any(e.valid or e.record for e in events)
    assert all("signature does not verify" in e.problem for e in events)
    message = sh(["git", "tag", "-l", "--format=%(contents)", f"{KEY}#open#1"], Path(path))
    (Path(path) / "msg").write_text(message.stdout)
    sh(["git", "tag", "-a", f"{KEY}#open#5", "-F", "msg", shas[0]], Path(path))
    copied = {e.tag: e for e in read_release_events(path, "another catalogue's secret")}
    assert [copied[t].valid for t in (f"{KEY}@v1.0.0", f"{KEY}#open#1", f"{KEY}#open#5")] == [
        True, True, False]
    assert "renamed or its message edited" in copied[f"{KEY}#open#5"].problem


def test_an_authentic_record_on_the_wrong_commit_or_version_is_invalid(registry):
    path, shas = registry
    moved = record(shas[0], 1)
    (Path(path) / "msg").write_text(tag_message(f"{KEY}@v1.0.0", moved, SECRET))
    sh(["git", "tag", "-a", f"{KEY}@v1.0.0", "-F", "msg", shas[1]], Path(path))
    wrong = record(shas[1], 3)
    (Path(path) / "msg").write_text(tag_message(f"{KEY}@v2.0.0", wrong, SECRET))
    sh(["git", "tag", "-a", f"{KEY}@v2.0.0", "-F", "msg", shas[1]], Path(path))
    sh(["git", "tag", f"{KEY}#open#7", shas[1]], Path(path))
    sh(["git", "tag", "-a", f"{KEY}#prod#8", "-m", "production", shas[1]], Path(path))
    problems = {e.tag: (e.valid, e.record, e.problem) for e in read_release_events(path, SECRET)}
    valid, kept, said = problems[f"{KEY}@v1.0.0"]
    assert not valid and kept == moved
    assert f"it tags commit {shas[1][:10]} but its record is for {shas[0][:10]}" in said
    valid, kept, said = problems[f"{KEY}@v2.0.0"]
    assert not valid and kept == wrong and "it registers v2.0.0 but its record is for v3" in said
    assert "a lightweight tag" in problems[f"{KEY}#open#7"][2]
    assert "stage 'prod' is not one the catalogue writes" in problems[f"{KEY}#prod#8"][2]


# Pushing


def test_push_tags_to_a_bare_repository_over_file_url(registry, tmp_path):
    path, shas = registry
    published = tmp_path / "published.git"
    sh(["git", "clone", "-q", "--bare", path, str(published)], tmp_path)
    written = write_release(path, record(shas[0], 1), SECRET, TAGGER)
    push_tags(path, f"file://{published}", written)
    there, here = refs(published), refs(Path(path))
    assert [there.get(f"refs/tags/{t}") for t in written] == [
        here[f"refs/tags/{t}"] for t in written]
    push_tags(path, f"file://{published}", written)  # again: up to date, no error
    assert [e.valid for e in read_release_events(str(published), SECRET)] == [True, True]


def test_a_failed_push_raises_with_gits_reason(registry, tmp_path):
    path, shas = registry
    written = write_release(path, record(shas[0], 1), SECRET, TAGGER)
    with pytest.raises(PushFailed, match="does not appear to be a git repository") as missing:
        push_tags(path, f"file://{tmp_path / 'nowhere.git'}", written)
    assert "could not push release tags to file://" in str(missing.value)

    guarded = tmp_path / "guarded.git"
    sh(["git", "clone", "-q", "--bare", path, str(guarded)], tmp_path)
    for t in tags(str(guarded)):
        sh(["git", "tag", "-d", t], guarded)
    hook = guarded / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'this registry takes no tags today' >&2\nexit 1\n")
    hook.chmod(0o755)
    with pytest.raises(PushFailed) as refused:
        push_tags(path, f"file://{guarded}", written)
    assert "this registry takes no tags today" in refused.value.reason
    assert "pre-receive hook declined" in refused.value.reason
    assert tags(str(guarded)) == []

    taken = tmp_path / "taken.git"
    sh(["git", "clone", "-q", "--bare", path, str(taken)], tmp_path)
    sh(["git", "tag", "-f", "-a", f"{KEY}#open#1", "-m", "someone else's", shas[1]], taken)
    with pytest.raises(PushFailed, match=f"{KEY}#open#1 .*already exists"):
        push_tags(path, f"file://{taken}", written)


# The central registry's door


def test_check_push_refuses_release_shaped_tags_only(built, registry):
    path, shas = registry
    history = RegistryHistory(path)
    store = open_store(str(built[0].parent / "registry-storage"))
    updates = [RefUpdate(ZERO, shas[0], f"refs/tags/{KEY}@v1.0.0"),
               RefUpdate(ZERO, shas[0], f"refs/tags/{KEY}#open#1"),
               RefUpdate(shas[0], ZERO, f"refs/tags/{KEY}#open!#2"),
               RefUpdate(ZERO, shas[0], "refs/tags/survey-2024"),
               RefUpdate(ZERO, shas[0], "refs/tags/v1.0.0")]
    problems = check_push(history, updates, store)
    assert [p.file for p in problems] == [u.ref for u in updates[:3]]
    assert "written by the catalogue when a governance officer approves" in problems[0].message
    assert "cannot be deleted or moved" in problems[2].message
    assert refusal(problems).startswith("catalogue: push refused; the central registry")


def test_the_central_registry_refuses_a_pushed_release_tag(tmp_path, dvc_site_cache):
    central = make_central(tmp_path, dvc_site_cache)
    clone = central.clone(tmp_path / "clone")
    clone.commit(KEY, {"counts.csv": V1}, "March count")
    clone.run("dvc", "push", "-q")
    assert clone.push().returncode == 0
    before = refs(central.path)
    for name in (f"{KEY}@v1.0.0", f"{KEY}#open#1"):
        clone.run("git", "tag", "-a", name, "-m", "Released by hand")
        done = clone.run("git", "push", "origin", f"refs/tags/{name}", check=False)
        assert done.returncode != 0 and "pre-receive hook declined" in done.stderr
        assert "remote: catalogue: push refused" in done.stderr
        assert (f"refs/tags/{name}: release tags are written by the catalogue when a "
                "governance officer approves a release") in done.stderr
        assert refs(central.path) == before
    clone.run("git", "tag", "-a", "survey-2024", "-m", "An ordinary tag")
    done = clone.run("git", "push", "origin", "refs/tags/survey-2024", check=False)
    assert done.returncode == 0, done.stderr
    assert "refs/tags/survey-2024" in refs(central.path)
