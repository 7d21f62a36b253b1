"""Alembic's environment: migrations run on the connection the catalogue hands over."""

from alembic import context
from sqlmodel import SQLModel

from catalogue import models  # noqa: F401  (registers the tables)
from catalogue.cluster import models as cluster_models  # noqa: F401
from catalogue.jobs import models as job_models  # noqa: F401
from catalogue.notifications import models as notification_models  # noqa: F401
from catalogue.profiles import models as profile_models  # noqa: F401
from catalogue.releases import models as release_models  # noqa: F401
from catalogue.sharing import models as sharing_models  # noqa: F401
from catalogue.tags import models as tag_models  # noqa: F401

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through catalogue.migrate, which passes a connection")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
