"""The `catalogue` command starts fast: `--help` imports none of the core, and a run of
`catalogue index` with nothing new imports neither the web (Flask, Authlib) nor the search
index (Whoosh, numpy), profiling (pandas) or migrations (Alembic, when the database is at its
newest migration). Each runs in a fresh interpreter, which then lists what it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from catalogue.cli import LAZY, REGISTRY_LAZY, main
from catalogue.cli import registry as registry_group

WEB = ("flask", "authlib", "werkzeug")
HEAVY = ("whoosh", "numpy", "pandas", "pyarrow", "alembic")
CORE = ("sqlalchemy", "sqlmodel", "pygit2", "dvc", "git", "argon2", "yaml")

RUN_AND_LIST = """
import json, sys
from catalogue.cli import main
try:
    main(sys.argv[1:], prog_name="catalogue")
except SystemExit as exit:
    code = exit.code
else:
    code = 0
print(json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def imported_by(args: list[str], env: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """Run `catalogue ARGS` in a new interpreter: its output, and the top-level packages it
    imported."""
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST, *args], env=env,
                          capture_output=True, text=True, timeout=120)
    *output, last = done.stdout.rstrip("\n").split("\n")
    answer = json.loads(last)
    assert answer["code"] in (0, None), done.stdout + done.stderr
    return "\n".join(output), set(answer["modules"])


def test_help_imports_none_of_the_core_and_lists_every_command():
    output, modules = imported_by(["--help"])
    assert modules.isdisjoint(WEB + HEAVY + CORE), modules & set(WEB + HEAVY + CORE)
    listed = {line.split()[0] for line in output.split("Commands:")[1].splitlines() if line}
    assert listed == {name for name in main.list_commands(click.Context(main))
                      if name not in LAZY or not LAZY[name].hidden}


@pytest.mark.parametrize(("group", "name"), [
    *((main, name) for name in LAZY), *((registry_group, name) for name in REGISTRY_LAZY)])
def test_a_lazy_commands_listed_help_is_its_own(group: click.Group, name: str):
    """`--help` shows the one-line help kept in catalogue.cli, without importing the command:
    it must be what the command itself would show."""
    lazy = group.lazy[name]
    command = lazy.load()
    assert lazy.short_help == command.get_short_help_str(limit=10_000)
    assert lazy.hidden == command.hidden


@pytest.fixture
def indexed(registry, settings) -> dict[str, str]:
    """An instance that has indexed a registry with one version: the environment to run the
    command line on it."""
    registry.version("housing/rough-sleeping", {"counts.csv": "ward,count\nAbbey,3\n"},
                     "First count")
    env = dict(os.environ, CATALOGUE_INSTANCE=str(settings.instance),
               DATABASE_URL=settings.database_url)
    first, _ = imported_by(["index", str(registry.path)], env)
    assert "1 new version(s)" in first
    return env


def test_an_index_run_with_nothing_new_imports_neither_the_web_nor_search_nor_alembic(
        registry, indexed):
    output, modules = imported_by(["index", str(registry.path)], indexed)
    assert "0 new commit(s)" in output
    assert modules.isdisjoint(WEB + HEAVY), modules & set(WEB + HEAVY)
