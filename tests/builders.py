"""Builders for tests: registries made with the real `git` and `dvc` commands (never the
project's own writer), so the indexer is checked against what teams actually produce."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

AUTHORS = {
    "asha": ("Asha Patel", "asha.patel@council.example.gov.uk"),
    "ben": ("Ben Okafor", "ben.okafor@council.example.gov.uk"),
    "cara": ("Cara Jones", "cara.jones@council.example.gov.uk"),
}


def sh(args: list[str], cwd: Path, env: dict[str, str] | None = None,
       check: bool = True) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, DVC_NO_ANALYTICS="1", **(env or {}))
    done = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{args} failed in {cwd}:\n{done.stdout}\n{done.stderr}")
    return done


class WorkingCopy:
    """Writing files and dataset.yaml into a registry's working tree at `self.path`."""

    path: Path

    def write(self, rel: str, content: str | bytes) -> Path:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
        return target

    def metadata(self, key: str, **fields) -> None:
        fields.setdefault("title", key.split("/")[1].replace("-", " ").title())
        fields.setdefault("owners", ["owner@council.example.gov.uk"])
        self.write(f"{key}/dataset.yaml", yaml.safe_dump(fields, sort_keys=False))


class RegistryBuilder(WorkingCopy):
    """A registry in `path` with a local DVC remote beside it, driven by git and dvc."""

    def __init__(self, path: Path, departments: dict[str, str] | None = None,
                 name: str = "Test council registry", partners: dict[str, str] | None = None,
                 agreements: list[dict] | None = None):
        self.path = path
        self.remote = path.parent / f"{path.name}-storage"
        path.mkdir(parents=True)
        self.remote.mkdir()
        sh(["git", "init", "-q", "-b", "main"], path)
        sh(["dvc", "init", "-q"], path)
        sh(["dvc", "remote", "add", "-d", "storage", str(self.remote)], path)
        catalogue = {"name": name, "departments": [
            {"slug": s, "name": n} for s, n in (departments or {"housing": "Housing"}).items()]}
        if partners:
            catalogue["partners"] = [{"slug": s, "name": n} for s, n in partners.items()]
        if agreements:
            catalogue["agreements"] = agreements
        self.write("catalogue.yaml", yaml.safe_dump(catalogue, sort_keys=False))
        self.commit("Create registry", "asha")

    def dvc_add(self, key: str, files: dict[str, str | bytes]) -> None:
        paths = [str(self.write(f"{key}/{name}", content).relative_to(self.path))
                 for name, content in files.items()]
        sh(["dvc", "add", "-q", *paths], self.path)

    def commit(self, message: str, author: str = "asha") -> str:
        name, email = AUTHORS[author]
        sh(["git", "add", "-A"], self.path)
        sh(["git", "-c", f"user.name={name}", "-c", f"user.email={email}", "commit", "-q",
            "--allow-empty", "-m", message], self.path)
        return self.head()

    def push(self) -> None:
        sh(["dvc", "push", "-q"], self.path)

    def head(self) -> str:
        return sh(["git", "rev-parse", "HEAD"], self.path).stdout.strip()

    def version(self, key: str, files: dict[str, str | bytes], message: str,
                author: str = "asha", **metadata) -> str:
        """Write metadata (first time, or when given) and data, dvc add, commit, dvc push."""
        if metadata or not (self.path / key / "dataset.yaml").exists():
            self.metadata(key, **metadata)
        self.dvc_add(key, files)
        sha = self.commit(message, author)
        self.push()
        return sha


def fast_history(path: Path, datasets: int, commits: int, departments: int = 4) -> Path:
    """A registry with a long history, written by `git fast-import` (real git, real commits).

    Each commit after the first gives one dataset a new `.dvc` hash, so there are `commits`
    versions in all. No DVC bytes: indexing reads git only.
    """
    path.mkdir(parents=True)
    sh(["git", "init", "-q", "-b", "main"], path)
    depts = [f"dept-{d}" for d in range(departments)]
    keys = [f"{depts[i % departments]}/dataset-{i:05d}" for i in range(datasets)]
    out: list[str] = []

    def blob(name: str, text: str) -> None:
        data = text.encode()
        out.append(f"M 100644 inline {name}\ndata {len(data)}\n")
        out.append(text + "\n")

    def dvc(n: int) -> str:
        md5 = f"{n:032x}"
        return f"outs:\n- md5: '{md5}'\n  size: {100 + n}\n  hash: md5\n  path: data.csv\n"

    def commit(i: int, message: str, files: list[tuple[str, str]]) -> None:
        who = list(AUTHORS.values())[i % len(AUTHORS)]
        when = 1_700_000_000 + i * 60
        msg = message.encode()
        out.append(f"commit refs/heads/main\nauthor {who[0]} <{who[1]}> {when} +0000\n"
                   f"committer {who[0]} <{who[1]}> {when} +0000\ndata {len(msg)}\n{message}\n")
        for name, text in files:
            blob(name, text)

    first = [("catalogue.yaml", yaml.safe_dump({
        "name": "Long history", "departments": [{"slug": d, "name": d.title()} for d in depts]}))]
    for key in keys:
        first.append((f"{key}/dataset.yaml",
                      yaml.safe_dump({"title": key.split("/")[1], "owners": ["o@c.gov.uk"]})))
        first.append((f"{key}/data.csv.dvc", dvc(0)))
    commit(0, "Initial datasets", first)
    for i in range(1, commits - datasets + 1):
        key = keys[i % datasets]
        commit(i, f"Update {key}", [(f"{key}/data.csv.dvc", dvc(i))])
    stream = "".join(out).encode()
    done = subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=stream,
                          capture_output=True)
    if done.returncode != 0:
        raise AssertionError(done.stderr.decode())
    return path
