"""A follow remembers the newest version its follower was told of

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Follows made before this column existed count every version then current as seen:
    # their followers are told of the versions that come after, not of the past ones.
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_version', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.execute(
        "UPDATE follow SET seen_version = COALESCE((SELECT dataset.version_count FROM dataset "
        "WHERE dataset.department = follow.department AND dataset.slug = follow.dataset), 0)")


def downgrade() -> None:
    with op.batch_alter_table('follow', schema=None) as batch_op:
        batch_op.drop_column('seen_version')
