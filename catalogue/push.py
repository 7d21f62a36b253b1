"""`catalogue push`: publish a new version of a dataset from a team's clone of a registry.

In order, so that nothing is half-published:

1. check everything before touching anything: the dataset's key and department, its metadata
   (the validator the indexer and the central registry's hook use), the files, who the user is;
2. put the files in the dataset folder and `dvc add` them, then commit the folder as the user;
3. `dvc push` the bytes (of every commit the central repository has not got yet);
4. only then `git push`, so the central repository never holds a commit whose data is missing.

A failure at any step says what happened and what to run next. The clone is left so that
running the same command again completes the job: an unchanged dataset commits nothing, and
the commits not yet pushed are pushed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalogue.errors import CatalogueError
from registry.history import BRANCH, LOCK_FILE, PIPELINE_FILE
from registry.metadata import (
    CATALOGUE_FILE,
    DATASET_FILE,
    parse_catalogue_yaml,
    parse_dataset_yaml,
)
from registry.problems import FileProblems
from registry.writer import (
    Author,
    CopyProgress,
    NothingToCommit,
    PushOutOfDate,
    PushRefused,
    RegistryWriter,
    RemoteUnreachable,
    WriteFailed,
    dataset_folder,
)

REMOTE = "origin"
RESERVED = {DATASET_FILE, LOCK_FILE, PIPELINE_FILE, ".gitignore"}


class PushFailed(CatalogueError):
    """A step of `catalogue push` failed; the message says what happened and what to do next."""


class InvalidPush(PushFailed):
    """Refused before anything was touched: the clone is as it was."""


@dataclass
class PushOutcome:
    sha: str
    committed: bool
    pushed_commits: int
    files_uploaded: int
    remote_said: list[str] = field(default_factory=list)


def find_clone(start: Path) -> Path:
    """The registry clone that `start` is in (the folder holding `.dvc` and `.git`)."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".dvc").is_dir() and (folder / ".git").exists():
            return folder
    raise InvalidPush(f"{here} is not inside a clone of a registry (no .dvc and .git folders): "
                      "`git clone` the central registry, then run this inside it")


def push_version(
    clone: Path, dataset: str, files: Sequence[Path], message: str, *, site_cache: Path,
    metadata: Path | None = None, say: Callable[[str], None] = lambda _: None,
    copy_progress: CopyProgress | None = None,
) -> PushOutcome:
    """Publish `files` as a new version of `dataset` from the clone at `clone`."""
    try:
        writer = RegistryWriter(clone, site_cache)
    except WriteFailed as exc:
        raise InvalidPush(f"{exc}: run `catalogue push` inside a clone of a registry") from None
    with writer:
        metadata_text = _check(writer, dataset, files, message, metadata)
        try:
            author = writer.identity()
        except WriteFailed as exc:
            raise InvalidPush(str(exc)) from None
        return _publish(writer, dataset, files, message, metadata_text, author, say,
                        copy_progress)


def _check(writer: RegistryWriter, dataset: str, files: Sequence[Path], message: str,
           metadata: Path | None) -> str | None:
    """Everything that can be checked before touching the clone; the metadata to write."""
    try:
        dataset_folder(dataset)
    except ValueError as exc:
        raise InvalidPush(str(exc)) from None
    if not message.strip():
        raise InvalidPush("say what this version is with -m MESSAGE")
    if writer.branch() != BRANCH:
        raise InvalidPush(f"this clone is not on {BRANCH} (or is mid-rebase or merge): finish "
                          f"that, then `git switch {BRANCH}` and run this command again")
    department = dataset.split("/")[0]
    try:
        declared = parse_catalogue_yaml(
            CATALOGUE_FILE, (writer.path / CATALOGUE_FILE).read_text(encoding="utf-8"))
    except (OSError, FileProblems) as exc:
        raise InvalidPush(f"cannot read this registry's {CATALOGUE_FILE}: {exc}") from None
    if department not in {d.slug for d in declared.departments}:
        raise InvalidPush(f"department {department!r} is not declared in {CATALOGUE_FILE} "
                          f"(it declares {', '.join(d.slug for d in declared.departments)})")
    existing = writer.path / dataset / DATASET_FILE
    source = metadata or (existing if existing.is_file() else None)
    if source is None:
        raise InvalidPush(f"{dataset} is a new dataset: describe it with --metadata FILE "
                          f"(a {DATASET_FILE} with at least title and owners)")
    text = source.read_text(encoding="utf-8")
    try:
        parse_dataset_yaml(f"{dataset}/{DATASET_FILE}", text)
    except FileProblems as exc:
        lines = "\n".join(f"  {p}" for p in exc.problems)
        raise InvalidPush(f"the metadata in {source} is not valid; nothing was changed:\n"
                          f"{lines}") from None
    if not files:
        raise InvalidPush("name the data files of this version")
    names = [f.name for f in files]
    for file, name in zip(files, names, strict=True):
        if not file.exists():
            raise InvalidPush(f"{file} does not exist")
        if name in RESERVED or name.endswith(".dvc") or names.count(name) > 1:
            raise InvalidPush(f"{file}: a data file cannot be named {name!r} (reserved, or "
                              "given twice)")
    return text if metadata is not None else None


