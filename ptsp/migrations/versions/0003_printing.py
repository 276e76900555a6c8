"""printing: kiosk printers and print jobs

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('printers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('setting', sa.String(length=200), nullable=True),
    sa.Column('width_chars', sa.Integer(), nullable=False),
    sa.Column('codepage', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('online', sa.Boolean(), nullable=False),
    sa.Column('paper', sa.String(length=8), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['devices.id'], name=op.f('fk_printers_agent_id_devices')),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_printers_device_id_devices')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_printers_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_printers')),
    sa.UniqueConstraint('device_id', name=op.f('uq_printers_device_id'))
    )
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_printers_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_printers_office_id'), ['office_id'], unique=False)

    op.create_table('print_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('printer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('may_have_printed', sa.Boolean(), nullable=False),
    sa.Column('reprint', sa.Integer(), nullable=False),
    sa.Column('status_url', sa.String(length=300), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_print_jobs_office_id_offices')),
    sa.ForeignKeyConstraint(['printer_id'], ['printers.id'], name=op.f('fk_print_jobs_printer_id_printers')),
    sa.ForeignKeyConstraint(['requested_by'], ['staff.id'], name=op.f('fk_print_jobs_requested_by_staff')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_print_jobs_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_jobs')),
    sa.UniqueConstraint('ticket_id', 'reprint', name=op.f('uq_print_jobs_ticket_id'))
    )
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_jobs_office_id'), ['office_id'], unique=False)
        batch_op.create_index('ix_print_jobs_printer_status', ['printer_id', 'status'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_print_jobs_printer_status')
        batch_op.drop_index(batch_op.f('ix_print_jobs_office_id'))

    op.drop_table('print_jobs')
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_printers_office_id'))
        batch_op.drop_index(batch_op.f('ix_printers_agent_id'))

    op.drop_table('printers')

