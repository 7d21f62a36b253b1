from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel


def test_the_migrations_build_exactly_the_models_schema(catalogue):
    """A change to the models without its migration fails here."""
    with catalogue.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrading_twice_is_harmless(catalogue):
    from alembic.script import ScriptDirectory

    from catalogue.migrate import alembic_config, upgrade

    upgrade(catalogue.engine)
    head = ScriptDirectory.from_config(alembic_config(catalogue.engine)).get_current_head()
    with catalogue.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_the_head_revision_constant_is_alembics_head(catalogue):
    """`upgrade` skips Alembic when the database is at HEAD_REVISION: a new migration must
    move it, or databases would never be upgraded to the new migration."""
    from alembic.script import ScriptDirectory

    from catalogue.migrate import HEAD_REVISION, alembic_config

    script = ScriptDirectory.from_config(alembic_config(catalogue.engine))
    assert script.get_heads() == [HEAD_REVISION]


def test_a_database_behind_the_head_is_upgraded(catalogue):
    from alembic import command

    from catalogue.migrate import HEAD_REVISION, alembic_config, current_revisions, upgrade

    with catalogue.engine.begin() as conn:
        command.downgrade(alembic_config(catalogue.engine, conn), "-1")
    assert current_revisions(catalogue.engine) not in ({HEAD_REVISION}, None)
    upgrade(catalogue.engine)
    assert current_revisions(catalogue.engine) == {HEAD_REVISION}


def test_an_empty_database_has_no_revision(make_database_url):
    from catalogue.db import make_engine
    from catalogue.migrate import HEAD_REVISION, current_revisions, upgrade

    engine = make_engine(make_database_url())
    try:
        assert current_revisions(engine) is None
        upgrade(engine)
        assert current_revisions(engine) == {HEAD_REVISION}
    finally:
        engine.dispose()
