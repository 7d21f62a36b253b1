"""`catalogue serve` in a process of its own, for tests that need a real server (several hosts,
gunicorn workers, S3): started on a free loopback port, waited on until it answers, stopped
(its whole process group) afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import requests

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def catalogue_command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from catalogue.cli import main; main()", *args]


def run_catalogue(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run a `catalogue` command; its standard output (fails the test when it fails)."""
    done = subprocess.run(catalogue_command(*args), env=env, input=stdin, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"catalogue {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Served:
    """A `catalogue serve` process on one instance folder."""

    def __init__(self, instance: Path, env: dict[str, str], workers: int = 1,
                 log: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log or instance.with_name(f"{instance.name}-serve.log")
        self._log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            catalogue_command("serve", "--port", str(self.port), "--workers", str(workers),
                              "--instance", str(instance)),
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 120.0) -> None:
        def answers() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"catalogue serve stopped:\n{self.log()}")
            try:
                return requests.get(f"{self.url}/api/v1/", timeout=5).status_code < 500
            except requests.ConnectionError:
                return False
        wait_for(answers, timeout, f"{self.url} to answer")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        self._log.close()


def wait_for(condition: Callable[[], T], timeout: float, what: str,
             interval: float = 0.1) -> T:
    """Poll `condition` until it returns something true; that value. Fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(interval)
