"""urgent cases: the requests for urgency and their sign-off, and when a ticket became urgent

Revision ID: 0021_urgent
Revises: 0020_open_complaints
"""

from alembic import op
import sqlalchemy as sa


revision = '0021_urgent'
down_revision = '0020_open_complaints'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'urgent_cases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=False),
        sa.Column('desk_ticket', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=24), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('requested_by', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['decided_by'], ['staff.id'], name=op.f('fk_urgent_cases_decided_by_staff')),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_urgent_cases_office_id_offices')),
        sa.ForeignKeyConstraint(['requested_by'], ['staff.id'], name=op.f('fk_urgent_cases_requested_by_staff')),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_urgent_cases_service_id_services')),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_urgent_cases_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_urgent_cases')),
    )
    with op.batch_alter_table('urgent_cases', schema=None) as batch_op:
        batch_op.create_index('ix_urgent_cases_office_at', ['office_id', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_urgent_cases_ticket_id'), ['ticket_id'], unique=False)
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgent_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_column('urgent_at')
    with op.batch_alter_table('urgent_cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_urgent_cases_ticket_id'))
        batch_op.drop_index('ix_urgent_cases_office_at')
    op.drop_table('urgent_cases')
