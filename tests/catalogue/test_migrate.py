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
