"""S3-compatible DVC remotes end to end, against a real S3 server on loopback (moto's server
mode): a central registry whose DVC remote is a bucket, `catalogue push` and the plain
`dvc push` + `git push` of a team's clone, the pre-receive hook refusing a commit whose bytes
are not in the bucket, downloads streamed by range, and the release checks' byte reads.

The endpoint is configuration outside git (the instance's and the clone's `config.local`);
the credentials come from the environment only, and appear in no git object and no page."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest
import yaml
from moto.server import ThreadedMotoServer

from catalogue.releases.checks import PERSONAL_DATA, ScanOptions
from catalogue.releases.data_checks import data_checks
from catalogue.releases.metadata_checks import DATA_PRESENT
from catalogue.settings import Settings
from registry.create import init_central
from tests.builders import sh
from tests.central import DEPARTMENTS, Central
from tests.served import run_catalogue

BUCKET = "council-data"
REMOTE = f"s3://{BUCKET}/registry"
KEY_ID = "AKIACOUNCILTESTKEY01"
SECRET = "council-secret-never-in-git-or-a-page"
KEY = "housing/rough-sleeping"
FIRST = b"ward,count,contact\nAbbey,3,asha.patel@council.example.gov.uk\nCastle,5,\n"
SECOND = b"ward,count\n" + b"".join(b"Ward %d,%d\n" % (n, n % 7) for n in range(5000))


@pytest.fixture
def s3(monkeypatch, tmp_path) -> str:
    """An S3 server on a loopback port with an empty bucket; the credentials in the
    environment (as a council's deployment would have them), nowhere else."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
        yield endpoint
    finally:
        server.stop()


def _objects(endpoint: str) -> set[str]:
    listed = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listed.get("Contents", [])}


def _every_git_object(git_dir: Path) -> bytes:
    """The contents of every object in a repository (commits, trees, blobs, tags)."""
    names = sh(["git", "cat-file", "--batch-all-objects", "--batch-check=%(objectname)"],
               git_dir).stdout.split()
    return b"".join(sh(["git", "cat-file", "-p", name], git_dir).stdout.encode()
                    for name in names)


def test_s3_remote_end_to_end(s3, tmp_path, settings: Settings, client, dvc_site_cache):
    endpoint = s3
    env = dict(os.environ, DATABASE_URL=settings.database_url)
    settings.dvc_config.parent.mkdir(parents=True, exist_ok=True)
    settings.dvc_config.write_text(f"['remote \"storage\"']\n    endpointurl = {endpoint}\n")

    path = init_central(tmp_path / "council.git", dvc_site_cache, departments=DEPARTMENTS,
                        remote=REMOTE)
    run_catalogue(env, "registry", "install-hooks", str(path), "--wait", "60",
                  "--instance", str(settings.instance))
    central = Central(path, tmp_path / "unused")
    team = central.clone(tmp_path / "clone")
    team.run("dvc", "remote", "modify", "--local", "storage", "endpointurl", endpoint)

    # catalogue push: dvc push to the bucket, then git push through the hooks
    (tmp_path / "counts.csv").write_bytes(FIRST)
    (tmp_path / "dataset.yaml").write_text(yaml.safe_dump({
        "title": "Rough sleeping counts", "owners": ["asha.patel@council.example.gov.uk"],
        "classification": "OFFICIAL"}))
    pushed = run_catalogue(env, "push", KEY, str(tmp_path / "counts.csv"), "-m", "First count",
                           "--metadata", str(tmp_path / "dataset.yaml"), "-C", str(team.path))
    assert "Uploaded 1 file(s)" in pushed
    first = team.head()
    assert central.head() == first
    assert any(k.startswith("registry/files/md5/") for k in _objects(endpoint))

    # plain dvc: add, commit, dvc push, git push
    team.write(f"{KEY}/counts.csv", SECOND)
    team.run("dvc", "add", "-q", f"{KEY}/counts.csv")
    team.run("git", "add", "-A", KEY)
    team.run("git", "commit", "-q", "-m", "Second count")
    team.run("dvc", "push", "-q")
    accepted = team.push()
    assert accepted.returncode == 0, accepted.stderr
    second = team.head()
    assert central.head() == second

    # a commit whose bytes were never pushed to the bucket is refused by pre-receive
    team.write(f"{KEY}/counts.csv", b"ward,count\nAbbey,9\n")
    team.run("dvc", "add", "-q", f"{KEY}/counts.csv")
    team.run("git", "add", "-A", KEY)
    team.run("git", "commit", "-q", "-m", "Third count, not dvc pushed")
    refused = team.push()
    assert refused.returncode != 0
    assert "not in the registry's DVC remote" in refused.stderr or REMOTE in refused.stderr, \
        refused.stderr
    assert central.head() == second

    # the catalogue (told by post-receive) reads the bytes from the bucket, by range too
    whole = client.get(f"/api/v1/datasets/{KEY}/versions/2/files/counts.csv")
    assert whole.status_code == 200 and whole.data == SECOND
    assert whole.headers["Accept-Ranges"] == "bytes"
    part = client.get(f"/api/v1/datasets/{KEY}/versions/2/files/counts.csv",
                      headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.data == SECOND[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(SECOND)}"
    tail = client.get(f"/api/v1/datasets/{KEY}/versions/2/files/counts.csv",
                      headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == SECOND[-10:]
    beyond = client.get(f"/api/v1/datasets/{KEY}/versions/2/files/counts.csv",
                        headers={"Range": f"bytes={len(SECOND)}-"})
    assert beyond.status_code == 416
    assert client.get(f"/datasets/{KEY}/versions/1/files/counts.csv").data == FIRST

    # the release checks read the bytes from the bucket: the email address is found
    cat = client.application.extensions["catalogue"]
    files = [{"path": "counts.csv", "md5": _md5(team, first), "source": "counts.csv.dvc"}]
    results = {r.name: r for r in data_checks(cat.storage, str(path), first, KEY, files,
                                              ScanOptions())}
    assert results[DATA_PRESENT].outcome == "pass", results[DATA_PRESENT]
    assert results[PERSONAL_DATA].outcome != "pass", results[PERSONAL_DATA]

    # credentials: in no git object of the central registry, the clone, nor any page
    for git_dir in (path, team.path / ".git"):
        everything = _every_git_object(git_dir)
        assert SECRET.encode() not in everything and KEY_ID.encode() not in everything
        assert endpoint.encode() not in everything  # the endpoint stayed in config.local
    for page in ("/", f"/datasets/{KEY}", f"/datasets/{KEY}/versions/2",
                 f"/api/v1/datasets/{KEY}/versions/2"):
        body = client.get(page).data
        assert SECRET.encode() not in body and KEY_ID.encode() not in body


def _md5(team, rev: str) -> str:
    dvc_file = team.run("git", "show", f"{rev}:{KEY}/counts.csv.dvc").stdout
    return yaml.safe_load(dvc_file)["outs"][0]["md5"]
