"""stations: processed counter commands, display presence, office running text

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa



revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offices') as batch:
        batch.add_column(sa.Column('running_text', sa.Text(), nullable=True))
    op.create_table('processed_commands',
    sa.Column('request_id', sa.String(length=36), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_processed_commands_staff_id_staff')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_processed_commands'))
    )
    op.create_index(op.f('ix_processed_commands_at'), 'processed_commands', ['at'], unique=False)
    op.create_table('display_presence',
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('connected', sa.Boolean(), nullable=False),
    sa.Column('connected_at', sa.DateTime(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('last_ack_ticket', sa.Integer(), nullable=True),
    sa.Column('last_ack_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_display_presence_device_id_devices')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_display_presence_office_id_offices')),
    sa.PrimaryKeyConstraint('device_id', name=op.f('pk_display_presence'))
    )
    op.create_index(op.f('ix_display_presence_office_id'), 'display_presence', ['office_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_display_presence_office_id'), table_name='display_presence')
    op.drop_table('display_presence')
    op.drop_index(op.f('ix_processed_commands_at'), table_name='processed_commands')
    op.drop_table('processed_commands')
    with op.batch_alter_table('offices') as batch:
        batch.drop_column('running_text')
