"""The `catalogue` command: the core's group with `serve` and `demo` added by the web."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request

from click.testing import CliRunner

from catalogue.audit import Actor
from catalogue.people import add_account
from catalogue.tokens import create_token
from web.commands import main


def test_the_group_has_the_cores_commands_and_serve_and_demo():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = set(re.findall(r"^  (\w+)\s", result.output, flags=re.M))
    assert {"index", "reindex", "registry", "serve", "demo"} <= commands
    serve = CliRunner().invoke(main, ["serve", "--help"])
    assert "--host" in serve.output and "--port" in serve.output and "--instance" in serve.output
    demo = CliRunner().invoke(main, ["demo", "--help"])
    assert "--no-serve" in demo.output


def test_serve_prints_its_url_and_serves_the_site(registry, catalogue, settings):
    """`catalogue serve` on a free port: the URL it prints answers with the catalogue."""
    registry.version("housing/rough-sleeping", {"counts.csv": "ward,count\nAbbey,3\n"},
                     "First count", title="Rough sleeping street counts")
    catalogue.indexer.index(str(registry.path))
    add_account(catalogue.engine, Actor.command_line(), "asha@council.example", "Asha",
                departments=["housing"])
    _, token = create_token(catalogue.engine, Actor.command_line(), "asha@council.example")
    env = dict(os.environ, CATALOGUE_INSTANCE=str(settings.instance),
               DATABASE_URL=settings.database_url, PYTHONUNBUFFERED="1")
    command = [sys.executable, "-c", "from web.commands import main; main()",
               "serve", "--host", "127.0.0.1", "--port", "0"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        for line in server.stdout:  # waits for each line; pytest-timeout bounds it
            found = re.search(r"Serving the catalogue on (http://127\.0\.0\.1:\d+/)", line)
            if found:
                url = found.group(1)
                break
        assert url, "serve never printed its URL"
        page = urllib.request.Request(url + "datasets/housing/rough-sleeping",
                                      headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(page, timeout=30) as r:
            assert r.status == 200
            assert "Rough sleeping street counts" in r.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
