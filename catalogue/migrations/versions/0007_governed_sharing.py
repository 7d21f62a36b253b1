"""Governed sharing: discoverable datasets, grants with a purpose, an agreement and a status,
information-sharing agreements, access requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:05:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime  # timestamptz on PostgreSQL, as the models


def upgrade() -> None:
    with op.batch_alter_table('dataset', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discoverable', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('dataset_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('agreement', STRING(), nullable=True))
        batch_op.add_column(sa.Column('status', STRING(), nullable=False,
                                      server_default='active'))
        batch_op.add_column(sa.Column('decided_by', STRING(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', MOMENT(), nullable=True))
        batch_op.add_column(sa.Column('decision_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_dataset_grant_agreement'), ['agreement'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_dataset_grant_status'), ['status'], unique=False)
    op.create_table('agreement',
    sa.Column('reference', STRING(), nullable=False),
    sa.Column('title', STRING(), nullable=False),
    sa.Column('partner', STRING(), nullable=False),
    sa.Column('expires', sa.Date(), nullable=False),
    sa.Column('registry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registry_id'], ['registry.id'], ),
    sa.PrimaryKeyConstraint('reference')
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_partner'), ['partner'], unique=False)
        batch_op.create_index(batch_op.f('ix_agreement_registry_id'), ['registry_id'],
                              unique=False)
    op.create_table('access_request',
    sa.Column('id', STRING(), nullable=False),
    sa.Column('department', STRING(), nullable=False),
    sa.Column('dataset', STRING(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('requested_by', STRING(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('status', STRING(), nullable=False),
    sa.Column('open_key', STRING(), nullable=True),
    sa.Column('requested_at', MOMENT(), nullable=False),
    sa.Column('decided_by', STRING(), nullable=True),
    sa.Column('decided_at', MOMENT(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('grant_id', STRING(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('open_key')
    )
    with op.batch_alter_table('access_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_request_account_id'), ['account_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_access_request_department'), ['department'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_access_request_requested_by'), ['requested_by'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_access_request_status'), ['status'], unique=False)


def downgrade() -> None:
    op.drop_table('access_request')
    op.drop_table('agreement')
    with op.batch_alter_table('dataset_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_grant_status'))
        batch_op.drop_index(batch_op.f('ix_dataset_grant_agreement'))
        for column in ('decision_reason', 'decided_at', 'decided_by', 'status', 'agreement',
                       'purpose'):
            batch_op.drop_column(column)
    with op.batch_alter_table('dataset', schema=None) as batch_op:
        batch_op.drop_column('discoverable')
