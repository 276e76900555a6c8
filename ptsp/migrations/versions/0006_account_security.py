"""account security: a per-account session epoch, and the log of account and device events

Revision ID: 0006_account_security
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0006_account_security'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
    op.create_table('account_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_staff_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('target_staff_id', sa.Integer(), nullable=True),
    sa.Column('target_device_id', sa.Integer(), nullable=True),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_staff_id'], ['staff.id'], name=op.f('fk_account_events_actor_staff_id_staff')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_account_events_office_id_offices')),
    sa.ForeignKeyConstraint(['target_device_id'], ['devices.id'],
                            name=op.f('fk_account_events_target_device_id_devices')),
    sa.ForeignKeyConstraint(['target_staff_id'], ['staff.id'], name=op.f('fk_account_events_target_staff_id_staff')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_events'))
    )
    with op.batch_alter_table('account_events') as batch:
        batch.create_index(batch.f('ix_account_events_target_device_id'), ['target_device_id'], unique=False)
        batch.create_index(batch.f('ix_account_events_target_staff_id'), ['target_staff_id'], unique=False)


def downgrade() -> None:
    op.drop_table('account_events')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('session_epoch')
