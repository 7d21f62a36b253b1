"""A registry whose datasets form a layered lineage graph, written with `git fast-import`.

Layer 0 is one dataset (the one the graph is asked about); layers -1 … -H are upstream of it
and 1 … H downstream. Each dataset of layer L (L ≥ 1: downstream; L ≤ 0: towards layer 0)
declares `derived_from` on up to `fan_in` datasets of the layer before it (the middle one on
all of layer -1), so the graph from
the middle dataset with depth H holds every dataset. Each dataset has one version (a .dvc file
with a made-up hash): indexing reads git only, and lineage needs no bytes.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

ROOT_KEY = "planning/layer-0-0"
AUTHOR = ("Lineage Bench", "lineage.bench@council.example.gov.uk")


def layer_key(layer: int, index: int) -> str:
    if layer == 0:
        return ROOT_KEY
    return f"planning/{'up' if layer < 0 else 'down'}-{abs(layer)}-{index}"


def layered_graph(hops: int, nodes: int, fan_in: int = 2) -> dict[str, list[str]]:
    """dataset key → the keys it is derived from: `nodes` datasets (about), `hops` each way."""
    width = max(1, -(-(nodes - 1) // (2 * hops)))
    layers = {0: [ROOT_KEY]}
    for h in range(1, hops + 1):
        layers[h] = [layer_key(h, i) for i in range(width)]
        layers[-h] = [layer_key(-h, i) for i in range(width)]
    sources: dict[str, list[str]] = {ROOT_KEY: list(layers.get(-1, []))}
    for h in range(1, hops + 1):
        for i, key in enumerate(layers[h]):  # downstream: from the layer nearer the middle
            before = layers[h - 1]
            sources[key] = sorted({before[(i + j) % len(before)] for j in range(fan_in)})
        for i, key in enumerate(layers[-h]):  # upstream: each feeds the layer nearer the middle
            farther = layers.get(-h - 1, [])
            sources[key] = sorted({farther[(i + j) % len(farther)] for j in range(fan_in)}
                                  ) if farther else []
    return sources


def write_lineage_registry(path: Path, sources: dict[str, list[str]],
                           department_only: frozenset[str] = frozenset()) -> Path:
    """A git registry at `path` (main branch) holding these datasets in one commit; those in
    `department_only` are visible to their department only."""
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=path, check=True)
    departments = sorted({key.split("/")[0] for key in sources})
    files = [("catalogue.yaml", yaml.safe_dump({
        "name": "Lineage bench", "departments": [
            {"slug": d, "name": d.replace("-", " ").title()} for d in departments]}))]
    for n, (key, upstream) in enumerate(sorted(sources.items())):
        meta = {"title": f"Dataset {key.split('/')[1]}", "owners": [f"owner{n}@council.gov.uk"],
                "derived_from": upstream}
        if key in department_only:
            meta["visibility"] = "department"
        files.append((f"{key}/dataset.yaml", yaml.safe_dump(meta, sort_keys=False)))
        files.append((f"{key}/data.csv.dvc",
                      f"outs:\n- md5: '{n + 1:032x}'\n  size: {100 + n}\n  hash: md5\n"
                      "  path: data.csv\n"))
    out = [f"commit refs/heads/main\nauthor {AUTHOR[0]} <{AUTHOR[1]}> 1700000000 +0000\n"
           f"committer {AUTHOR[0]} <{AUTHOR[1]}> 1700000000 +0000\ndata 16\nLineage datasets\n"]
    for name, text in files:
        data = text.encode()
        out.append(f"M 100644 inline {name}\ndata {len(data)}\n{text}\n")
    done = subprocess.run(["git", "fast-import", "--quiet"], cwd=path,
                          input="".join(out).encode(), capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode())
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)
    return path
