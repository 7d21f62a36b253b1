"""/readyz against a PostgreSQL cluster of the test's own that is stopped, then started again:
503 while it is down, 200 again once it is back, with nothing restarted on the app's side.

The cluster is made with the machine's PostgreSQL binaries (initdb, pg_ctl), run as the
`postgres` user when the tests run as root (initdb refuses root); skipped where neither is
possible."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from web import create_app

BIN = Path(os.environ.get("CATALOGUE_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(BIN / "pg_ctl"), "-D", str(self.folder / "data"),
                                     "-w", "-t", "60", *args]), check=True,
                       capture_output=True, timeout=120)

    def start(self) -> None:
        self.ctl("-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
                 "-l", str(self.folder / "log"), "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not (BIN / "initdb").exists() or (os.geteuid() == 0 and shutil.which("runuser") is None):
        pytest.skip(f"needs PostgreSQL's binaries in {BIN}")
    folder = Path(tempfile.mkdtemp(prefix="catalogue-readyz-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(_as_postgres([str(BIN / "initdb"), "-D", str(folder / "data"), "-U",
                                 "postgres", "-A", "trust", "--no-sync"]),
                   check=True, capture_output=True, timeout=120)
    found = Cluster(folder, port)
    found.start()
    try:
        yield found
    finally:
        subprocess.run(_as_postgres([str(BIN / "pg_ctl"), "-D", str(folder / "data"), "-m",
                                     "immediate", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def _until(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)  # polling a condition with a deadline, not waiting for a guess
    return condition()


def test_readyz_fails_while_the_database_is_down_and_recovers(cluster: Cluster,
                                                               tmp_path: Path) -> None:
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"),
                      "DATABASE_URL": cluster.url, "TESTING": True})
    client = app.test_client()
    try:
        assert client.get("/readyz").status_code == 200
        cluster.stop()
        down = client.get("/readyz")
        assert down.status_code == 503
        body = down.get_json()
        assert body["status"] == "unavailable" and not body["database"]["ok"]
        assert body["database"]["detail"]
        assert client.get("/healthz").status_code == 200  # alive all the same
        cluster.start()
        assert _until(lambda: client.get("/readyz").status_code == 200)
        assert client.get("/readyz").get_json()["database"] == {"ok": True,
                                                                "detail": "postgresql"}
    finally:
        app.extensions["catalogue"].close()