def _publish(writer: RegistryWriter, dataset: str, files: Sequence[Path], message: str,
             metadata_text: str | None, author: Author, say: Callable[[str], None],
             copy_progress: CopyProgress | None) -> PushOutcome:
    try:
        outputs = writer.copy_in(dataset, files, copy_progress)
        if metadata_text is not None:
            writer.put(dataset, {DATASET_FILE: metadata_text})
    except OSError as exc:
        raise PushFailed(f"could not copy the files into the clone: {exc}. Nothing was "
                         "committed; fix this and run the same command again") from None
    say(f"Tracking {', '.join(outputs)} with DVC")
    try:
        writer.track(outputs)
    except WriteFailed as exc:
        raise PushFailed(f"{exc}. Nothing was committed; fix this and run the same command "
                         "again") from None
    committed = True
    try:
        sha = writer.commit(message, author, [dataset])
        say(f"Committed {sha[:10]} as {author.name} <{author.email}>")
    except NothingToCommit:
        committed, sha = False, writer.head()
        say(f"{dataset} already holds these files at {sha[:10]}: nothing new to commit")
    except WriteFailed as exc:
        raise PushFailed(f"could not commit: {exc}. Fix this and run the same command "
                         "again") from None
    pending = writer.unpushed(REMOTE, BRANCH)
    if not pending:
        say(f"Nothing to push: {REMOTE}/{BRANCH} already has {sha[:10]}")
        return PushOutcome(sha, committed, 0, 0)
    say(f"Uploading the data of {len(pending)} commit(s) to the DVC remote")
    try:
        uploaded = writer.push(revs=pending)
    except WriteFailed as exc:
        raise PushFailed(
            f"the data could not be uploaded to the DVC remote: {exc}\n"
            f"Commit {sha[:10]} is saved in this clone; nothing was sent to the central "
            f"registry. When the DVC remote can be reached, run the same command again "
            f"(or `dvc push`, then `git push`).") from None
    say(f"Uploaded {uploaded} file(s); pushing {len(pending)} commit(s) to {REMOTE}/{BRANCH}")
    try:
        said = writer.git_push(REMOTE, BRANCH)
    except PushOutOfDate as exc:
        raise PushFailed(
            f"someone else pushed to {BRANCH} first ({exc}).\n"
            f"Your commit {sha[:10]} and its data are safe (the data is in the DVC remote). "
            f"Run `git pull --rebase`, then run the same command again.") from None
    except PushRefused as exc:
        said = "\n".join(f"  {line}" for line in exc.remote_lines if line)
        raise PushFailed(
            f"the central registry refused the push:\n{said}\n"
            f"Commit {sha[:10]} is saved in this clone. Fix what it says, commit, and run "
            f"the same command again.") from None
    except RemoteUnreachable as exc:
        raise PushFailed(
            f"{exc}\nCommit {sha[:10]} and its data (in the DVC remote) are saved. When the "
            f"central registry can be reached, run the same command again (or `git push`).") \
            from None
    for line in said:
        say(f"  {line}")
    return PushOutcome(sha, committed, len(pending), uploaded, said)
