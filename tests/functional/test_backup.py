"""`catalogue backup OUT` then `catalogue restore IN` into an empty instance: every table the
same, row by row; the instance's secrets back; the search index rebuilt, not copied. On
SQLite (the online backup API) or PostgreSQL (pg_dump, pg_restore) as DATABASE_URL says."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import MetaData, create_engine, select

from catalogue.audit import Actor
from catalogue.cli import main
from catalogue.core import Catalogue
from catalogue.people import add_account
from catalogue.settings import Settings
from catalogue.tokens import create_token
from catalogue.webhooks import set_secret
from tests.builders import RegistryBuilder
from tests.functional.conftest import KEY
from web import create_app
from web.auth import TEST_PRINCIPALS

CLI = Actor.command_line()


def run(instance: Path, database_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--instance", str(instance)],
                              env={"DATABASE_URL": database_url})


def every_row(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


def test_backup_then_restore_into_an_empty_instance(council: RegistryBuilder,
                                                     catalogue: Catalogue, settings: Settings,
                                                     make_database_url, tmp_path: Path) -> None:
    person = add_account(catalogue.engine, CLI, "hal@council.example.gov.uk", "Hal",
                         departments=["housing"], role="publisher")
    create_token(catalogue.engine, CLI, person.email, "nightly export", "write")
    catalogue.sharing.share(person, CLI, KEY, "department:public-health")
    mirrored = f"file://{council.path}"  # known by URL: read from a mirror in the instance
    set_secret(catalogue, mirrored, "s" * 24)
    app = create_app({"INSTANCE_PATH": str(settings.instance),
                      "DATABASE_URL": settings.database_url, "TESTING": True})
    app.extensions["catalogue"].close()  # it wrote the instance's secret key
    (settings.instance / "config.py").write_text('SERVICE_NAME = "Northshire data"\n')
    before = every_row(settings.database_url)
    assert before["account"] and before["apitoken"] and before["dataset_grant"]
    assert before["auditevent"] and before["webhooksecret"] and before["version"]

    out = tmp_path / "backup"
    made = run(settings.instance, settings.database_url, "backup", str(out))
    assert made.exit_code == 0, made.output
    assert "It holds secrets" in made.output
    assert (out / "instance" / "config.py").exists()
    assert not (out / "instance" / "search").exists()  # derived: rebuilt, not copied
    assert not (out / "instance" / "mirrors").exists()
    assert out.stat().st_mode & 0o077 == 0
    again = run(settings.instance, settings.database_url, "backup", str(out))
    assert again.exit_code == 1 and "not an empty folder" in again.output

    target, target_url = tmp_path / "restored", make_database_url()
    done = run(target, target_url, "restore", str(out))
    assert done.exit_code == 0, done.output
    after = every_row(target_url)
    assert after.keys() == before.keys()
    for table in before:
        if table != "registry":
            assert after[table] == before[table], table
    # A registry known by URL is read from this instance's mirror now; nothing else differs.
    git_paths = {row[2]: row[3] for row in after["registry"]}
    assert git_paths[mirrored].startswith(str(target / "mirrors"))
    assert git_paths[str(council.path)] == str(council.path)
    assert [row[:3] + row[4:] for row in after["registry"]] == \
        [row[:3] + row[4:] for row in before["registry"]]
    for name in ("config.py", *[p.name for p in settings.instance.glob("secret*")]):
        assert (target / name).read_bytes() == (settings.instance / name).read_bytes()

    restored = create_app({"INSTANCE_PATH": str(target), "DATABASE_URL": target_url,
                           "TESTING": True, TEST_PRINCIPALS: ["*"]})
    try:
        found = restored.test_client().get("/api/v1/search?q=rough").get_json()
        assert KEY in {r["id"] for r in found["results"]}  # the index, rebuilt from the database
        assert restored.config["SERVICE_NAME"] == "Northshire data"
    finally:
        restored.extensions["catalogue"].close()

    refused = run(target, target_url, "restore", str(out))
    assert refused.exit_code == 1 and "not empty" in refused.output


def test_restore_refuses_what_is_no_backup(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "junk").mkdir()
    result = run(tmp_path / "new", settings.database_url, "restore", str(tmp_path / "junk"))
    assert result.exit_code == 1 and "is not a catalogue backup" in result.output
