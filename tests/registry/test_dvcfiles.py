import pytest

from registry.dvcfiles import parse_dvc_file, parse_dvc_lock
from registry.problems import FileProblems

ADD = """outs:
- md5: 0123456789abcdef0123456789abcdef
  size: 12
  hash: md5
  path: counts.csv
"""

IMPORT = """md5: aaaa
frozen: true
deps:
- path: health/gp-practices/practices.csv
  repo:
    url: /srv/registries/nhs
    rev_lock: 5d6e0f1c2b3a49586776655443322110ffeeddcc
outs:
- md5: fedcba9876543210fedcba9876543210
  size: 40
  hash: md5
  path: practices.csv
"""

LOCK = """schema: '2.0'
stages:
  rate:
    cmd: python rate.py
    deps:
    - path: ../../housing/homelessness/counts.csv
      hash: md5
      md5: 11111111111111111111111111111111
      size: 10
    - path: rate.py
      hash: md5
      md5: 22222222222222222222222222222222
      size: 5
    outs:
    - path: rate.csv
      hash: md5
      md5: 33333333333333333333333333333333
      size: 7
"""


def test_dvc_add_file():
    contents = parse_dvc_file("housing/counts/counts.csv.dvc", ADD)
    [out] = contents.outputs
    assert (out.path, out.md5, out.size, out.is_dir) == (
        "housing/counts/counts.csv", "0123456789abcdef0123456789abcdef", 12, False)
    assert contents.dependencies == ()


def test_dvc_import_file():
    contents = parse_dvc_file("health/gp/practices.csv.dvc", IMPORT)
    [dep] = contents.dependencies
    assert dep.repo_url == "/srv/registries/nhs"
    assert dep.path == "health/gp-practices/practices.csv"
    assert dep.rev_lock == "5d6e0f1c2b3a49586776655443322110ffeeddcc"


def test_dvc_lock_paths_become_registry_relative():
    contents = parse_dvc_lock("public-health/rate/dvc.lock", LOCK)
    assert [d.path for d in contents.dependencies] == [
        "housing/homelessness/counts.csv", "public-health/rate/rate.py"]
    assert [o.path for o in contents.outputs] == ["public-health/rate/rate.csv"]


@pytest.mark.parametrize("text, message", [
    ("just some words", "not a DVC file"),
    ("outs: {}", "'outs' must be a list"),
    ("outs:\n- path: x.csv\n", "has no md5"),
    ("outs:\n- md5: abc\n  path: ../../../etc/passwd\n", "outside the registry"),
    ("outs: [\n", "invalid YAML"),
])
def test_garbage_dvc_files_are_reported(text, message):
    with pytest.raises(FileProblems) as caught:
        parse_dvc_file("housing/x/x.dvc", text)
    assert message in str(caught.value)


def test_garbage_lock_is_reported():
    with pytest.raises(FileProblems) as caught:
        parse_dvc_lock("housing/x/dvc.lock", "stages: 3\n")
    assert "no 'stages' mapping" in str(caught.value)


@pytest.mark.parametrize("text", [
    ADD,
    ADD.replace("md5: 0123456789abcdef0123456789abcdef", "md5: '01234567890123456789012345678901'"),
    "outs:\n- md5: 0123456789abcdef0123456789abcdef.dir\n  size: 40\n  nfiles: 3\n"
    "  hash: md5\n  path: readings\n",
    ADD + "  cache: false\n",
    ADD.replace("path: counts.csv", "path: 'my counts.csv'"),
])
def test_the_fast_path_reads_what_yaml_reads(text):
    import yaml

    [out] = parse_dvc_file("housing/counts/x.dvc", text).outputs
    [entry] = yaml.safe_load(text)["outs"]
    assert (out.path, out.md5, out.size, out.nfiles) == (
        f"housing/counts/{entry['path']}", str(entry["md5"]), entry["size"],
        entry.get("nfiles"))
