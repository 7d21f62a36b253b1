"""Several workers and hosts: the change feed that each host's search index follows, rate-limit
counters, pending marks of cross-host work queues, and secrets every host shares

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:50:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table('change_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', STRING(), nullable=False),
    sa.Column('dataset_key', STRING(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('change_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_feed_target'), ['target'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_feed_at'), ['at'], unique=False)
    op.create_table('rate_counter',
    sa.Column('key', STRING(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_counter_expires_at'), ['expires_at'],
                              unique=False)
    op.create_table('work_mark',
    sa.Column('name', STRING(), nullable=False),
    sa.Column('marked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('shared_secret',
    sa.Column('name', STRING(), nullable=False),
    sa.Column('value', STRING(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('shared_secret')
    op.drop_table('work_mark')
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_counter_expires_at'))
    op.drop_table('rate_counter')
    with op.batch_alter_table('change_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_feed_at'))
        batch_op.drop_index(batch_op.f('ix_change_feed_target'))
    op.drop_table('change_feed')
