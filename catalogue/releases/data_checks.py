"""The release checks that read a version's bytes: is every file in the DVC remote, and what
do the tabular ones hold (personal data, small counts)? Each file is read once, by hash, in
bounded memory (catalogue.releases.scan), so a 1 GB file is checked like a small one.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from catalogue.releases.checks import DISCLOSURE, PERSONAL_DATA, CheckResult, ScanOptions, worst
from catalogue.releases.metadata_checks import DATA_PRESENT
from registry.storage import BytesUnavailable, OutputRef, RegistryStorage

TABULAR = {"csv", "tsv", "txt", "parquet", "xlsx", "jsonl", "ndjson"}
MEMBERS = 200  # files of one directory output checked at most (the evidence says so)
PREVIEWS = 3  # tables whose first rows the reviewer sees, masked


def data_checks(storage: RegistryStorage, git_path: str, rev: str, folder: str,
                files: list[dict[str, Any]], options: ScanOptions) -> list[CheckResult]:
    """Check the files of a version (`files` as a snapshot lists them; `folder` is the
    dataset's, registry-relative)."""
    from catalogue.releases.scan import run_content_checks  # pandas and pyarrow: only here

    missing: list[dict[str, str]] = []
    previews: dict[str, Any] = {}
    results: dict[str, list[tuple[str, CheckResult]]] = {PERSONAL_DATA: [], DISCLOSURE: []}
    skipped = 0
    for path, output, member in _tabular(storage, git_path, rev, folder, files, missing):
        if len(results[PERSONAL_DATA]) >= MEMBERS:
            skipped += 1
            continue
        try:
            opened = storage.open_file(git_path, rev, output, member)
        except BytesUnavailable as exc:
            missing.append({"file": path, "reason": str(exc)})
            continue
        with opened.handle as handle:
            for result in run_content_checks(handle, path, options):
                results.setdefault(result.name, []).append((path, result))
        if len(previews) < PREVIEWS:
            previews[path] = _preview(storage, git_path, rev, output, member, path)
    present = CheckResult(
        DATA_PRESENT, "fail" if missing else "pass",
        f"{len(missing)} file(s) cannot be read from the DVC remote" if missing
        else f"All {len(files)} file(s) are in the DVC remote",
        {"missing": missing, "previews": previews})
    return [present, *(_merged(name, found, skipped) for name, found in results.items())]


def _preview(storage: RegistryStorage, git_path: str, rev: str, output: OutputRef, member: str,
             path: str) -> dict[str, Any]:
    """The file's first rows, masked; a preview that cannot be made says why, and never
    stops the checks."""
    from catalogue.releases.preview import masked_preview

    try:
        with storage.open_file(git_path, rev, output, member).handle as handle:
            return masked_preview(handle, path)
    except Exception as exc:  # the checks above have said what is wrong with the bytes
        return {"error": f"no preview: {type(exc).__name__}"}


def _tabular(storage: RegistryStorage, git_path: str, rev: str, folder: str,
             files: list[dict[str, Any]], missing: list[dict[str, str]],
             ) -> Iterator[tuple[str, OutputRef, str]]:
    """(path shown, output, member) for each tabular file, directories' members included."""
    for file in files:
        output = OutputRef(f"{folder}/{file['path']}", file["md5"], f"{folder}/{file['source']}")
        if not output.is_dir:
            if _extension(file["path"]) in TABULAR:
                yield file["path"], output, ""
            else:
                _present(storage, git_path, rev, output, file["path"], missing)
            continue
        try:
            members = storage.members(git_path, rev, output)
        except BytesUnavailable as exc:
            missing.append({"file": file["path"], "reason": str(exc)})
            continue
        for member in members:
            if _extension(member) in TABULAR:
                yield f"{file['path']}/{member}", output, member


def _present(storage: RegistryStorage, git_path: str, rev: str, output: OutputRef, path: str,
             missing: list[dict[str, str]]) -> None:
    """A file that is not scanned is still looked for in the remote."""
    try:
        storage.open_file(git_path, rev, output).handle.close()
    except BytesUnavailable as exc:
        missing.append({"file": path, "reason": str(exc)})


def _merged(name: str, found: list[tuple[str, CheckResult]], skipped: int) -> CheckResult:
    """One check's answers for several files as one answer: the worst outcome, the summary of
    each file that did not pass, the evidence by file."""
    if not found:
        return CheckResult(name, "pass", "No tabular file to scan", {"files": {}})
    outcome = worst([result.outcome for _, result in found])
    notes = [f"{path}: {result.summary}" for path, result in found if result.outcome != "pass"]
    summary = "; ".join(notes) if notes else (
        found[0][1].summary if len(found) == 1 else f"{len(found)} files scanned: "
        + found[0][1].summary)
    evidence: dict[str, Any] = {"files": {path: result.evidence for path, result in found}}
    if skipped:
        evidence["not_scanned"] = skipped
        summary += f" ({skipped} more file(s) not scanned)"
    return CheckResult(name, outcome, summary, evidence)


def _extension(path: str) -> str:
    return posixpath.splitext(path)[1].lstrip(".").lower()
