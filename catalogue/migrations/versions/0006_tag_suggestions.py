"""Suggested tags: keywords offered to a dataset's owners, accepted or dismissed by them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:55:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tag_suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('dataset', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tag', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('decided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('department', 'dataset', 'tag')
    )
    with op.batch_alter_table('tag_suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_suggestion_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_tag_suggestion_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tag_suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tag_suggestion_status'))
        batch_op.drop_index(batch_op.f('ix_tag_suggestion_department'))
    op.drop_table('tag_suggestion')
