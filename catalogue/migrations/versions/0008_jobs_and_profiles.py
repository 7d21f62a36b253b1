"""The job table (background work) and file profiles, keyed by md5

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:05:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', STRING(), nullable=False),
        sa.Column('key', STRING(), nullable=False),
        sa.Column('payload', sa.JSON(), nullable=False),
        sa.Column('status', STRING(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('retryable', sa.Boolean(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('worker', STRING(), nullable=True),
        sa.Column('queued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'key'),
    )
    op.create_index(op.f('ix_job_key'), 'job', ['key'], unique=False)
    op.create_index(op.f('ix_job_status'), 'job', ['status'], unique=False)
    op.create_table(
        'file_profile',
        sa.Column('md5', STRING(), nullable=False),
        sa.Column('format', STRING(), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=True),
        sa.Column('encoding', STRING(), nullable=True),
        sa.Column('tables', sa.JSON(), nullable=False),
        sa.Column('members', sa.JSON(), nullable=False),
        sa.Column('notes', sa.JSON(), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('profiled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('md5'),
    )


def downgrade() -> None:
    op.drop_table('file_profile')
    op.drop_index(op.f('ix_job_status'), table_name='job')
    op.drop_index(op.f('ix_job_key'), table_name='job')
    op.drop_table('job')
